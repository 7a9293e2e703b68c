"""Pure: the crediting policy. A learner's statements, in the order the server stored them,
become credits of verified time; the same sequence always gives the same credits, so applying
statements one by one as they arrive and recomputing from all of them agree to the second.

The policy (README, "Progress"):

- **Coverage** of a video lesson is the union of every ``played-segments`` the learner reported
  for it, clipped to the lesson's length. Re-watching and seeking never count twice.
- **Credit** grows only by newly covered media seconds, and only against *real* time: the time
  between a session's ``played`` and its report (``paused``, ``seeked``, ``completed``,
  ``terminated``), measured by the server's clock when the statements arrived. Real time that
  one credit used is used up: two tabs playing at once, or playback at 2x, never earn more than
  the time that passed. Network delay is forgiven from one allowance per learner of at most
  ``tolerance_seconds``, which only real time that no credit used refills: however many
  stretches, sessions or statements, the seconds credited over any interval of real time never
  exceed its length plus one tolerance.
- **Completion** of a video lesson counts only what was *earned*: media played within a
  stretch of real time at ``max_playback_rate`` at most (a claimed segment with no real time
  behind it completes nothing; what was seen too fast can be earned again by watching it).
- Other activities (cmi5 units, H5P, documents) are credited their ``result.duration`` on
  ``completed``/``terminated``, only within the real time since the activity was
  ``initialized``/``launched``, and under the same rule of used-up real time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from tracking.lrs.outbox import VIDEO
from tracking.progress.segments import Interval, IntervalSet, clip, measure, parse_played_segments

# Why a credit is smaller than the new coverage it came with (the ledger keeps the reason).
FASTER_THAN_REAL_TIME = "faster_than_real_time"
REAL_TIME_ALREADY_CREDITED = "real_time_already_credited"
NOT_PLAYING = "not_playing"
NO_START = "no_start"

# What one statement means to the engine.
PLAY = "play"  # played: a stretch of real time starts
REPORT = "report"  # paused, seeked, completed, terminated of a video: played-segments
STOP = "stop"  # paused, completed, terminated: the stretch ends (after the report, if any)
START = "start"  # initialized / launched of another activity
DONE = "done"  # completed / terminated of another activity, with result.duration


class Event(NamedTuple):
    """One stored statement as the engine sees it (built by the tracking services; a tuple:
    one is made per statement, and a frozen dataclass costs five times as much to make)."""

    statement_id: str
    stored: float  # server time, seconds since the epoch
    lesson: str  # the lesson's id
    session: str  # the Video Profile session-id, or the registration for other activities
    actions: tuple[str, ...]  # PLAY / REPORT / STOP / START / DONE, in this order
    segments: tuple[Interval, ...] = ()
    length: float | None = None  # the lesson's length (the catalogue's, not the client's)
    duration: float = 0.0  # result.duration of DONE, seconds


class Credit(NamedTuple):
    """One ledger entry: ``seconds`` credited to ``lesson`` by ``statement_id`` for the new
    ``media`` it covered, against the real ``window`` it used; ``reason`` says why it is less
    than the new coverage (empty when it is not)."""

    statement_id: str
    lesson: str
    seconds: float
    new_seconds: float  # newly covered media (or the claimed duration of another activity)
    media: tuple[Interval, ...]
    window: tuple[Interval, ...]
    reason: str = ""


@dataclass
class Session:
    lesson: str
    playing_since: float | None = None  # start of the current stretch's uncredited part


@dataclass
class LearnerState:
    """Everything the engine remembers about one learner between two statements."""

    consumed: IntervalSet = field(default_factory=IntervalSet)  # real time used by credits
    coverage: dict[str, IntervalSet] = field(default_factory=dict)  # per lesson, media seconds
    earned: dict[str, IntervalSet] = field(default_factory=dict)  # per lesson, played in time
    sessions: dict[str, Session] = field(default_factory=dict)
    started: dict[str, float] = field(default_factory=dict)  # "lesson session" -> START time
    last_stored: float = 0.0
    # The allowance for network delay (None: full), as it was at ``tolerance_at``, and the
    # seconds credited since then (real time they used does not refill it).
    tolerance_left: float | None = None
    tolerance_at: float = 0.0
    credited_since: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """The state without the coverage (kept per lesson by the caller)."""
        return {
            "consumed": self.consumed.to_list(),
            "sessions": {key: [s.lesson, s.playing_since] for key, s in self.sessions.items()},
            "started": self.started,
            "last_stored": self.last_stored,
            "tolerance": [self.tolerance_left, self.tolerance_at, self.credited_since],
        }

    @classmethod
    def from_json(
        cls,
        data: dict[str, Any],
        coverage: dict[str, IntervalSet],
        earned: dict[str, IntervalSet] | None = None,
    ) -> LearnerState:
        tolerance_left, tolerance_at, credited_since = data.get("tolerance", [None, 0.0, 0.0])
        return cls(
            consumed=IntervalSet(tuple(pair) for pair in data.get("consumed", [])),
            coverage=coverage,
            earned=earned if earned is not None else {},
            sessions={
                key: Session(lesson=value[0], playing_since=value[1])
                for key, value in data.get("sessions", {}).items()
            },
            started=dict(data.get("started", {})),
            last_stored=float(data.get("last_stored", 0.0)),
            tolerance_left=tolerance_left,
            tolerance_at=float(tolerance_at),
            credited_since=float(credited_since),
        )

    def tolerance(self, now: float, capacity: float) -> float:
        """The allowance at ``now``: what was left, refilled by the real time since that no
        credit used, up to ``capacity``."""
        if self.tolerance_left is None:
            left = capacity
        else:
            idle = max(0.0, now - self.tolerance_at - self.credited_since)
            left = min(capacity, self.tolerance_left + idle)
        self.tolerance_left, self.tolerance_at, self.credited_since = left, now, 0.0
        return left


@dataclass(frozen=True)
class Policy:
    tolerance_seconds: float = 2.0
    max_playback_rate: float = 2.0  # faster than this, playing earns no completion


def apply(state: LearnerState, event: Event, policy: Policy) -> list[Credit]:
    """Apply one statement (the next in stored order) to the learner's state; the credits it
    earns. Work is proportional to the statement's segments and the intervals they touch."""
    credits: list[Credit] = []
    state.last_stored = max(state.last_stored, event.stored)
    session = state.sessions.get(event.session)
    for action in event.actions:
        if action == PLAY:
            if session is None:
                session = state.sessions[event.session] = Session(lesson=event.lesson)
            if session.playing_since is None:
                session.playing_since = event.stored
        elif action == REPORT:
            credit = _report(state, session, event, policy)
            if credit is not None:
                credits.append(credit)
        elif action == STOP:
            if session is not None:
                session.playing_since = None
        elif action == START:
            state.started[f"{event.lesson} {event.session}"] = event.stored
        elif action == DONE:
            credit = _done(state, event)
            if credit is not None:
                credits.append(credit)
    _forget_the_past(state, policy)
    return credits


