"""Forwarding stored statements to external LRSs (a regional Learning Locker, Ralph, …).

Each ``ForwardingTarget`` has a cursor, (``last_stored``, ``last_id``): the last statement the
remote accepted. A run replays what comes after it, in (stored, id) order, in batches sent with
``RemoteLrs.save_statements`` (tincan). Per batch, in one transaction: claim the target row
(``select_for_update(skip_locked=True)``: a second worker finds it taken and leaves), read the
batch, send it, and advance the cursor only when the remote answered 2xx. So a batch is never
sent by two workers at once, and a failure leaves the cursor at the last accepted batch.

If the process dies after the remote accepted a batch but before the cursor is committed, the
batch is sent again on the next run; an xAPI LRS accepts a statement id it already holds with
the same content (Communication 2.1.3), so the remote still holds each statement once.

Failures: no answer, a refused connection, a timeout or a 5xx raise ``RemoteLrsUnavailable``
(transient: the task retries with backoff). Any other non-2xx (4xx: bad credentials, a
statement the remote refuses) is logged, kept in ``last_error`` and deactivates the target, so
it is not retried forever; staff fix the cause and tick it active again.
"""

import http.client
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tracking.lrs.models import ForwardingTarget, Statement
from tracking.lrs.remote import RemoteLrs

logger = logging.getLogger(__name__)

# Properties the receiving LRS sets itself (xAPI 1.0.3 Data 2.4.8, 2.4.9).
LRS_SET_PROPERTIES = ("stored", "authority")


class RemoteLrsUnavailable(Exception):
    """The remote LRS did not answer, or answered 5xx: try again later."""


@dataclass(frozen=True)
class ForwardReport:
    target: str
    forwarded: int = 0
    batches: int = 0
    busy: bool = False  # another worker holds the target
    refused: str = ""  # the remote's refusal (4xx) that deactivated the target


def _remote(target: ForwardingTarget) -> RemoteLrs:
    return RemoteLrs(
        endpoint=target.endpoint,
        username=target.key,
        password=target.secret,
        version="1.0.3",
        timeout=settings.LRS_FORWARD_TIMEOUT_SECONDS,
    )


def _outgoing(payload: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in payload.items() if key not in LRS_SET_PROPERTIES}


def _after_cursor(target: ForwardingTarget, *, settled_before: Any) -> Any:
    statements = Statement.objects.filter(stored__lt=settled_before)
    if target.last_stored is not None:
        statements = statements.filter(
            Q(stored__gt=target.last_stored) | Q(stored=target.last_stored, id__gt=target.last_id)
        )
    return statements.order_by("stored", "id")


def _forward_one_batch(*, target_id: uuid.UUID, settle_seconds: float) -> ForwardReport | int:
    """Send the next batch of one target; the number of statements it accepted, or a report
    when the run must end (busy, refused, inactive)."""
    with transaction.atomic():
        target = (
            ForwardingTarget.objects.select_for_update(skip_locked=True)
            .filter(pk=target_id)
            .first()
        )
        if target is None:
            exists = ForwardingTarget.objects.filter(pk=target_id).exists()
            return ForwardReport(target=str(target_id), busy=exists)
        if not target.is_active:
            return ForwardReport(target=target.name)
        # Statements get ``stored`` when their transaction starts and become visible when it
        # commits: leave the last moments alone so a slow commit cannot slip behind the cursor.
        settled_before = timezone.now() - timedelta(seconds=settle_seconds)
        batch = list(
            _after_cursor(target, settled_before=settled_before).values_list(
                "id", "stored", "payload"
            )[: target.batch_size]
        )
        if not batch:
            return 0
        try:
            response = _remote(target).save_statements([_outgoing(p) for _, _, p in batch])
        except (OSError, http.client.HTTPException) as error:
            raise RemoteLrsUnavailable(f"{target.name}: {error!r}") from error
        status = response.response.status
        if status >= 500:
            raise RemoteLrsUnavailable(f"{target.name}: HTTP {status}")
        if not response.success:
            data = response.data or ""
            body = (data.decode("utf-8", "replace") if isinstance(data, bytes) else data)[:1000]
            refusal = f"HTTP {status}: {body}"
            logger.error(
                "forwarding refused",
                extra={"target": target.name, "status": status, "first_id": str(batch[0][0])},
            )
            target.is_active = False
            target.last_error = refusal
            target.save(update_fields=["is_active", "last_error", "updated_at"])
            return ForwardReport(target=target.name, refused=refusal)
        last_id, last_stored, _ = batch[-1]
        target.last_stored, target.last_id = last_stored, last_id
        target.forwarded_count += len(batch)
        target.last_forwarded_at = timezone.now()
        target.last_error = ""
        target.save(
            update_fields=[
                "last_stored",
                "last_id",
                "forwarded_count",
                "last_forwarded_at",
                "last_error",
                "updated_at",
            ]
        )
        return len(batch)


def forwarding_target_forward(
    *,
    target_id: uuid.UUID | str,
    max_batches: int | None = None,
    settle_seconds: float | None = None,
) -> ForwardReport:
    """Forward what the target has not received yet, batch after batch, until nothing is left
    (or ``max_batches``). Idempotent and safe to run from two workers at once. Raises
    RemoteLrsUnavailable on a transient failure; the batches accepted before it stay counted."""
    target_id = uuid.UUID(str(target_id))
    settle = settings.LRS_FORWARD_SETTLE_SECONDS if settle_seconds is None else settle_seconds
    forwarded = batches = 0
    name = str(target_id)
    while max_batches is None or batches < max_batches:
        outcome = _forward_one_batch(target_id=target_id, settle_seconds=settle)
        if isinstance(outcome, ForwardReport):
            return ForwardReport(
                target=outcome.target,
                forwarded=forwarded,
                batches=batches,
                busy=outcome.busy,
                refused=outcome.refused,
            )
        if outcome == 0:
            break
        forwarded += outcome
        batches += 1
    if target := ForwardingTarget.objects.filter(pk=target_id).only("name").first():
        name = target.name
    return ForwardReport(target=name, forwarded=forwarded, batches=batches)


def forwarding_target_sync_settings() -> ForwardingTarget | None:
    """Create or update the target configured by ``LRS_FORWARD_*`` settings (None when no
    endpoint is configured). Its cursor is kept; an existing row's ``is_active`` is left as staff
    set it."""
    endpoint = settings.LRS_FORWARD_ENDPOINT
    if not endpoint:
        return None
    target, _ = ForwardingTarget.objects.update_or_create(
        name=settings.LRS_FORWARD_NAME,
        defaults={
            "endpoint": endpoint,
            "key": settings.LRS_FORWARD_KEY,
            "secret": settings.LRS_FORWARD_SECRET,
            "batch_size": settings.LRS_FORWARD_BATCH_SIZE,
        },
    )
    return target


def forwarding_target_ids_active() -> list[str]:
    """The targets a sweep forwards to (after syncing the settings-configured one)."""
    forwarding_target_sync_settings()
    return [
        str(pk)
        for pk in ForwardingTarget.objects.filter(is_active=True).values_list("pk", flat=True)
    ]
