"""Progress, credits and completions are the funders' audit trail: deleting the lesson, module
or course they refer to is refused (PROTECT) instead of taking them with it (CASCADE)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0003_thematic_areas"),
        ("tracking", "0006_trust_boundary"),
    ]

    operations = [
        migrations.AlterField(
            model_name="completion",
            name="course",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="courses.course",
            ),
        ),
        migrations.AlterField(
            model_name="completion",
            name="lesson",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="courses.lesson",
            ),
        ),
        migrations.AlterField(
            model_name="completion",
            name="module",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="courses.module",
            ),
        ),
        migrations.AlterField(
            model_name="creditentry",
            name="lesson",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="courses.lesson",
                verbose_name="lesson",
            ),
        ),
        migrations.AlterField(
            model_name="lessonprogress",
            name="lesson",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="progress",
                to="courses.lesson",
                verbose_name="lesson",
            ),
        ),
    ]
