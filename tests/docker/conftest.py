"""Helpers for the deployment tests: real Celery worker processes on the test database and broker."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.processes import REPO_ROOT, CeleryWorker, session_database_url

DOCKER_DIR = REPO_ROOT / "docker"


@pytest.fixture
def worker_env(tmp_path: Path) -> dict[str, str]:
    """Environment for worker processes: the test database, the configured broker, a run log."""
    from django.conf import settings

    env = dict(os.environ)
    env.update(
        DATABASE_URL=session_database_url(),
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        GENOMEAPP_TEST_RUN_LOG=str(tmp_path / "runs.log"),
        GENOMEAPP_HEARTBEAT_SECONDS="1",
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture
def test_queue() -> Iterator[str]:
    """A queue of this test's own, so other test runs on the same broker never take its messages."""
    from genomeapp.celery import app

    name = f"inference-test-{uuid.uuid4().hex[:12]}"
    yield name
    try:
        with app.connection_for_write() as connection:
            channel = connection.default_channel
            channel.queue_delete(name)
            client = getattr(channel, "client", None)  # Redis: kombu's binding keys stay behind
            if client is not None and hasattr(client, "scan_iter"):
                for key in list(client.scan_iter(match=f"*{name}*")):
                    client.delete(key)
    except Exception:  # best effort: the queue may never have been declared
        pass


@pytest.fixture
def start_worker(tmp_path: Path, worker_env: dict[str, str], test_queue: str) -> Iterator[object]:
    """Call with a node name (`w1@%h`): a worker as the image runs it (prefork, one process)."""
    workers: list[CeleryWorker] = []

    def start(name: str) -> CeleryWorker:
        worker = CeleryWorker(
            test_queue,
            name,
            *("--concurrency", "1", "--prefetch-multiplier", "1", "--include", "tests.docker.workload"),
            env=worker_env,
            log_path=tmp_path / f"{name.split('@')[0]}.log",
        )
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def run_log(path: Path) -> list[tuple[str, str, str]]:
    if not path.exists():
        return []
    return [tuple(line.split()) for line in path.read_text().splitlines() if line.strip()]
