from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tracking.lrs.models import LrsClient
from tracking.lrs.services.clients import lrs_client_create


class Command(BaseCommand):
    help = (
        "Create an LRS client (HTTP Basic credentials) and print 'key: ...' and 'secret: ...'. "
        "The secret is shown only this once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="Who uses the credential.")
        parser.add_argument(
            "--read",
            choices=LrsClient.ReadScope.values,
            default=LrsClient.ReadScope.MINE,
            help="Statements it may read (default: the ones it stored).",
        )
        parser.add_argument(
            "--no-write", action="store_true", help="May not store statements or documents."
        )
        parser.add_argument(
            "--can-credit",
            action="store_true",
            help="Its statements count toward learners' hours (a trusted player only).",
        )
        parser.add_argument(
            "--xapi-version",
            choices=["1.0.3", "2.0.0"],
            default="1.0.3",
            help="The xAPI version the client is built for (default 1.0.3).",
        )
        parser.add_argument("--key", help="Use this key instead of a random one.")
        parser.add_argument("--secret", help="Use this secret instead of a random one.")

    def handle(self, *args: object, **options: object) -> None:
        try:
            client, secret = lrs_client_create(
                name=str(options["name"]),
                read_scope=str(options["read"]),
                can_write=not options["no_write"],
                can_credit=bool(options["can_credit"]),
                key=str(options["key"]) if options["key"] else None,
                secret=str(options["secret"]) if options["secret"] else None,
                xapi_version=str(options["xapi_version"]),
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"key: {client.key}")
        self.stdout.write(f"secret: {secret}")
