"""`migrate` under a Postgres advisory lock, so several hosts or containers can run it at start.

The first one to take the lock migrates; the others wait for it, then find nothing left to do.
On SQLite (one host by construction) it is plain `migrate`.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

# An arbitrary constant that names "genomeapp schema migrations" among advisory locks.
MIGRATION_LOCK_ID = 0x67656E6F6D65  # "genome"


class Command(BaseCommand):
    help = "Apply migrations under a Postgres advisory lock (no two processes migrate at once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--database", default="default")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive")
        parser.add_argument(
            "--lock-timeout",
            type=float,
            default=600.0,
            help="seconds to wait for another process's migration to end (default 600)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        alias = options["database"]
        connection = connections[alias]
        migrate_options = {
            "database": alias,
            "interactive": options["interactive"],
            "verbosity": options["verbosity"],
        }
        if connection.vendor != "postgresql":
            call_command("migrate", **migrate_options)
            return
        self._lock(connection, options["lock_timeout"])
        try:
            call_command("migrate", **migrate_options)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK_ID])

    def _lock(self, connection: Any, timeout: float) -> None:
        """Take the session-level advisory lock, polling so the wait can be bounded and reported."""
        deadline = time.monotonic() + timeout
        announced = False
        while True:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [MIGRATION_LOCK_ID])
                if cursor.fetchone()[0]:
                    return
            if time.monotonic() >= deadline:
                raise CommandError(
                    f"another process has held the migration lock for over {timeout:.0f} s; "
                    "is a migration stuck? (SELECT * FROM pg_locks WHERE locktype = 'advisory')"
                )
            if not announced:
                self.stdout.write("another process is migrating the database; waiting for it")
                announced = True
            time.sleep(min(1.0, max(0.05, deadline - time.monotonic())))
