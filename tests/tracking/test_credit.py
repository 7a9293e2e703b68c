"""The crediting policy on plain events: hand-worked scenarios with their seconds written out,
and properties that hold for any sequence of plays, pauses, seeks, tabs and speeds."""

from hypothesis import given, settings
from hypothesis import strategies as st

from tracking.progress.policy import (
    DONE,
    FASTER_THAN_REAL_TIME,
    PLAY,
    REAL_TIME_ALREADY_CREDITED,
    REPORT,
    START,
    STOP,
    Event,
    LearnerState,
    Policy,
    apply,
)
from tracking.progress.segments import IntervalSet, parse_played_segments

POLICY = Policy(tolerance_seconds=2.0)
T0 = 1_700_000_000.0  # any server time


def play(at, *, lesson="A", session="s1"):
    return Event(f"play-{lesson}-{session}-{at}", T0 + at, lesson, session, (PLAY,), length=600)


def pause(at, segments, *, lesson="A", session="s1", stop=True):
    actions = (REPORT, STOP) if stop else (REPORT,)
    return Event(
        f"pause-{lesson}-{session}-{at}",
        T0 + at,
        lesson,
        session,
        actions,
        segments=tuple(segments),
        length=600,
    )


def run(events, state=None):
    state = state or LearnerState()
    credits = []
    for event in events:
        credits.extend(apply(state, event, POLICY))
    return state, credits


def total(credits, lesson=None):
    return round(sum(c.seconds for c in credits if lesson in (None, c.lesson)), 6)


def test_watching_0_300_then_rewatching_100_200_credits_300():
    _state, credits = run([play(0), pause(300, [(0, 300)]), play(400), pause(500, [(100, 200)])])

    assert total(credits) == 300


def test_seeking_to_the_end_and_watching_10_s_credits_10():
    seeked = Event("seek", T0 + 1, "A", "s1", (REPORT,), segments=(), length=600)
    _state, credits = run([play(0), seeked, pause(11, [(590, 600)])])

    assert total(credits) == 10


def test_two_tabs_playing_different_lessons_over_the_same_600_s_credit_600_in_all():
    events = [
        play(0, lesson="A", session="tab1"),
        play(0, lesson="B", session="tab2"),
        pause(600, [(0, 600)], lesson="A", session="tab1"),
        pause(600, [(0, 600)], lesson="B", session="tab2"),
    ]

    state, credits = run(events)

    assert total(credits) == 600
    assert state.coverage["B"].measure == 600  # watched, but its time was already credited
    assert credits[-1].reason == REAL_TIME_ALREADY_CREDITED


def test_double_speed_covers_600_s_and_credits_300():
    state, credits = run([play(0), pause(300, [(0, 600)])])

    assert state.coverage["A"].measure == 600
    assert total(credits) == 300
    assert credits[0].reason == FASTER_THAN_REAL_TIME


def test_network_delay_within_the_tolerance_is_forgiven_once_per_stretch():
    # played reached the server 1.5 s late: 298.5 s measured for 300 s watched
    _state, credits = run([play(1.5), pause(300, [(0, 300)])])

    assert total(credits) == 300


def test_a_chatty_client_gains_the_tolerance_once_not_per_statement():
    # 1.1x speed, a report every second: 660 s of media in 600 s of real time
    events = [play(0)]
    events += [pause(second, [(0, second * 1.1)], stop=False) for second in range(1, 601)]

    _state, credits = run(events)

    assert total(credits) <= 600 + 4


def test_a_client_that_lies_about_segments_gets_only_the_real_time():
    _state, credits = run([play(0), pause(10, [(0, 600)])])

    assert total(credits) == 10


def test_a_report_with_no_play_credits_nothing():
    _state, credits = run([pause(300, [(0, 300)])])

    assert total(credits) == 0


