import factory
from django.core.files.base import ContentFile

from media.models import VideoAsset
from tests.courses.factories import CourseFactory


class VideoAssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VideoAsset

    course = factory.SubFactory(CourseFactory)
    title = factory.Sequence(lambda n: f"Registrazione {n}")
    source = factory.LazyFunction(lambda: ContentFile(b"not decoded here", name="lezione.mp4"))

    class Params:
        ready = factory.Trait(
            status=VideoAsset.Status.READY,
            progress_percent=100,
            duration_seconds=2712,
            hls_prefix=factory.LazyAttribute(lambda asset: f"videos/{asset.title}/hls/"),
        )
