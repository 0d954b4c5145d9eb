"""What a test needs beyond `make test`'s embedded default (SQLite, a file broker), said once.

On that default a Postgres-only or root-only test is skipped with the reason, so `make test` on a
fresh laptop passes and names what it did not run. CI sets GENOMEAPP_TESTS_REQUIRE_ALL=1 (.ci/run):
there the same test fails instead, so nothing CI is meant to prove can be skipped silently.
"""

from __future__ import annotations

import os

import pytest
from django.db import connection

REQUIRE_ALL = "GENOMEAPP_TESTS_REQUIRE_ALL"


def unmet(reason: str) -> None:
    """Skip saying `reason`, or fail with it where every requirement must be met (CI)."""
    if os.environ.get(REQUIRE_ALL) == "1":
        pytest.fail(f"{reason} ({REQUIRE_ALL}=1: this run must not skip it)")
    pytest.skip(reason)


def require_postgres(why: str) -> None:
    """Continue only on Postgres; `why` says what the test does that needs it."""
    if connection.vendor != "postgresql":
        unmet(f"{why}: needs Postgres (set DATABASE_URL=postgres://..., as .ci/run does)")
