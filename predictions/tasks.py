"""Celery tasks: each takes ids and calls one plain function."""

from __future__ import annotations

import logging
import shutil
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from predictions import pipeline, reports
from predictions.models import Job

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True, bind=True)
def run_job(self: object, job_code: str) -> str:
    """Run one job (see `pipeline.execute`); a variant job's report follows on the default queue."""
    outcome = pipeline.execute(job_code, task_id=getattr(getattr(self, "request", None), "id", "") or "")
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
    """Fail running jobs whose heartbeat went stale (their worker died); they are not re-queued,
    because a job that killed its worker (e.g. out of memory) would kill the next one too."""
    reaped = 0
    for job in Job.objects.stale():
        if job.fail(
            f"worker stopped responding: no heartbeat for over {settings.GENOMEAPP_STALE_AFTER_SECONDS} s; "
            "submit the job again"
        ):
            reaped += 1
            logger.warning("reaped stale job %s", job.code)
    return reaped


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
