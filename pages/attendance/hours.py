"""A learner's hours shown apart, as the programme counts them: verified distance learning (the
engine's ledger) beside the hours attended in person and in live webinars (the registers)."""

from __future__ import annotations

from dataclasses import dataclass

from tracking.progress.models import AttendanceCredit
from tracking.progress.selectors import LearnerProgress, attendance_totals


@dataclass(frozen=True)
class HoursApart:
    distance: float
    in_person: float
    webinar: float


def hours_apart(progress: LearnerProgress) -> HoursApart:
    """The three kinds of hours of the learner of ``progress`` (one query for the attended)."""
    learner_id = progress.learner.pk
    attended = attendance_totals(learner_ids=[learner_id]).get(learner_id, {})
    return HoursApart(
        distance=progress.credited_hours,
        in_person=round(attended.get(AttendanceCredit.Mode.IN_PERSON, 0.0) / 3600, 2),
        webinar=round(attended.get(AttendanceCredit.Mode.WEBINAR, 0.0) / 3600, 2),
    )
