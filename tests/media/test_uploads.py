"""Resumable uploads (tus 1.0) through the API, then the join and the transcode."""

import base64
import hashlib
from http import HTTPStatus
from pathlib import Path

import pytest

from media.models import RetiredFiles, Upload, VideoAsset
from media.services import upload_append, uploads_expire
from tests.courses.factories import CourseFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("storage")]

TUS = {"HTTP_TUS_RESUMABLE": "1.0.0"}


@pytest.fixture
def course(trainer):
    return CourseFactory(published=True, trainers=[trainer])


def metadata(**pairs: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in pairs.items())


def create(client, course, length, **extra):
    pairs = {"course": str(course.pk), "filename": "lezione.mp4", **extra}
    return client.post(
        "/api/v1/uploads/",
        HTTP_UPLOAD_LENGTH=str(length),
        HTTP_UPLOAD_METADATA=metadata(**pairs),
        **TUS,
    )


@pytest.fixture
def patch(django_capture_on_commit_callbacks):
    """``patch(client, location, data, offset)``: one tus PATCH, with what it schedules after
    commit (the join, then the transcode) run before it returns."""

    def send(client, location, data, offset, **headers):
        with django_capture_on_commit_callbacks(execute=True):
            return client.generic(
                "PATCH",
                location,
                data,
                content_type="application/offset+octet-stream",
                HTTP_UPLOAD_OFFSET=str(offset),
                **TUS,
                **headers,
            )

    return send


def test_options_announces_tus_version_extensions_and_limits(client_for, trainer, settings):
    response = client_for(trainer).options("/api/v1/uploads/")

    assert response.status_code == HTTPStatus.NO_CONTENT
    assert response["Tus-Resumable"] == "1.0.0"
    assert response["Tus-Version"] == "1.0.0"
    assert response["Tus-Extension"] == "creation,termination,checksum,expiration"
    assert response["Tus-Max-Size"] == str(settings.VIDEO_MAX_UPLOAD_BYTES)
    assert response["Tus-Checksum-Algorithm"] == "sha1,sha256,md5"


def test_create_without_tus_version_is_412(client_for, trainer, course):
    response = client_for(trainer).post(
        "/api/v1/uploads/", HTTP_UPLOAD_LENGTH="10", HTTP_UPLOAD_METADATA=metadata(course="x")
    )

    assert response.status_code == HTTPStatus.PRECONDITION_FAILED
    assert response.json()["code"] == "tus_version_unsupported"
    assert response["Tus-Version"] == "1.0.0"


def test_create_gives_the_upload_location_at_offset_zero(client_for, trainer, course):
    response = create(client_for(trainer), course, 1000, title="Lezione 1")

    assert response.status_code == HTTPStatus.CREATED
    upload = Upload.objects.get()
    assert response["Location"] == f"http://testserver/api/v1/uploads/{upload.pk}/"
    assert response["Upload-Offset"] == "0"
    assert response["Upload-Length"] == "1000"
    assert "Upload-Expires" in response
    assert (upload.title, upload.filename, upload.created_by) == (
        "Lezione 1",
        "lezione.mp4",
        trainer,
    )


def test_create_refuses_a_file_over_the_limit(client_for, trainer, course, settings):
    settings.VIDEO_MAX_UPLOAD_BYTES = 1000

    response = create(client_for(trainer), course, 1001)

    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert response.json() == {
        "code": "upload_too_large",
        "message": "The file is too large.",
        "extra": {"length_bytes": 1001, "max_bytes": 1000},
    }
    assert not Upload.objects.exists()


def test_create_refuses_an_empty_file(client_for, trainer, course):
    response = create(client_for(trainer), course, 0)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["code"] == "upload_empty"


def test_create_needs_course_and_filename_in_metadata(client_for, trainer):
    response = client_for(trainer).post(
        "/api/v1/uploads/", HTTP_UPLOAD_LENGTH="10", HTTP_UPLOAD_METADATA="", **TUS
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert set(response.json()["extra"]["fields"]) == {"course", "filename"}


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        (None, HTTPStatus.UNAUTHORIZED, "not_authenticated"),
        ("learner", HTTPStatus.FORBIDDEN, "not_course_trainer"),
        ("other_trainer", HTTPStatus.FORBIDDEN, "not_course_trainer"),
        ("milano_coordinator", HTTPStatus.FORBIDDEN, "not_course_trainer"),
        ("trainer", HTTPStatus.CREATED, None),
        ("staff", HTTPStatus.CREATED, None),
    ],
)
def test_only_the_course_trainers_and_staff_upload(request, client_for, course, who, status, code):
    user = request.getfixturevalue(who) if who else None

    response = create(client_for(user), course, 100)

    assert response.status_code == status
    if code:
        assert response.json()["code"] == code


