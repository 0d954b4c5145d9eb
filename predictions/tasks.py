"""Celery tasks: each takes ids and calls one plain function."""

from __future__ import annotations

import logging
import shutil
from datetime import timedelta

from celery import Task, shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from predictions import pipeline, reports
from predictions.models import Job

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True, bind=True)
def run_job(self: Task, job_code: str) -> str:
    """Run one job (see `pipeline.execute`); a variant job's report follows on the default queue.

    A job re-queued by `execute` (its database connection was lost) is sent again after a pause.
    """
    outcome = pipeline.execute(job_code, task_id=getattr(getattr(self, "request", None), "id", "") or "")
    if outcome == Job.QUEUED:
        raise self.retry(countdown=settings.GENOMEAPP_HEARTBEAT_SECONDS, max_retries=None)
    if outcome == Job.SUCCEEDED and Job.objects.filter(code=job_code, kind=Job.Kind.VARIANTS).exists():
        write_job_report.apply_async(args=[job_code], queue=settings.CELERY_DEFAULT_QUEUE_NAME)
    return outcome


@shared_task(acks_late=True)
def write_job_report(job_code: str) -> str:
    """Build the job's self-contained igv-reports HTML (queue `default`, after the model run)."""
    job = Job.objects.filter(code=job_code, status=Job.SUCCEEDED).select_related("assembly").first()
    if job is None:
        return "no such finished job"
    try:
        reports.write_report(job)
    except reports.ReportError as error:
        logger.error("report for job %s failed: %s", job.code, error)
        job.set_parameter("report", f"failed: {error}")
        return "failed"
    job.set_parameter("report", "ready")
    return "ready"


@shared_task
def reap_stale_jobs() -> int:
    """Deal with running jobs whose heartbeat went stale (their worker died): re-queue each to
    resume where it stopped, up to GENOMEAPP_MAX_JOB_ATTEMPTS claims (a job that kills its worker,
    e.g. out of memory, would kill every next one), then fail it; fail re-queued jobs that no
    worker took up within GENOMEAPP_STALE_AFTER_SECONDS; send long-queued jobs' messages again in
    case the broker lost them. Returns how many jobs it changed."""
    stale_after = settings.GENOMEAPP_STALE_AFTER_SECONDS
    reaped = 0
    for job in Job.objects.stale():
        if job.attempts < settings.GENOMEAPP_MAX_JOB_ATTEMPTS:
            if job.requeue(f"re-queued: its worker stopped responding (attempt {job.attempts})"):
                resend(job)
                reaped += 1
                logger.warning("re-queued stale job %s", job.code)
        elif job.fail(
            f"worker stopped responding: no heartbeat for over {stale_after} s, "
            f"on each of {job.attempts} attempts; submit the job again"
        ):
            reaped += 1
            logger.warning("reaped stale job %s", job.code)
    # A queued job whose message was lost would wait forever: send it again. A second message for a
    # job whose first one is still queued is harmless: only one worker can claim it (Job.claim).
    for job in Job.objects.unsent():
        if Job.objects.filter(pk=job.pk, status=Job.QUEUED).update(resent=timezone.now()):
            resend(job)
            reaped += 1
            logger.warning("re-sent job %s, queued since %s", job.code, job.created)
    for job in Job.objects.abandoned():
        if job.fail(
            f"worker stopped responding and no worker took the job up again within {stale_after} s; "
            "submit the job again",
            from_states=(Job.QUEUED,),
        ):
            reaped += 1
            logger.warning("failed abandoned job %s", job.code)
    return reaped


def resend(job: Job) -> None:
    """Send a re-queued job to the inference queue again (it resumes: see the runners)."""
    code = str(job.code)
    transaction.on_commit(
        lambda: run_job.apply_async(args=[code], queue=settings.CELERY_INFERENCE_QUEUE_NAME)
    )


@shared_task
def expire_old_results() -> int:
    """Delete finished jobs older than GENOMEAPP_RESULT_RETENTION_DAYS (0 keeps them forever)."""
    days = settings.GENOMEAPP_RESULT_RETENTION_DAYS
    if not days:
        return 0
    cutoff = timezone.now() - timedelta(days=days)
    expired = list(Job.objects.filter(status__in=Job.FINAL_STATES, finished__lt=cutoff))
    for job in expired:
        shutil.rmtree(job.results_dir(), ignore_errors=True)
        job.delete()
    return len(expired)
