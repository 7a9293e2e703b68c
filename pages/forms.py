"""Forms of the signing-in pages."""

from collections.abc import Iterator
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Django's sign-in form with the browser's autocomplete hints (WCAG 1.3.5)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class FirstAccessForm(PasswordResetForm):
    """The first-access link: like a password reset, but for people who have no password yet
    (created by a coordinator or an import, ``set_unusable_password``), whom Django's reset form
    deliberately skips."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = _("The address your coordinator registered for you.")

    def get_users(self, email: str) -> Iterator[Any]:
        people = get_user_model()._default_manager.filter(email__iexact=email, is_active=True)
        return (person for person in people if not person.has_usable_password())
