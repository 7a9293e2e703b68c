"""What every page's header needs: which places the signed-in person has."""

from typing import Any

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {"signed_in": False}}
    return {
        "nav": {
            "signed_in": True,
            "teaches": user.can_teach,
            "coordinates": user.is_coordinator or user.is_staff,
        }
    }
