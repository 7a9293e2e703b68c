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


def test_head_answers_do_not_produce_a_streamed_body():
    from django.http import StreamingHttpResponse

    produced = []

    def body():
        produced.append(True)
        yield b"expensive"

    middleware = HeadBodyRemovalMiddleware(lambda request: StreamingHttpResponse(body()))

    head = middleware(RequestFactory().head("/"))

    assert b"".join(head.streaming_content) == b""
    assert produced == []
