"""A worker killed (SIGKILL) in the middle of a 200-variant job: the reaper, run by Celery beat on
a second worker, re-queues the job, which resumes where it stopped; with nobody to take it up
again, the reaper fails it with a message."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Count

from predictions.models import Job, Score, Variant
from tests.integration.conftest import wait_for_final_state
from tests.support.faults import Server, beat, submit_variant_job, wait_until, worker_env
from tests.support.processes import CeleryWorker

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


class Rig:
    """Workers, beat and the job's progress as the test saw it."""

    def __init__(self, settings: Any, folder: Path) -> None:
        self.settings = settings
        self.folder = folder
        self.env = worker_env(settings)
        self.processes: list[CeleryWorker | Server] = []
        self.seen: list[tuple[int, int]] = []  # (done, total) at every poll

    def worker(self, name: str, queues: str) -> CeleryWorker:
        worker = CeleryWorker(
            queues,
            f"{name}@%h",
            *("--pool", "solo", "--without-heartbeat"),
            env=self.env,
            log_path=self.folder / f"{name}.log",
        )
        self.processes.append(worker)
        return worker

    def beat(self) -> Server:
        server = beat(self.env, self.folder)
        self.processes.append(server)
        return server

    def progress(self, job: Job) -> tuple[int, int]:
        job.refresh_from_db()
        self.seen.append((job.progress_done, job.progress_total))
        return job.progress_done, job.progress_total

    def close(self) -> None:
        for process in self.processes:
            if isinstance(process, Server):
                process.kill()
            else:
                process.stop(timeout=10)


@pytest.fixture
def rig(worker_queue: str, settings: Any, tmp_path: Path) -> Iterator[Rig]:
    rig = Rig(settings, tmp_path)
    yield rig
    rig.close()


def kill_when_scoring(rig: Rig, job: Job, worker: CeleryWorker, fraction: float = 0.3) -> int:
    """SIGKILL the worker once it has scored `fraction` of the variants (0: once it claimed the
    job); progress done then."""

    def far_enough() -> bool:
        if worker.process.poll() is not None:
            raise AssertionError(f"worker exited early:\n{worker.log()[-3000:]}")
        done, total = rig.progress(job)
        return job.status == Job.RUNNING and (fraction == 0 or (total > 0 and done >= fraction * total))

    wait_until(far_enough, 120, "scoring", interval=0.1)
    worker.process.send_signal(signal.SIGKILL)
    worker.process.wait(10)
    return rig.progress(job)[0]


def test_a_killed_workers_job_resumes_on_a_new_worker_and_scores_each_variant_once(
    rig: Rig, owner: Any, demo_assembly: Any, settings: Any
) -> None:
    inference, default = settings.CELERY_INFERENCE_QUEUE_NAME, settings.CELERY_DEFAULT_QUEUE_NAME
    job = submit_variant_job(owner, demo_assembly, count=200)
    first = rig.worker("first", inference)
    done_at_kill = kill_when_scoring(rig, job, first)
    rows_at_kill = set(Score.objects.filter(job=job).values_list("pk", flat=True))
    assert 0 < done_at_kill < job.progress_total and rows_at_kill

    rig.beat()
    second = rig.worker("second", f"{inference},{default}")  # the reaper runs on the default queue
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not job.is_final:
        rig.progress(job)
        time.sleep(0.2)
    wait_for_final_state(job, timeout=5, worker=second)

    assert job.status == Job.SUCCEEDED, f"{job.error}\n{second.log()[-3000:]}"
    assert job.attempts == 2
    assert job.progress_done == job.progress_total > 0
    assert all(done <= total for done, total in rig.seen), rig.seen
    scored = Score.objects.filter(job=job)
    duplicates = (
        scored.values("variant", "scorer", "track_name", "gene_id").annotate(n=Count("id")).filter(n__gt=1)
    )
    assert not duplicates.exists()
    assert rows_at_kill <= set(scored.values_list("pk", flat=True))  # resumed, not started over
    accepted = job.variants.filter(status=Variant.Status.ACCEPTED)
    assert accepted.count() == 200
    assert scored.values("variant").distinct().count() == 200  # all in SNRPB: 4 deltas each
    assert scored.count() == 200 * 4
    assert job.track_files.values("variant").distinct().count() == 2


def test_a_killed_workers_job_is_failed_by_the_reaper_when_no_worker_comes_back(
    rig: Rig, owner: Any, demo_assembly: Any, settings: Any
) -> None:
    job = submit_variant_job(owner, demo_assembly, count=48)
    first = rig.worker("first", settings.CELERY_INFERENCE_QUEUE_NAME)
    kill_when_scoring(rig, job, first, fraction=0)
    killed = time.monotonic()

    rig.beat()
    rig.worker("reaper", settings.CELERY_DEFAULT_QUEUE_NAME)  # no inference worker any more
    wait_until(lambda: Job.objects.get(pk=job.pk).status == Job.FAILED, 60, "failed by the reaper")
    job.refresh_from_db()

    # stale after 10 s: re-queued, then 10 s unclaimed, the reaper every 2 s
    assert time.monotonic() - killed < 40
    assert job.attempts == 1
    assert "worker stopped responding" in job.error and "submit the job again" in job.error
