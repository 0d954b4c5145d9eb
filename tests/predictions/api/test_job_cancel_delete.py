"""Cancel and delete over the API."""

from __future__ import annotations

from predictions.models import Job, Score, TrackFile, Variant
from tests.predictions.web import factories


def test_cancel_a_queued_job(owner_api, owner, demo_assembly):
    job = factories.make_job(owner, demo_assembly, status=Job.QUEUED)
    response = owner_api.post(f"/api/v1/jobs/{job.code}/cancel/")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    job.refresh_from_db()
    assert job.status == Job.CANCELLED


def test_cancel_a_finished_job_leaves_it_alone(owner_api, scored_job):
    response = owner_api.post(f"/api/v1/jobs/{scored_job.code}/cancel/")
    assert response.status_code == 200
    assert response.json()["status"] == "succeeded"
    scored_job.refresh_from_db()
    assert scored_job.status == Job.SUCCEEDED


def test_delete_removes_rows_and_files(owner_api, scored_job):
    results = scored_job.results_dir()
    assert results.is_dir()
    assert owner_api.delete(f"/api/v1/jobs/{scored_job.code}/").status_code == 204
    assert not Job.objects.filter(pk=scored_job.pk).exists()
    for model in (Variant, Score, TrackFile):
        assert not model.objects.filter(job_id=scored_job.pk).exists()
    assert not results.exists()
    assert owner_api.get(f"/api/v1/jobs/{scored_job.code}/").status_code == 404
