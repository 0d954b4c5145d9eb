"""Postgres drops a worker's connections (pg_terminate_backend) while it stores a job's scores: the
job is re-queued, the task retried, and the job resumes on a new connection; it is never shown as
succeeded before every variant is scored, and none is scored twice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count

from predictions.models import Job
from tests.support.faults import submit_variant_job, wait_until, worker_env
from tests.support.processes import CeleryWorker, session_database_url
from tests.support.requirements import require_postgres

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

APPLICATION = "genomeapp-fault-worker"  # how pg_stat_activity names the worker's connections


def terminate_worker_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = %s AND datname = current_database()",
            [APPLICATION],
        )
        (count,) = cursor.fetchone()
    return int(count)


def test_a_dropped_database_connection_retries_the_job_and_shows_nothing_partial_as_complete(
    worker_queue: str, settings: Any, owner: Any, owner_client: Any, demo_assembly: Any, tmp_path: Path
) -> None:
    require_postgres("this test drops Postgres connections")
    job = submit_variant_job(owner, demo_assembly, count=48, browser_variants=1)
    database_url = f"{session_database_url()}?application_name={APPLICATION}"
    worker = CeleryWorker(
        settings.CELERY_INFERENCE_QUEUE_NAME,
        "db-drop@%h",
        *("--pool", "solo", "--without-heartbeat"),
        env=worker_env(settings, DATABASE_URL=database_url),
        log_path=tmp_path / "worker.log",
    )
    try:

        def first_chunk_stored() -> bool:
            job.refresh_from_db()
            return job.progress_done >= 16

        wait_until(first_chunk_stored, 90, "storing scores")
        assert job.status == Job.RUNNING and job.progress_done < 48
        assert terminate_worker_connections() >= 1

        seen: list[tuple[str, int]] = []

        def final() -> bool:
            job.refresh_from_db()
            seen.append((job.status, job.scores.count()))
            return job.is_final

        wait_until(final, 90, "finished after the retry", interval=0.3)
    finally:
        worker.stop(timeout=10)

    log = worker.log()
    assert job.status == Job.SUCCEEDED, f"{job.error}\n{log[-3000:]}"
    assert "lost its database connection" in log and "retry" in log.lower()
    assert job.attempts == 2
    assert job.progress_done == job.progress_total
    assert job.scores.count() == 48 * 4
    assert not job.scores.values("variant", "track_name").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert all(count == 48 * 4 for status, count in seen if status == Job.SUCCEEDED)
    assert owner_client.get(f"/jobs/{job.code}/").status_code == 200
