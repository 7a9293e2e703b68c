"""The course's media library through the API: videos, captions and documents."""

from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from media.models import Caption, CourseDocument, RetiredFiles, VideoAsset
from tests.courses.factories import CourseFactory, EnrollmentFactory, LessonFactory, ModuleFactory
from tests.media.factories import VideoAssetFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("storage")]

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
SRT = (
    "1\r\n00:00:01,000 --> 00:00:03,500\r\nBuongiorno a tutti.\r\n\r\n"
    "2\r\n00:00:04,000 --> 00:00:06,000\r\n<i>Semplificazione</i> amministrativa.\r\n"
).encode("cp1252")


@pytest.fixture
def course(trainer):
    return CourseFactory(published=True, trainers=[trainer])


@pytest.fixture
def video(course):
    return VideoAssetFactory(course=course, title="Lezione 1")


# --- videos ---------------------------------------------------------------------------------


def test_trainers_list_the_videos_of_their_courses_with_state_and_progress(
    client_for, trainer, course, video, django_assert_num_queries
):
    VideoAssetFactory()  # another course's
    VideoAsset.objects.filter(pk=video.pk).update(status="processing", progress_percent=42)

    with django_assert_num_queries(3):  # count, page, captions
        response = client_for(trainer).get(f"/api/v1/videos/?course={course.pk}")

    assert response.status_code == HTTPStatus.OK
    [shown] = response.json()["results"]
    assert (shown["id"], shown["status"], shown["progress_percent"]) == (
        str(video.pk),
        "processing",
        42,
    )


def test_a_failed_video_shows_its_reason(client_for, trainer, video):
    VideoAsset.objects.filter(pk=video.pk).update(status="failed", failure_code="no_video")

    response = client_for(trainer).get(f"/api/v1/videos/{video.pk}/")

    assert response.json()["status"] == "failed"
    assert response.json()["failure_code"] == "no_video"
    assert response.json()["failure_message"] == "The file contains no video."


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("learner", HTTPStatus.FORBIDDEN),
        ("other_trainer", HTTPStatus.FORBIDDEN),
        ("milano_coordinator", HTTPStatus.FORBIDDEN),
        ("trainer", HTTPStatus.OK),
        ("staff", HTTPStatus.OK),
        (None, HTTPStatus.UNAUTHORIZED),
    ],
)
def test_only_trainers_and_staff_manage_a_video(request, client_for, video, who, status):
    user = request.getfixturevalue(who) if who else None

    response = client_for(user).patch(f"/api/v1/videos/{video.pk}/", {"title": "Nuovo titolo"})

    assert response.status_code == status


def test_a_video_used_by_a_lesson_cannot_be_deleted(client_for, trainer, course, video):
    LessonFactory(module=ModuleFactory(course=course), kind="video", video_asset=video, title="L1")

    response = client_for(trainer).delete(f"/api/v1/videos/{video.pk}/")

    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json() == {
        "code": "video_in_use",
        "message": "Lessons use this video: link them to another video first.",
        "extra": {"lessons": ["L1"]},
    }
    assert VideoAsset.objects.filter(pk=video.pk).exists()


def test_deleting_an_unused_video_retires_its_files(client_for, trainer, video):
    response = client_for(trainer).delete(f"/api/v1/videos/{video.pk}/")

    assert response.status_code == HTTPStatus.NO_CONTENT
    assert not VideoAsset.objects.filter(pk=video.pk).exists()
    assert RetiredFiles.objects.get().prefix == f"videos/{video.pk}/"


def test_a_transcode_is_refused_while_one_is_running(client_for, trainer, video):
    VideoAsset.objects.filter(pk=video.pk).update(status="processing", progress_percent=10)

    response = client_for(trainer).post(f"/api/v1/videos/{video.pk}/transcode/")

    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json()["code"] == "video_busy"


def test_a_failed_video_is_transcoded_again_on_request(
    client_for, trainer, video, django_capture_on_commit_callbacks
):
    VideoAsset.objects.filter(pk=video.pk).update(
        status="failed", failure_code="no_video", attempts=3
    )

    with django_capture_on_commit_callbacks() as callbacks:
        response = client_for(trainer).post(f"/api/v1/videos/{video.pk}/transcode/")

    assert response.status_code == HTTPStatus.ACCEPTED
    assert response.json()["status"] == "uploaded"
    assert len(callbacks) == 1  # the transcode, after commit
    video.refresh_from_db()
    assert (video.attempts, video.failure_code, video.failure_message) == (0, "", "")


# --- captions -------------------------------------------------------------------------------


def put_caption(client, video, data, *, language="it", name="it.srt"):
    return client.post(
        f"/api/v1/videos/{video.pk}/captions/",
        {"language": language, "label": "Italiano", "file": SimpleUploadedFile(name, data)},
        format="multipart",
    )


def test_an_srt_caption_is_stored_as_webvtt(client_for, trainer, video):
    response = put_caption(client_for(trainer), video, SRT)

    assert response.status_code == HTTPStatus.CREATED
    assert response.json()["language"] == "it"
    caption = Caption.objects.get()
    assert caption.file.read().decode() == (
        "WEBVTT\n\n1\n00:00:01.000 --> 00:00:03.500\nBuongiorno a tutti.\n\n"
        "2\n00:00:04.000 --> 00:00:06.000\n<i>Semplificazione</i> amministrativa.\n"
    )


