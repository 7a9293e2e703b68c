"""Signed playback: who gets links, and the development delivery path (signature, Range)."""

import shutil
import time
import uuid
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.files import File
from django.test import Client

from courses.models import Enrollment
from media.models import VideoAsset
from media.services import video_asset_transcode
from media.signing import sign_playback
from tests.courses.factories import CourseFactory, EnrollmentFactory, LessonFactory, ModuleFactory
from tests.media.factories import VideoAssetFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("storage")]


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "http://testserver"


@pytest.fixture
def course(trainer):
    return CourseFactory(published=True, trainers=[trainer])


@pytest.fixture(scope="session")
def ladder_tree(tmp_path_factory, clips):
    """A real ladder of the 14 s 720p clip, made once per run with the project's command."""
    from media import ffmpeg
    from media.ladder import ladder_for, probe_from_ffprobe, thumbnails_vtt

    source = str(clips.get("landscape.mp4"))
    folder = tmp_path_factory.mktemp("ladder")
    probe = probe_from_ffprobe(ffmpeg.probe(source))
    ladder = ladder_for(probe)
    (folder / ffmpeg.FRAMES_DIR).mkdir()
    ffmpeg.run_with_progress(
        ffmpeg.ladder_command(source=source, workdir=folder, ladder=ladder),
        duration_seconds=probe.duration_seconds,
        timeout_seconds=300,
        stderr_path=folder.parent / "ffmpeg.log",
        on_progress=lambda fraction: None,
    )
    (folder / ffmpeg.THUMBNAILS_VTT).write_text(
        thumbnails_vtt(ladder=ladder, duration_seconds=14, sheet_name=ffmpeg.SHEET)
    )
    return folder


@pytest.fixture
def video(course, ladder_tree, storage):
    """A ready video of the course, its ladder in storage as the transcode publishes it."""
    asset = VideoAssetFactory(course=course)
    prefix = f"videos/{asset.pk}/ladders/{uuid.uuid4().hex}/"
    shutil.copytree(ladder_tree, storage / prefix)
    VideoAsset.objects.filter(pk=asset.pk).update(
        status=VideoAsset.Status.READY, hls_prefix=prefix, duration_seconds=14
    )
    asset.refresh_from_db()
    return asset


def path_of(url: str) -> str:
    return urlsplit(url).path


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("learner", HTTPStatus.OK),  # enrolled below
        ("napoli_learner", HTTPStatus.FORBIDDEN),  # not enrolled
        ("trainer", HTTPStatus.OK),
        ("other_trainer", HTTPStatus.FORBIDDEN),
        ("milano_coordinator", HTTPStatus.OK),
        ("national_coordinator", HTTPStatus.OK),
        ("staff", HTTPStatus.OK),
        (None, HTTPStatus.UNAUTHORIZED),
    ],
)
def test_playback_links_go_to_who_may_watch_the_course(
    request, client_for, course, video, learner, who, status
):
    EnrollmentFactory(course=course, learner=learner)
    user = request.getfixturevalue(who) if who else None

    response = client_for(user).get(f"/api/v1/videos/{video.pk}/playback/")

    assert response.status_code == status
    if status == HTTPStatus.FORBIDDEN:
        assert response.json() == {
            "code": "not_enrolled",
            "message": "You are not enrolled in this course.",
            "extra": {},
        }


def test_a_withdrawn_learner_gets_no_links(client_for, course, video, learner):
    EnrollmentFactory(course=course, learner=learner, status=Enrollment.Status.WITHDRAWN)

    response = client_for(learner).get(f"/api/v1/videos/{video.pk}/playback/")

    assert response.status_code == HTTPStatus.FORBIDDEN


def test_playback_of_an_unknown_video_is_404(client_for, learner):
    response = client_for(learner).get(
        "/api/v1/videos/00000000-0000-0000-0000-000000000000/playback/"
    )

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["code"] == "video_not_found"


