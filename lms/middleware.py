"""Project-wide HTTP middleware."""

from collections.abc import Callable

from django.http import HttpRequest
from django.http.response import HttpResponseBase


class HeadBodyRemovalMiddleware:
    """Answer HEAD requests without a body, whatever server runs Django.

    Django's views answer HEAD like GET and leave dropping the body to the server: runserver
    does, gunicorn does not, and a body after a HEAD answer corrupts the next response on the
    same keep-alive connection. The Content-Length stays that of the GET answer (RFC 9110 9.3.2);
    a streamed answer is dropped without being produced.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if request.method != "HEAD":
            return response
        if response.streaming:
            # Never started, so nothing (a file, a query) was opened for it.
            response.streaming_content = iter(())  # type: ignore[attr-defined]
        else:
            length = len(response.content)  # type: ignore[attr-defined]
            response.content = b""  # type: ignore[attr-defined]
            response["Content-Length"] = str(length)
        return response
