"""What the fault tests (tests/integration/test_fault_*.py) share: a Redis server of their own, a
gunicorn, a Celery beat, the environment their worker processes get, and a 200-variant job.

Each starts real processes; none replaces the thing under test with a mock. A missing binary
(redis-server, gunicorn) fails the test: `make test` installs them.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.db import transaction

from predictions.assemblies import genome_for
from predictions.models import Assembly, Job
from predictions.submission import PredictionOptions, submit
from tests.support.processes import REPO_ROOT, session_database_url

SNRPB = ("chr20", 2_443_000)  # 200 substitutions from here on lie in SNRPB (demo chr20 genes)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def worker_env(settings: Any, **overrides: str) -> dict[str, str]:
    """The environment of a worker, beat or gunicorn on this test's database, broker, media and
    queues (see `worker_queue` in tests/integration/conftest.py), with short liveness timings."""
    return {
        **os.environ,
        "DATABASE_URL": session_database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "KERAS_BACKEND": "jax",
        "GENOMEAPP_HEARTBEAT_SECONDS": "1",
        "GENOMEAPP_STALE_AFTER_SECONDS": "10",
        "GENOMEAPP_REAP_EVERY_SECONDS": "2",
        "GENOMEAPP_INFERENCE_QUEUE": settings.CELERY_INFERENCE_QUEUE_NAME,
        "GENOMEAPP_DEFAULT_QUEUE": settings.CELERY_DEFAULT_QUEUE_NAME,
        # each fault test starts fresh workers: compile SpliceAI's forward pass once, not in each
        "JAX_COMPILATION_CACHE_DIR": str(REPO_ROOT / "var" / "jax-cache"),
        "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",
        **overrides,
    }


def substitutions(assembly: Assembly, count: int = 200) -> str:
    """`count` single-base substitutions at consecutive positions, REF read from the genome."""
    chrom, start = SNRPB
    reference = genome_for(assembly).fetch(chrom, start - 1, start - 1 + count).upper()
    swap = {"A": "C", "C": "G", "G": "T", "T": "A"}
    return "".join(f"{chrom}:{start + i}:{base}>{swap[base]}\n" for i, base in enumerate(reference))


def submit_variant_job(owner: Any, assembly: Assembly, count: int = 200, browser_variants: int = 2) -> Job:
    """A SpliceAI job of `count` variants, enqueued on commit as from a view; browser tracks for the
    top `browser_variants` only (each costs about a second)."""
    with transaction.atomic():
        job = submit(
            {"mode": "variants", "assembly": assembly, "variants_text": substitutions(assembly, count)},
            PredictionOptions(),
            owner,
        )
        job.set_parameter("browser_variants", browser_variants)
    return job


def wait_until(condition: Any, timeout: float, what: str, interval: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(f"not {what} after {timeout} s")


def binary(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if not found:
        raise AssertionError(f"{name} is not installed; make test installs it")
    return found


class RedisServer:
    """A redis-server of the test's own on a free port (never the shared one), nothing saved to
    disk: a restart loses every queued and unacknowledged message, as a crash of Redis would."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    def url(self, database: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        log = open(self.folder / "redis.log", "ab")  # noqa: SIM115 - the child keeps it
        self.process = subprocess.Popen(
            [binary("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no", "--dir", str(self.folder)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        wait_until(self.answers, 10, f"answering on port {self.port}")

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as connection:
                connection.sendall(b"PING\r\n")
                return connection.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)


class Server:
    """gunicorn serving genomeapp.wsgi on a free port (one sync worker), or Celery beat."""

    def __init__(self, command: list[str], env: Mapping[str, str], log_path: Path) -> None:
        self.log_path = log_path
        log = open(log_path, "ab")  # noqa: SIM115 - the child keeps it
        self.process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=dict(env),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL to it and its children (gunicorn's workers), as a crash or OOM kill would."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)


def beat(env: Mapping[str, str], folder: Path) -> Server:
    """`celery beat` with the app's schedule (the reaper every GENOMEAPP_REAP_EVERY_SECONDS)."""
    command = [sys.executable, "-m", "celery", "-A", "genomeapp", "beat", "--loglevel", "INFO"]
    command += ["--schedule", str(folder / "beat-schedule")]
    return Server(command, env, folder / "beat.log")


def gunicorn(env: Mapping[str, str], folder: Path, port: int) -> Server:
    """gunicorn as the container runs it, answering /healthz before this returns."""
    command = [binary("gunicorn"), "genomeapp.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"]
    command += ["--timeout", "60", "--graceful-timeout", "5"]
    server = Server(command, env, folder / f"gunicorn-{port}.log")
    origin = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        try:
            with urllib.request.urlopen(f"{origin}/healthz", timeout=2) as response:
                return response.status in (200, 503)
        except urllib.error.HTTPError as error:
            return error.code in (200, 503)
        except OSError:
            return False

    try:
        wait_until(healthy, 60, "serving /healthz", interval=0.3)
    except AssertionError as error:
        server.kill()
        raise AssertionError(f"{error}; gunicorn log:\n{server.log()[-3000:]}") from None
    return server
