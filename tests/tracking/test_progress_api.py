"""The progress API: a learner's hours, the ledger behind a lesson, coordinators' overview in
scope, trainers' view of a course."""

from datetime import timedelta
from http import HTTPStatus

import pytest

from courses.models import Lesson
from tests.courses.factories import CourseFactory, EnrollmentFactory, LessonFactory, ModuleFactory
from tests.tracking.test_progress import T0, drain, store
from tracking.models import CreditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(trainer):
    return CourseFactory(published=True, trainers=[trainer], title="Sportello unico")


@pytest.fixture
def lesson(course):
    module = ModuleFactory(course=course, position=1, title="Modulo 1")
    return LessonFactory(
        module=module, position=1, kind=Lesson.Kind.VIDEO, duration_seconds=600, title="L1"
    )


@pytest.fixture
def watched(learner, napoli_learner, course, lesson):
    for person in (learner, napoli_learner):
        EnrollmentFactory(course=course, learner=person, enrolled_at=T0 - timedelta(days=1))
    store(learner, lesson, "played", 0)
    store(learner, lesson, "paused", 300, segments=[(0, 300)])
    store(learner, lesson, "played", 400)
    store(learner, lesson, "paused", 500, segments=[(0, 300), (100, 200)])
    store(napoli_learner, lesson, "played", 0)
    store(napoli_learner, lesson, "paused", 300, segments=[(0, 600)])  # 2x
    drain()


def test_a_learner_sees_their_hours_against_the_target_per_course_module_lesson_and_day(
    client_for, learner, watched, lesson, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        response = client_for(learner).get("/api/v1/progress/me/")

    body = response.json()
    assert response.status_code == HTTPStatus.OK
    assert (body["credited_hours"], body["target_hours"], body["target_percent"]) == (
        0.08,
        300,
        0.0,
    )
    [course] = body["courses"]
    assert (course["title"], course["credited_seconds"]) == ("Sportello unico", 300)
    [module] = course["modules"]
    [line] = module["lessons"]
    assert line == {
        "id": str(lesson.pk),
        "title": "L1",
        "kind": "video",
        "is_required": True,
        "duration_seconds": 600,
        "covered_seconds": 300.0,
        "coverage_percent": 50.0,
        "credited_seconds": 300.0,
        "completed_at": None,
    }
    assert body["days"] == [{"day": "2026-11-02", "verified_minutes": 5.0}]


def test_the_ledger_explains_every_credited_second(
    client_for, learner, napoli_learner, watched, lesson
):
    mine = client_for(learner).get(f"/api/v1/progress/lessons/{lesson.pk}/ledger/").json()
    theirs = client_for(napoli_learner).get(f"/api/v1/progress/lessons/{lesson.pk}/ledger/").json()

    assert mine["credited_seconds"] == sum(e["seconds"] for e in mine["entries"]) == 300
    [entry] = mine["entries"]
    assert entry["media"] == [[0.0, 300.0]]
    assert entry["window"] == [
        {"start": "2026-11-02T09:00:00+00:00", "end": "2026-11-02T09:05:00+00:00"}
    ]
    assert entry["reason"] == ""
    [capped] = theirs["entries"]
    assert (capped["seconds"], capped["new_seconds"], capped["reason"]) == (
        300.0,
        600.0,
        "faster_than_real_time",
    )
    assert capped["reason_text"] == "More video than real time passed"
    assert theirs["covered_seconds"] == 600


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("milano_coordinator", HTTPStatus.OK),
        ("napoli_coordinator", HTTPStatus.NOT_FOUND),  # not in their city: not found
        ("national_coordinator", HTTPStatus.OK),
        ("trainer", HTTPStatus.OK),
        ("other_trainer", HTTPStatus.FORBIDDEN),
        ("napoli_learner", HTTPStatus.FORBIDDEN),
        ("staff", HTTPStatus.OK),
    ],
)
def test_who_may_read_another_learners_ledger(
    request, client_for, learner, watched, lesson, who, status
):
    user = request.getfixturevalue(who)

    response = client_for(user).get(
        f"/api/v1/progress/lessons/{lesson.pk}/ledger/?learner={learner.pk}"
    )

    assert response.status_code == status
    if status == HTTPStatus.OK:
        assert response.json()["credited_seconds"] == 300


def test_the_overview_counts_only_the_coordinators_city(
    client_for, milano_coordinator, national_coordinator, learner, watched, course
):
    milano = client_for(milano_coordinator).get("/api/v1/progress/overview/").json()
    national = client_for(national_coordinator).get("/api/v1/progress/overview/").json()

    assert milano["learners"] == 1
    assert [g["label"] for g in milano["by_city"]] == ["Milano"]
    assert milano["behind"][0]["id"] == str(learner.pk)
    assert milano["hours_distribution"][0] == {"range": "0-1 h", "learners": 1}
    assert national["learners"] == 2
    assert sorted(g["label"] for g in national["by_city"]) == ["Milano", "Napoli"]
    [line] = national["by_course"]
    assert (line["label"], line["people"]) == ("Sportello unico", 2)


def test_learners_and_trainers_get_no_overview(client_for, learner, trainer):
    for user in (learner, trainer):
        assert client_for(user).get("/api/v1/progress/overview/").status_code == 403


def test_trainers_see_their_course_learners_progress(
    client_for, trainer, other_trainer, learner, watched, course
):
    response = client_for(trainer).get(f"/api/v1/progress/courses/{course.pk}/")
    refused = client_for(other_trainer).get(f"/api/v1/progress/courses/{course.pk}/")

    rows = {row["learner_id"]: row for row in response.json()}
    assert rows[str(learner.pk)]["credited_seconds"] == 300
    assert rows[str(learner.pk)]["lessons"] == 1
    assert refused.status_code == HTTPStatus.FORBIDDEN


def test_the_ledger_sum_is_the_learners_total(learner, watched):
    from tracking.models import ProgrammeProgress

    assert sum(CreditEntry.objects.filter(learner=learner).values_list("seconds", flat=True)) == (
        ProgrammeProgress.objects.get(learner=learner).credited_seconds
    )


@pytest.mark.parametrize("model", ["lessonprogress", "creditentry", "completion"])
def test_staff_read_the_engines_records_in_the_admin(client, staff, watched, model):
    staff.is_superuser = True
    staff.save(update_fields=["is_superuser"])
    client.force_login(staff)

    changelist = client.get(f"/admin/tracking/{model}/?q=a")
    add = client.get(f"/admin/tracking/{model}/add/")

    assert changelist.status_code == HTTPStatus.OK
    assert add.status_code == HTTPStatus.FORBIDDEN
