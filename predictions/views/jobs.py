"""The job page (owner or share link), its live status, and the owner's actions."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from predictions import job_status
from predictions.access import job_access, job_for_owner
from predictions.browser_config import browser_config
from predictions.external_links import variant_links
from predictions.models import Job, ShareLink, Variant
from predictions.splice_effects import splice_summaries
from predictions.variant_table import TableFilters, filter_choices, variant_rows


def job_detail(request: HttpRequest, code: uuid.UUID | None = None, token: str | None = None) -> HttpResponse:
    if code is not None and not request.user.is_authenticated:
        # An owner whose session ended is sent to log in and back here. Every anonymous visitor of
        # any /jobs/<uuid>/ gets the same redirect, so it tells nothing about which jobs exist.
        return redirect_to_login(request.get_full_path())
    access = job_access(request, code, token)
    job = access.job
    filters = TableFilters.from_query(request.GET)
    context = {
        "access": access,
        "job": job,
        "status": job_status.as_dict(job),
        "filters": filters,
        "rejected": job.variants.filter(status=Variant.Status.REJECTED).order_by("line", "id")[:500],
        "rejected_count": job.variants.filter(status=Variant.Status.REJECTED).count(),
        "skipped": job.variants.filter(status=Variant.Status.SKIPPED).order_by("line", "id")[:200],
        "share_links": job.share_links.active() if access.is_owner else [],
    }
    if job.kind in (Job.Kind.VARIANTS, Job.Kind.ISM):
        page = variant_rows(job, filters)
        splice = splice_summaries(row.pk for row in page)
        for row in page:
            row.links = variant_links(job.assembly, row.chrom, row.pos, row.ref, row.alt)
            row.splice = splice.get(row.pk)
        splice_column = bool(splice) or job.parameters.get("spliceai") is not None
        context["splice_column"] = splice_column
        context["page"] = page
        context["choices"] = filter_choices(job)
        # Quantiles are AlphaGenome's scheme: a SpliceAI-only job has no such column at all.
        quantile_column = bool(job.parameters.get("alphagenome_scorers"))
        context["quantile_column"] = quantile_column
        # Variant, ID, Gene, max |score|, Motifs, Links, Line, and the optional ones
        context["table_columns"] = 7 + int(quantile_column) + int(splice_column)
        context["untrained_scores"] = job.scores.filter(trained=False).exists()
    if job.status == Job.SUCCEEDED:
        context["browser"] = browser_config(access)
    return render(request, "predictions/job_detail.html", context)


def job_status_json(
    request: HttpRequest, code: uuid.UUID | None = None, token: str | None = None
) -> JsonResponse:
    return JsonResponse(job_status.as_dict(job_access(request, code, token).job))


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = Job.objects.owned_by(request.user).select_related("assembly")
    status = request.GET.get("status", "")
    if status:
        jobs = jobs.filter(status=status)
    return render(
        request,
        "predictions/job_list.html",
        {"jobs": job_status.with_counts(jobs[:200]), "status": status, "statuses": Job.STATUS_CHOICES},
    )


@require_POST
def job_cancel(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    job = job_for_owner(request, code).job
    if job.cancel():
        messages.info(request, "Job cancelled.")
    else:
        messages.warning(request, f"The job had already {job.status}.")
    return redirect("job", code=job.code)


@require_POST
def job_delete(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    job = job_for_owner(request, code).job
    job_status.delete_job(job)
    messages.info(request, "Job deleted with all its results.")
    return redirect("job-list")


@require_POST
def share_create(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    job = job_for_owner(request, code).job
    # job_for_owner: the owner is the signed-in user
    link = ShareLink.objects.create(job=job, created_by=job.owner)
    url = request.build_absolute_uri(reverse("shared-job", args=[link.token]))
    messages.success(request, f"Read-only link created: {url}")
    return redirect("job", code=job.code)


@require_POST
def share_revoke(request: HttpRequest, code: uuid.UUID, token: str) -> HttpResponse:
    job = job_for_owner(request, code).job
    link = job.share_links.active().for_token(token).first()
    if link is None:
        raise Http404("no such share link")
    link.revoke()
    messages.info(request, "Share link revoked; it now gives 404.")
    return redirect("job", code=job.code)