def test_chunks_resume_at_the_offset_the_server_gives(patch, client_for, trainer, course, clips):
    data = clips.get("landscape.mp4").read_bytes()
    client = client_for(trainer)
    location = create(client, course, len(data))["Location"]

    first = patch(client, location, data[:100_000], 0)
    head = client.head(location, **TUS)
    wrong = patch(client, location, data[50_000:], 50_000)
    rest = patch(client, location, data[100_000:], int(head["Upload-Offset"]))

    assert first.status_code == HTTPStatus.NO_CONTENT
    assert first["Upload-Offset"] == "100000"
    assert head.status_code == HTTPStatus.OK
    assert (head["Upload-Offset"], head["Upload-Length"]) == ("100000", str(len(data)))
    assert head["Cache-Control"] == "no-store"
    assert wrong.status_code == HTTPStatus.CONFLICT
    assert wrong.json()["extra"] == {"offset": 100000}
    assert rest.status_code == HTTPStatus.NO_CONTENT
    assert rest["Upload-Offset"] == str(len(data))
    upload = Upload.objects.get()
    assert upload.status == Upload.Status.DONE
    asset = upload.asset
    assert asset.status == VideoAsset.Status.READY  # tasks run in-process in tests
    assert (asset.source_size_bytes, asset.source_sha256) == (
        len(data),
        hashlib.sha256(data).hexdigest(),
    )
    assert asset.source.read() == data
    assert asset.uploaded_by == trainer
    assert list((Path(asset.source.path).parent.parent.parent.parent / "uploads").glob("*/*")) == []


class BrokenConnection:
    """A request body whose connection drops after ``after`` bytes."""

    def __init__(self, data: bytes, after: int):
        self.data, self.after, self.position = data, after, 0

    def read(self, size: int = -1) -> bytes:
        if self.position >= self.after:
            raise OSError("connection reset by peer")
        chunk = self.data[self.position : min(self.after, self.position + size)]
        self.position += len(chunk)
        return chunk


def test_a_dropped_connection_keeps_the_bytes_that_arrived(
    patch, trainer, course, clips, client_for
):
    data = clips.get("landscape.mp4").read_bytes()
    location = create(client_for(trainer), course, len(data))["Location"]
    upload = Upload.objects.get()

    upload = upload_append(
        upload=upload,
        offset=0,
        body=BrokenConnection(data, after=70_000),
        content_length=len(data),
    )

    assert upload.offset_bytes == 70_000
    assert upload.status == Upload.Status.RECEIVING
    resumed = patch(client_for(trainer), location, data[70_000:], 70_000)
    assert resumed.status_code == HTTPStatus.NO_CONTENT
    upload.refresh_from_db()
    assert upload.asset.source.read() == data
    assert upload.asset.status == VideoAsset.Status.READY


def test_a_dropped_chunk_with_a_checksum_is_dropped_whole(trainer, course, clips, client_for):
    data = clips.get("landscape.mp4").read_bytes()
    create(client_for(trainer), course, len(data))
    digest = base64.b64encode(hashlib.sha1(data).digest()).decode()  # noqa: S324 - tus checksum

    upload = upload_append(
        upload=Upload.objects.get(),
        offset=0,
        body=BrokenConnection(data, after=70_000),
        content_length=len(data),
        checksum=("sha1", digest),
    )

    assert upload.offset_bytes == 0


def test_a_chunk_that_does_not_match_its_checksum_is_460(patch, client_for, trainer, course, clips):
    data = clips.get("landscape.mp4").read_bytes()[:20_000]
    client = client_for(trainer)
    location = create(client, course, 50_000)["Location"]
    wrong = base64.b64encode(hashlib.sha256(b"other").digest()).decode()
    right = base64.b64encode(hashlib.sha256(data).digest()).decode()

    refused = patch(client, location, data, 0, HTTP_UPLOAD_CHECKSUM=f"sha256 {wrong}")
    accepted = patch(client, location, data, 0, HTTP_UPLOAD_CHECKSUM=f"sha256 {right}")
    unknown = patch(client, location, data, 20_000, HTTP_UPLOAD_CHECKSUM=f"crc32 {right}")

    assert refused.status_code == 460
    assert refused.json() == {
        "code": "upload_checksum_mismatch",
        "message": "The chunk arrived damaged (its checksum does not match): send it again.",
        "extra": {"offset": 0},
    }
    assert accepted.status_code == HTTPStatus.NO_CONTENT
    assert accepted["Upload-Offset"] == "20000"
    assert unknown.status_code == HTTPStatus.BAD_REQUEST


def test_a_chunk_needs_the_tus_content_type(client_for, trainer, course):
    client = client_for(trainer)
    location = create(client, course, 100)["Location"]

    response = client.generic(
        "PATCH", location, b"x" * 10, content_type="video/mp4", HTTP_UPLOAD_OFFSET="0", **TUS
    )

    assert response.status_code == HTTPStatus.UNSUPPORTED_MEDIA_TYPE


