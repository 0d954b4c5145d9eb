"""MEDIA_ROOT full while a worker writes a job's browser tracks: the job fails with a message that
says so, and neither the job page nor the file URLs offer a half-written file.

MEDIA_ROOT is a 512 KiB tmpfs this test mounts, so it needs root (CI runs as root); elsewhere it
fails saying so. By hand: `sudo .venv/bin/python -m pytest tests/integration/test_fault_media_full.py`.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from predictions.models import Job
from tests.integration.conftest import wait_for_final_state
from tests.support.faults import submit_variant_job, worker_env
from tests.support.processes import CeleryWorker
from tests.support.requirements import unmet

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

FREE_BYTES = 60_000  # room for a few of the job's 36 bigWigs (about 9 kB each), not for all


@pytest.fixture
def full_media_root(settings: Any, tmp_path: Path) -> Iterator[Path]:
    """A small tmpfs as MEDIA_ROOT, filled but for FREE_BYTES."""
    media = tmp_path / "media"
    media.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=512k,mode=0755", "tmpfs", str(media)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        unmet(f"this test mounts a tmpfs and needs root (uid {os.getuid()}): {mounted.stderr.strip()}")
    try:
        stats = os.statvfs(media)
        filler = stats.f_bavail * stats.f_frsize - FREE_BYTES
        with open(media / "filler", "wb") as out:
            out.write(b"\0" * filler)
        settings.MEDIA_ROOT = media
        yield media
    finally:
        subprocess.run(["umount", "--lazy", str(media)], check=False)


def test_a_full_media_root_fails_the_job_with_a_message_and_serves_nothing_half_written(
    worker_queue: str, full_media_root: Path, settings: Any, owner: Any, owner_client: Any, demo_assembly: Any
) -> None:
    job = submit_variant_job(owner, demo_assembly, count=16, browser_variants=6)
    worker = CeleryWorker(
        settings.CELERY_INFERENCE_QUEUE_NAME,
        "media-full@%h",
        *("--pool", "solo", "--without-heartbeat"),
        env=worker_env(settings),
        log_path=full_media_root.parent / "worker.log",
    )
    try:
        wait_for_final_state(job, timeout=120, worker=worker)
    finally:
        worker.stop(timeout=10)

    assert job.status == Job.FAILED, job.status
    assert "ran out of space for results" in job.error and "No space left on device" in job.error
    assert job.scores.count() == 16 * 4  # the scores were stored; only the files did not fit
    assert not job.track_files.exists()
    results = job.results_dir()
    assert not results.exists() or not any(p.is_file() for p in results.rglob("*")), list(results.rglob("*"))
    page = owner_client.get(f"/jobs/{job.code}/")
    assert page.status_code == 200
    assert "ran out of space for results" in page.content.decode() and ".bw" not in page.content.decode()
    first = job.variants.order_by("id").first()
    assert first is not None
    assert owner_client.get(f"/jobs/{job.code}/files/variants/v{first.pk}_acceptor_REF.bw").status_code == 404
