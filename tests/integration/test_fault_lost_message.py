"""A job whose broker message was lost (Redis restarted without its append-only file, or the web
server died between the commit and the send) is not stranded: the reaper sends it again and a real
worker runs it, once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from predictions.models import Job
from predictions.submission import PredictionOptions, create_variant_job
from predictions.tasks import reap_stale_jobs
from tests.integration.conftest import wait_for_final_state

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def lost_job(owner: Any, demo_assembly: Any, settings: Any) -> Job:
    """A queued job whose message never reached the broker: created without its on-commit send."""
    from predictions.assemblies import genome_for
    from predictions.inputs import parse_variant_text

    parsed = parse_variant_text("chr20:2443281:C>A\n", genome_for(demo_assembly), 10)
    with transaction.atomic():
        job = create_variant_job(
            owner=owner,
            assembly=demo_assembly,
            accepted=parsed.accepted,
            rejected=[],
            options=PredictionOptions(),
        )
        transaction.get_connection().run_on_commit.clear()  # the send is what the broker "lost"
    return job


def test_the_reaper_resends_a_lost_job_and_a_worker_runs_it_once(
    owner: Any, demo_assembly: Any, settings: Any, celery_worker_process: Any
) -> None:
    settings.GENOMEAPP_RESEND_QUEUED_AFTER_SECONDS = 60
    job = lost_job(owner, demo_assembly, settings)
    assert reap_stale_jobs() == 0  # queued for less than a minute: a normal wait, left alone
    Job.objects.filter(pk=job.pk).update(created=timezone.now() - timedelta(seconds=61))

    with transaction.atomic():
        assert reap_stale_jobs() == 1
    with transaction.atomic():
        assert reap_stale_jobs() == 0  # sent again once per interval, not on every pass

    wait_for_final_state(job, timeout=300, worker=celery_worker_process)
    assert job.status == Job.SUCCEEDED, job.error
    assert job.attempts == 1 and job.resent is not None
    assert job.scores.filter(track_name="DS_DL", gene_name="SNRPB").count() == 1