def test_a_chunk_beyond_the_announced_length_is_refused(patch, client_for, trainer, course):
    client = client_for(trainer)
    location = create(client, course, 100)["Location"]

    response = patch(client, location, b"x" * 101, 0)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["code"] == "upload_exceeds_length"


def test_a_text_file_named_mp4_is_refused_from_its_first_bytes(
    patch, client_for, trainer, course, clips
):
    data = clips.get("text.mp4").read_bytes()
    client = client_for(trainer)
    location = create(client, course, len(data))["Location"]

    response = patch(client, location, data, 0)
    head = client.head(location, **TUS)
    state = client.get(location, **TUS)

    assert response.status_code == HTTPStatus.UNSUPPORTED_MEDIA_TYPE
    assert response.json() == {
        "code": "unsupported_media_type",
        "message": "This is a text file, not a video.",
        "extra": {},
    }
    assert head.status_code == HTTPStatus.GONE
    assert state.json()["status"] == "failed"
    assert state.json()["failure_code"] == "text_file"
    assert state.json()["failure_message"] == "This is a text file, not a video."
    assert not VideoAsset.objects.exists()


def test_a_file_that_differs_from_its_announced_sha256_ends_failed(
    patch, client_for, trainer, course, clips
):
    data = clips.get("landscape.mp4").read_bytes()
    client = client_for(trainer)
    location = create(client, course, len(data), sha256="0" * 64)["Location"]

    patch(client, location, data, 0)

    upload = Upload.objects.get()
    assert upload.status == Upload.Status.FAILED
    assert upload.failure_code == "checksum_mismatch"
    assert upload.failure_message.startswith("The file that arrived is not the file that was sent")
    assert not VideoAsset.objects.exists()


def test_another_trainers_upload_is_not_found(client_for, trainer, other_trainer, course):
    location = create(client_for(trainer), course, 100)["Location"]

    response = client_for(other_trainer).head(location, **TUS)

    assert response.status_code == HTTPStatus.NOT_FOUND


def test_terminating_an_upload_deletes_its_parts(
    patch, client_for, trainer, course, clips, storage, django_capture_on_commit_callbacks
):
    data = clips.get("landscape.mp4").read_bytes()
    client = client_for(trainer)
    location = create(client, course, len(data))["Location"]
    patch(client, location, data[:10_000], 0)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete(location, **TUS)

    assert response.status_code == HTTPStatus.NO_CONTENT
    assert not Upload.objects.exists()
    assert list((storage / "uploads").rglob("*.part")) == []


def test_expired_uploads_are_deleted_with_their_parts(
    patch, client_for, trainer, course, clips, storage
):
    data = clips.get("landscape.mp4").read_bytes()
    client = client_for(trainer)
    location = create(client, course, len(data))["Location"]
    patch(client, location, data[:10_000], 0)
    Upload.objects.update(expires_at="2020-01-01T00:00:00Z")

    assert uploads_expire() == 1

    assert not Upload.objects.exists()
    assert list((storage / "uploads").rglob("*.part")) == []


def test_a_new_source_replaces_the_ladder_and_retires_the_old_one(
    patch, client_for, trainer, course, clips, storage
):
    client = client_for(trainer)
    first = clips.get("landscape.mp4").read_bytes()
    location = create(client, course, len(first))["Location"]
    patch(client, location, first, 0)
    asset = VideoAsset.objects.get()
    old_prefix, old_source = asset.hls_prefix, asset.source.name
    second = clips.get("portrait.mp4").read_bytes()

    location = create(client, course, len(second), video=str(asset.pk))["Location"]
    patch(client, location, second, 0)

    asset.refresh_from_db()
    assert asset.status == VideoAsset.Status.READY
    assert asset.hls_prefix != old_prefix
    assert (asset.width, asset.height, asset.duration_seconds) == (720, 1280, 7)
    assert set(RetiredFiles.objects.values_list("prefix", flat=True)) == {old_prefix, old_source}
    # whoever is watching the old ladder keeps it until the grace period ends
    assert (storage / old_prefix / "master.m3u8").exists()
    assert VideoAsset.objects.count() == 1


def test_a_chunk_without_content_length_is_411(client_for, trainer, course):
    client = client_for(trainer)
    location = create(client, course, 100)["Location"]

    response = client.generic(
        "PATCH",
        location,
        b"",
        content_type="application/offset+octet-stream",
        HTTP_UPLOAD_OFFSET="0",
        CONTENT_LENGTH="",
        **TUS,
    )

    assert response.status_code == HTTPStatus.LENGTH_REQUIRED
    assert response.json()["code"] == "length_required"
