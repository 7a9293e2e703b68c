"""The progress engine on stored statements (PostgreSQL in CI): the issue's hand-worked
scenarios through the outbox, the ledger, voiding, and incremental == recompute."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from courses.models import Lesson
from tests.courses.factories import (
    CourseFactory,
    EnrollmentFactory,
    LessonFactory,
    ModuleFactory,
)
from tracking.lrs.outbox import statement_facts
from tracking.lrs.services.principals import emitted_by_engine_extension
from tracking.models import (
    CreditEntry,
    LessonProgress,
    ProgrammeProgress,
    Statement,
    StatementOutbox,
)
from tracking.progress.services.engine import progress_drain, progress_recompute_learner

pytestmark = pytest.mark.django_db

VIDEO = "https://w3id.org/xapi/video"
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def enrol(person, course):
    """Enrolled before the statements of these tests (stored from T0 on): they may credit."""
    return EnrollmentFactory(learner=person, course=course, enrolled_at=T0 - timedelta(days=1))


@pytest.fixture
def lessons(db, learner):
    module = ModuleFactory(course=CourseFactory(published=True))
    enrol(learner, module.course)
    return [
        LessonFactory(module=module, position=n, kind=Lesson.Kind.VIDEO, duration_seconds=600)
        for n in (1, 2)
    ]


def lesson_iri(lesson):
    return f"{settings.SITE_URL}/xapi/activities/lesson/{lesson.pk}"


def store(learner, lesson, verb, at, *, segments=None, session="s1", voided=False, **extra):
    """A Video Profile statement as the player sends it, stored at T0 + ``at`` seconds."""
    verb_id = (
        f"http://adlnet.gov/expapi/verbs/{verb}"
        if verb in ("completed", "terminated", "initialized")
        else f"{VIDEO}/verbs/{verb}"
    )
    result = {}
    if segments is not None:
        result["extensions"] = {
            f"{VIDEO}/extensions/played-segments": "[,]".join(f"{a}[.]{b}" for a, b in segments)
        }
    actor = {"account": {"homePage": settings.SITE_URL, "name": str(learner.pk)}}
    payload = {
        "id": str(uuid.uuid4()),
        "actor": actor,
        "verb": {"id": verb_id},
        "object": {"id": lesson_iri(lesson), "objectType": "Activity"},
        "context": {"extensions": {f"{VIDEO}/extensions/session-id": session}},
        "result": result,
        **extra,
    }
    statement = Statement.objects.create(
        id=payload["id"],
        payload=payload,
        actor_ifi=f"account:{settings.SITE_URL} {learner.pk}",
        verb_id=verb_id,
        object_activity_id=lesson_iri(lesson),
        timestamp=T0 + timedelta(seconds=at),
        stored=T0 + timedelta(seconds=at),
        voided=voided,
    )
    StatementOutbox.objects.create(  # as the LRS stores a statement
        statement=statement,
        stored=statement.stored,
        **statement_facts(payload, marker=emitted_by_engine_extension()),
    )
    return statement


def drain():
    while progress_drain():
        pass


def credited(learner, lesson=None):
    entries = CreditEntry.objects.filter(learner=learner)
    if lesson is not None:
        entries = entries.filter(lesson=lesson)
    return round(sum(e.seconds for e in entries), 3)


def test_watching_then_rewatching_credits_each_second_once(learner, lessons):
    lesson = lessons[0]
    store(learner, lesson, "played", 0)
    store(learner, lesson, "paused", 300, segments=[(0, 300)])
    store(learner, lesson, "played", 400)
    store(learner, lesson, "paused", 500, segments=[(0, 300), (100, 200)])

    drain()

    assert credited(learner) == 300
    progress = LessonProgress.objects.get(learner=learner, lesson=lesson)
    assert (progress.covered_seconds, progress.credited_seconds) == (300, 300)
    assert ProgrammeProgress.objects.get(learner=learner).credited_seconds == 300


def test_seeking_to_the_end_and_watching_10_s_credits_10(learner, lessons):
    lesson = lessons[0]
    store(learner, lesson, "played", 0)
    store(learner, lesson, "seeked", 1, segments=[])
    store(learner, lesson, "paused", 11, segments=[(590, 600)])

    drain()

    assert credited(learner) == 10


def test_two_tabs_over_the_same_600_s_credit_600_in_all(learner, lessons):
    store(learner, lessons[0], "played", 0, session="tab1")
    store(learner, lessons[1], "played", 0, session="tab2")
    store(learner, lessons[0], "paused", 600, segments=[(0, 600)], session="tab1")
    store(learner, lessons[1], "paused", 600, segments=[(0, 600)], session="tab2")

    drain()

    assert credited(learner) == 600
    # both pauses arrived at the same instant: whichever the engine applied second is refused
    refused = CreditEntry.objects.get(learner=learner, seconds=0)
    assert (refused.new_seconds, refused.reason) == (
        600,
        CreditEntry.Reason.REAL_TIME_ALREADY_CREDITED,
    )


def test_double_speed_covers_600_and_credits_300_and_completes_the_lesson(learner, lessons):
    lesson = lessons[0]
    store(learner, lesson, "played", 0)
    paused = store(learner, lesson, "paused", 300, segments=[(0, 600)])

    drain()

    progress = LessonProgress.objects.get(learner=learner, lesson=lesson)
    assert (progress.covered_seconds, progress.credited_seconds) == (600, 300)
    assert progress.completed_at == paused.stored
    entry = CreditEntry.objects.get(learner=learner)
    assert entry.reason == CreditEntry.Reason.FASTER_THAN_REAL_TIME
    assert entry.media == [[0, 600]]
    assert entry.window == [[T0.timestamp(), T0.timestamp() + 300]]


def test_a_voided_statement_is_taken_back(learner, lessons):
    lesson = lessons[0]
    store(learner, lesson, "played", 0)
    paused = store(learner, lesson, "paused", 300, segments=[(0, 300)])
    drain()
    Statement.objects.filter(pk=paused.pk).update(voided=True)
    voiding = store(learner, lesson, "paused", 400)  # any statement of theirs, marked voiding
    Statement.objects.filter(pk=voiding.pk).update(is_voiding=True, object_statement_id=paused.pk)

    drain()

    assert credited(learner) == 0
    assert not LessonProgress.objects.filter(learner=learner, covered_seconds__gt=0).exists()


def test_a_statement_stored_behind_one_already_applied_gives_the_recomputed_result(
    learner, lessons
):
    lesson = lessons[0]
    store(learner, lesson, "played", 0)
    store(learner, lesson, "paused", 300, segments=[(0, 300)])
    drain()
    store(learner, lesson, "played", 100, session="s2")  # committed late, stored earlier
    store(learner, lesson, "paused", 350, segments=[(300, 500)], session="s2")

    drain()
    incremental = credited(learner)
    progress_recompute_learner(learner_id=learner.pk)

    assert incremental == credited(learner) == 350


def test_statements_of_unknown_lessons_and_other_systems_are_left_alone(learner, lessons):
    other = store(learner, lessons[0], "played", 0)
    Statement.objects.filter(pk=other.pk).update(
        object_activity_id="https://elsewhere.example/lesson/1"
    )
    stranger = store(learner, lessons[0], "played", 0)
    Statement.objects.filter(pk=stranger.pk).update(actor_ifi="mbox:mailto:x@example.it")

    drain()

    assert not StatementOutbox.objects.exists()
    assert not CreditEntry.objects.exists()


def test_the_recompute_command_rebuilds_the_ledger(learner, lessons):
    store(learner, lessons[0], "played", 0)
    store(learner, lessons[0], "paused", 120, segments=[(0, 120)])
    drain()
    CreditEntry.objects.all().delete()

    call_command("progress_recompute", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert credited(learner) == 120


# --- incremental == recompute, to the second ---------------------------------------------------


@st.composite
def viewing(draw):
    """Plays, pauses, seeks, rewinds, two tabs, fast playback; some statements stored out of
    the order the engine first sees them in; some voided afterwards."""
    steps = []
    clock = 0.0
    position = {"tab1": 0.0, "tab2": 0.0}
    playing = {"tab1": False, "tab2": False}
    segments: dict[str, list] = {"tab1": [], "tab2": []}
    for _step in range(draw(st.integers(min_value=1, max_value=14))):
        tab = draw(st.sampled_from(["tab1", "tab2"]))
        clock += draw(st.integers(min_value=0, max_value=200))
        lesson = 0 if tab == "tab1" else draw(st.sampled_from([0, 1]))
        verb = draw(st.sampled_from(["played", "paused", "seeked"]))
        if verb == "played":
            playing[tab] = True
            steps.append((tab, lesson, verb, clock, None))
            continue
        if playing[tab]:
            speed = draw(st.sampled_from([1, 1, 2]))
            end = min(600.0, position[tab] + draw(st.integers(0, 200)) * speed)
            if end > position[tab]:
                segments[tab].append((position[tab], end))
            position[tab] = end
        if verb == "seeked":
            position[tab] = float(draw(st.integers(0, 600)))
        else:
            playing[tab] = False
        steps.append((tab, lesson, verb, clock, list(segments[tab])))
    late = draw(st.sets(st.integers(0, len(steps) - 1), max_size=3))
    voided = draw(st.sets(st.integers(0, len(steps) - 1), max_size=2))
    return steps, late, voided


@hypothesis_settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(viewing())
def test_incremental_application_equals_recompute(learner, lessons, case):
    steps, late, voided = case
    Statement.objects.all().delete()
    ProgrammeProgress.objects.all().delete()
    LessonProgress.objects.all().delete()
    stored = []
    for index, (tab, lesson, verb, at, segments) in enumerate(steps):
        if index in late:
            continue
        stored.append(store(learner, lessons[lesson], verb, at, segments=segments, session=tab))
        drain()  # one by one, as they arrive
    for index in sorted(late):  # these arrive last, stored earlier than some applied
        tab, lesson, verb, at, segments = steps[index]
        stored.append(store(learner, lessons[lesson], verb, at, segments=segments, session=tab))
    drain()
    for index in sorted(voided):
        if index < len(stored):
            target = stored[index]
            Statement.objects.filter(pk=target.pk).update(voided=True)
            voiding = store(learner, lessons[0], "paused", 10_000 + index)
            Statement.objects.filter(pk=voiding.pk).update(
                is_voiding=True, object_statement_id=target.pk
            )
    drain()

    def rows():
        return {
            str(p.lesson_id): tuple(
                round(value, 6)
                for value in (p.credited_seconds, p.covered_seconds, p.earned_seconds)
            )
            + (p.completed_at,)
            for p in LessonProgress.objects.filter(learner=learner)
        }

    incremental = rows()
    ledger = credited(learner)
    # Real time is the ceiling: never more than the span of the statements plus one tolerance.
    span = max((at for *_rest, at, _segments in steps), default=0)
    assert ledger <= span + settings.PROGRESS_TOLERANCE_SECONDS + 1e-6

    progress_recompute_learner(learner_id=learner.pk)

    assert rows() == incremental
    assert credited(learner) == ledger
    assert round(ProgrammeProgress.objects.get(learner=learner).credited_seconds, 3) == ledger


# --- completions -------------------------------------------------------------------------------


def watch(learner, lesson, start_at, *, seconds=600, session=None):
    session = session or f"s-{lesson.pk}"
    store(learner, lesson, "played", start_at, session=session)
    store(learner, lesson, "paused", start_at + seconds, segments=[(0, seconds)], session=session)


def test_completing_every_lesson_completes_module_and_course_and_announces_them(
    learner, lessons, django_capture_on_commit_callbacks
):
    from tracking.models import Completion
    from tracking.progress.signals import completion_recorded

    heard = []
    completion_recorded.connect(
        lambda sender, completion, **kw: heard.append(completion.kind),
        weak=False,
        dispatch_uid="test-heard",
    )
    try:
        watch(learner, lessons[0], 0)
        with django_capture_on_commit_callbacks(execute=True):
            drain()
        assert set(Completion.objects.values_list("kind", flat=True)) == {"lesson"}

        watch(learner, lessons[1], 1000, seconds=545)  # 90.8 %: over the 90 % threshold
        with django_capture_on_commit_callbacks(execute=True):
            drain()
    finally:
        completion_recorded.disconnect(dispatch_uid="test-heard")

    kinds = sorted(Completion.objects.values_list("kind", flat=True))
    assert kinds == ["course", "lesson", "lesson", "module"]
    assert sorted(heard) == kinds
    assert not Completion.objects.filter(announced_at__isnull=True).exists()
    verbs = sorted(
        Statement.objects.filter(actor_ifi__endswith=str(learner.pk))
        .exclude(verb_id__startswith=VIDEO)
        .values_list("verb_id", flat=True)
    )
    assert verbs == [
        "http://adlnet.gov/expapi/verbs/completed",  # lesson 1
        "http://adlnet.gov/expapi/verbs/completed",  # lesson 2
        "http://adlnet.gov/expapi/verbs/completed",  # module
        "http://adlnet.gov/expapi/verbs/completed",  # course
        "http://id.tincanapi.com/verb/earned",  # the module's certificate (certificates app)
        "http://id.tincanapi.com/verb/earned",  # the course's
        "https://w3id.org/xapi/adl/verbs/satisfied",  # module, cmi5-style
    ]
    # the engine reads its own statements back from the LRS and ignores them
    entries = CreditEntry.objects.count()
    drain()
    assert CreditEntry.objects.count() == entries
    assert credited(learner) == 1145


def test_the_programme_completes_at_its_target_of_credited_hours(learner, lessons, settings):
    from tracking.models import Completion

    settings.PROGRAMME_TARGET_HOURS = 0.25  # 900 s

    watch(learner, lessons[0], 0)
    drain()
    assert not Completion.objects.filter(kind="programme").exists()
    watch(learner, lessons[1], 1000, seconds=300)
    drain()

    programme = Completion.objects.get(kind="programme")
    assert programme.credited_seconds == 900


def test_a_lost_announcement_is_repaired_by_the_sweep(learner, lessons):
    from tracking.models import Completion
    from tracking.progress.services.completions import completions_announce_pending

    watch(learner, lessons[0], 0)
    drain()  # in a test transaction: the after-commit announcement never runs

    assert completions_announce_pending() == 1
    assert completions_announce_pending() == 0
    assert Completion.objects.get().announced_at is not None


def test_the_programme_is_dated_by_the_statement_that_reached_the_target(
    learner, lessons, settings
):
    from tracking.models import Completion

    settings.PROGRAMME_TARGET_HOURS = 0.25  # 900 s
    watch(learner, lessons[0], 0)  # 600 s
    watch(learner, lessons[1], 1000, seconds=300)  # 900 s: reached at 1300
    store(learner, lessons[1], "played", 2000, session="later")
    store(learner, lessons[1], "paused", 2100, segments=[(300, 400)], session="later")
    drain()  # all in one drain: the target was reached before its last statement

    programme = Completion.objects.get(kind="programme")
    assert programme.completed_at == T0 + timedelta(seconds=1300)
    assert programme.credited_seconds == 900

    Completion.objects.all().delete()
    progress_recompute_learner(learner_id=learner.pk)

    again = Completion.objects.get(kind="programme")
    assert (again.completed_at, again.credited_seconds) == (programme.completed_at, 900)


def test_one_drain_applies_many_learners_each_as_if_alone(lessons):
    from tests.accounts.factories import UserFactory

    people = UserFactory.create_batch(3)
    for person in people:
        enrol(person, lessons[0].module.course)
    for n, person in enumerate(people):
        watch(person, lessons[0], 1000 * (n + 1), seconds=100 * (n + 1))
    watch(people[0], lessons[1], 1500, seconds=60)
    drain()
    store(people[1], lessons[1], "played", 100, session="late")  # behind one applied
    store(people[1], lessons[1], "paused", 300, segments=[(0, 200)], session="late")
    store(people[2], lessons[1], "played", 4000, session="new")
    store(people[2], lessons[1], "paused", 4050, segments=[(0, 50)], session="new")
    stranger = store(people[2], lessons[1], "played", 4100, session="gone")
    Statement.objects.filter(pk=stranger.pk).update(
        actor_ifi=f"account:{settings.SITE_URL} {uuid.uuid4()}"  # an account nobody has
    )

    assert progress_drain() == 5

    def totals():
        return {
            p.pk: (credited(p), ProgrammeProgress.objects.get(learner=p).credited_seconds)
            for p in people
        }

    incremental = totals()
    assert incremental == {
        people[0].pk: (160, 160),
        people[1].pk: (400, 400),  # the late session's 200 s, in real time of its own
        people[2].pk: (350, 350),
    }
    for person in people:
        progress_recompute_learner(learner_id=person.pk)
    assert totals() == incremental
    assert not StatementOutbox.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_recomputing_everyone_in_parallel_processes_gives_the_same_ledger(lessons):
    from tests.accounts.factories import UserFactory
    from tracking.progress.services.engine import progress_recompute_all

    people = UserFactory.create_batch(5)
    for person in people:
        enrol(person, lessons[0].module.course)
    for n, person in enumerate(people):
        watch(person, lessons[n % 2], 100 * n, seconds=60 + 30 * n)
    drain()
    before = sorted(CreditEntry.objects.values_list("learner_id", "statement_id", "seconds"))

    assert progress_recompute_all(batch=2, jobs=2) == 5

    assert (
        sorted(CreditEntry.objects.values_list("learner_id", "statement_id", "seconds")) == before
    )
    assert sorted(ProgrammeProgress.objects.values_list("credited_seconds", flat=True)) == [
        60,
        90,
        120,
        150,
        180,
    ]


def test_completions_are_announced_together(learner, lessons, django_capture_on_commit_callbacks):
    from tracking.models import Completion

    watch(learner, lessons[0], 0)
    watch(learner, lessons[1], 1000)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        drain()

    assert Completion.objects.count() == 4  # two lessons, the module, the course
    assert len(callbacks) == 1  # one announcement run for all four
    callbacks[0]()
    assert not Completion.objects.filter(announced_at__isnull=True).exists()
    assert (
        Statement.objects.filter(
            actor_ifi__endswith=str(learner.pk), verb_id="http://adlnet.gov/expapi/verbs/completed"
        ).count()
        == 4
    )


def test_a_drain_keeps_the_stored_times_to_the_microsecond(learner, lessons):
    store(learner, lessons[0], "played", 0.000001)
    last = store(learner, lessons[0], "paused", 299.999999, segments=[(0, 300)])
    last = Statement.objects.get(pk=last.pk)  # (as the database has it)

    drain()

    clock = ProgrammeProgress.objects.get(learner=learner)
    assert (clock.last_stored, clock.last_statement_id) == (last.stored, last.id)
    entry = CreditEntry.objects.get(learner=learner)
    assert entry.credited_at == last.stored
    assert entry.seconds == pytest.approx(299.999998)  # (real time between the two)
    progress = LessonProgress.objects.get(learner=learner)
    assert progress.last_activity_at == last.stored


def test_a_failing_announcement_is_rolled_back_and_holds_back_no_other(learner, lessons, caplog):
    from tracking.models import Completion
    from tracking.progress.services.completions import completions_announce_pending
    from tracking.progress.signals import completion_recorded

    watch(learner, lessons[0], 0)
    watch(learner, lessons[1], 1000)
    drain()  # the two lessons, their module and course
    second = Completion.objects.get(lesson=lessons[1])

    def broken(sender, completion, **kwargs):
        if completion.pk == second.pk:
            raise RuntimeError("the certificate service is down")

    completion_recorded.connect(broken, weak=False, dispatch_uid="test-broken")
    try:
        assert completions_announce_pending() == 3  # all but the second lesson
    finally:
        completion_recorded.disconnect(dispatch_uid="test-broken")
    assert f"completion {second.pk}: announcing it failed" in caplog.text
    assert list(Completion.objects.filter(announced_at__isnull=True)) == [second]
    lesson_iri_of_second = lesson_iri(lessons[1])
    completed = Statement.objects.filter(verb_id="http://adlnet.gov/expapi/verbs/completed")
    assert not completed.filter(object_activity_id=lesson_iri_of_second).exists()  # rolled back
    assert completed.count() == 3

    assert completions_announce_pending() == 1  # the next run, the receiver mended
    assert not Completion.objects.filter(announced_at__isnull=True).exists()
    assert completed.filter(object_activity_id=lesson_iri_of_second).count() == 1


@pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="needs concurrent connections",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_announcement_run_leaves_alone_what_another_run_is_announcing(learner, lessons):
    import threading

    from django.db import connection, transaction

    from tracking.models import Completion
    from tracking.progress.services.completions import completions_announce_pending

    watch(learner, lessons[0], 0)
    watch(learner, lessons[1], 1000)
    drain()  # (committed: its announcement ran; as if it had not)
    Completion.objects.update(announced_at=None)
    first, *others = Completion.objects.order_by("completed_at", "pk")
    assert len(others) == 3  # the second lesson, the module, the course
    results = []

    def other_run():
        try:
            results.append(completions_announce_pending())
        finally:
            connection.close()

    with transaction.atomic():
        Completion.objects.select_for_update().get(pk=first.pk)  # a run announcing it
        worker = threading.Thread(target=other_run)
        worker.start()
        worker.join(timeout=30)

    assert results == [3]  # all but the one held, without waiting for it
    announced = dict(Completion.objects.values_list("pk", "announced_at"))
    assert announced[first.pk] is None
    assert all(announced[c.pk] is not None for c in others)
    assert completions_announce_pending() == 1


@pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="PostgreSQL's #>> gives JSON values as text, as the outbox keeps them (SQLite gives "
    "numbers as numbers, which the engine reads alike)",
)
def test_the_outbox_reads_a_statement_as_the_recompute_does(learner, lessons):
    """What the LRS writes into the outbox when it stores a statement (read in Python) is what
    a recompute asks the database for: strings as they are, anything else as JSON, absent as
    None, and the engine's own mark."""
    from tracking.lrs.services.statements import statements_store
    from tracking.progress.services.emitted import platform_principal
    from tracking.progress.services.engine import PENDING_FIELDS, _statement_rows

    actor = {"account": {"homePage": settings.SITE_URL, "name": str(learner.pk)}}
    lesson = {"id": lesson_iri(lessons[0]), "objectType": "Activity"}
    odd = {
        "actor": actor,
        "verb": {"id": f"{VIDEO}/verbs/paused"},
        "object": lesson,
        "context": {"extensions": {f"{VIDEO}/extensions/session-id": 42}},
        "result": {
            "duration": "PT1M30S",
            "extensions": {f"{VIDEO}/extensions/played-segments": {"not": ["a", "string"]}},
        },
    }
    plain = {"actor": actor, "verb": {"id": f"{VIDEO}/verbs/played"}, "object": lesson}
    ours = {
        **plain,
        "context": {"extensions": {emitted_by_engine_extension(): "progress-engine"}},
    }
    statements_store(statements=[odd, plain, ours], principal=platform_principal(), version="1.0.3")

    facts = ["video_session", "cmi5_session", "segments", "duration", "emitted_by_engine"]
    from_outbox = {
        row[0]: row[1:] for row in StatementOutbox.objects.values_list("statement_id", *facts)
    }
    from_database = {
        row[0]: row[1:] for row in _statement_rows(Statement.objects.all(), ["id", *facts])
    }
    assert from_outbox == from_database
    assert sorted(from_outbox.values(), key=str) == sorted(
        [
            ("42", None, '{"not": ["a", "string"]}', "PT1M30S", False),
            (None, None, None, None, False),
            (None, None, None, None, True),
        ],
        key=str,
    )
    assert set(PENDING_FIELDS) >= set(facts)


def test_a_statement_voided_before_the_engine_saw_it_is_never_applied(learner, lessons):
    lesson = lessons[0]
    store(learner, lesson, "played", 0)
    store(learner, lesson, "paused", 300, segments=[(0, 300)], voided=True)

    drain()

    assert credited(learner) == 0
    store(learner, lesson, "played", 400, session="s2")
    voided = store(learner, lesson, "paused", 500, segments=[(0, 100)], session="s2", voided=True)
    progress_recompute_learner(learner_id=learner.pk)  # before any drain took them

    assert not StatementOutbox.objects.filter(statement=voided).exists()
    assert StatementOutbox.objects.count() == 0  # the played one was read and applied
    drain()
    assert credited(learner) == 0
