"""Transcodes through real Celery workers on Redis: the happy path, and a worker killed
mid-transcode whose video the sweeper makes ready anyway."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.files import File
from django.db import connection, transaction

from lms.celery import app
from media.models import VideoAsset
from media.services import video_asset_queue_transcode, video_assets_requeue_stale
from tests.media.factories import VideoAssetFactory

BROKER = os.environ.get("CELERY_BROKER_URL", "")
REPO = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.skipif(not BROKER.startswith("redis"), reason="needs CELERY_BROKER_URL (Redis)"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a second process needs a server"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "var" / "test-media"  # what tests.settings makes of VAR_DIR
    settings.MEDIA_WORK_DIR = str(tmp_path / "work")
    return tmp_path / "var"


@pytest.fixture
def broker_only(settings):
    """Tasks are sent to the broker, not run in-process."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.conf.broker_url = BROKER
    with app.connection_for_write() as conn:  # nothing left over from an earlier run
        for queue in ("celery", "media"):
            conn.default_channel.queue_purge(queue)
    yield
    app.conf.task_always_eager = True


# A test worker consumes both queues, as `make worker` does: start_worker's queue selection
# stays on the app object, and a later test's worker would otherwise ignore "celery".


def wait_for(asset, *, status, seconds):
    deadline = time.monotonic() + seconds
    while True:
        asset.refresh_from_db()
        if asset.status == status:
            return asset
        assert time.monotonic() < deadline, f"still {asset.status} after {seconds} s"
        time.sleep(0.2)


def queued_asset(clip: Path) -> VideoAsset:
    with transaction.atomic():
        with clip.open("rb") as handle:
            asset = VideoAssetFactory(source=File(handle, name=clip.name))
        video_asset_queue_transcode(asset=asset)
    return asset


def test_a_worker_on_the_media_queue_transcodes_an_upload(var_dir, broker_only, clips):
    asset = queued_asset(clips.get("landscape.mp4"))

    with start_worker(
        app, perform_ping_check=False, queues=["celery", "media"], loglevel="WARNING"
    ):
        asset = wait_for(asset, status=VideoAsset.Status.READY, seconds=120)

    assert asset.duration_seconds == 14
    assert (Path(asset.source.storage.location) / asset.hls_prefix / "master.m3u8").exists()


def worker_process(var_dir: Path, work_dir: str, log) -> subprocess.Popen[bytes]:
    database = connection.settings_dict
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="tests.settings",
        DATABASE_URL=(
            f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        ),
        VAR_DIR=str(var_dir),
        MEDIA_WORK_DIR=work_dir,
    )
    return subprocess.Popen(  # noqa: S603 - our interpreter and the project's Celery app
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "lms",
            "worker",
            "-Q",
            "media",
            "-P",
            "solo",
            "--loglevel",
            "WARNING",
        ],
        cwd=REPO,
        env=env,
        start_new_session=True,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def test_a_worker_killed_mid_transcode_leaves_the_video_retryable(
    var_dir, broker_only, clips, settings
):
    asset = queued_asset(clips.get("long.mp4"))
    log_path = var_dir / "worker.log"
    var_dir.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        worker = worker_process(var_dir, settings.MEDIA_WORK_DIR, log)
    try:
        deadline = time.monotonic() + 120
        while True:  # wait until ffmpeg is under way and has reported progress
            asset.refresh_from_db()
            if asset.status == VideoAsset.Status.PROCESSING and asset.progress_percent > 0:
                break
            assert time.monotonic() < deadline, log_path.read_text()[-3000:]
            time.sleep(0.1)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)  # the worker and its ffmpeg, with no cleanup
        worker.wait()

    asset.refresh_from_db()
    assert asset.status == VideoAsset.Status.PROCESSING  # nobody is left to finish it
    assert list(Path(settings.MEDIA_WORK_DIR).glob(f"transcode-{asset.pk}-*"))
    settings.MEDIA_TRANSCODE_STALE_SECONDS = 0  # its heartbeat has stopped

    assert video_assets_requeue_stale() == 1  # what the beat sweeper does every minute
    with start_worker(
        app, perform_ping_check=False, queues=["celery", "media"], loglevel="WARNING"
    ):
        asset = wait_for(asset, status=VideoAsset.Status.READY, seconds=180)

    assert asset.attempts == 0
    assert asset.duration_seconds == 60
    assert list(Path(settings.MEDIA_WORK_DIR).glob("transcode-*")) == []  # leftovers cleared
