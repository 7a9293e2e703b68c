"""Celery tasks of the LRS: forwarding statements to other LRSs. Each loads by id, calls one
service and declares its retry policy."""

from celery import shared_task

from lms.tasks import DATABASE_TRANSIENT_ERRORS
from tracking.lrs.services.forwarding import (
    RemoteLrsUnavailable,
    forwarding_target_forward,
    forwarding_target_ids_active,
)


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


@shared_task(name="tracking.forwarding_sweep")
def forwarding_sweep_task() -> list[str]:
    """Periodic: kick a forwarding run for every active target."""
    target_ids = forwarding_target_ids_active()
    for target_id in target_ids:
        forwarding_target_forward_task.delay(target_id=target_id)
    return target_ids
