"""``seed_certificates_demo``: the demo's certificates (after ``seed_demo``; idempotent)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from certificates.demo import demo_certificates_seed


class Command(BaseCommand):
    help = "Load the demo certificates (idempotent; after seed_demo)."

    def handle(self, *args: object, **options: object) -> None:
        certificates = demo_certificates_seed()
        for certificate in certificates:
            self.stdout.write(
                f"Demo certificate: {certificate.title} — {settings.SITE_URL}/verify/"
                f"{certificate.code}"
            )
        self.stdout.write(
            "Sign in as mario.rossi or anna.esposito to see them (/i-miei-attestati/)."
        )
