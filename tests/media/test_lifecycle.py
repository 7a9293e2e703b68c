"""The asset's life cycle around the transcode: re-runs, claims, dead workers, time limits,
temporary files and the deletion of retired ladders."""

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files import File
from django.utils import timezone

from media.models import RetiredFiles, VideoAsset
from media.services import (
    retired_files_purge,
    video_asset_retry,
    video_asset_transcode,
    video_assets_requeue_stale,
)
from tests.media.factories import VideoAssetFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("storage")]


@pytest.fixture
def asset(clips):
    with clips.get("small.mp4").open("rb") as handle:
        return VideoAssetFactory(source=File(handle, name="small.mp4"))


def test_running_the_transcode_again_publishes_a_new_ladder_and_retires_the_old(asset, storage):
    first = video_asset_transcode(asset_id=asset.pk)
    old_prefix = first.hls_prefix

    video_asset_retry(asset=first)  # what the API's and the admin's "transcode again" do
    second = video_asset_transcode(asset_id=asset.pk)

    assert second.status == VideoAsset.Status.READY
    assert second.hls_prefix != old_prefix
    assert (storage / second.hls_prefix / "master.m3u8").exists()
    assert (storage / old_prefix / "master.m3u8").exists()  # still there for current viewers
    retired = RetiredFiles.objects.get()
    assert retired.prefix == old_prefix
    assert retired.purge_after > timezone.now() + timedelta(hours=23)


def test_a_duplicate_message_after_the_transcode_does_nothing(asset):
    ready = video_asset_transcode(asset_id=asset.pk)

    assert video_asset_transcode(asset_id=asset.pk) is None  # redelivered, or queued twice

    asset.refresh_from_db()
    assert (asset.status, asset.hls_prefix) == (VideoAsset.Status.READY, ready.hls_prefix)
    assert not RetiredFiles.objects.exists()


def test_a_live_run_keeps_the_asset_and_a_second_run_does_nothing(asset):
    VideoAsset.objects.filter(pk=asset.pk).update(
        status=VideoAsset.Status.PROCESSING, claim=uuid.uuid4(), heartbeat_at=timezone.now()
    )

    assert video_asset_transcode(asset_id=asset.pk) is None

    asset.refresh_from_db()
    assert asset.status == VideoAsset.Status.PROCESSING
    assert asset.hls_prefix == ""


def test_a_run_whose_worker_died_is_taken_over(asset, settings):
    VideoAsset.objects.filter(pk=asset.pk).update(
        status=VideoAsset.Status.PROCESSING,
        claim=uuid.uuid4(),
        heartbeat_at=timezone.now() - timedelta(seconds=settings.MEDIA_TRANSCODE_STALE_SECONDS + 1),
        attempts=1,
    )

    asset = video_asset_transcode(asset_id=asset.pk)

    assert asset.status == VideoAsset.Status.READY
    assert asset.attempts == 0


def test_a_superseded_run_publishes_nothing(asset, monkeypatch, storage):
    import media.services.transcoding as transcoding

    real_publish = transcoding._publish

    def newer_run_claims_meanwhile(workdir, prefix, progress):
        real_publish(workdir, prefix, progress)
        VideoAsset.objects.filter(pk=asset.pk).update(claim=uuid.uuid4())

    monkeypatch.setattr(transcoding, "_publish", newer_run_claims_meanwhile)

    assert video_asset_transcode(asset_id=asset.pk) is None

    asset.refresh_from_db()
    assert asset.hls_prefix == ""
    assert RetiredFiles.objects.get().prefix.startswith(f"videos/{asset.pk}/ladders/")


def test_after_too_many_interrupted_runs_the_asset_fails_with_the_reason(asset, settings):
    settings.MEDIA_TRANSCODE_MAX_ATTEMPTS = 3
    VideoAsset.objects.filter(pk=asset.pk).update(attempts=3)

    asset = video_asset_transcode(asset_id=asset.pk)

    assert asset.status == VideoAsset.Status.FAILED
    assert (asset.failure_code, asset.failure_params) == ("interrupted", {"count": 3})
    assert asset.failure_message.startswith("Conversion was interrupted 3 times")


def test_a_transcode_over_the_time_limit_is_stopped_and_fails(clips, settings):
    settings.FFMPEG_TIMEOUT_SECONDS = 1
    with clips.get("landscape.mp4").open("rb") as handle:
        asset = VideoAssetFactory(source=File(handle, name="l.mp4"))

    asset = video_asset_transcode(asset_id=asset.pk)

    assert asset.status == VideoAsset.Status.FAILED
    assert (asset.failure_code, asset.failure_params) == ("timed_out", {"seconds": 1})
    assert "took longer than the limit of 1 seconds" in asset.failure_message


def test_temporary_files_are_removed_after_success_and_failure(asset, clips, settings):
    with clips.get("cut.mp4").open("rb") as handle:
        broken = VideoAssetFactory(source=File(handle, name="cut.mp4"))
    leftover = Path(settings.MEDIA_WORK_DIR) / f"transcode-{asset.pk}-killed"
    leftover.mkdir(parents=True)  # what a worker killed mid-run leaves behind

    video_asset_transcode(asset_id=asset.pk)
    video_asset_transcode(asset_id=broken.pk)

    assert list(Path(settings.MEDIA_WORK_DIR).iterdir()) == []


def test_a_failed_retranscode_keeps_the_published_ladder_playing(asset, storage, monkeypatch):
    ready = video_asset_transcode(asset_id=asset.pk)
    (storage / ready.source.name).write_bytes(b"")  # the source got damaged since

    video_asset_retry(asset=ready)
    again = video_asset_transcode(asset_id=asset.pk)

    assert again.status == VideoAsset.Status.FAILED
    assert again.failure_message == "The file is empty (0 bytes)."
    assert again.hls_prefix == ready.hls_prefix  # viewers keep the ladder they had


def test_the_sweeper_requeues_dead_runs_and_lost_kicks(
    asset, settings, django_capture_on_commit_callbacks
):
    stale = timezone.now() - timedelta(seconds=settings.MEDIA_TRANSCODE_STALE_SECONDS + 1)
    VideoAsset.objects.filter(pk=asset.pk).update(
        status=VideoAsset.Status.PROCESSING, claim=uuid.uuid4(), heartbeat_at=stale
    )
    fresh = VideoAssetFactory()  # just uploaded: its transcode kick is on its way

    with django_capture_on_commit_callbacks(execute=True):
        assert video_assets_requeue_stale() == 1

    asset.refresh_from_db()
    assert asset.status == VideoAsset.Status.READY
    assert VideoAsset.objects.get(pk=fresh.pk).status == VideoAsset.Status.UPLOADED


def test_retired_files_are_deleted_after_their_grace_period(asset, storage):
    first = video_asset_transcode(asset_id=asset.pk)
    video_asset_retry(asset=first)
    video_asset_transcode(asset_id=asset.pk)

    assert retired_files_purge() == 0
    assert retired_files_purge(now=timezone.now() + timedelta(days=2)) == 1

    assert not (storage / first.hls_prefix).exists()
    assert not RetiredFiles.objects.exists()
    assert (storage / VideoAsset.objects.get().hls_prefix / "master.m3u8").exists()
