from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from predictions.models import ApiKey


class Command(BaseCommand):
    help = (
        "List API keys (prefix, owner, label, created, last used, requests, revoked). Keys are never shown."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", help="only this user's keys")
        parser.add_argument("--all", action="store_true", help="include revoked keys")

    def handle(self, *args: Any, **options: Any) -> None:
        keys = ApiKey.objects.select_related("user").order_by("user__username", "-created")
        if options["user"]:
            keys = keys.filter(user__username=options["user"])
        if not options["all"]:
            keys = keys.filter(revoked__isnull=True)
        self.stdout.write("prefix\tuser\tname\tcreated\tlast_used\trequests\trevoked")
        for key in keys:
            fields = [
                f"{key.prefix}…",
                key.user.get_username(),
                key.name,
                key.created.isoformat(timespec="seconds"),
                key.last_used.isoformat(timespec="seconds") if key.last_used else "-",
                str(key.request_count),
                key.revoked.isoformat(timespec="seconds") if key.revoked else "-",
            ]
            self.stdout.write("\t".join(fields))
