"""Helpers for the deployment tests: real Celery worker processes on the test database and broker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCKER_DIR = REPO_ROOT / "docker"


def worker_database_url() -> str:
    """A DATABASE_URL naming the database this test session uses (the test database)."""
    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(settings['NAME']).resolve()}"
    if connection.vendor != "postgresql":
        raise RuntimeError(f"unsupported database vendor {connection.vendor}")
    user = quote(settings.get("USER") or "", safe="")
    password = quote(settings.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{settings['NAME']}"


class Worker:
    """One `celery -A genomeapp worker` process, as a container's command would start it."""

    def __init__(self, name: str, queue: str, log_dir: Path, env: dict[str, str]) -> None:
        self.name = name  # e.g. w1@%h
        self.log_path = log_dir / f"{name.split('@')[0]}.log"
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "genomeapp",
            "worker",
            "--queues",
            queue,
            "--concurrency",
            "1",
            "--prefetch-multiplier",
            "1",
            "--hostname",
            name,
            "--include",
            "tests.docker.workload",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "INFO",
        ]
        self._log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = 40.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if " ready." in self.log():
                return
            if self.process.poll() is not None:
                raise AssertionError(f"worker {self.name} exited {self.process.returncode}:\n{self.log()}")
            time.sleep(0.2)
        raise AssertionError(f"worker {self.name} not ready after {timeout} s:\n{self.log()}")

    def terminate(self) -> None:
        """SIGTERM, as `docker stop` sends it (through tini) to the container's worker process."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def stop(self, timeout: float = 30.0) -> int:
        self.terminate()
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait(10)
        self._log.close()
        return code


@pytest.fixture
def worker_env(tmp_path: Path) -> dict[str, str]:
    """Environment for worker processes: the test database, the configured broker, a run log."""
    from django.conf import settings

    env = dict(os.environ)
    env.update(
        DATABASE_URL=worker_database_url(),
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
    workers: list[Worker] = []

    def start(name: str) -> Worker:
        worker = Worker(name, test_queue, tmp_path, worker_env)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def run_log(path: Path) -> list[tuple[str, str, str]]:
    if not path.exists():
        return []
    return [tuple(line.split()) for line in path.read_text().splitlines() if line.strip()]