def _earn(state: LearnerState, lesson: str, segments: list[Interval], budget: float) -> None:
    """Mark as earned up to ``budget`` media seconds of ``segments`` not earned yet, in order."""
    earned = state.earned.setdefault(lesson, IntervalSet())
    for start, end in segments:
        for gap_start, gap_end in earned.missing(start, end):
            if budget <= 0:
                return
            take = min(gap_end - gap_start, budget)
            earned.add(gap_start, gap_start + take)
            budget -= take


def _report(
    state: LearnerState, session: Session | None, event: Event, policy: Policy
) -> Credit | None:
    segments = list(event.segments)
    if event.length is not None:
        segments = clip(segments, 0.0, event.length)
    coverage = state.coverage.setdefault(event.lesson, IntervalSet())
    new: list[Interval] = []
    for start, end in segments:
        new.extend(coverage.add(start, end))
    needed = measure(new)
    playing = session is not None and session.playing_since is not None
    window: list[Interval] = []
    if session is not None and session.playing_since is not None:
        if event.stored > session.playing_since:
            window = [(session.playing_since, event.stored)]
        session.playing_since = event.stored  # the next report credits from here
        # What this stretch of real time could have played at the fastest rate that counts.
        _earn(state, event.lesson, segments, policy.max_playback_rate * measure(window))
    if needed <= 0:
        return None
    if not playing or session is None:
        return Credit(event.statement_id, event.lesson, 0.0, needed, tuple(new), (), NOT_PLAYING)
    available = state.consumed.free_within(window)
    tolerance = state.tolerance(event.stored, policy.tolerance_seconds)
    reason = ""
    if needed <= available:
        seconds = needed
        used = state.consumed.take(needed, window)
    elif needed <= available + tolerance:
        seconds = needed  # within the learner's allowance for network delay
        state.tolerance_left = tolerance - (needed - available)
        used = state.consumed.take(available, window)
    else:
        seconds = available
        used = state.consumed.take(available, window)
        # Real time that passed in the window but another session had already used: two tabs.
        reason = (
            REAL_TIME_ALREADY_CREDITED
            if available < measure(window) - 1e-9
            else FASTER_THAN_REAL_TIME
        )
    state.credited_since += seconds
    return Credit(
        event.statement_id,
        event.lesson,
        seconds,
        needed,
        tuple(new),
        tuple(used),
        reason,
    )


