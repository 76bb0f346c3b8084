"""The phone's pages take no cookie and set none: the clinician's session (or anyone's) is neither needed
nor accepted there. First in MIDDLEWARE, so the session, CSRF and sign-in layers never see one."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

PHONE_PREFIX = "/p/"


class PhonePagesWithoutCookies:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(PHONE_PREFIX):
            return self.get_response(request)
        request.META.pop("HTTP_COOKIE", None)
        request.COOKIES = {}
        response = self.get_response(request)
        response.cookies.clear()
        return response
