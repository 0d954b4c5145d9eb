from datetime import timedelta

import pytest
from django.utils import timezone

from predictions.models import Job
from predictions.tasks import reap_stale_jobs


@pytest.mark.django_db
def test_reaper_fails_jobs_with_a_stale_heartbeat(owner, settings):
    settings.GENOMEAPP_STALE_AFTER_SECONDS = 60
    stale = Job.objects.create(owner=owner, kind=Job.Kind.VARIANTS)
    fresh = Job.objects.create(owner=owner, kind=Job.Kind.VARIANTS)
    queued = Job.objects.create(owner=owner, kind=Job.Kind.VARIANTS)
    stale.claim()
    fresh.claim()
    Job.objects.filter(pk=stale.pk).update(heartbeat=timezone.now() - timedelta(seconds=61))

    assert reap_stale_jobs() == 1

    for job in (stale, fresh, queued):
        job.refresh_from_db()
    assert stale.status == Job.FAILED and "no heartbeat for over 60 s" in stale.error
    assert fresh.status == Job.RUNNING
    assert queued.status == Job.QUEUED
    assert reap_stale_jobs() == 0