def _done(state: LearnerState, event: Event) -> Credit | None:
    if event.duration <= 0:
        return None
    started = state.started.pop(f"{event.lesson} {event.session}", None)
    if started is None:
        return Credit(event.statement_id, event.lesson, 0.0, event.duration, (), (), NO_START)
    window = [(max(started, event.stored - event.duration), event.stored)]
    available = state.consumed.free_within(window)
    seconds = min(event.duration, available)
    used = state.consumed.take(seconds, window)
    state.credited_since += seconds
    reason = ""
    if seconds < event.duration:
        reason = (
            REAL_TIME_ALREADY_CREDITED
            if available < measure(window) - 1e-9
            else FASTER_THAN_REAL_TIME
        )
    return Credit(
        event.statement_id, event.lesson, seconds, event.duration, (), tuple(used), reason
    )


def _forget_the_past(state: LearnerState, policy: Policy) -> None:
    # Real time before every open stretch and every pending START can never be claimed again.
    open_from = [s.playing_since for s in state.sessions.values() if s.playing_since is not None]
    open_from += list(state.started.values())
    horizon = min(open_from, default=state.last_stored)
    state.consumed.drop_before(horizon)
    for key in [k for k, s in state.sessions.items() if s.playing_since is None]:
        del state.sessions[key]  # a stopped session starts afresh with its next PLAY


# --- statements → events ------------------------------------------------------------------------

ADL = "http://adlnet.gov/expapi/verbs"
PLAYED = {f"{VIDEO}/verbs/played"}
PAUSED = {f"{VIDEO}/verbs/paused"}
SEEKED = {f"{VIDEO}/verbs/seeked"}
# The Video Profile uses ADL's verbs for these; some players send the w3id spelling.
COMPLETED = {f"{ADL}/completed", f"{VIDEO}/verbs/completed"}
TERMINATED = {f"{ADL}/terminated", f"{VIDEO}/verbs/terminated"}
STARTED = {f"{ADL}/initialized", f"{ADL}/launched", f"{VIDEO}/verbs/initialized"}

_DURATION = re.compile(
    r"^P(?:(?P<years>\d+(?:\.\d+)?)Y)?(?:(?P<months>\d+(?:\.\d+)?)M)?(?:(?P<weeks>\d+(?:\.\d+)?)W)?"
    r"(?:(?P<days>\d+(?:\.\d+)?)D)?(?:T(?:(?P<hours>\d+(?:\.\d+)?)H)?"
    r"(?:(?P<minutes>\d+(?:\.\d+)?)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)
_UNIT_SECONDS = {
    "years": 365 * 86400,
    "months": 30 * 86400,
    "weeks": 7 * 86400,
    "days": 86400,
    "hours": 3600,
    "minutes": 60,
    "seconds": 1,
}


def duration_seconds(text: str) -> float:
    """Seconds of an ISO 8601 duration (``PT1H2M3.5S``); 0 when it is not one."""
    match = _DURATION.match(text or "")
    if match is None:
        return 0.0
    return sum(
        float(value) * _UNIT_SECONDS[unit] for unit, value in match.groupdict().items() if value
    )


def event_from_statement(
    *,
    statement_id: str,
    stored: float,
    lesson: str,
    is_video: bool,
    length: float | None,
    verb: str,
    video_session: str | None = None,
    cmi5_session: str | None = None,
    registration: str | None = None,
    segments: str | None = None,
    duration: str | None = None,
) -> Event | None:
    """What a stored statement about ``lesson`` means to the engine; None when nothing. Given
    the parts of it that matter (the services read them out of the statement's JSON: the
    context extensions ``SESSION_EXTENSION`` and ``CMI5_SESSION_EXTENSION``, the registration,
    the result extension ``SEGMENTS_EXTENSION`` and ``result.duration``). For a video lesson
    the ADL Video Profile's verbs and extensions; for any other the start (initialized,
    launched) and end (completed, terminated with result.duration)."""
    if is_video:
        session = str(video_session or registration or "-")
        if verb in PLAYED:
            actions: tuple[str, ...] = (PLAY,)
        elif verb in SEEKED:
            actions = (REPORT,)
        elif verb in PAUSED or verb in COMPLETED or verb in TERMINATED:
            actions = (REPORT, STOP)
        else:
            return None
        try:
            played = tuple(parse_played_segments(str(segments))) if segments else ()
        except ValueError:
            played = ()  # a malformed value covers nothing; the rest of the statement counts
        return Event(statement_id, stored, lesson, session, actions, played, length)
    session = str(cmi5_session or registration or "-")
    if verb in STARTED:
        return Event(statement_id, stored, lesson, session, (START,))
    if verb in COMPLETED or verb in TERMINATED:
        seconds = duration_seconds(str(duration or ""))
        return Event(statement_id, stored, lesson, session, (DONE,), duration=seconds)
    return None
