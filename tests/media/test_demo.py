import pytest
from django.core.management import call_command

from courses.models import Lesson
from media.demo import demo_video_seed
from media.models import VideoAsset

pytestmark = pytest.mark.django_db


def test_the_demo_course_gets_a_ready_lecture_once(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.MEDIA_WORK_DIR = str(tmp_path / "work")
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115

    asset = demo_video_seed()
    again = demo_video_seed()

    assert asset.status == VideoAsset.Status.READY
    assert asset.duration_seconds == 20
    assert again.pk == asset.pk
    assert VideoAsset.objects.count() == 1
    lesson = Lesson.objects.get(video_asset=asset)
    assert lesson.duration_seconds == 20
    assert list(asset.captions.values_list("language", flat=True)) == ["it"]
