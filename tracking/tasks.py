"""Celery tasks of the LRS: each loads by id, calls one service and declares its retry policy."""

import time

from celery import shared_task
from django.db import InterfaceError, OperationalError

from tracking.services.completions import completion_announce, completions_announce_pending
from tracking.services.emitted import enrollment_registered_emit
from tracking.services.forwarding import (
    RemoteLrsUnavailable,
    forwarding_target_forward,
    forwarding_target_ids_active,
)
from tracking.services.progress import progress_drain

# A database that went away for a moment; anything else is a bug and must not be retried.
DATABASE_TRANSIENT_ERRORS = (OperationalError, InterfaceError)


@shared_task(
    name="tracking.emit_registered",
    autoretry_for=DATABASE_TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def enrollment_registered_emit_task(*, enrollment_id: str) -> str | None:
    """Emit the xAPI ``registered`` statement of an enrolment (idempotent: a deterministic id)."""
    statement_id = enrollment_registered_emit(enrollment_id=enrollment_id)
    return str(statement_id) if statement_id else None


@shared_task(
    name="tracking.forwarding_target_forward",
    autoretry_for=(RemoteLrsUnavailable, *DATABASE_TRANSIENT_ERRORS),
    retry_backoff=True,
    retry_backoff_max=900,
    retry_jitter=True,
    max_retries=12,
)
def forwarding_target_forward_task(*, target_id: str) -> int:
    """Forward a target's pending statements (idempotent; a second worker finds it claimed).
    Retries only when the remote is unreachable or answers 5xx."""
    return forwarding_target_forward(target_id=target_id).forwarded


@shared_task(
    name="tracking.progress_drain",
    autoretry_for=DATABASE_TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=8,
)
def progress_drain_task() -> int:
    """Apply pending statements to learners' progress until none is left (or a minute has
    passed: the next kick or the beat sweep goes on). Idempotent: rows are claimed."""
    deadline = time.monotonic() + 60
    applied = 0
    while time.monotonic() < deadline and (taken := progress_drain()):
        applied += taken
    return applied


@shared_task(
    name="tracking.completion_announce",
    autoretry_for=DATABASE_TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=8,
)
def completion_announce_task(*, completion_id: str) -> bool:
    """Emit a completion's xAPI statements and signal it (idempotent)."""
    return completion_announce(completion_id=completion_id)


@shared_task(name="tracking.completions_announce_pending")
def completions_announce_pending_task() -> int:
    """Periodic: announce completions whose after-commit announcement was lost."""
    return completions_announce_pending()


@shared_task(name="tracking.forwarding_sweep")
def forwarding_sweep_task() -> list[str]:
    """Periodic: kick a forwarding run for every active target."""
    target_ids = forwarding_target_ids_active()
    for target_id in target_ids:
        forwarding_target_forward_task.delay(target_id=target_id)
    return target_ids
