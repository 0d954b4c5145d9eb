"""Who may see a job: its owner, or anyone holding an active share link. Everyone else gets 404."""

from __future__ import annotations

import dataclasses
import uuid

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse

from predictions.models import Job, ShareLink


@dataclasses.dataclass(frozen=True)
class JobAccess:
    """A job as one visitor may see it; `base_url` prefixes every job sub-URL for that visitor."""

    job: Job
    is_owner: bool
    token: str = ""

    @property
    def base_url(self) -> str:
        if self.token:
            return reverse("shared-job", args=[self.token])
        return reverse("job", args=[self.job.code])

    def url(self, suffix: str) -> str:
        return self.base_url + suffix


def job_for_owner(request: HttpRequest, code: uuid.UUID | str) -> JobAccess:
    if not request.user.is_authenticated:
        raise Http404("no such job")
    job = get_object_or_404(Job.objects.select_related("assembly"), code=code, owner=request.user)
    return JobAccess(job=job, is_owner=True)


def job_for_token(token: str) -> JobAccess:
    link = ShareLink.objects.active().for_token(token).select_related("job", "job__assembly").first()
    if link is None:
        raise Http404("this share link does not exist or was revoked")
    return JobAccess(job=link.job, is_owner=False, token=token)


def job_access(request: HttpRequest, code: uuid.UUID | str | None, token: str | None) -> JobAccess:
    """The job behind an owner URL (`code`) or a share URL (`token`)."""
    if token:
        return job_for_token(token)
    if code is None:
        raise Http404("no such job")
    return job_for_owner(request, code)
