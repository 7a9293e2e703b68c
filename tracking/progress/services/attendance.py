"""Attended hours into the learner's ledger: the attendance room states, for one presence
record, how many seconds it is worth now; the ledger keeps one row per record."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from tracking.progress.models import AttendanceCredit


@transaction.atomic
def attendance_credit_set(
    *,
    learner_id: UUID,
    lesson_id: UUID,
    presence_id: UUID,
    mode: str,
    seconds: float,
    day: date,
) -> AttendanceCredit | None:
    """The ledger row of one presence record, replaced: ``seconds`` of 0 (absent, or no exit
    yet) leaves none. Idempotent: the same call twice leaves the same row."""
    if seconds <= 0:
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
            "recorded_at": timezone.now(),
        },
    )
    return credit
