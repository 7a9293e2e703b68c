from http import HTTPStatus

import pytest

from courses.models import Course, CourseAudience, Lesson, Module
from tests.accounts.factories import UserFactory
from tests.courses.factories import (
    CourseFactory,
    EnrollmentFactory,
    LessonFactory,
    ModuleFactory,
)

pytestmark = pytest.mark.django_db


def _titles(queryset) -> list[str]:
    return list(queryset.order_by("position").values_list("title", flat=True))


def test_trainer_creates_a_draft_course_they_teach(client_for, trainer):
    response = client_for(trainer).post(
        "/api/v1/courses/",
        {
            "title": "Pianificare con gli stakeholder",
            "area": "pianificazione-strategica",
            "summary": "Metodi e casi",
            "declared_hours": "6.5",
            "audience": ["dirigente", "amministratore"],
        },
    )

    assert response.status_code == HTTPStatus.CREATED
    body = response.json()
    course = Course.objects.get(pk=body["id"])
    assert course.status == Course.Status.DRAFT
    assert course.slug == "pianificare-con-gli-stakeholder"
    assert list(course.trainers.all()) == [trainer]
    assert course.created_by == trainer
    assert body["audience"] == ["amministratore", "dirigente"]
    assert body["can_edit"] is True


def test_course_slug_is_made_unique(client_for, trainer):
    CourseFactory(slug="open-data")

    response = client_for(trainer).post(
        "/api/v1/courses/", {"title": "Open data", "area": "gestione-associata"}
    )

    assert response.json()["slug"] == "open-data-2"


