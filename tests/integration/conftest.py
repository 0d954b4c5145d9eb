"""Real processes for integration tests: a Celery worker on its own queue, and a live server.

The worker gets the test database through DATABASE_URL (SQLite tests use a file database, see
settings) and listens on a queue unique to the test session, so no other worker on the same
broker can take its jobs.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connections

from tests.support.processes import REPO_ROOT, CeleryWorker, session_database_url


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


# GENOMEAPP_CHROMIUM names the browser binary; else Debian's `chromium` (or `chromium-browser`) on PATH.
CHROMIUM = (
    os.environ.get("GENOMEAPP_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser") or ""
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
OUTPUT = REPO_ROOT / "test-output"  # screenshots of the browser tests


@pytest.fixture
def browser():
    if not CHROMIUM or not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed (Debian package `chromium`); make test installs it")
    from playwright import sync_api as playwright_api  # the test extra installs it

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # the ORM is used beside Playwright's loop
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()
        # Under Playwright's running event loop the ORM keeps its connections apart from the test's
        # usual ones; close them here, or they outlive the test database ("accessed by other users").
        connections.close_all()


def watch(page, origin: str, errors: list[str], foreign: list[str]) -> None:
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "request",
        lambda r: foreign.append(r.url) if not r.url.startswith((origin, "data:", "blob:")) else None,
    )
