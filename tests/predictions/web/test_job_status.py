"""The job's live status JSON that the page polls: owner and link holder see it, others get 404."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from predictions.models import Job
from tests.predictions.web import factories


def test_owner_gets_progress_and_variant_counts(owner_client, scored_job):
    response = owner_client.get(f"/jobs/{scored_job.code}/status")
    assert response.status_code == 200
    status = response.json()
    assert status["code"] == str(scored_job.code)
    assert (status["status"], status["is_final"], status["done"], status["total"]) == (
        "succeeded",
        True,
        3,
        3,
    )
    assert status["variants"] == {"accepted": 2, "rejected": 1, "skipped": 1}
    assert status["eta_seconds"] is None


def test_running_job_reports_an_eta_from_its_rate(owner_client, owner, demo_assembly):
    job = factories.make_job(
        owner,
        demo_assembly,
        status=Job.RUNNING,
        step="scoring",
        started=timezone.now() - timedelta(seconds=100),
        progress_done=25,
        progress_total=100,
    )
    status = owner_client.get(f"/jobs/{job.code}/status").json()
    assert (status["status"], status["step"], status["fraction"]) == ("running", "scoring", 0.25)
    assert 295 <= status["eta_seconds"] <= 310  # 100 s for 25 → about 300 s for the other 75


def test_status_follows_the_job(owner_client, owner, demo_assembly):
    job = factories.make_job(owner, demo_assembly, status=Job.QUEUED)
    assert owner_client.get(f"/jobs/{job.code}/status").json()["status"] == "queued"
    assert job.claim("task-1")
    assert job.fail("boom")
    status = owner_client.get(f"/jobs/{job.code}/status").json()
    assert (status["status"], status["error"], status["is_final"]) == ("failed", "boom", True)


def test_colleague_reads_status_through_the_link(colleague_client, scored_job, share_link):
    response = colleague_client.get(f"/s/{share_link.token}/status")
    assert response.status_code == 200
    assert response.json()["status"] == "succeeded"


def test_outsider_and_anonymous_get_404(outsider_client, anonymous_client, scored_job):
    assert outsider_client.get(f"/jobs/{scored_job.code}/status").status_code == 404
    assert anonymous_client.get(f"/jobs/{scored_job.code}/status").status_code == 404
