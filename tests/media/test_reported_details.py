"""What the media pages show of a video must be right: a title a person can read, a reason in
the reader's language, a length to the tenth of a second, preview frames whatever the stream
offsets (found by feeding awkward files through the pipeline)."""

import pytest
from django.core.files import File
from django.utils import translation

from media.failures import Failure, failure_from_text, failure_message
from media.models import VideoAsset
from media.selectors import playback_links
from media.services import video_asset_transcode
from media.titles import title_from_filename
from tests.accounts.factories import UserFactory
from tests.media.factories import VideoAssetFactory


@pytest.mark.parametrize(
    ("filename", "title"),
    [
        ("../../etc/passwd.mp4", "passwd"),
        ("C:\\Lezioni\\lezione_03-intro.mp4", "lezione 03 intro"),
        ("Semplificazione amministrativa.MOV", "Semplificazione amministrativa"),
        ("Lezione v1.0", "Lezione v1 0"),
        ("\x00\x1b.mp4", "Untitled video"),
        ("\x1b[31mrosso\x1b[0m.mp4", "[31mrosso[0m"),  # control characters go, text stays
        ("", "Untitled video"),
    ],
)
def test_a_title_from_a_file_name_is_its_readable_last_part(filename, title):
    assert title_from_filename(filename) == title


def test_a_failure_is_kept_as_a_code_and_read_in_each_readers_language():
    failure = Failure("truncated", {"stop": "0:03", "length": "0:14"})

    with translation.override("en"):
        english = failure_message(failure.code, failure.params)
    with translation.override("it"):
        italian = failure_message(failure.code, failure.params)

    assert english.startswith("The video stops at 0:03 although it should last 0:14")
    assert italian != english
    assert "0:03" in italian
    assert "0:14" in italian
    # a sentence stored before codes existed is read back into its code, in either language
    with translation.override("it"):
        assert failure_from_text(italian) == failure
    assert failure_message("no-such-code") == "This file could not be processed."


@pytest.mark.django_db
@pytest.mark.usefixtures("storage")
def test_a_half_second_clip_lasts_half_a_second_not_one(clips):
    with clips.get("brief.mp4").open("rb") as handle:
        asset = VideoAssetFactory(source=File(handle, name="brief.mp4"))

    asset = video_asset_transcode(asset_id=asset.pk)

    assert asset.status == VideoAsset.Status.READY
    assert asset.duration_seconds == 0.5


@pytest.mark.django_db
def test_a_picture_that_starts_after_its_sound_still_gets_previews_from_0_s(clips, storage):
    with clips.get("late_picture.mkv").open("rb") as handle:
        asset = VideoAssetFactory(source=File(handle, name="late_picture.mkv"))

    asset = video_asset_transcode(asset_id=asset.pk)

    assert asset.status == VideoAsset.Status.READY
    assert asset.thumbnails["sheets"] == 1
    folder = storage / asset.hls_prefix
    assert (folder / "thumbnails_001.jpg").exists()
    vtt = (folder / "thumbnails.vtt").read_text()
    assert vtt.startswith("WEBVTT\n\n00:00:00.000 --> 00:00:04.0")
    links = playback_links(actor=UserFactory(), asset=asset)
    assert links.thumbnails_url is not None
    assert links.thumbnails_url.endswith("thumbnails.vtt")


@pytest.mark.django_db
def test_no_thumbnails_link_is_offered_for_a_ladder_without_previews():
    asset = VideoAssetFactory(
        status=VideoAsset.Status.READY,
        hls_prefix="hls/x/",
        duration_seconds=4,
        renditions=[{"height": 360}],
        thumbnails={},
    )

    assert playback_links(actor=UserFactory(), asset=asset).thumbnails_url is None
