from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from predictions.models import ApiKey


class Command(BaseCommand):
    help = "Revoke an API key by its prefix (as `list_api_keys` shows it); REST and gRPC refuse it at once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix", help="the key's first characters, e.g. ga_AbC123")
        parser.add_argument("--user", help="the key's owner, when a prefix is ambiguous")

    def handle(self, *args: Any, **options: Any) -> None:
        prefix = options["prefix"].rstrip("…")
        keys = ApiKey.objects.filter(revoked__isnull=True, prefix__startswith=prefix[:12])
        if options["user"]:
            keys = keys.filter(user__username=options["user"])
        found = list(keys[:2])
        if not found:
            raise CommandError(f"no active key starts with {prefix!r}")
        if len(found) > 1:
            raise CommandError(f"{prefix!r} matches several keys; give more characters or --user")
        found[0].revoke()
        self.stdout.write(f"revoked {found[0]} of {found[0].user.get_username()}")
