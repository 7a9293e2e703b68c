"""Who is calling the LRS, and what that allows."""

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from lms.accounts.models import User
from tracking.lrs.models import LrsClient
from tracking.lrs.xapi import agent_ifi


def learner_agent(learner: User) -> dict[str, Any]:
    """The pseudonymous xAPI identity of a person: an account on this site named by their uuid,
    never their e-mail address (DESIGN: Identity in xAPI)."""
    return {
        "objectType": "Agent",
        "account": {"homePage": settings.SITE_URL, "name": str(learner.pk)},
    }


def platform_authority() -> dict[str, Any]:
    """The authority of what the platform's own pages send on a learner's behalf."""
    return {
        "objectType": "Agent",
        "name": "Metropoli LMS",
        "account": {"homePage": settings.SITE_URL, "name": "platform"},
    }


@dataclass(frozen=True)
class LrsPrincipal:
    """An LRS client (HTTP Basic) or a learner signed in to the platform (session).

    A learner writes and reads only statements whose actor is themselves, and only their own
    documents; their statements get the platform as authority. ``is_staff``: a staff member's
    session, which may void any statement. Neither client nor learner: the platform's own code.
    """

    authority: dict[str, Any]
    can_write: bool
    read_scope: str
    client: LrsClient | None = None
    learner_ifi: str | None = None
    is_staff: bool = False

    @classmethod
    def for_client(cls, client: LrsClient) -> "LrsPrincipal":
        return cls(
            authority=client.authority,
            can_write=client.can_write,
            read_scope=client.read_scope,
            client=client,
        )

    @classmethod
    def for_learner(cls, learner: User) -> "LrsPrincipal":
        return cls(
            authority=platform_authority(),
            can_write=True,
            read_scope=LrsClient.ReadScope.MINE,
            learner_ifi=agent_ifi(learner_agent(learner)),
            is_staff=learner.is_staff,
        )


def emitted_by_engine_extension() -> str:
    """The context extension that marks what the progress engine itself emitted, so that it
    never reads its own completions back as a learner's activity."""
    return f"{settings.SITE_URL}/xapi/extensions/emitted-by"
