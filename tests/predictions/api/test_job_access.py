"""Every job endpoint is scoped to its owner: another user gets 404 and changes nothing."""

from __future__ import annotations

import pytest

from predictions.models import Job, ShareLink
from tests.predictions.web import factories

DETAIL_ACTIONS = [
    ("get", ""),
    ("get", "variants/"),
    ("get", "scores/"),
    ("get", "tracks/"),
    ("get", "share-links/"),
    ("post", "share-links/"),
    ("post", "cancel/"),
    ("delete", ""),
]


def test_list_shows_only_own_jobs(owner_api, outsider_api, scored_job, outsider, demo_assembly):
    theirs = factories.make_job(outsider, demo_assembly, title="outsider's")
    mine = owner_api.get("/api/v1/jobs/").json()
    assert [job["code"] for job in mine["results"]] == [str(scored_job.code)]
    assert mine["count"] == 1
    assert [job["code"] for job in outsider_api.get("/api/v1/jobs/").json()["results"]] == [str(theirs.code)]


def test_list_filters_by_status_and_kind(owner_api, owner, scored_job, demo_assembly):
    interval = factories.make_job(owner, demo_assembly, kind=Job.Kind.INTERVAL, status=Job.QUEUED)
    assert [j["code"] for j in owner_api.get("/api/v1/jobs/?status=queued").json()["results"]] == [
        str(interval.code)
    ]
    assert [j["code"] for j in owner_api.get("/api/v1/jobs/?kind=variants").json()["results"]] == [
        str(scored_job.code)
    ]


def test_owner_retrieves_status_and_progress(owner_api, scored_job):
    job = owner_api.get(f"/api/v1/jobs/{scored_job.code}/").json()
    assert job["code"] == str(scored_job.code)
    assert (job["kind"], job["status"], job["assembly"]) == ("variants", "succeeded", "GRCh37-chr20")
    assert job["progress"]["variants"] == {"accepted": 2, "rejected": 1, "skipped": 1}
    assert (job["progress"]["done"], job["progress"]["total"]) == (3, 3)
    assert job["url"] == f"/jobs/{scored_job.code}/"
    assert "id" not in job and "owner" not in job


@pytest.mark.parametrize(("method", "suffix"), DETAIL_ACTIONS)
def test_outsider_gets_404_for_every_detail_action(outsider_api, scored_job, method, suffix):
    response = getattr(outsider_api, method)(f"/api/v1/jobs/{scored_job.code}/{suffix}")
    assert response.status_code == 404
    scored_job.refresh_from_db()
    assert scored_job.status == Job.SUCCEEDED
    assert not ShareLink.objects.filter(job=scored_job).exists()


def test_outsider_cannot_revoke_the_owners_link(outsider_api, scored_job):
    link = factories.share(scored_job)
    response = outsider_api.delete(f"/api/v1/jobs/{scored_job.code}/share-links/{link.token}/")
    assert response.status_code == 404
    link.refresh_from_db()
    assert link.revoked is None


@pytest.mark.parametrize(("method", "suffix"), DETAIL_ACTIONS)
def test_unknown_code_is_404(owner_api, scored_job, method, suffix):
    response = getattr(owner_api, method)(f"/api/v1/jobs/00000000-0000-4000-8000-000000000000/{suffix}")
    assert response.status_code == 404


def test_a_share_token_opens_nothing_in_the_api(anonymous_api, scored_job):
    link = factories.share(scored_job)
    assert anonymous_api.get(f"/api/v1/jobs/{scored_job.code}/?token={link.token}").status_code == 401


def test_list_costs_a_fixed_number_of_queries(
    owner_api, owner, scored_job, demo_assembly, django_assert_max_num_queries
):
    for _ in range(20):
        factories.make_job(owner, demo_assembly)
    with django_assert_max_num_queries(6):  # key, key usage, count, page (+ savepoints)
        body = owner_api.get("/api/v1/jobs/").json()
    assert body["count"] == 21
    counts = {job["code"]: job["progress"]["variants"] for job in body["results"]}
    assert counts[str(scored_job.code)] == {"accepted": 2, "rejected": 1, "skipped": 1}
    assert set(map(tuple, (c.values() for c in counts.values()))) == {(2, 1, 1), (0, 0, 0)}


def test_list_is_newest_first(owner_api, owner, demo_assembly):
    codes = [str(factories.make_job(owner, demo_assembly).code) for _ in range(3)]
    assert [job["code"] for job in owner_api.get("/api/v1/jobs/").json()["results"]] == codes[::-1]
