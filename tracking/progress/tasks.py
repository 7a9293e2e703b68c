"""Celery tasks of the progress engine: each calls one service and declares its retry policy."""

import time

from celery import shared_task

from lms.tasks import DATABASE_TRANSIENT_ERRORS
from lms.wakeups import wake_taken

# Modules, not names: the services queue these tasks, and either may be imported first.
from tracking.progress.services import completions, emitted, engine


@shared_task(
    name="tracking.emit_registered",
    autoretry_for=DATABASE_TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def enrollment_registered_emit_task(*, enrollment_id: str) -> str | None:
    """Emit the xAPI ``registered`` statement of an enrolment (idempotent: a deterministic id)."""
    statement_id = emitted.enrollment_registered_emit(enrollment_id=enrollment_id)
    return str(statement_id) if statement_id else None


@shared_task(
    name="tracking.progress_drain",
    autoretry_for=DATABASE_TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=8,
)
def progress_drain_task() -> int:
    """Apply the outbox's statements to learners' progress, in full batches while there are
    any (for a minute at most: the next kick or the beat sweep goes on). Statements stored
    after it started have queued a drain of their own. Idempotent: rows are claimed."""
    wake_taken(progress_drain_task)  # from now on, a new statement queues another drain
    deadline = time.monotonic() + 60
    applied = 0
    while time.monotonic() < deadline:
        taken = engine.progress_drain()
        applied += taken
        if taken < engine.DRAIN_BATCH:
            break  # all there was
    return applied


@shared_task(
    name="tracking.completions_announce_pending",
    autoretry_for=DATABASE_TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=8,
)
def completions_announce_pending_task() -> int:
    """Emit the xAPI statements of every completion not announced yet and signal them: a
    moment after a drain recorded some, and periodically (beat) for any that was missed."""
    wake_taken(completions_announce_pending_task)  # from now on, new ones queue another run
    return completions.completions_announce_pending()
