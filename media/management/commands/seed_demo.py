"""``seed_demo``: the demo data of ``make run``. It lives in media, which stands on the apps it
seeds (accounts and courses), so that ``--with-video`` can add the demo lecture."""

from argparse import ArgumentParser

from django.core.management.base import BaseCommand

from courses.demo import DEMO_PASSWORD, demo_seed
from media.demo import demo_video_seed


class Command(BaseCommand):
    help = "Load the demo organisations, accounts, courses and enrolments (idempotent)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--with-video",
            action="store_true",
            help="Also give the demo course a short generated lecture, transcoded (needs ffmpeg).",
        )

    def handle(self, *args: object, **options: object) -> None:
        summary = demo_seed()
        self.stdout.write(
            f"Demo data ready: {summary.people} people, {summary.courses} courses, "
            f"{summary.enrollments} enrolments. Every demo account's password is "
            f"{DEMO_PASSWORD!r} (admin, docente, coord.milano, mario.rossi, ...)."
        )
        if options["with_video"]:
            asset = demo_video_seed()
            if asset is not None:
                self.stdout.write(
                    f"Demo lecture: {asset.title!r} ({asset.status}) in the course "
                    f"{asset.course.title!r}: sign in as mario.rossi at /accedi/ and play it "
                    "from the catalogue (/catalogo/)."
                )
