"""Scaling out and shutting down without Docker: real Celery worker processes, one database, one broker.

Each worker is what one GPU host runs (docker/compose.gpu-host.yml): `celery -A genomeapp worker`
with its own name, concurrency 1, prefetch 1. The jobs go through the real task
(`predictions.tasks.run_job`: claim, heartbeat, finish); only the work is a sleep
(tests/docker/workload.py), so no model is loaded. Messages go to a queue of the test's own,
so runs that share the broker never take each other's messages.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings

from genomeapp.celery import app
from predictions.models import Job
from tests.docker.conftest import DOCKER_DIR, REPO_ROOT, run_log
from tests.docker.workload import KIND

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


def submit(job: Job, queue: str) -> None:
    """What the web process does: send run_job for the job (here to the test's queue)."""
    app.send_task("predictions.tasks.run_job", args=[str(job.code)], queue=queue)


def wait_until(predicate: object, timeout: float, what: str, logs: object = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}" + (f"\n{logs()}" if logs else ""))


def statuses(jobs: list[Job]) -> Counter:
    return Counter(Job.objects.filter(pk__in=[j.pk for j in jobs]).values_list("status", flat=True))


@pytest.mark.django_db(transaction=True)
def test_two_workers_split_a_batch_and_run_every_job_once(owner, start_worker, worker_env, test_queue):
    jobs = [
        Job.objects.create(owner=owner, kind=KIND, parameters={"seconds": 0.4}, title=f"batch {i}")
        for i in range(12)
    ]
    w1, w2 = start_worker("w1@%h"), start_worker("w2@%h")
    w1.wait_ready()
    w2.wait_ready()

    for job in jobs:
        submit(job, test_queue)
    for job in jobs:  # every message delivered twice, as a broker may redeliver after a crash
        submit(job, test_queue)

    logs = lambda: f"--- w1\n{w1.log()}\n--- w2\n{w2.log()}"
    wait_until(lambda: statuses(jobs)[Job.SUCCEEDED] == len(jobs), 60, "all jobs to succeed", logs)
    # the duplicates are consumed too (each a no-op: the job is no longer queued)
    wait_until(lambda: (w1.log() + w2.log()).count("'not claimed'") >= len(jobs), 30, "the duplicates", logs)

    runs = run_log(Path(worker_env["GENOMEAPP_TEST_RUN_LOG"]))
    starts = Counter(code for code, _, event in runs if event == "start")
    ends = Counter(code for code, _, event in runs if event == "end")
    codes = {str(job.code) for job in jobs}
    assert set(starts) == codes and set(ends) == codes
    assert all(n == 1 for n in starts.values()), f"a job ran more than once: {starts}"
    assert all(n == 1 for n in ends.values())

    ran_on = Counter(worker.split("@")[0] for _, worker, event in runs if event == "start")
    assert set(ran_on) == {"w1", "w2"}, f"the batch was not split between both workers: {ran_on}"
    for job in Job.objects.filter(pk__in=[j.pk for j in jobs]):
        assert job.status == Job.SUCCEEDED and job.finished and job.started
        assert job.title.startswith("ran on w1@") or job.title.startswith("ran on w2@")
        assert job.celery_task_id, "the claim records the Celery task id"
    print(f"\njobs per worker: {dict(ran_on)}")

    if settings.CELERY_BROKER_URL.startswith("redis"):
        # the container health check (docker/healthcheck.py) pings a worker by its name
        for name in ("w1@%h", "w2@%h"):
            check = subprocess.run(
                [sys.executable, str(DOCKER_DIR / "healthcheck.py"), "worker", name],
                cwd=REPO_ROOT,
                env={**worker_env, "PYTHONPATH": str(REPO_ROOT)},  # as the image sets it
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert check.returncode == 0, check.stdout + check.stderr

    for worker in (w1, w2):
        assert worker.stop() == 0, worker.log()


@pytest.mark.django_db(transaction=True)
def test_sigterm_finishes_the_running_job_and_leaves_the_queued_ones_for_another_worker(
    owner, start_worker, worker_env, test_queue
):
    jobs = [Job.objects.create(owner=owner, kind=KIND, parameters={"seconds": 2.5}) for _ in range(3)]
    w1 = start_worker("w1@%h")
    w1.wait_ready()
    for job in jobs:
        submit(job, test_queue)
    wait_until(lambda: statuses(jobs)[Job.RUNNING] == 1, 30, "a job to start", w1.log)

    w1.terminate()  # `docker stop`: SIGTERM, then SIGKILL after stop_grace_period
    assert w1.process.wait(30) == 0, w1.log()
    after_stop = statuses(jobs)
    # nothing was left half-run: the job it had started finished, the rest wait in the broker
    assert after_stop[Job.RUNNING] == 0 and after_stop[Job.SUCCEEDED] >= 1, (after_stop, w1.log())
    if settings.CELERY_BROKER_URL.startswith("redis"):
        # Redis (production): the worker takes no new message once it got SIGTERM. (The embedded
        # SQLite broker's polling consumer may still start one more; none is lost either way.)
        assert after_stop == {Job.SUCCEEDED: 1, Job.QUEUED: 2}, (after_stop, w1.log())
    assert "warm shutdown" in w1.log().lower()
    for finished in Job.objects.filter(pk__in=[j.pk for j in jobs], status=Job.SUCCEEDED):
        assert finished.heartbeat > finished.started, "the heartbeat thread kept the job alive"

    w2 = start_worker("w2@%h")  # e.g. the same host after an upgrade, or another GPU host
    w2.wait_ready()
    wait_until(lambda: statuses(jobs)[Job.SUCCEEDED] == 3, 45, "the queued jobs to run on w2", w2.log)

    runs = run_log(Path(worker_env["GENOMEAPP_TEST_RUN_LOG"]))
    starts = Counter(code for code, _, event in runs if event == "start")
    assert starts == Counter({str(job.code): 1 for job in jobs}), runs
    ran_on = Counter(worker.split("@")[0] for _, worker, event in runs if event == "end")
    assert ran_on["w1"] == after_stop[Job.SUCCEEDED] and ran_on["w2"] == 3 - ran_on["w1"], runs
    assert w2.stop() == 0, w2.log()
