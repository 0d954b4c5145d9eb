"""Deleting a job removes its rows (variants, scores, track files, share links) and its result files."""

from __future__ import annotations

from predictions.models import Job, Score, ShareLink, TrackFile, Variant
from tests.predictions.web import factories


def test_owner_deletes_rows_and_files(owner_client, scored_job, share_link, colleague_client):
    results = scored_job.results_dir()
    assert factories.results_file(scored_job).is_file()
    response = owner_client.post(f"/jobs/{scored_job.code}/delete", follow=True)
    assert response.redirect_chain == [("/jobs/", 302)]
    assert "Job deleted with all its results." in response.content.decode()
    assert not Job.objects.filter(pk=scored_job.pk).exists()
    for model in (Variant, Score, TrackFile, ShareLink):
        assert not model.objects.filter(job_id=scored_job.pk).exists(), model.__name__
    assert not results.exists()
    assert colleague_client.get(f"/s/{share_link.token}/").status_code == 404
    assert owner_client.get(f"/jobs/{scored_job.code}/").status_code == 404


def test_deleting_a_running_job_cancels_it_first(owner_client, owner, demo_assembly):
    job = factories.make_job(owner, demo_assembly, status=Job.RUNNING)
    assert owner_client.post(f"/jobs/{job.code}/delete").status_code == 302
    assert not Job.objects.filter(pk=job.pk).exists()


def test_delete_needs_post(owner_client, scored_job):
    assert owner_client.get(f"/jobs/{scored_job.code}/delete").status_code == 405
    assert Job.objects.filter(pk=scored_job.pk).exists()


def test_outsider_anonymous_and_link_holder_cannot_delete(
    outsider_client, anonymous_client, colleague_client, scored_job, share_link
):
    assert outsider_client.post(f"/jobs/{scored_job.code}/delete").status_code == 404
    assert anonymous_client.post(f"/jobs/{scored_job.code}/delete").status_code == 404
    assert colleague_client.post(f"/s/{share_link.token}/delete").status_code == 404
    scored_job.refresh_from_db()
    assert scored_job.variants.count() == 4
    assert factories.results_file(scored_job).is_file()
