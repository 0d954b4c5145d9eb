"""What containers run at start: migrations under an advisory lock, and the web health check."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.db import connection

from predictions.management.commands.migrate_locked import MIGRATION_LOCK_ID
from tests.docker.conftest import DOCKER_DIR, REPO_ROOT
from tests.support.processes import session_database_url
from tests.support.requirements import require_postgres

pytestmark = pytest.mark.integration


def migrate_locked(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "migrate_locked", "--noinput", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.django_db
def test_migrate_locked_waits_for_a_migration_in_progress(worker_env):
    """Two hosts starting at once: the second waits for the first's lock instead of racing it."""
    env = {**worker_env, "DATABASE_URL": session_database_url()}
    if connection.vendor != "postgresql":
        result = migrate_locked(env)  # SQLite: one host by construction, plain migrate
        assert result.returncode == 0, result.stderr
        assert "No migrations to apply" in result.stdout
        require_postgres("the advisory lock is Postgres-only")

    import psycopg

    settings = connection.settings_dict
    holder = psycopg.connect(
        host=settings.get("HOST") or "127.0.0.1",
        port=settings.get("PORT") or 5432,
        user=settings.get("USER") or None,
        password=settings.get("PASSWORD") or None,
        dbname=settings["NAME"],
        autocommit=True,
    )
    try:
        holder.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK_ID])  # "another host migrating"
        blocked = migrate_locked(env, "--lock-timeout", "1.5")
        assert blocked.returncode != 0
        assert "waiting" in blocked.stdout
        assert "held the migration lock" in blocked.stderr
        assert "Applying" not in blocked.stdout
        holder.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK_ID])
        done = migrate_locked(env)
        assert done.returncode == 0, done.stderr
        assert "No migrations to apply" in done.stdout
        # the lock was released at the end: another process can take it at once
        assert holder.execute("SELECT pg_try_advisory_lock(%s)", [MIGRATION_LOCK_ID]).fetchone()[0]
    finally:
        holder.close()


@pytest.mark.django_db(transaction=True)
def test_web_health_check_follows_healthz(live_server, settings, worker_env):
    port = live_server.url.rsplit(":", 1)[1]
    env = {**worker_env, "ALLOWED_HOSTS": "localhost"}

    def check() -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(DOCKER_DIR / "healthcheck.py"), "web", port],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    healthy = check()
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    assert "healthz 200" in healthy.stdout

    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens there: broker down
    unhealthy = check()
    assert unhealthy.returncode == 1
    assert "healthz 503" in unhealthy.stderr and "broker" in unhealthy.stderr