def test_a_caption_with_a_wrong_line_is_refused_with_the_line(client_for, trainer, video):
    data = b"WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nBuongiorno\n\n00:00:05 -> 00:00:07\nx\n"

    response = put_caption(client_for(trainer), video, data, name="it.vtt")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    body = response.json()
    assert body["code"] == "caption_invalid"
    assert body["extra"] == {"line": 6}
    assert body["message"].startswith("Line 6: ")
    assert not Caption.objects.exists()


def test_a_new_caption_in_a_language_replaces_the_old_and_retires_its_file(
    client_for, trainer, video
):
    client = client_for(trainer)
    put_caption(client, video, SRT)
    old_name = Caption.objects.get().file.name

    response = put_caption(client, video, b"WEBVTT\n\n00:01.000 --> 00:02.000\nNuovo\n", name="x")

    assert response.status_code == HTTPStatus.CREATED
    caption = Caption.objects.get()
    assert caption.file.name != old_name
    assert RetiredFiles.objects.get().prefix == old_name


def test_a_caption_needs_a_language_code(client_for, trainer, video):
    response = put_caption(client_for(trainer), video, SRT, language="italiano!")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["code"] == "caption_invalid"


def test_a_caption_is_removed_by_language(client_for, trainer, video):
    client = client_for(trainer)
    put_caption(client, video, SRT)

    removed = client.delete(f"/api/v1/videos/{video.pk}/captions/it/")
    missing = client.delete(f"/api/v1/videos/{video.pk}/captions/it/")

    assert removed.status_code == HTTPStatus.NO_CONTENT
    assert missing.status_code == HTTPStatus.NOT_FOUND
    assert not Caption.objects.exists()


def test_learners_cannot_add_captions(client_for, learner, course, video):
    EnrollmentFactory(course=course, learner=learner)

    response = put_caption(client_for(learner), video, SRT)

    assert response.status_code == HTTPStatus.FORBIDDEN


# --- documents ------------------------------------------------------------------------------


def add_document(client, course, data, *, name="slide.pdf", **fields):
    return client.post(
        "/api/v1/documents/",
        {"course": str(course.pk), "file": SimpleUploadedFile(name, data), **fields},
        format="multipart",
    )


def test_a_trainer_adds_a_pdf_to_a_lesson(client_for, trainer, course):
    lesson = LessonFactory(module=ModuleFactory(course=course))

    response = add_document(
        client_for(trainer), course, PDF, name="Slide lezione 1.PDF", lesson=str(lesson.pk)
    )

    assert response.status_code == HTTPStatus.CREATED
    body = response.json()
    document = CourseDocument.objects.get()
    assert body["lesson_id"] == str(lesson.pk)
    assert (body["title"], body["filename"], body["content_type"], body["size_bytes"]) == (
        "Slide lezione 1",
        "Slide lezione 1.pdf",
        "application/pdf",
        len(PDF),
    )
    assert body["download_url"] == f"http://testserver/api/v1/documents/{document.pk}/file/"


def test_a_document_is_recognised_from_its_bytes_not_its_name(client_for, trainer, course):
    response = add_document(client_for(trainer), course, b"just text, not a pdf", name="x.pdf")

    assert response.status_code == HTTPStatus.UNSUPPORTED_MEDIA_TYPE
    assert response.json()["message"] == (
        "Documents must be PDF, PowerPoint, Word, Excel or OpenDocument files; this one is of "
        "an unknown type."
    )
    assert not CourseDocument.objects.exists()


def test_a_document_over_the_limit_is_refused(client_for, trainer, course, settings):
    settings.DOCUMENT_MAX_UPLOAD_BYTES = 10

    response = add_document(client_for(trainer), course, PDF)

    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("learner", HTTPStatus.OK),  # enrolled below
        ("napoli_learner", HTTPStatus.FORBIDDEN),
        ("trainer", HTTPStatus.OK),
        ("national_coordinator", HTTPStatus.OK),
        (None, HTTPStatus.UNAUTHORIZED),
    ],
)
def test_documents_are_downloaded_by_who_may_see_the_course(
    request, client_for, trainer, course, learner, who, status
):
    EnrollmentFactory(course=course, learner=learner)
    document_id = add_document(client_for(trainer), course, PDF).json()["id"]
    user = request.getfixturevalue(who) if who else None

    response = client_for(user).get(f"/api/v1/documents/{document_id}/file/")

    assert response.status_code == status
    if status == HTTPStatus.OK:
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Disposition"] == 'attachment; filename="slide.pdf"'
        assert response["Content-Type"] == "application/pdf"


def test_a_course_lists_its_documents_for_its_learners(client_for, trainer, course, learner):
    EnrollmentFactory(course=course, learner=learner)
    add_document(client_for(trainer), course, PDF, title="Dispensa")

    response = client_for(learner).get(f"/api/v1/documents/?course={course.pk}")

    assert [d["title"] for d in response.json()] == ["Dispensa"]


def test_only_trainers_delete_documents(client_for, trainer, course, learner):
    EnrollmentFactory(course=course, learner=learner)
    document_id = add_document(client_for(trainer), course, PDF).json()["id"]

    refused = client_for(learner).delete(f"/api/v1/documents/{document_id}/")
    deleted = client_for(trainer).delete(f"/api/v1/documents/{document_id}/")

    assert refused.status_code == HTTPStatus.FORBIDDEN
    assert deleted.status_code == HTTPStatus.NO_CONTENT
    assert not CourseDocument.objects.exists()
