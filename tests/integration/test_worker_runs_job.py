"""A real Celery worker process picks a job off the broker, runs SpliceAI and finishes it."""

import pytest
from django.db import transaction

from predictions.models import Job, Score, Variant
from predictions.submission import PredictionOptions, submit
from tests.integration.conftest import wait_for_final_state

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

VARIANTS = "chr20:2443281:C>A\n20-2443280-A-G\n20:2443281:G>T\n"  # the last REF does not match chr20


def test_worker_finishes_a_submitted_variant_job(owner, demo_assembly, celery_worker_process):
    with transaction.atomic():  # enqueued on commit, as from a view
        job = submit(
            {"mode": "variants", "assembly": demo_assembly, "variants_text": VARIANTS},
            PredictionOptions(),
            owner,
        )
    assert job.status == Job.QUEUED

    wait_for_final_state(job, timeout=420, worker=celery_worker_process)

    assert job.status == Job.SUCCEEDED, job.error
    assert job.started and job.finished and job.heartbeat and job.celery_task_id
    assert job.progress_done == job.progress_total > 0
    rejected = job.variants.get(status=Variant.Status.REJECTED)
    assert rejected.line == 3 and "G" in rejected.message and "C" in rejected.message
    donor_loss = Score.objects.get(job=job, variant__pos=2443281, variant__alt="A", track_name="DS_DL")
    assert donor_loss.gene_name == "SNRPB" and donor_loss.raw_score > 0.5
    assert job.track_files.filter(allele="DELTA").exists()
