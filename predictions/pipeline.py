"""Runs a claimed job: dispatches on its kind to the runner that does the work."""

from __future__ import annotations

import importlib
import logging
import shutil
import threading

from predictions.heartbeat import JobCancelled, heartbeat
from predictions.models import Job

logger = logging.getLogger(__name__)


class JobInputError(ValueError):
    """The job's input cannot be run (the message is shown to the user as it is)."""


RUNNERS = {
    "interval": "predictions.runners.interval",
    "variants": "predictions.runners.variants",
    "sequence": "predictions.runners.sequence",
    "ism": "predictions.runners.ism",
}


def run(job: Job, cancelled: threading.Event) -> None:
    """Run `job` (already claimed) to completion; raises JobCancelled if it is cancelled meanwhile."""
    module_name = RUNNERS.get(job.kind)
    if module_name is None:
        raise JobInputError(f"unknown job kind {job.kind!r}")
    runner = importlib.import_module(module_name)
    runner.run(job, cancelled)


def execute(job_code: str, task_id: str = "") -> str:
    """Claim the job (queued → running), run it, and leave it in a final state; returns the outcome.

    A duplicate delivery finds the job claimed and returns "not claimed". If the job is deleted
    while it runs, the files it wrote meanwhile are removed.
    """
    job = Job.objects.filter(code=job_code).first()
    if job is None or not job.claim(task_id=task_id):
        return "not claimed"
    try:
        with heartbeat(job) as lost:
            run(job, cancelled=lost)
    except JobCancelled:
        return Job.CANCELLED
    except JobInputError as error:
        job.fail(str(error))
        return Job.FAILED
    except Exception as error:  # a job must end in a final state whatever the model raised
        if Job.objects.filter(pk=job.pk).exists():
            logger.exception("job %s failed", job.code)
            job.fail(f"{type(error).__name__}: {error}")
        return Job.FAILED
    finally:
        if not Job.objects.filter(pk=job.pk).exists():  # deleted while running
            shutil.rmtree(job.results_dir(), ignore_errors=True)
    return Job.SUCCEEDED if job.finish() else job.status
