"""Real processes on this session's database and broker: one definition of the Celery worker
that the integration tests, the deployment tests and `bench/web.py` start."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import quote

REPO_ROOT = Path(__file__).resolve().parents[2]


def session_database_url() -> str:
    """A DATABASE_URL naming the database this process uses (under pytest, the test database)."""
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


class CeleryWorker:
    """One `celery -A genomeapp worker` subprocess, as a container's command would start it.

    Args:
      queues: comma-separated queue names it consumes.
      hostname: its node name, e.g. `w1@%h`.
      options: further `celery worker` options (`--pool solo`, `--include ...`).
      env: its environment (default: this process's).
      log_path: file for its output (default: this process's stdout and stderr).
      loglevel: `--loglevel`.
    """

    def __init__(
        self,
        queues: str,
        hostname: str,
        *options: str,
        env: Mapping[str, str] | None = None,
        log_path: Path | None = None,
        loglevel: str = "INFO",
    ) -> None:
        self.name = hostname
        self.log_path = log_path
        command = [
            *(sys.executable, "-m", "celery", "-A", "genomeapp", "worker"),
            *("--queues", queues, "--hostname", hostname, "--loglevel", loglevel),
            *("--without-gossip", "--without-mingle"),
            *options,
        ]
        self._log = None if log_path is None else open(log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=None if env is None else dict(env),
            stdout=self._log,
            stderr=None if self._log is None else subprocess.STDOUT,
        )

    def log(self) -> str:
        """What it has written so far ('' without a log file)."""
        return "" if self.log_path is None else self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = 40.0) -> None:
        """Until its log says it is ready (needs `log_path` and `--loglevel INFO`)."""
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
        """SIGTERM, SIGKILL after `timeout` s; its exit status."""
        self.terminate()
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait(10)
        if self._log is not None:
            self._log.close()
        return code
