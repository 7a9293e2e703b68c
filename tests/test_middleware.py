from django.http import HttpResponse
from django.test import RequestFactory

from lms.middleware import HeadBodyRemovalMiddleware


def test_head_answers_carry_no_body_but_the_get_length():
    middleware = HeadBodyRemovalMiddleware(lambda request: HttpResponse(b"twelve bytes"))

    head = middleware(RequestFactory().head("/"))
    get = middleware(RequestFactory().get("/"))

    assert head.content == b""
    assert head["Content-Length"] == "12"
    assert get.content == b"twelve bytes"
