"""Presence: the trainer's roster, the learner's check-in and check-out with the room's
rotating code, and the coordinator's corrections. Every change writes a ``PresenceChange``
(who, when, before, after, why) and restates the record's hours to the learner's ledger."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lms.accounts.models import User
from lms.accounts.selectors import person_in_scope
from tracking.attendance import codes
from tracking.attendance.exceptions import (
    AlreadyCheckedOut,
    CheckInCodeInvalid,
    CheckInNotOpen,
    CorrectionNeedsReason,
    NotCheckedIn,
    NotRegistered,
    NotRegisteredForSession,
    PresenceNeedsTimes,
    PresenceNotFound,
    PresenceTimesInvalid,
    SessionCancelled,
    SessionNotStarted,
)
from tracking.attendance.models import (
    AttendanceSession,
    Presence,
    PresenceChange,
    SessionRegistration,
)
from tracking.attendance.services.sessions import session_check_can_manage
from tracking.progress.models import AttendanceCredit
from tracking.progress.services.attendance import attendance_credit_set

CORRECTION_REASON_MIN_LENGTH = 10


def attended_seconds(session: AttendanceSession, entered_at: Any, left_at: Any) -> float:
    """The part of [entered_at, left_at] inside the session's own times: arriving early or
    staying late adds nothing, and without an exit there is nothing to count yet."""
    if entered_at is None or left_at is None:
        return 0.0
    start = max(entered_at, session.starts_at)
    end = min(left_at, session.ends_at)
    return max(0.0, (end - start).total_seconds())


def _snapshot(presence: Presence) -> dict[str, Any]:
    return {
        "status": presence.status,
        "entered_at": presence.entered_at.isoformat() if presence.entered_at else None,
        "left_at": presence.left_at.isoformat() if presence.left_at else None,
        "attended_seconds": presence.attended_seconds,
        "note": presence.note,
    }


def _same_marks(before: dict[str, Any], after: dict[str, Any]) -> bool:
    return all(before[key] == after[key] for key in ("status", "entered_at", "left_at", "note"))


def _mode(session: AttendanceSession) -> str:
    if session.kind == AttendanceSession.Kind.WEBINAR:
        return AttendanceCredit.Mode.WEBINAR
    return AttendanceCredit.Mode.IN_PERSON


def _save(
    presence: Presence,
    *,
    before: dict[str, Any] | None,
    action: str,
    actor: User,
    now: datetime,
    reason: str = "",
) -> Presence:
    session = presence.session
    presence.attended_seconds = (
        attended_seconds(session, presence.entered_at, presence.left_at)
        if presence.status == Presence.Status.PRESENT
        else 0.0
    )
    presence.save()
    PresenceChange.objects.create(
        presence=presence,
        action=action,
        changed_by=actor,
        changed_at=now,
        before=before,
        after=_snapshot(presence),
        reason=reason,
    )
    attendance_credit_set(
        learner_id=presence.learner_id,
        lesson_id=session.lesson_id,
        presence_id=presence.pk,
        mode=_mode(session),
        seconds=presence.attended_seconds,
        day=timezone.localdate(session.starts_at),
        attended_until=min(presence.left_at, session.ends_at) if presence.left_at else None,
    )
    return presence


def _locked_presence(session: AttendanceSession, learner: User) -> Presence | None:
    return (
        Presence.objects.select_for_update()
        .select_related("session")
        .filter(session=session, learner=learner)
        .first()
    )


def _check_times(
    session: AttendanceSession, entered_at: datetime | None, left_at: datetime | None
) -> None:
    day = timezone.localdate(session.starts_at)
    for moment in (entered_at, left_at):
        if moment is not None and timezone.localdate(moment) != day:
            raise PresenceTimesInvalid()
    if entered_at is not None and left_at is not None and left_at < entered_at:
        raise PresenceTimesInvalid()


# The room's code ------------------------------------------------------------------------------


def check_in_window(session: AttendanceSession) -> tuple[datetime, datetime]:
    """When the room's code is worth something: from a while before the start until the end
    (check-in), or a while after it (check-out)."""
    opens = session.starts_at - timedelta(minutes=settings.ATTENDANCE_CHECK_IN_OPENS_MINUTES)
    closes = session.ends_at + timedelta(minutes=settings.ATTENDANCE_CHECK_OUT_GRACE_MINUTES)
    return opens, closes


def session_code(
    *, actor: User, session: AttendanceSession, now: datetime | None = None
) -> tuple[str, int]:
    """The code to show in the room now and the seconds until it changes: for the session's
    trainers and staff, while the session's window is open."""
    session_check_can_manage(actor=actor, session=session)
    now = now or timezone.now()
    opens, closes = check_in_window(session)
    if session.is_cancelled:
        raise SessionCancelled()
    if not opens <= now <= closes:
        raise CheckInNotOpen()
    step = codes.step_of(now)
    return codes.code_for(session.code_secret, str(session.pk), step), codes.seconds_until_next(now)


