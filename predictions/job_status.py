"""A job's live status as the page and the API show it, and deleting a job with its files."""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from predictions.models import Job, Variant


def eta_seconds(job: Job) -> float | None:
    """Remaining seconds, extrapolated from the rate so far; None until there is a rate."""
    if job.status != Job.RUNNING or not job.started or not job.progress_done or not job.progress_total:
        return None
    elapsed = (timezone.now() - job.started).total_seconds()
    return max(0.0, elapsed / job.progress_done * (job.progress_total - job.progress_done))


_COUNTED = {
    "accepted": Variant.Status.ACCEPTED,
    "rejected": Variant.Status.REJECTED,
    "skipped": Variant.Status.SKIPPED,
}


def with_variant_counts(jobs: QuerySet[Job]) -> QuerySet[Job]:
    """Jobs carrying their variant counts, so that listing them costs one query, not one per job."""
    counts = {
        f"{name}_variants": Count("variants", filter=Q(variants__status=status))
        for name, status in _COUNTED.items()
    }
    return jobs.annotate(**counts).order_by(*(Job._meta.ordering or ()))  # GROUP BY drops Meta.ordering


def variant_counts(job: Job) -> dict[str, int]:
    if hasattr(job, "accepted_variants"):
        return {name: getattr(job, f"{name}_variants") for name in _COUNTED}
    return job.variants.aggregate(**{name: Count("id", filter=Q(status=s)) for name, s in _COUNTED.items()})


def as_dict(job: Job) -> dict[str, Any]:
    counts = variant_counts(job)
    return {
        "code": str(job.code),
        "kind": job.kind,
        "status": job.status,
        "is_final": job.is_final,
        "step": job.step,
        "done": job.progress_done,
        "total": job.progress_total,
        "fraction": job.progress_fraction,
        "eta_seconds": eta_seconds(job),
        "error": job.error,
        "created": job.created.isoformat(),
        "started": job.started.isoformat() if job.started else None,
        "finished": job.finished.isoformat() if job.finished else None,
        "variants": counts,
    }


def with_counts(jobs: Iterable[Job]) -> list[Job]:
    """Jobs annotated with accepted/rejected variant counts for the list page."""
    ids = [job.pk for job in jobs]
    counts: dict[int, Mapping[str, Any]] = {
        row["job"]: row
        for row in Variant.objects.filter(job__in=ids)
        .values("job")
        .annotate(
            accepted=Count("id", filter=~Q(status=Variant.Status.REJECTED)),
            rejected=Count("id", filter=Q(status=Variant.Status.REJECTED)),
        )
    }
    result = []
    for job in jobs:
        # read by the list template, not fields of the model
        setattr(job, "accepted_count", counts.get(job.pk, {}).get("accepted", 0))  # noqa: B010
        setattr(job, "rejected_count", counts.get(job.pk, {}).get("rejected", 0))  # noqa: B010
        result.append(job)
    return result


def delete_job(job: Job) -> None:
    """Stop the job if it runs, then remove its rows and its result files."""
    job.cancel()
    shutil.rmtree(job.results_dir(), ignore_errors=True)
    job.delete()