def test_another_activity_is_credited_its_duration_within_the_time_since_it_started():
    start = Event("init", T0, "quiz", "reg", (START,))
    honest = Event("done", T0 + 900, "quiz", "reg", (DONE,), duration=600)
    start2 = Event("init2", T0 + 1000, "quiz2", "reg", (START,))
    inflated = Event("done2", T0 + 1060, "quiz2", "reg", (DONE,), duration=3600)

    _state, credits = run([start, honest, start2, inflated])

    assert [c.seconds for c in credits] == [600, 60]


def test_played_segments_notation_is_read():
    assert parse_played_segments("0[.]5.4[,]11.2[.]18.9[,]20[.]") == [(0, 5.4), (11.2, 18.9)]
    assert parse_played_segments("") == []


# --- properties -------------------------------------------------------------------------------

LESSONS = ("A", "B", "C")


@st.composite
def viewing(draw):
    """Random sessions: plays, pauses, seeks, rewinds, parallel tabs, fast playback, reports in
    any order of arrival (the engine sees them in stored order)."""
    events = []
    clock = 0.0
    sessions = draw(st.integers(min_value=1, max_value=4))
    positions = {f"s{n}": 0.0 for n in range(sessions)}
    lessons = {f"s{n}": draw(st.sampled_from(LESSONS)) for n in range(sessions)}
    playing = dict.fromkeys(positions, False)
    segments: dict[str, list] = {key: [] for key in positions}
    for step in range(draw(st.integers(min_value=1, max_value=40))):
        key = draw(st.sampled_from(sorted(positions)))
        clock += draw(st.floats(min_value=0, max_value=120))
        lesson = lessons[key]
        action = draw(st.sampled_from(["play", "pause", "seek", "report"]))
        ident = f"{step}"
        if action == "play":
            playing[key] = True
            events.append(Event(ident, T0 + clock, lesson, key, (PLAY,), length=600))
        else:
            if playing[key]:
                speed = draw(st.sampled_from([0.5, 1.0, 1.0, 1.5, 2.0]))
                watched = draw(st.floats(min_value=0, max_value=200)) * speed
                end = min(600.0, positions[key] + watched)
                if end > positions[key]:
                    segments[key].append((positions[key], end))
                positions[key] = end
            if action == "seek":
                positions[key] = draw(st.floats(min_value=0, max_value=600))
            actions = (REPORT, STOP) if action == "pause" else (REPORT,)
            if action == "pause":
                playing[key] = False
            events.append(
                Event(
                    ident,
                    T0 + clock,
                    lesson,
                    key,
                    actions,
                    segments=tuple(segments[key]),
                    length=600,
                )
            )
    return events


def playing_real_time(events):
    """The union of every session's playing stretches, and the number of stretches."""
    union = IntervalSet()
    since = {}
    stretches = 0
    for event in events:
        if PLAY in event.actions and event.session not in since:
            since[event.session] = event.stored
            stretches += 1
        elif STOP in event.actions and event.session in since:
            union.add(since.pop(event.session), event.stored)
    last = max((e.stored for e in events), default=T0)
    for start in since.values():
        union.add(start, last)
    return union.measure, stretches


@settings(max_examples=300, deadline=None)
@given(viewing())
def test_credit_never_exceeds_the_real_time_spent_playing(events):
    _state, credits = run(events)

    real, stretches = playing_real_time(events)
    assert total(credits) <= real + 2 * POLICY.tolerance_seconds * stretches + 1e-6


@settings(max_examples=300, deadline=None)
@given(viewing())
def test_credit_never_exceeds_coverage(events):
    state, credits = run(events)

    for lesson in LESSONS:
        covered = state.coverage.get(lesson, IntervalSet()).measure
        assert total(credits, lesson) <= covered + 1e-6
        assert covered <= 600


@settings(max_examples=300, deadline=None)
@given(viewing(), st.data())
def test_stopping_and_resuming_from_the_saved_state_changes_nothing(events, data):
    cut = data.draw(st.integers(min_value=0, max_value=len(events)))
    _straight, expected = run(events)

    first_state, first = run(events[:cut])
    saved = LearnerState.from_json(
        first_state.to_json(), {k: v.copy() for k, v in first_state.coverage.items()}
    )
    _resumed, second = run(events[cut:], saved)

    assert first + second == expected
