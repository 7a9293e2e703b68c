"""The trainer's pages in a real browser: building a course, uploading a video."""

import pytest

from courses.models import Course
from media.models import VideoAsset
from tests.courses.factories import CourseFactory
from tests.media.conftest import Clips
from tests.pages.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "storage"
    settings.MEDIA_WORK_DIR = str(tmp_path / "work")


def test_a_trainer_creates_a_course_a_module_and_a_lesson(page, site, trainer):
    sign_in(page, site, trainer, next_path="/docente/")
    assert_accessible(page)
    page.fill("#id_new-title", "Contratti pubblici")
    page.click("text=Create the course")
    assert page.inner_text("h1") == "Contratti pubblici"
    assert_accessible(page)
    page.fill("#id_module-title", "Il codice")
    page.click("text=Add the module")
    page.click("text=1. Il codice")
    assert_accessible(page)
    page.fill("#id_lesson-title", "Le procedure")
    page.select_option("#id_lesson-kind", "document")
    page.click("text=Add the lesson")
    assert "1. Le procedure" in page.inner_text("main")
    page.click("text=1. Le procedure")
    assert_accessible(page)
    course = Course.objects.get(title="Contratti pubblici")
    assert course.modules.get().lessons.get().title == "Le procedure"


def test_a_trainer_uploads_a_video_that_resumes_after_a_cut_and_becomes_ready(
    page, site, trainer, storage, settings, tmp_path
):
    clip = Clips(tmp_path).get("small.mp4")
    settings.TRAINER_UPLOAD_CHUNK_BYTES = max(4096, clip.stat().st_size // 10)
    course = CourseFactory(trainers=[trainer])
    offsets = []
    page.on(
        "response",
        lambda r: r.request.method == "HEAD" and offsets.append(int(r.headers["upload-offset"])),
    )
    patches = []

    def cut(route):
        patches.append(route.request)
        if len(patches) == 3:
            page.context.set_offline(True)
            route.abort("internetdisconnected")
        else:
            route.continue_()

    sign_in(page, site, trainer, next_path=f"/docente/corsi/{course.pk}/carica-video/")
    assert_accessible(page)
    page.route(
        "**/api/v1/uploads/*/",
        lambda route: cut(route) if route.request.method == "PATCH" else route.continue_(),
    )
    page.set_input_files("#video-file", str(clip))
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Connection lost")
    page.context.set_offline(False)
    page.wait_for_selector("text=The video is ready.", timeout=60_000)
    assert offsets
    assert offsets[-1] > 0
    assert VideoAsset.objects.get(course=course).status == "ready"
    page.goto(f"{site}/docente/corsi/{course.pk}/")
    assert "ready" in page.inner_text("#videos ~ ul")
    assert_accessible(page)
    page.click("#videos ~ ul a")
    assert "ready" in page.inner_text("main")
    assert_accessible(page)


def test_a_text_file_named_mp4_is_refused_with_its_reason(page, site, trainer, storage, tmp_path):
    fake = tmp_path / "lezione.mp4"
    fake.write_text("Verbale della riunione del 3 marzo.\nNon è un video.\n" * 50)
    course = CourseFactory(trainers=[trainer])
    sign_in(page, site, trainer, next_path=f"/docente/corsi/{course.pk}/carica-video/")
    page.set_input_files("#video-file", str(fake))
    page.click("main button[type=submit]")
    page.wait_for_selector("text=This is a text file, not a video.")
    assert_accessible(page)
