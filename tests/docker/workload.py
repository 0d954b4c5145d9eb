"""A job runner with no model, for the worker tests: the real `predictions.tasks.run_job` task
claims the job (`Job.claim`), keeps its heartbeat and finishes it; only the work itself is a sleep.

Imported by the test workers with `celery worker --include tests.docker.workload`, it registers
the job kind `docker-test` in `predictions.pipeline.RUNNERS` of that worker only. Each run appends
`<job code> <worker name> start|end` to the file named by GENOMEAPP_TEST_RUN_LOG, and records the
worker's name in the job's title.
"""

from __future__ import annotations

import os
import threading
import time

from celery import current_task

from predictions import pipeline
from predictions.heartbeat import JobCancelled
from predictions.models import Job

KIND = "docker-test"
pipeline.RUNNERS[KIND] = __name__


def _log(line: str) -> None:
    path = os.environ.get("GENOMEAPP_TEST_RUN_LOG")
    if path:
        with open(path, "a") as handle:  # one short O_APPEND write per line: safe across processes
            handle.write(line + "\n")


def run(job: Job, cancelled: threading.Event) -> None:
    worker = getattr(getattr(current_task, "request", None), "hostname", None) or "unknown"
    _log(f"{job.code} {worker} start")
    Job.objects.filter(pk=job.pk).update(title=f"ran on {worker}")
    deadline = time.monotonic() + float(job.parameters.get("seconds", 0.2))
    while time.monotonic() < deadline:
        if cancelled.is_set():
            raise JobCancelled()
        time.sleep(0.05)
    _log(f"{job.code} {worker} end")
