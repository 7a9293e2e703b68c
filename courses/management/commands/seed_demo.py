from django.core.management.base import BaseCommand

from courses.demo import DEMO_PASSWORD, demo_seed


class Command(BaseCommand):
    help = "Load the demo organisations, accounts, courses and enrolments (idempotent)."

    def handle(self, *args: object, **options: object) -> None:
        summary = demo_seed()
        self.stdout.write(
            f"Demo data ready: {summary.people} people, {summary.courses} courses, "
            f"{summary.enrollments} enrolments. Every demo account's password is "
            f"{DEMO_PASSWORD!r} (admin, docente, coord.milano, mario.rossi, ...)."
        )
