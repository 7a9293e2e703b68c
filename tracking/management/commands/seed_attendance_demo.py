"""``seed_attendance_demo``: the demo's sessions and the programme's identity (after
``seed_demo``; idempotent)."""

from django.core.management.base import BaseCommand

from tracking.attendance.demo import demo_attendance_seed


class Command(BaseCommand):
    help = "Load the demo sessions and the programme's identity (idempotent; after seed_demo)."

    def handle(self, *args: object, **options: object) -> None:
        count = demo_attendance_seed()
        self.stdout.write(
            f"Demo attendance ready: {count} sessions. Sign in as docente to show the live "
            "webinar's code (/docente/sessioni/), as mario.rossi to check in (/sessioni/)."
        )
