import os
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from tracking.progress.services.engine import progress_recompute_all, progress_recompute_learner


class Command(BaseCommand):
    help = (
        "Recompute learners' progress (ledger, coverage, completions) from the stored "
        "statements: every learner, or the ones given."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("learners", nargs="*", help="user ids (default: everyone)")
        parser.add_argument(
            "--jobs",
            type=int,
            default=os.cpu_count() or 1,
            help="processes recomputing everyone at once (default: one per CPU)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["learners"]:
            for learner in options["learners"]:
                seconds = progress_recompute_learner(learner_id=learner)
                self.stdout.write(f"{learner}: {seconds / 3600:.2f} h credited")
        else:
            count = progress_recompute_all(jobs=max(1, options["jobs"]))
            self.stdout.write(f"Recomputed {count} learners.")