def _check_code(session: AttendanceSession, code: str, now: datetime, *, closes: datetime) -> None:
    opens, _grace_end = check_in_window(session)
    if session.is_cancelled:
        raise SessionCancelled()
    if not opens <= now <= closes:
        raise CheckInNotOpen()
    if not codes.code_is_current(session.code_secret, str(session.pk), code, now):
        raise CheckInCodeInvalid()


def _check_registered(session: AttendanceSession, learner: User) -> None:
    if not SessionRegistration.objects.filter(
        session=session, learner=learner, status=SessionRegistration.Status.REGISTERED
    ).exists():
        raise NotRegistered()


@transaction.atomic
def presence_check_in(
    *, learner: User, session: AttendanceSession, code: str, now: datetime | None = None
) -> Presence:
    """The learner is in the room: the code on the screen proves it, the server's clock says
    when. A second check-in keeps the first entry."""
    now = now or timezone.now()
    _check_code(session, code, now, closes=session.ends_at)
    _check_registered(session, learner)
    presence = _locked_presence(session, learner)
    if presence is not None and presence.status == Presence.Status.PRESENT and presence.entered_at:
        return presence
    before = _snapshot(presence) if presence is not None else None
    presence = presence or Presence(session=session, learner=learner)
    presence.status = Presence.Status.PRESENT
    presence.entered_at = now
    presence.left_at = None
    return _save(
        presence, before=before, action=PresenceChange.Action.CHECK_IN, actor=learner, now=now
    )


@transaction.atomic
def presence_check_out(
    *, learner: User, session: AttendanceSession, code: str, now: datetime | None = None
) -> Presence:
    """The learner leaves: the hours run from the entry to now, within the session's times."""
    now = now or timezone.now()
    _opens, closes = check_in_window(session)
    _check_code(session, code, now, closes=closes)
    presence = _locked_presence(session, learner)
    if presence is None or presence.entered_at is None:
        raise NotCheckedIn()
    if presence.left_at is not None:
        raise AlreadyCheckedOut()
    before = _snapshot(presence)
    presence.left_at = now
    return _save(
        presence, before=before, action=PresenceChange.Action.CHECK_OUT, actor=learner, now=now
    )


# The trainer's roster and the coordinator's corrections --------------------------------------


def _set(
    presence: Presence,
    *,
    status: str,
    entered_at: datetime | None,
    left_at: datetime | None,
    note: str,
) -> None:
    if status == Presence.Status.PRESENT:
        if entered_at is None or left_at is None:
            raise PresenceNeedsTimes()
        _check_times(presence.session, entered_at, left_at)
        presence.entered_at, presence.left_at = entered_at, left_at
    else:
        presence.entered_at = presence.left_at = None
    presence.status = status
    presence.note = note.strip()


@transaction.atomic
def presence_mark(
    *,
    actor: User,
    session: AttendanceSession,
    learner: User,
    status: str,
    entered_at: datetime | None = None,
    left_at: datetime | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Presence:
    """The trainer marks a registered learner on the roster once the session has started:
    present (with entry and exit: a late arrival or an early leave is its times), absent, or
    a justified absence."""
    session_check_can_manage(actor=actor, session=session)
    now = now or timezone.now()
    if now < session.starts_at:
        raise SessionNotStarted()
    if not SessionRegistration.objects.filter(
        session=session, learner=learner, status=SessionRegistration.Status.REGISTERED
    ).exists():
        raise NotRegisteredForSession()
    presence = _locked_presence(session, learner)
    before = _snapshot(presence) if presence is not None else None
    presence = presence or Presence(session=session, learner=learner)
    _set(presence, status=status, entered_at=entered_at, left_at=left_at, note=note)
    if before is not None and _same_marks(before, _snapshot(presence)):
        return presence  # marked again as it was: no history row
    return _save(presence, before=before, action=PresenceChange.Action.ROSTER, actor=actor, now=now)


@transaction.atomic
def presence_correct(
    *,
    actor: User,
    presence: Presence,
    status: str,
    entered_at: datetime | None,
    left_at: datetime | None,
    reason: str,
    note: str = "",
    now: datetime | None = None,
) -> Presence:
    """A coordinator of the learner's city (or a national one, or staff) corrects a record,
    always with its reason; the history keeps what it was."""
    if not (
        actor.is_staff
        or (actor.is_coordinator and person_in_scope(actor=actor, person=presence.learner))
    ):
        raise PresenceNotFound()
    reason = reason.strip()
    if len(reason) < CORRECTION_REASON_MIN_LENGTH:
        raise CorrectionNeedsReason()
    now = now or timezone.now()
    locked = Presence.objects.select_for_update().select_related("session").get(pk=presence.pk)
    before = _snapshot(locked)
    _set(locked, status=status, entered_at=entered_at, left_at=left_at, note=note or locked.note)
    return _save(
        locked,
        before=before,
        action=PresenceChange.Action.CORRECTION,
        actor=actor,
        now=now,
        reason=reason,
    )
