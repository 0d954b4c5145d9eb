"""Share links: the owner creates and revokes read-only links; a revoked link gives 404."""

from __future__ import annotations

from django.test import Client

from predictions.models import ShareLink
from tests.predictions.web import factories


def test_owner_creates_a_link_that_opens_the_page_without_logging_in(owner_client, scored_job):
    response = owner_client.post(f"/jobs/{scored_job.code}/share", follow=True)
    assert response.redirect_chain == [(f"/jobs/{scored_job.code}/", 302)]
    link = ShareLink.objects.get(job=scored_job)
    assert len(link.token) >= 40  # secrets.token_urlsafe(32)
    html = response.content.decode()
    assert f"Read-only link created: http://testserver/s/{link.token}/" in html
    assert f'value="http://testserver/s/{link.token}/"' in html  # listed with a revoke button
    assert f'action="/jobs/{scored_job.code}/share/{link.token}/revoke"' in html
    assert Client().get(f"/s/{link.token}/").status_code == 200


def test_each_link_is_different(owner_client, scored_job):
    owner_client.post(f"/jobs/{scored_job.code}/share")
    owner_client.post(f"/jobs/{scored_job.code}/share")
    tokens = set(ShareLink.objects.filter(job=scored_job).values_list("token", flat=True))
    assert len(tokens) == 2


def test_owner_revokes_one_link_and_the_other_still_works(owner_client, scored_job):
    owner_client.post(f"/jobs/{scored_job.code}/share")
    owner_client.post(f"/jobs/{scored_job.code}/share")
    first, second = ShareLink.objects.filter(job=scored_job).order_by("id")
    response = owner_client.post(f"/jobs/{scored_job.code}/share/{first.token}/revoke", follow=True)
    assert "Share link revoked" in response.content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.revoked is not None and second.revoked is None
    colleague = Client()
    assert colleague.get(f"/s/{first.token}/").status_code == 404
    assert colleague.get(f"/s/{second.token}/").status_code == 200
    assert first.token not in owner_client.get(f"/jobs/{scored_job.code}/").content.decode()


def test_revoking_twice_is_404(owner_client, scored_job, share_link):
    url = f"/jobs/{scored_job.code}/share/{share_link.token}/revoke"
    assert owner_client.post(url).status_code == 302
    assert owner_client.post(url).status_code == 404


def test_a_link_of_another_job_cannot_be_revoked_through_this_one(
    owner_client, owner, scored_job, demo_assembly
):

    other = factories.make_job(owner, demo_assembly)
    link = factories.share(other)
    assert owner_client.post(f"/jobs/{scored_job.code}/share/{link.token}/revoke").status_code == 404
    link.refresh_from_db()
    assert link.revoked is None


def test_outsider_cannot_create_or_revoke(outsider_client, scored_job, share_link):
    assert outsider_client.post(f"/jobs/{scored_job.code}/share").status_code == 404
    assert outsider_client.post(f"/jobs/{scored_job.code}/share/{share_link.token}/revoke").status_code == 404
    assert ShareLink.objects.filter(job=scored_job).count() == 1
    share_link.refresh_from_db()
    assert share_link.revoked is None


def test_link_holder_and_anonymous_cannot_create_links(colleague_client, scored_job, share_link):
    assert colleague_client.post(f"/jobs/{scored_job.code}/share").status_code == 404
    assert colleague_client.post(f"/s/{share_link.token}/share").status_code == 404
    assert ShareLink.objects.filter(job=scored_job).count() == 1


def test_share_actions_need_post(owner_client, scored_job, share_link):
    assert owner_client.get(f"/jobs/{scored_job.code}/share").status_code == 405
    assert owner_client.get(f"/jobs/{scored_job.code}/share/{share_link.token}/revoke").status_code == 405
    share_link.refresh_from_db()
    assert share_link.revoked is None
