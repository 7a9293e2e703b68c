# ruff: noqa: F811 - "lessons" is the fixture of tests/tracking/test_progress.py (two enrolled video lessons)
"""The engine's trust boundary, tried as a buggy or dishonest client would (issue 12): who may
credit, real time as the ceiling, completion earned, withdrawal, order, durable recomputes."""

import uuid
from datetime import timedelta

import pytest
from django.conf import settings

from courses.models import Enrollment, Lesson
from tests.courses.factories import LessonFactory
from tests.tracking.test_progress import T0, credited, drain, enrol, lessons, store  # noqa: F401
from tracking.lrs.models import LrsClient, Statement, StatementOutbox
from tracking.progress.models import Completion, CreditEntry, LessonProgress, RecomputeMark
from tracking.progress.services import engine
from tracking.progress.services.completions import completions_announce_pending
from tracking.progress.signals import completion_withdrawn

pytestmark = pytest.mark.django_db
VIDEO = "https://w3id.org/xapi/video"


def reasons(learner):
    return set(CreditEntry.objects.filter(learner=learner).values_list("reason", flat=True))


def test_fifteen_played_paused_pairs_in_one_post_credit_no_more_than_one_tolerance(
    learner, lessons
):
    for n in range(15):
        store(learner, lessons[0], "played", 10, session=f"tab{n}")
        store(learner, lessons[0], "paused", 10, segments=[(4 * n, 4 * n + 4)], session=f"tab{n}")
    drain()

    assert credited(learner) <= settings.PROGRESS_TOLERANCE_SECONDS


def test_thirty_posts_in_six_tenths_of_a_second_credit_that_time_plus_one_tolerance(
    learner, lessons
):
    for n in range(15):
        at = 10 + n * 0.04
        store(learner, lessons[0], "played", at, session=f"s{n}")
        store(
            learner, lessons[0], "paused", at + 0.02, segments=[(4 * n, 4 * n + 4)], session=f"s{n}"
        )
    drain()

    assert credited(learner) <= 0.6 + settings.PROGRESS_TOLERANCE_SECONDS


def test_pausing_every_four_seconds_at_double_speed_credits_real_time_only(learner, lessons):
    for n in range(7):  # 28 s of real playing at 2x: 56 s of media
        store(learner, lessons[0], "played", 4 * n)
        store(learner, lessons[0], "paused", 4 * n + 4, segments=[(8 * n, 8 * n + 8)])
    drain()

    assert credited(learner) <= 28 + settings.PROGRESS_TOLERANCE_SECONDS


def test_one_paused_claiming_the_whole_lesson_completes_nothing(learner, lessons):
    store(learner, lessons[0], "paused", 5, segments=[(0, 600)])
    drain()

    progress = LessonProgress.objects.get(learner=learner, lesson=lessons[0])
    assert (progress.covered_seconds, progress.earned_seconds) == (600, 0)
    assert progress.completed_at is None
    assert not Completion.objects.filter(learner=learner).exists()
    assert credited(learner) == 0


def test_playing_too_fast_completes_nothing_until_watched_in_real_time(learner, lessons):
    store(learner, lessons[0], "played", 0)
    store(learner, lessons[0], "paused", 60, segments=[(0, 600)])  # 10x
    drain()
    assert LessonProgress.objects.get(lesson=lessons[0]).completed_at is None

    store(learner, lessons[0], "played", 100)
    store(learner, lessons[0], "paused", 700, segments=[(0, 600)])  # then at 1x
    drain()
    assert LessonProgress.objects.get(lesson=lessons[0]).completed_at is not None


def test_a_lesson_of_a_course_the_learner_is_not_enrolled_in_credits_nothing(learner):
    lesson = LessonFactory(kind=Lesson.Kind.VIDEO, duration_seconds=600)
    store(learner, lesson, "played", 0)
    store(learner, lesson, "paused", 300, segments=[(0, 300)])
    drain()

    assert credited(learner) == 0
    assert reasons(learner) == {CreditEntry.Reason.NOT_ENROLLED}
    assert Statement.objects.filter(actor_ifi__endswith=str(learner.pk)).count() == 2


