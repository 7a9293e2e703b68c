"""The pages every visitor shares: the landing page, signing in, and the error pages."""

import logging
from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.urls import reverse_lazy
from django.views.decorators.csrf import requires_csrf_token

from courses.selectors import thematic_area_list
from pages.forms import FirstAccessForm, LoginForm

logger = logging.getLogger(__name__)


def home(request: HttpRequest) -> HttpResponse:
    """What the programme is, and each kind of user's way to their place."""
    return render(request, "pages/home.html", {"themes": list(thematic_area_list())})


class LoginView(auth_views.LoginView):
    template_name = "pages/auth/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Signing out is a POST (a form in the header), as Django requires."""


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "pages/auth/password_reset_form.html"
    email_template_name = "pages/auth/password_reset_email.txt"
    subject_template_name = "pages/auth/password_reset_subject.txt"
    success_url = reverse_lazy("pages:password-reset-done")
    extra_context = {"first_access": False}


class FirstAccessView(PasswordResetView):
    """The same link as a password reset, for people who have no password yet."""

    form_class = FirstAccessForm
    email_template_name = "pages/auth/first_access_email.txt"
    subject_template_name = "pages/auth/first_access_subject.txt"
    success_url = reverse_lazy("pages:first-access-done")
    extra_context = {"first_access": True}


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "pages/auth/password_reset_done.html"
    extra_context = {"first_access": False}


class FirstAccessDoneView(PasswordResetDoneView):
    extra_context = {"first_access": True}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "pages/auth/password_reset_confirm.html"
    success_url = reverse_lazy("pages:password-reset-complete")
    post_reset_login = True  # the link proves the address: the person is signed in at once


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "pages/auth/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "pages/auth/password_change_form.html"
    success_url = reverse_lazy("pages:password-change-done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "pages/auth/password_change_done.html"


# Error pages. They extend a base that reads nothing from the database (no user, no navigation),
# so that an error page cannot fail for the reason the page it replaces failed.
def _error_page(request: HttpRequest, status: int, context: dict[str, Any]) -> HttpResponse:
    try:
        body = loader.get_template(f"pages/errors/{status}.html").render(context, request)
    except Exception:  # noqa: BLE001 - the last resort must answer whatever broke
        logger.exception("The %s page could not be rendered", status)
        body = f"<!doctype html><title>{status}</title><h1>{status}</h1>"
    return HttpResponse(body, status=status)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 400, {})


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 403, {})


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 404, {"path": request.path})


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    # No request context at all: a context processor may be what failed.
    try:
        body = loader.get_template("pages/errors/500.html").render({})
    except Exception:  # noqa: BLE001 - the last resort must answer whatever broke
        logger.exception("The 500 page could not be rendered")
        body = "<!doctype html><title>500</title><h1>500</h1>"
    return HttpResponseServerError(body)
