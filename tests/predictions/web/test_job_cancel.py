"""Cancelling: the owner stops a queued or running job; nobody else can."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from predictions.models import Job
from tests.predictions.web import factories


@pytest.mark.parametrize("status", [Job.QUEUED, Job.RUNNING])
def test_owner_cancels_an_unfinished_job(owner_client, owner, demo_assembly, status):
    job = factories.make_job(owner, demo_assembly, status=status, started=timezone.now())
    response = owner_client.post(f"/jobs/{job.code}/cancel", follow=True)
    assert response.redirect_chain == [(f"/jobs/{job.code}/", 302)]
    assert "Job cancelled." in response.content.decode()
    job.refresh_from_db()
    assert (job.status, job.step) == (Job.CANCELLED, "cancelled")
    assert job.finished is not None


def test_cancelling_a_finished_job_changes_nothing(owner_client, scored_job):
    response = owner_client.post(f"/jobs/{scored_job.code}/cancel", follow=True)
    assert "The job had already succeeded." in response.content.decode()
    scored_job.refresh_from_db()
    assert scored_job.status == Job.SUCCEEDED


def test_cancel_needs_post(owner_client, owner, demo_assembly):
    job = factories.make_job(owner, demo_assembly, status=Job.QUEUED)
    assert owner_client.get(f"/jobs/{job.code}/cancel").status_code == 405
    job.refresh_from_db()
    assert job.status == Job.QUEUED


def test_outsider_and_anonymous_cannot_cancel(outsider_client, anonymous_client, owner, demo_assembly):
    job = factories.make_job(owner, demo_assembly, status=Job.RUNNING)
    assert outsider_client.post(f"/jobs/{job.code}/cancel").status_code == 404
    assert anonymous_client.post(f"/jobs/{job.code}/cancel").status_code == 404
    job.refresh_from_db()
    assert job.status == Job.RUNNING


def test_share_link_gives_no_way_to_cancel(colleague_client, owner, demo_assembly):
    job = factories.make_job(owner, demo_assembly, status=Job.RUNNING)
    link = factories.share(job)
    assert colleague_client.post(f"/s/{link.token}/cancel").status_code == 404
    assert colleague_client.post(f"/jobs/{job.code}/cancel").status_code == 404
    job.refresh_from_db()
    assert job.status == Job.RUNNING


def test_owner_forms_carry_a_csrf_token_and_posts_without_one_are_refused(owner, demo_assembly):
    job = factories.make_job(owner, demo_assembly, status=Job.RUNNING)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)
    html = browser.get(f"/jobs/{job.code}/").content.decode()
    assert html.count('name="csrfmiddlewaretoken"') >= 3  # cancel, share, delete (+ log out)
    assert browser.post(f"/jobs/{job.code}/cancel").status_code == 403
    job.refresh_from_db()
    assert job.status == Job.RUNNING
