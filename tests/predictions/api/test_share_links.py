"""Share links over the API: create, list, revoke; a revoked link's page is 404."""

from __future__ import annotations

from django.test import Client

from predictions.models import ShareLink


def test_create_list_and_revoke(owner_api, scored_job):
    created = owner_api.post(f"/api/v1/jobs/{scored_job.code}/share-links/")
    assert created.status_code == 201
    link = created.json()
    assert link["url"] == f"http://testserver/s/{link['token']}/"
    assert link["revoked"] is None
    assert Client().get(f"/s/{link['token']}/").status_code == 200

    listed = owner_api.get(f"/api/v1/jobs/{scored_job.code}/share-links/").json()
    assert [item["token"] for item in listed] == [link["token"]]

    revoked = owner_api.delete(f"/api/v1/jobs/{scored_job.code}/share-links/{link['token']}/")
    assert revoked.status_code == 204
    row = ShareLink.objects.get(token=link["token"])
    row.refresh_from_db()
    assert row.revoked is not None
    assert Client().get(f"/s/{link['token']}/").status_code == 404
    listed = owner_api.get(f"/api/v1/jobs/{scored_job.code}/share-links/").json()
    assert listed[0]["revoked"] is not None  # still listed, marked revoked


def test_revoking_unknown_or_revoked_link_is_404(owner_api, scored_job):
    token = owner_api.post(f"/api/v1/jobs/{scored_job.code}/share-links/").json()["token"]
    url = f"/api/v1/jobs/{scored_job.code}/share-links/{token}/"
    assert owner_api.delete(url).status_code == 204
    assert owner_api.delete(url).status_code == 404
    assert owner_api.delete(f"/api/v1/jobs/{scored_job.code}/share-links/nope/").status_code == 404


def test_newest_link_first(owner_api, scored_job):
    first = owner_api.post(f"/api/v1/jobs/{scored_job.code}/share-links/").json()["token"]
    second = owner_api.post(f"/api/v1/jobs/{scored_job.code}/share-links/").json()["token"]
    listed = owner_api.get(f"/api/v1/jobs/{scored_job.code}/share-links/").json()
    assert {item["token"] for item in listed} == {first, second}
