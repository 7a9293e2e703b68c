"""Two models renamed for what they hold; their tables keep their names, so no row moves.

- ``LearnerClock`` -> ``ProgrammeProgress``: a learner's credited total toward the programme's
  target and the engine's state, not a clock.
- ``ProgressOutbox`` -> ``StatementOutbox``: the LRS's outbox of stored statements (the LRS owns
  it; the progress engine is its consumer).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("tracking", "0004_drop_learner_indexes_covered_by_composites")]

    operations = [
        migrations.AlterModelTable(name="learnerclock", table="tracking_learnerclock"),
        migrations.RenameModel(old_name="LearnerClock", new_name="ProgrammeProgress"),
        migrations.AlterModelOptions(
            name="programmeprogress",
            options={
                "verbose_name": "learner's progress in the programme",
                "verbose_name_plural": "learners' progress in the programme",
            },
        ),
        migrations.AlterModelTable(name="progressoutbox", table="tracking_progressoutbox"),
        migrations.RenameModel(old_name="ProgressOutbox", new_name="StatementOutbox"),
    ]