def test_statements_stored_before_enrolling_or_after_withdrawing_credit_nothing(learner):
    lesson = LessonFactory(kind=Lesson.Kind.VIDEO, duration_seconds=600)
    enrolment = enrol(learner, lesson.module.course)
    Enrollment.objects.filter(pk=enrolment.pk).update(
        status=Enrollment.Status.WITHDRAWN, withdrawn_at=T0 + timedelta(seconds=100)
    )
    store(learner, lesson, "played", 0)
    store(learner, lesson, "paused", 50, segments=[(0, 50)])  # enrolled: counts
    store(learner, lesson, "played", 200)
    store(learner, lesson, "paused", 300, segments=[(50, 150)])  # withdrawn: does not
    drain()

    assert credited(learner) == 50
    assert CreditEntry.Reason.NOT_ENROLLED in reasons(learner)


def test_another_registration_than_the_enrolment_credits_nothing(learner, lessons):
    other = str(uuid.uuid4())
    store(learner, lessons[0], "played", 0, context={"registration": other})
    Statement.objects.update(registration=other)
    store(learner, lessons[0], "paused", 60, segments=[(0, 60)])
    Statement.objects.filter(registration__isnull=True).update(registration=other)
    drain()

    assert credited(learner) == 0
    assert reasons(learner) == {CreditEntry.Reason.OTHER_REGISTRATION}


def test_the_enrolments_registration_credits(learner, lessons):
    registration = Enrollment.objects.get(learner=learner).pk
    store(learner, lessons[0], "played", 0)
    store(learner, lessons[0], "paused", 60, segments=[(0, 60)])
    Statement.objects.update(registration=registration)
    drain()

    assert credited(learner) == 60


@pytest.mark.parametrize(("can_credit", "expected"), [(False, 0), (True, 60)])
def test_an_lrs_client_credits_only_when_staff_allowed_it(learner, lessons, can_credit, expected):
    client = LrsClient.objects.create(
        name="player", key=f"k{can_credit}", secret_hash="-", authority={}, can_credit=can_credit
    )
    store(learner, lessons[0], "played", 0)
    store(learner, lessons[0], "paused", 60, segments=[(0, 60)])
    Statement.objects.update(client=client)
    drain()

    assert credited(learner) == expected
    if not can_credit:
        assert reasons(learner) == {CreditEntry.Reason.WRITER_MAY_NOT_CREDIT}
    assert engine.progress_recompute_learner(learner_id=learner.pk) == expected


def test_in_person_and_live_lessons_are_never_completed_from_a_statement(learner, lessons):
    for kind in (Lesson.Kind.IN_PERSON, Lesson.Kind.LIVE_WEBINAR):
        lesson = LessonFactory(module=lessons[0].module, kind=kind, duration_seconds=3600)
        store(learner, lesson, "initialized", 0, session="x")
        store(learner, lesson, "completed", 4000, session="x", result={"duration": "PT1H"})
    drain()

    assert not LessonProgress.objects.filter(learner=learner, completed_at__isnull=False).exists()
    assert credited(learner) == 0
    assert reasons(learner) == {CreditEntry.Reason.ATTENDANCE_ONLY}


def test_a_document_is_credited_at_most_its_declared_duration(learner, lessons):
    document = LessonFactory(
        module=lessons[0].module, kind=Lesson.Kind.DOCUMENT, duration_seconds=600
    )
    store(learner, document, "initialized", 0, session="d")
    store(learner, document, "completed", 7200, session="d", result={"duration": "PT2H"})
    drain()

    assert credited(learner, document) == 600
    assert CreditEntry.Reason.DECLARED_DURATION_REACHED in reasons(learner)


