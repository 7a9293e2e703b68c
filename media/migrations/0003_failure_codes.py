"""A failure's reason as a code and its parameters instead of a sentence frozen in the language
of whoever wrote it (the worker's Italian, or the failed request's language).

Existing sentences are read back into their code in every language the site speaks (numbers and
names become parameters again); a sentence no template says is kept as it is, as the ``text``
of the ``legacy`` code. Backwards, each code is written out again in the default language."""

from django.db import migrations, models

MODELS = ("VideoAsset", "Upload")


def reasons_into_codes(apps, schema_editor):
    from django.conf import settings
    from django.utils import translation

    from media.failures import LEGACY, failure_from_text

    for name in MODELS:
        model = apps.get_model("media", name)
        for row in model.objects.exclude(failure_reason="").only("id", "failure_reason"):
            failure = None
            for language, _label in settings.LANGUAGES:
                with translation.override(language):
                    failure = failure_from_text(row.failure_reason)
                if failure.code != LEGACY:
                    break
            model.objects.filter(pk=row.pk).update(
                failure_code=failure.code, failure_params=failure.params
            )


def codes_into_reasons(apps, schema_editor):
    from django.conf import settings
    from django.utils import translation

    from media.failures import failure_message

    for name in MODELS:
        model = apps.get_model("media", name)
        for row in model.objects.exclude(failure_code="").only("id", "failure_code", "failure_params"):
            with translation.override(settings.LANGUAGE_CODE):
                text = failure_message(row.failure_code, row.failure_params)
            model.objects.filter(pk=row.pk).update(failure_reason=text)


class Migration(migrations.Migration):

    dependencies = [
        ('media', '0002_uploads_captions_documents'),
    ]

    operations = [
        migrations.AddField(
            model_name='upload',
            name='failure_code',
            field=models.CharField(blank=True, max_length=40, verbose_name='why it failed (code)'),
        ),
        migrations.AddField(
            model_name='upload',
            name='failure_params',
            field=models.JSONField(blank=True, default=dict, verbose_name='why it failed (details)'),
        ),
        migrations.AddField(
            model_name='videoasset',
            name='failure_code',
            field=models.CharField(blank=True, max_length=40, verbose_name='why it failed (code)'),
        ),
        migrations.AddField(
            model_name='videoasset',
            name='failure_params',
            field=models.JSONField(blank=True, default=dict, verbose_name='why it failed (details)'),
        ),
        migrations.RemoveConstraint(
            model_name='upload',
            name='upload_failed_has_reason',
        ),
        migrations.RemoveConstraint(
            model_name='videoasset',
            name='video_failed_has_reason',
        ),
        # Between the constraints: backwards, the reasons are back before the old ones are.
        migrations.RunPython(reasons_into_codes, codes_into_reasons),
        migrations.RemoveField(
            model_name='upload',
            name='failure_reason',
        ),
        migrations.RemoveField(
            model_name='videoasset',
            name='failure_reason',
        ),
        migrations.AddConstraint(
            model_name='upload',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'failed'), _negated=True), models.Q(('failure_code', ''), _negated=True), _connector='OR'), name='upload_failed_has_reason'),
        ),
        migrations.AddConstraint(
            model_name='videoasset',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'failed'), _negated=True), models.Q(('failure_code', ''), _negated=True), _connector='OR'), name='video_failed_has_reason'),
        ),
    ]