def test_playback_before_the_first_ladder_is_409(client_for, course, trainer):
    asset = VideoAssetFactory(course=course)

    response = client_for(trainer).get(f"/api/v1/videos/{asset.pk}/playback/")

    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json()["code"] == "video_not_ready"


def test_the_signed_master_playlist_leads_to_variants_and_segments(
    client_for, course, video, learner, settings
):
    EnrollmentFactory(course=course, learner=learner)
    links = client_for(learner).get(f"/api/v1/videos/{video.pk}/playback/").json()
    anonymous = Client()  # the signature is the credential: a player sends no cookie

    master = anonymous.get(path_of(links["master_url"]))
    variant_path = path_of(links["master_url"]).rsplit("/", 1)[0] + "/720p/index.m3u8"
    variant = anonymous.get(variant_path)
    folder = variant_path.rsplit("/", 1)[0]
    segment = anonymous.get(f"{folder}/seg_00001.m4s")
    poster = anonymous.get(path_of(links["poster_url"]))

    assert master.status_code == HTTPStatus.OK
    assert master["Content-Type"] == "application/vnd.apple.mpegurl"
    assert b"720p/index.m3u8" in b"".join(master.streaming_content)
    assert variant.status_code == HTTPStatus.OK
    assert segment.status_code == HTTPStatus.OK
    assert segment["Content-Type"] == "video/iso.segment"
    stored = (Path(settings.MEDIA_ROOT) / video.hls_prefix / "720p" / "seg_00001.m4s").read_bytes()
    assert b"".join(segment.streaming_content) == stored
    assert segment["Content-Length"] == str(len(stored))
    assert segment["Accept-Ranges"] == "bytes"
    assert poster["Content-Type"] == "image/jpeg"
    expires = int(path_of(links["master_url"]).split("/")[3])
    assert expires - time.time() == pytest.approx(30 * 60 + 14, abs=5)  # TTL + the video


def signed_path(user, asset, file, *, expires=None, key="tests-only-media-key"):
    token = sign_playback(
        key=key.encode(),
        user_id=user.pk,
        asset_id=asset.pk,
        expires=expires or int(time.time()) + 600,
    )
    return "/hls/" + token.path(file)


def segment_file(video):
    return video.hls_prefix.removeprefix(f"videos/{video.pk}/") + "720p/seg_00001.m4s"


def test_a_range_request_gets_206_with_content_range(video, learner, settings):
    stored = (Path(settings.MEDIA_ROOT) / video.hls_prefix / "720p" / "seg_00001.m4s").read_bytes()

    response = Client().get(
        signed_path(learner, video, segment_file(video)), HTTP_RANGE="bytes=100-199"
    )
    suffix = Client().get(signed_path(learner, video, segment_file(video)), HTTP_RANGE="bytes=-10")

    assert response.status_code == HTTPStatus.PARTIAL_CONTENT
    assert response["Content-Range"] == f"bytes 100-199/{len(stored)}"
    assert response["Content-Length"] == "100"
    assert b"".join(response.streaming_content) == stored[100:200]
    assert suffix.status_code == HTTPStatus.PARTIAL_CONTENT
    assert b"".join(suffix.streaming_content) == stored[-10:]


def test_a_range_beyond_the_end_is_416(video, learner, settings):
    size = (Path(settings.MEDIA_ROOT) / video.hls_prefix / "720p" / "seg_00001.m4s").stat().st_size

    response = Client().get(
        signed_path(learner, video, segment_file(video)), HTTP_RANGE=f"bytes={size}-"
    )

    assert response.status_code == HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE
    assert response["Content-Range"] == f"bytes */{size}"


INVALID = {
    "code": "playback_link_invalid",
    "message": "This playback link is not valid or has expired: reload the lesson.",
    "extra": {},
}


def test_an_expired_link_is_403(video, learner):
    response = Client().get(
        signed_path(learner, video, segment_file(video), expires=int(time.time()) - 1)
    )

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json() == INVALID


def test_a_link_signed_with_another_key_is_403(video, learner):
    response = Client().get(signed_path(learner, video, segment_file(video), key="guess"))

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json() == INVALID


