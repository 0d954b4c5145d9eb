"""Job status transitions are conditional UPDATEs: racing claimers, late heartbeats, cancels."""

import threading

import pytest
from django.db import connection

from predictions.models import Job


@pytest.fixture
def job(owner):
    return Job.objects.create(owner=owner, kind=Job.Kind.INTERVAL, parameters={"interval": "20:1-100"})


@pytest.mark.django_db
def test_claim_moves_queued_to_running_once(job):
    assert job.claim(task_id="t-1")
    assert job.status == Job.RUNNING and job.started and job.heartbeat and job.celery_task_id == "t-1"
    assert not Job.objects.get(pk=job.pk).claim(task_id="t-2")
    job.refresh_from_db()
    assert job.celery_task_id == "t-1"


@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_the_same_job_one_wins(owner):
    job = Job.objects.create(owner=owner, kind=Job.Kind.INTERVAL)
    barrier = threading.Barrier(2)
    results: list[bool] = []

    def worker(name: str) -> None:
        instance = Job.objects.get(pk=job.pk)  # each thread has its own connection
        barrier.wait()
        results.append(instance.claim(task_id=name))
        connection.close()

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, True]
    assert Job.objects.get(pk=job.pk).status == Job.RUNNING


@pytest.mark.django_db
def test_beat_records_progress_only_while_running(job):
    assert not job.beat(done=1, total=2)  # queued: nothing to beat
    job.claim()
    assert job.beat(done=3, total=10, step="scoring")
    job.refresh_from_db()
    assert (job.progress_done, job.progress_total, job.step) == (3, 10, "scoring")
    assert job.progress_fraction == pytest.approx(0.3)


@pytest.mark.django_db
def test_cancel_stops_a_running_job_and_its_heartbeat(job):
    job.claim()
    assert job.cancel()
    assert job.status == Job.CANCELLED and job.is_final and job.finished
    assert not job.beat(done=1)
    assert not job.finish()  # a cancelled job does not come back as succeeded
    assert Job.objects.get(pk=job.pk).status == Job.CANCELLED


@pytest.mark.django_db
def test_fail_keeps_the_message(job):
    job.claim()
    assert job.fail("REF allele mismatch at line 3")
    job.refresh_from_db()
    assert job.status == Job.FAILED and job.error == "REF allele mismatch at line 3"


@pytest.mark.django_db
def test_final_states_are_exactly_the_terminal_statuses():
    assert set(Job.FINAL_STATES) == {Job.SUCCEEDED, Job.FAILED, Job.CANCELLED}
