from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from predictions.models import ApiKey


class Command(BaseCommand):
    help = "Create an API key for a user (REST and gRPC). The key is printed once and stored hashed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="username")
        parser.add_argument("--name", required=True, help="a label, e.g. 'laptop notebook'")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"no user named {options['user']!r}")
        key, raw_key = ApiKey.issue(user, options["name"])
        self.stderr.write(f"API key {key.name!r} for {user.get_username()} (shown once, store it safely):")
        self.stdout.write(raw_key)
