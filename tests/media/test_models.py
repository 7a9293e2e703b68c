import pytest
from django.db import IntegrityError

from media.models import VideoAsset
from tests.media.factories import VideoAssetFactory

pytestmark = pytest.mark.django_db


def test_video_source_is_stored_under_the_asset_id(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    asset = VideoAssetFactory()

    assert asset.source.name == f"videos/{asset.pk}/source/lezione.mp4"
    assert (tmp_path / asset.source.name).read_bytes() == b"not decoded here"


def test_a_ready_video_has_a_duration_and_a_ladder(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    with pytest.raises(IntegrityError):
        VideoAssetFactory(status=VideoAsset.Status.READY, duration_seconds=None)


def test_a_failed_video_keeps_its_reason(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    with pytest.raises(IntegrityError):
        VideoAssetFactory(status=VideoAsset.Status.FAILED, failure_code="")
