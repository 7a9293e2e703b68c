"""A video's length to the tenth of a second (it was whole seconds, rounded up from 0.52 s to
1 s). Existing lengths stay what they were until the video is transcoded again. Ready videos
whose preview frames were never written (a picture that started after its sound) lose the
description of sheets that are not there, so that playback offers no thumbnails track that
answers 404."""

import django.core.validators
from django.db import migrations, models


def forget_missing_previews(apps, schema_editor):
    from django.core.files.storage import default_storage

    VideoAsset = apps.get_model("media", "VideoAsset")
    ready = VideoAsset.objects.exclude(hls_prefix="").exclude(thumbnails={})
    for asset in ready.only("id", "hls_prefix", "thumbnails").iterator():
        if not default_storage.exists(asset.hls_prefix + "thumbnails.vtt"):
            VideoAsset.objects.filter(pk=asset.pk).update(thumbnails={})


class Migration(migrations.Migration):

    dependencies = [
        ('media', '0003_failure_codes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='videoasset',
            name='duration_seconds',
            field=models.FloatField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(0)], verbose_name='duration (seconds)'),
        ),
        migrations.AddConstraint(
            model_name='videoasset',
            constraint=models.CheckConstraint(condition=models.Q(('duration_seconds__gte', 0)), name='video_duration_not_negative'),
        ),
        migrations.RunPython(forget_missing_previews, migrations.RunPython.noop),
    ]
