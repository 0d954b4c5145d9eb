"""Real processes for integration tests: a Celery worker on its own queue, and a live server.

The worker gets the test database through DATABASE_URL (SQLite tests use a file database, see
settings) and listens on a queue unique to the test session, so no other worker on the same
broker can take its jobs.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    """The URL of the database the tests are using right now (the test database)."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(s['NAME']).resolve()}"
    user = s.get("USER") or ""
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    host = s.get("HOST") or "127.0.0.1"
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgres://{user}{password}@{host}{port}/{s['NAME']}"


@pytest.fixture
def worker_queue(settings) -> str:
    suffix = uuid.uuid4().hex[:8]
    settings.CELERY_INFERENCE_QUEUE_NAME = f"test-inference-{suffix}"
    settings.CELERY_DEFAULT_QUEUE_NAME = f"test-default-{suffix}"
    return f"{settings.CELERY_INFERENCE_QUEUE_NAME},{settings.CELERY_DEFAULT_QUEUE_NAME}"


@pytest.fixture
def celery_worker_process(worker_queue, settings, tmp_path) -> Iterator[subprocess.Popen]:
    """A real `celery worker` subprocess consuming the test queue."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "KERAS_BACKEND": "jax",
        "GENOMEAPP_HEARTBEAT_SECONDS": "2",
        "GENOMEAPP_INFERENCE_QUEUE": settings.CELERY_INFERENCE_QUEUE_NAME,
        "GENOMEAPP_DEFAULT_QUEUE": settings.CELERY_DEFAULT_QUEUE_NAME,
    }
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "genomeapp",
            "worker",
            "-Q",
            worker_queue,
            "--pool",
            "solo",
            "--loglevel",
            "INFO",
            "--hostname",
            f"{worker_queue.split(',')[0]}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    process.log_path = tmp_path / "worker.log"  # type: ignore[attr-defined]
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


def wait_for_final_state(job, timeout: float, worker: subprocess.Popen | None = None):  # noqa: ANN001, ANN201
    """Poll the job row until it reaches a final state; fail with the worker's log otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_final:
            return job
        if worker is not None and worker.poll() is not None:
            break
        time.sleep(0.5)
    log = Path(worker.log_path).read_text()[-4000:] if worker is not None else ""  # type: ignore[attr-defined]
    pytest.fail(f"job {job.code} still {job.status} after {timeout} s; worker log:\n{log}")