def test_a_batch_is_applied_in_its_order_not_by_the_ids_the_client_chose(learner, lessons):
    played = store(learner, lessons[0], "played", 0)
    paused = store(learner, lessons[0], "paused", 30, segments=[(0, 30)])
    # One batch: one stored time, and the paused statement's id sorts first.
    low, high = sorted([uuid.uuid4(), uuid.uuid4()])
    for statement, new_id, sequence in ((played, high, 0), (paused, low, 1)):
        payload = {**statement.payload, "id": str(new_id)}
        StatementOutbox.objects.filter(statement=statement).delete()
        statement.delete()
        row = Statement.objects.create(
            id=new_id,
            payload=payload,
            actor_ifi=statement.actor_ifi,
            verb_id=statement.verb_id,
            object_activity_id=statement.object_activity_id,
            timestamp=T0,
            stored=T0 + timedelta(seconds=30),
            sequence=sequence,
        )
        StatementOutbox.objects.create(
            statement=row,
            stored=row.stored,
            sequence=sequence,
            segments="0[.]1" if sequence else None,
            video_session="s1",
        )
    drain()

    # played, then paused at the same instant: a second the allowance for delay forgives
    # (paused first, nothing would have been playing)
    assert credited(learner) == 1
    assert reasons(learner) == {""}


def test_voiding_what_a_completion_stood_on_withdraws_it_and_says_so(learner, lessons):
    heard = []
    completion_withdrawn.connect(
        lambda sender, completion, **kw: heard.append(completion.pk),
        weak=False,
        dispatch_uid="test-withdrawn",
    )
    try:
        store(learner, lessons[0], "played", 0)
        paused = store(learner, lessons[0], "paused", 600, segments=[(0, 600)])
        drain()
        completions_announce_pending()
        completion = Completion.objects.get(learner=learner, lesson=lessons[0])

        Statement.objects.filter(pk=paused.pk).update(voided=True)
        store(
            learner,
            lessons[0],
            "voided",
            700,
            object={"objectType": "StatementRef", "id": str(paused.pk)},
        )
        Statement.objects.filter(verb_id__endswith="voided").update(
            is_voiding=True, object_statement_id=paused.pk
        )
        drain()
        completions_announce_pending()
    finally:
        completion_withdrawn.disconnect(dispatch_uid="test-withdrawn")

    completion.refresh_from_db()
    assert completion.withdrawn_at is not None
    assert completion.withdrawn_reason
    assert completion.withdrawal_announced_at is not None
    assert heard == [completion.pk]
    assert credited(learner) == 0


def test_a_recompute_lost_between_two_transactions_is_done_by_the_next_drain(
    learner, lessons, monkeypatch
):
    store(learner, lessons[0], "played", 100)
    store(learner, lessons[0], "paused", 200, segments=[(0, 100)])
    drain()
    store(learner, lessons[0], "played", 0, session="s2")  # stored behind what was applied
    store(learner, lessons[0], "paused", 50, segments=[(200, 250)], session="s2")

    def killed(**kwargs):
        raise SystemExit("worker killed")

    monkeypatch.setattr(engine, "progress_recompute_learners", killed)
    with pytest.raises(SystemExit):
        engine.progress_drain()
    assert RecomputeMark.objects.filter(learner=learner).exists()  # committed with the drain
    assert not StatementOutbox.objects.exists()
    monkeypatch.undo()

    engine.progress_drain()  # nothing new: it recomputes the marked learner

    assert not RecomputeMark.objects.exists()
    assert credited(learner) == 150


def test_a_module_holds_only_by_its_rule_when_completing_and_when_recomputing(learner, lessons):
    from tests.tracking.test_progress import watch

    module = lessons[0].module
    module.completion_min_hours = 1  # two lessons of 600 s credit 1,200 s: not enough
    module.save()
    watch(learner, lessons[0], 0)
    watch(learner, lessons[1], 1000)
    drain()
    assert not Completion.objects.filter(learner=learner, kind=Completion.Kind.MODULE).exists()

    module.completion_min_hours = None
    module.save()
    Lesson.objects.filter(pk=lessons[1].pk).update(is_required=False)
    engine.progress_recompute_learner(learner_id=learner.pk)
    assert Completion.objects.filter(learner=learner, kind=Completion.Kind.MODULE).exists()

    module.completion_min_hours = 1
    module.save()
    engine.progress_recompute_learner(learner_id=learner.pk)  # the rule no longer holds
    module_completion = Completion.objects.get(learner=learner, kind=Completion.Kind.MODULE)
    assert module_completion.withdrawn_at is not None