def test_a_link_for_another_video_or_person_is_403(course, video, learner, napoli_learner):
    other = VideoAssetFactory(course=course)
    path = signed_path(learner, video, segment_file(video))
    parts = path.split("/")

    other_video = "/".join([*parts[:5], str(other.pk), *parts[6:]])
    other_person = "/".join([*parts[:2], str(napoli_learner.pk), *parts[3:]])
    later = "/".join([*parts[:3], str(int(parts[3]) + 3600), *parts[4:]])

    for tampered in (other_video, other_person, later):
        assert Client().get(tampered).status_code == HTTPStatus.FORBIDDEN


def test_the_source_and_unknown_files_are_404_even_with_a_good_signature(video, learner):
    source = video.source.name.removeprefix(f"videos/{video.pk}/")

    for file in (source, "ladders/" + "0" * 32 + "/master.m3u8", "../other/x.m3u8"):
        response = Client().get(signed_path(learner, video, file))
        assert response.status_code == HTTPStatus.NOT_FOUND, file


def test_django_serves_no_segment_when_nginx_delivers(video, learner, settings):
    settings.MEDIA_DELIVERY = "nginx"

    response = Client().get(signed_path(learner, video, segment_file(video)))

    assert response.status_code == HTTPStatus.NOT_FOUND


def test_playback_urls_point_at_the_configured_base(client_for, video, trainer, settings):
    settings.MEDIA_PLAYBACK_BASE_URL = "https://video.example.it/hls/"

    links = client_for(trainer).get(f"/api/v1/videos/{video.pk}/playback/").json()

    assert links["master_url"].startswith(f"https://video.example.it/hls/{trainer.pk}/")
    assert links["master_url"].endswith(
        f"/{video.pk}/{video.hls_prefix.split('/', 2)[2]}master.m3u8"
    )


def test_course_detail_shows_each_lesson_its_links_captions_and_documents_when_allowed(
    client_for, course, video, learner, napoli_learner, django_assert_num_queries
):
    module = ModuleFactory(course=course, position=1)
    lesson = LessonFactory(module=module, position=1, kind="video", video_asset=video)
    EnrollmentFactory(course=course, learner=learner)
    from media.services import caption_put

    caption_put(
        actor=course.trainers.get(),
        asset=video,
        language="it",
        label="Italiano",
        data=b"WEBVTT\n\n00:00.000 --> 00:02.000\nBuongiorno\n",
        filename="it.vtt",
    )

    # course, audiences, trainers, modules, lessons+videos; enrolment, captions, documents
    with django_assert_num_queries(8):
        allowed = client_for(learner).get(f"/api/v1/courses/{course.pk}/")
    other = client_for(napoli_learner).get(f"/api/v1/courses/{course.pk}/")

    shown = allowed.json()["modules"][0]["lessons"][0]
    assert shown["id"] == str(lesson.pk)
    playback = shown["video"]["playback"]
    assert playback["master_url"].endswith("/master.m3u8")
    assert [(c["language"], c["label"]) for c in playback["captions"]] == [("it", "Italiano")]
    caption = Client().get(path_of(playback["captions"][0]["url"]))
    assert caption.status_code == HTTPStatus.OK
    assert caption["Content-Type"] == "text/vtt; charset=utf-8"
    assert other.json()["modules"][0]["lessons"][0]["video"]["playback"] is None


def test_a_lesson_linked_before_the_video_is_ready_takes_its_length_when_ready(course, clips):
    with clips.get("portrait.mp4").open("rb") as handle:
        asset = VideoAssetFactory(course=course, source=File(handle, name="v.mp4"))
    lesson = LessonFactory(module=ModuleFactory(course=course), kind="video", video_asset=asset)

    video_asset_transcode(asset_id=asset.pk)

    lesson.refresh_from_db()
    assert lesson.duration_seconds == 7
    assert VideoAsset.objects.get(pk=asset.pk).duration_seconds == 7