def test_course_with_a_slug_already_taken_is_refused(client_for, trainer):
    CourseFactory(slug="open-data")

    response = client_for(trainer).post(
        "/api/v1/courses/",
        {"title": "Open data", "area": "gestione-associata", "slug": "open-data"},
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {
        "code": "invalid",
        "message": "Invalid input.",
        "extra": {"fields": {"slug": ["Course with this Slug already exists."]}},
    }


def test_course_trainers_must_have_the_trainer_role(client_for, trainer, learner):
    response = client_for(trainer).post(
        "/api/v1/courses/",
        {"title": "X", "area": "gestione-associata", "trainers": [str(learner.pk)]},
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {
        "code": "not_a_trainer",
        "message": "Only people with the trainer role can teach a course.",
        "extra": {"people": [str(learner.pk)]},
    }
    assert not Course.objects.exists()


def test_course_cannot_be_left_without_trainers(client_for, trainer):
    course = CourseFactory(trainers=[trainer])

    response = client_for(trainer).patch(f"/api/v1/courses/{course.pk}/", {"trainers": []})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["code"] == "course_needs_trainer"
    assert list(course.trainers.all()) == [trainer]


def test_trainer_edits_their_course_and_its_audience(client_for, trainer):
    course = CourseFactory(trainers=[trainer], audience=["funzionario"])

    response = client_for(trainer).patch(
        f"/api/v1/courses/{course.pk}/",
        {"summary": "Nuovo sommario", "audience": ["dirigente"], "self_enrollment_open": True},
    )

    assert response.status_code == HTTPStatus.OK
    course.refresh_from_db()
    assert course.summary == "Nuovo sommario"
    assert course.self_enrollment_open is True
    assert list(
        CourseAudience.objects.filter(course=course).values_list("position", flat=True)
    ) == ["dirigente"]


def test_course_without_lessons_cannot_be_published(client_for, trainer):
    course = CourseFactory(trainers=[trainer])
    ModuleFactory(course=course)

    response = client_for(trainer).patch(f"/api/v1/courses/{course.pk}/", {"status": "published"})

    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json() == {
        "code": "course_not_publishable",
        "message": "A course can be published once it has at least one module with a lesson.",
        "extra": {},
    }
    course.refresh_from_db()
    assert course.status == Course.Status.DRAFT


def test_publishing_a_course_sets_its_publication_date_once(client_for, trainer):
    course = CourseFactory(trainers=[trainer])
    LessonFactory(module=ModuleFactory(course=course))
    client = client_for(trainer)

    client.patch(f"/api/v1/courses/{course.pk}/", {"status": "published"})
    course.refresh_from_db()
    first_published_at = course.published_at
    client.patch(f"/api/v1/courses/{course.pk}/", {"status": "archived"})
    client.patch(f"/api/v1/courses/{course.pk}/", {"status": "published"})
    course.refresh_from_db()

    assert course.status == Course.Status.PUBLISHED
    assert first_published_at is not None
    assert course.published_at == first_published_at


def test_course_with_enrolments_cannot_go_back_to_draft_or_be_deleted(client_for, trainer):
    course = CourseFactory(published=True, trainers=[trainer])
    EnrollmentFactory(course=course)
    client = client_for(trainer)

    to_draft = client.patch(f"/api/v1/courses/{course.pk}/", {"status": "draft"})
    deleted = client.delete(f"/api/v1/courses/{course.pk}/")

    assert to_draft.status_code == HTTPStatus.CONFLICT
    assert to_draft.json()["code"] == "course_has_enrollments"
    assert deleted.status_code == HTTPStatus.CONFLICT
    assert Course.objects.filter(pk=course.pk, status=Course.Status.PUBLISHED).exists()


def test_modules_are_appended_or_inserted_at_a_position(client_for, trainer):
    course = CourseFactory(trainers=[trainer])
    client = client_for(trainer)

    client.post(f"/api/v1/courses/{course.pk}/modules/", {"title": "B"})
    client.post(f"/api/v1/courses/{course.pk}/modules/", {"title": "C"})
    response = client.post(
        f"/api/v1/courses/{course.pk}/modules/",
        {"title": "A", "position": 1, "declared_hours": "3", "completion_min_hours": "2.5"},
    )

    assert response.status_code == HTTPStatus.CREATED
    assert response.json()["position"] == 1
    assert response.json()["completion_min_hours"] == "2.5"
    assert _titles(Module.objects.filter(course=course)) == ["A", "B", "C"]
    assert list(
        Module.objects.filter(course=course).order_by("position").values_list("position", flat=True)
    ) == [1, 2, 3]


@pytest.mark.parametrize(
    ("title", "position", "expected"),
    [
        ("A", 3, ["B", "C", "A", "D"]),
        ("D", 1, ["D", "A", "B", "C"]),
        ("B", 99, ["A", "C", "D", "B"]),  # past the end: last
        ("C", 3, ["A", "B", "C", "D"]),  # where it already is
    ],
)
def test_module_moves_to_a_new_position(client_for, trainer, title, position, expected):
    course = CourseFactory(trainers=[trainer])
    modules = {
        t: ModuleFactory(course=course, position=i, title=t) for i, t in enumerate("ABCD", 1)
    }

    response = client_for(trainer).patch(
        f"/api/v1/modules/{modules[title].pk}/", {"position": position}
    )

    assert response.status_code == HTTPStatus.OK
    assert _titles(Module.objects.filter(course=course)) == expected
    assert response.json()["position"] == expected.index(title) + 1


def test_deleting_a_module_closes_the_gap(client_for, trainer):
    course = CourseFactory(trainers=[trainer])
    modules = [ModuleFactory(course=course, position=i, title=t) for i, t in enumerate("ABC", 1)]

    response = client_for(trainer).delete(f"/api/v1/modules/{modules[0].pk}/")

    assert response.status_code == HTTPStatus.NO_CONTENT
    assert list(
        Module.objects.filter(course=course).order_by("position").values_list("title", "position")
    ) == [("B", 1), ("C", 2)]


def test_lessons_are_added_moved_and_deleted(client_for, trainer):
    module = ModuleFactory(course=CourseFactory(trainers=[trainer]))
    client = client_for(trainer)

    video = client.post(
        f"/api/v1/modules/{module.pk}/lessons/",
        {"title": "Video", "kind": "video", "duration_seconds": 2700},
    ).json()
    webinar = client.post(
        f"/api/v1/modules/{module.pk}/lessons/",
        {"title": "Webinar", "kind": "live_webinar", "is_required": False},
    ).json()
    client.patch(f"/api/v1/lessons/{webinar['id']}/", {"position": 1, "title": "Webinar live"})
    after_move = _titles(Lesson.objects.filter(module=module))
    client.delete(f"/api/v1/lessons/{video['id']}/")

    assert video["duration_seconds"] == 2700
    assert webinar["is_required"] is False
    assert after_move == ["Webinar live", "Video"]
    assert list(Lesson.objects.filter(module=module).values_list("title", "position")) == [
        ("Webinar live", 1)
    ]


def test_lesson_kind_must_be_known(client_for, trainer):
    module = ModuleFactory(course=CourseFactory(trainers=[trainer]))

    response = client_for(trainer).post(
        f"/api/v1/modules/{module.pk}/lessons/", {"title": "X", "kind": "podcast"}
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {
        "code": "invalid",
        "message": "Invalid input.",
        "extra": {"fields": {"kind": ['"podcast" is not a valid choice.']}},
    }


def test_content_of_a_course_with_enrolments_cannot_be_deleted(client_for, trainer):
    course = CourseFactory(published=True, trainers=[trainer])
    lesson = LessonFactory(module=ModuleFactory(course=course))
    EnrollmentFactory(course=course)

    lesson_response = client_for(trainer).delete(f"/api/v1/lessons/{lesson.pk}/")
    module_response = client_for(trainer).delete(f"/api/v1/modules/{lesson.module_id}/")

    assert lesson_response.status_code == HTTPStatus.CONFLICT
    assert module_response.status_code == HTTPStatus.CONFLICT
    assert Lesson.objects.filter(pk=lesson.pk).exists()


def test_a_co_trainer_added_to_a_course_can_edit_it(client_for, trainer):
    co_trainer = UserFactory(trainer=True)
    course = CourseFactory(trainers=[trainer])
    client_for(trainer).patch(
        f"/api/v1/courses/{course.pk}/", {"trainers": [str(trainer.pk), str(co_trainer.pk)]}
    )

    response = client_for(co_trainer).patch(f"/api/v1/courses/{course.pk}/", {"title": "Nuovo"})

    assert response.status_code == HTTPStatus.OK
    assert response.json()["title"] == "Nuovo"


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_video_lesson_shows_one_of_its_courses_videos_and_takes_its_length(
    client_for, trainer, media_root
):
    from tests.media.factories import VideoAssetFactory

    module = ModuleFactory(course=CourseFactory(trainers=[trainer]))
    video = VideoAssetFactory(course=module.course, ready=True, duration_seconds=2712)

    response = client_for(trainer).post(
        f"/api/v1/modules/{module.pk}/lessons/",
        {"title": "Registrazione", "kind": "video", "video_asset_id": str(video.pk)},
    )

    assert response.status_code == HTTPStatus.CREATED
    assert response.json()["duration_seconds"] == 2712
    assert response.json()["video"] == {
        "id": str(video.pk),
        "status": "ready",
        "duration_seconds": 2712,
        "playback": None,  # links are in the course's detail, for those who may watch
    }


def test_lesson_cannot_show_a_video_of_another_course(client_for, trainer, media_root):
    from tests.media.factories import VideoAssetFactory

    lesson = LessonFactory(module=ModuleFactory(course=CourseFactory(trainers=[trainer])))
    foreign = VideoAssetFactory()

    response = client_for(trainer).patch(
        f"/api/v1/lessons/{lesson.pk}/", {"video_asset_id": str(foreign.pk)}
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {
        "code": "video_of_another_course",
        "message": "This video belongs to another course.",
        "extra": {"video_asset_id": str(foreign.pk)},
    }
    lesson.refresh_from_db()
    assert lesson.video_asset is None


def test_only_video_lessons_have_a_video(client_for, trainer, media_root):
    from tests.media.factories import VideoAssetFactory

    module = ModuleFactory(course=CourseFactory(trainers=[trainer]))
    video = VideoAssetFactory(course=module.course)

    response = client_for(trainer).post(
        f"/api/v1/modules/{module.pk}/lessons/",
        {"title": "Slide", "kind": "document", "video_asset_id": str(video.pk)},
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {
        "code": "invalid",
        "message": "Invalid input.",
        "extra": {"fields": {"non_field_errors": ["Only video lessons have a video."]}},
    }
    assert not Lesson.objects.exists()


def test_unlinking_a_video_keeps_the_lesson(client_for, trainer, media_root):
    from tests.media.factories import VideoAssetFactory

    module = ModuleFactory(course=CourseFactory(trainers=[trainer]))
    video = VideoAssetFactory(course=module.course, ready=True)
    lesson = LessonFactory(module=module, video_asset=video)

    response = client_for(trainer).patch(f"/api/v1/lessons/{lesson.pk}/", {"video_asset_id": None})

    assert response.status_code == HTTPStatus.OK
    assert response.json()["video"] is None


def test_course_with_uploaded_videos_is_not_deleted(client_for, trainer, media_root):
    from tests.media.factories import VideoAssetFactory

    course = CourseFactory(trainers=[trainer])
    VideoAssetFactory(course=course)

    response = client_for(trainer).delete(f"/api/v1/courses/{course.pk}/")

    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json() == {
        "code": "course_has_videos",
        "message": "This course has uploaded videos: delete them first, or archive the course.",
        "extra": {},
    }
    assert Course.objects.filter(pk=course.pk).exists()
