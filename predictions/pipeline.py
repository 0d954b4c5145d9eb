"""Runs a claimed job: dispatches on its kind to the runner that does the work."""

from __future__ import annotations

import errno
import importlib
import logging
import os
import shutil
import threading

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections

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
    if job.attempts > 1 and not getattr(runner, "RESUMES", False):
        discard_partial_outputs(job)
    runner.run(job, cancelled)


def discard_partial_outputs(job: Job) -> None:
    """A re-queued job whose runner starts over: drop what an earlier attempt stored."""
    discard_results(job)
    job.scores.all().delete()
    if job.kind == Job.Kind.ISM:  # its variants are the substitutions it scored
        job.variants.all().delete()


def execute(job_code: str, task_id: str = "") -> str:
    """Claim the job (queued → running), run it, and leave it in a final state; returns the outcome.

    A duplicate delivery finds the job claimed and returns "not claimed". A lost database
    connection re-queues the job (the outcome is then `Job.QUEUED`, and the task sends it again;
    the runner resumes); full result storage fails it with a message saying so, its files removed.
    If the job is deleted while it runs, the files it wrote meanwhile are removed.
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
    except (OperationalError, InterfaceError) as error:
        return _after_database_error(job, error)
    except OSError as error:
        if error.errno not in STORAGE_FULL:
            return _after_error(job, error)
        discard_results(job)
        job.fail(storage_full_message(error))
        return Job.FAILED
    except Exception as error:  # a job must end in a final state whatever the model raised
        return _after_error(job, error)
    finally:
        if not _exists(job):  # deleted while running
            shutil.rmtree(job.results_dir(), ignore_errors=True)
    return Job.SUCCEEDED if job.finish() else job.status


# ENOSPC: the disk is full; EDQUOT: over quota; EFBIG: past the process's file-size limit
STORAGE_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def storage_full_message(error: OSError) -> str:
    return (
        f"the server ran out of space for results ({os.strerror(error.errno or errno.ENOSPC)}); "
        "no partial results were kept; submit the job again later, or ask the administrator to free space"
    )


def discard_results(job: Job) -> None:
    """Forget the job's result files and their rows, so that a failed job lists and serves none."""
    job.track_files.all().delete()
    shutil.rmtree(job.results_dir(), ignore_errors=True)


def _after_error(job: Job, error: Exception) -> str:
    if Job.objects.filter(pk=job.pk).exists():
        logger.exception("job %s failed", job.code)
        job.fail(f"{type(error).__name__}: {error}")
    return Job.FAILED


def _after_database_error(job: Job, error: Exception) -> str:
    """Re-queue the job on a fresh connection (it resumes), or fail it after its last attempt."""
    logger.warning("job %s lost its database connection: %s", job.code, error)
    connections.close_all()  # Django does not reconnect a connection that failed mid-query
    if job.attempts < settings.GENOMEAPP_MAX_JOB_ATTEMPTS and job.requeue(
        f"re-queued after a database error (attempt {job.attempts})"
    ):
        return Job.QUEUED
    job.fail(f"database error on each of {job.attempts} attempts: {error}")
    return Job.FAILED


def _exists(job: Job) -> bool:
    try:
        return Job.objects.filter(pk=job.pk).exists()
    except (OperationalError, InterfaceError):
        connections.close_all()
        return Job.objects.filter(pk=job.pk).exists()
