from datetime import timedelta

import pytest
from django.utils import timezone

from predictions.models import Job
from predictions.tasks import reap_stale_jobs


@pytest.mark.django_db
def test_reaper_fails_jobs_with_a_stale_heartbeat_on_their_last_attempt(owner, settings):
    settings.GENOMEAPP_STALE_AFTER_SECONDS = 60
    settings.GENOMEAPP_MAX_JOB_ATTEMPTS = 1
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


@pytest.mark.django_db
def test_reaper_requeues_a_stale_job_then_fails_it_if_no_worker_takes_it(owner, settings):
    settings.GENOMEAPP_STALE_AFTER_SECONDS = 60
    settings.GENOMEAPP_MAX_JOB_ATTEMPTS = 2
    job = Job.objects.create(owner=owner, kind=Job.Kind.VARIANTS)
    job.claim()
    Job.objects.filter(pk=job.pk).update(heartbeat=timezone.now() - timedelta(seconds=61))

    assert reap_stale_jobs() == 1  # re-queued (sent again on commit), to resume
    job.refresh_from_db()
    assert job.status == Job.QUEUED and job.attempts == 1 and "re-queued" in job.step
    assert reap_stale_jobs() == 0  # not yet abandoned

    Job.objects.filter(pk=job.pk).update(heartbeat=timezone.now() - timedelta(seconds=61))
    assert reap_stale_jobs() == 1
    job.refresh_from_db()
    assert job.status == Job.FAILED and "no worker took the job up again within 60 s" in job.error


@pytest.mark.django_db
def test_a_requeued_job_waiting_behind_a_busy_worker_is_not_abandoned(owner, settings):
    """A live worker busy with a long job (fresh heartbeat) will take the re-queued job up in turn:
    waiting longer than GENOMEAPP_STALE_AFTER_SECONDS in that queue is a backlog, not a dead worker."""
    settings.GENOMEAPP_STALE_AFTER_SECONDS = 60
    settings.GENOMEAPP_MAX_JOB_ATTEMPTS = 2
    waiting = Job.objects.create(owner=owner, kind=Job.Kind.VARIANTS)
    waiting.claim()
    Job.objects.filter(pk=waiting.pk).update(heartbeat=timezone.now() - timedelta(seconds=61))
    assert reap_stale_jobs() == 1  # re-queued
    Job.objects.filter(pk=waiting.pk).update(heartbeat=timezone.now() - timedelta(seconds=61))
    busy = Job.objects.create(owner=owner, kind=Job.Kind.VARIANTS)
    busy.claim()  # heartbeat now

    assert reap_stale_jobs() == 0
    waiting.refresh_from_db()
    assert waiting.status == Job.QUEUED

    Job.objects.filter(pk=busy.pk).update(status=Job.SUCCEEDED)  # the worker finished, and took nothing
    assert reap_stale_jobs() == 1
    waiting.refresh_from_db()
    assert waiting.status == Job.FAILED


@pytest.mark.django_db
def test_a_worker_presumed_dead_stops_once_its_job_is_claimed_again(owner):
    job = Job.objects.create(owner=owner, kind=Job.Kind.VARIANTS)
    job.claim()
    zombie = Job.objects.get(pk=job.pk)
    assert job.requeue("re-queued") and job.claim()

    assert not zombie.beat(done=1)  # its progress writes fail: it raises JobCancelled and stops
    assert job.beat(done=1)
