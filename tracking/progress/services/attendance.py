"""Attended hours into the learner's ledger: the attendance room states, for one presence
record, how many seconds it is worth now; the ledger keeps one row per record, and the
learner's completions are decided again by the engine (a recompute: it completes a lesson or
module the registers now earn, and withdraws one they no longer do)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from tracking.progress.models import AttendanceCredit
from tracking.progress.services import engine


@transaction.atomic
def attendance_credit_set(
    *,
    learner_id: UUID,
    lesson_id: UUID,
    presence_id: UUID,
    mode: str,
    seconds: float,
    day: date,
    attended_until: datetime | None,
) -> AttendanceCredit | None:
    """The ledger row of one presence record, replaced: ``seconds`` of 0 (absent, or no exit
    yet) leaves none. Idempotent: the same call twice leaves the same row. The learner is
    marked for a recompute in this transaction, so that no lost wake-up loses it."""
    engine.progress_recompute_later(learner_ids=[learner_id])
    if seconds <= 0 or attended_until is None:
        AttendanceCredit.objects.filter(presence_id=presence_id).delete()
        return None
    credit, _ = AttendanceCredit.objects.update_or_create(
        presence_id=presence_id,
        defaults={
            "learner_id": learner_id,
            "lesson_id": lesson_id,
            "mode": mode,
            "seconds": seconds,
            "day": day,
            "attended_until": attended_until,
            "recorded_at": timezone.now(),
        },
    )
    return credit
