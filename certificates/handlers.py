"""Receivers of the progress engine's completion signals. Both are sent inside the
transaction that announces the completion: a certificate is issued (or revoked) in it, so
that a failure here rolls the announcement back and the next run repeats both."""

from typing import Any

from certificates.services import issuing


def on_completion_recorded(sender: Any, *, completion: Any, **kwargs: Any) -> None:
    issuing.certificate_issue_for_completion(completion_id=completion.pk)


def on_completion_withdrawn(sender: Any, *, completion: Any, **kwargs: Any) -> None:
    issuing.certificates_revoke_for_completion(completion_id=completion.pk)


def connect() -> None:
    from tracking.progress.signals import completion_recorded, completion_withdrawn

    completion_recorded.connect(
        on_completion_recorded, dispatch_uid="certificates.handlers.on_completion_recorded"
    )
    completion_withdrawn.connect(
        on_completion_withdrawn, dispatch_uid="certificates.handlers.on_completion_withdrawn"
    )
