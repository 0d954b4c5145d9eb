"""Real processes for integration tests: a Celery worker on its own queue, and a live server.

The worker gets the test database through DATABASE_URL (SQLite tests use a file database, see
settings) and listens on a queue unique to the test session, so no other worker on the same
broker can take its jobs.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator

import pytest

from tests.support.processes import CeleryWorker, session_database_url


@pytest.fixture
def worker_queue(settings) -> str:
    suffix = uuid.uuid4().hex[:8]
    settings.CELERY_INFERENCE_QUEUE_NAME = f"test-inference-{suffix}"
    settings.CELERY_DEFAULT_QUEUE_NAME = f"test-default-{suffix}"
    return f"{settings.CELERY_INFERENCE_QUEUE_NAME},{settings.CELERY_DEFAULT_QUEUE_NAME}"


@pytest.fixture
def celery_worker_process(worker_queue, settings, tmp_path) -> Iterator[CeleryWorker]:
    """A real `celery worker` subprocess consuming the test queue."""
    env = {
        **os.environ,
        "DATABASE_URL": session_database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "KERAS_BACKEND": "jax",
        "GENOMEAPP_HEARTBEAT_SECONDS": "2",
        "GENOMEAPP_INFERENCE_QUEUE": settings.CELERY_INFERENCE_QUEUE_NAME,
        "GENOMEAPP_DEFAULT_QUEUE": settings.CELERY_DEFAULT_QUEUE_NAME,
    }
    worker = CeleryWorker(
        worker_queue,
        f"{worker_queue.split(',')[0]}@%h",
        *("--pool", "solo", "--without-heartbeat"),
        env=env,
        log_path=tmp_path / "worker.log",
    )
    yield worker
    worker.stop(timeout=20)


def wait_for_final_state(job, timeout: float, worker: CeleryWorker | None = None):
    """Poll the job row until it reaches a final state; fail with the worker's log otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_final:
            return job
        if worker is not None and worker.process.poll() is not None:
            break
        time.sleep(0.5)
    log = worker.log()[-4000:] if worker is not None else ""
    pytest.fail(f"job {job.code} still {job.status} after {timeout} s; worker log:\n{log}")
