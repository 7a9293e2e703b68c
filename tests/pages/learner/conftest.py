import pytest

from courses.models import Course
from tests.courses.factories import CourseFactory, EnrollmentFactory, LessonFactory, ModuleFactory
from tests.media.conftest import clips, storage  # noqa: F401 - fixtures for the player tests
from tests.media.factories import VideoAssetFactory


@pytest.fixture
def player_lesson(learner):
    """A video lesson (its video marked ready) of a published course the learner is in."""
    course = CourseFactory(published=True, title="Trasparenza amministrativa")
    module = ModuleFactory(course=course, title="Il diritto di accesso")
    asset = VideoAssetFactory(course=course, ready=True, duration_seconds=30.0)
    lesson = LessonFactory(module=module, title="L'accesso civico", video_asset=asset)
    EnrollmentFactory(learner=learner, course=course)
    assert course.status == Course.Status.PUBLISHED
    return lesson


@pytest.fixture
def real_lesson(learner, clips, storage):  # noqa: F811 - the imported fixtures
    """A video lesson made from a generated ~30 s clip, transcoded by the real pipeline."""
    from django.core.files import File

    from media.services import video_asset_transcode
    from tests.media.conftest import _lecture

    source = clips.folder / "player-30s.mp4"
    if not source.exists():
        _lecture(source, size="320x240", seconds=30)
    course = CourseFactory(published=True, title="Trasparenza amministrativa")
    module = ModuleFactory(course=course, title="Il diritto di accesso")
    with source.open("rb") as handle:
        asset = VideoAssetFactory(course=course, source=File(handle, name="player.mp4"))
    asset = video_asset_transcode(asset_id=asset.pk)
    lesson = LessonFactory(
        module=module,
        title="L'accesso civico",
        video_asset=asset,
        duration_seconds=asset.duration_seconds,
    )
    EnrollmentFactory(learner=learner, course=course)
    return lesson


@pytest.fixture
def video_course(db):
    """A published, self-enrolment course: module 1 with two 10-minute video lessons (the second
    optional), module 2 with an in-person session."""
    course = CourseFactory(
        published=True,
        title="Semplificare i procedimenti",
        slug="semplificare-i-procedimenti",
        summary="Come ridurre i tempi dei procedimenti amministrativi.",
        description="Un corso per funzionari.",
    )
    first = ModuleFactory(course=course, position=1, title="Le basi")
    second = ModuleFactory(course=course, position=2, title="In aula")
    LessonFactory(module=first, position=1, title="Introduzione", duration_seconds=600)
    LessonFactory(
        module=first, position=2, title="Approfondimento", duration_seconds=600, is_required=False
    )
    LessonFactory(module=second, position=1, title="Giornata in presenza", kind="in_person")
    return course
