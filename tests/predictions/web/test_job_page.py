"""The job page for the personas: owner (all controls), colleague with a link (read-only), outsider: 404."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest
from django.utils import timezone

from predictions.models import Job
from tests.predictions.web import factories


def browser_config(html: str) -> dict:
    match = re.search(r'<script id="browser-config" type="application/json">(.*?)</script>', html, re.S)
    assert match, "the page has no browser config"
    return json.loads(match.group(1))


def test_owner_sees_results_downloads_and_every_control(owner_client, scored_job):
    response = owner_client.get(f"/jobs/{scored_job.code}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "SNRPB variants" in html
    assert "rs_strong" in html and "0.870" in html  # the table, max |score| per variant
    assert "1 input line rejected" in html and "symbolic ALT &lt;DEL&gt; is not supported" in html
    assert "no gene within the annotation" in html  # the skipped variant
    assert f'href="/jobs/{scored_job.code}/download/scores.tsv"' in html
    assert f'href="/jobs/{scored_job.code}/download/variants.vcf"' in html
    assert f'action="/jobs/{scored_job.code}/share"' in html
    assert f'action="/jobs/{scored_job.code}/delete"' in html
    assert "read-only shared view" not in html


def test_owner_browser_config_uses_local_reference_and_owner_file_urls(owner_client, scored_job):
    config = browser_config(owner_client.get(f"/jobs/{scored_job.code}/").content.decode())
    assert config["reference"]["fastaURL"] == "/assemblies/GRCh37-chr20/reference/20.fa.gz"
    assert config["reference"]["compressedIndexURL"] == "/assemblies/GRCh37-chr20/reference/20.fa.gz.gzi"
    assert config["genesURL"] == "/assemblies/GRCh37-chr20/genes.bed"
    assert config["variantsURL"] == f"/jobs/{scored_job.code}/variants.bed"
    assert [t["url"] for t in config["tracks"]] == [
        f"/jobs/{scored_job.code}/files/{factories.BIGWIG_RELATIVE}"
    ]
    assert config["variants"][0]["name"] == "rs_strong"  # largest |score| first


def test_owner_can_cancel_only_an_unfinished_job(owner_client, owner, demo_assembly):
    running = factories.make_job(owner, demo_assembly, status=Job.RUNNING, started=timezone.now())
    html = owner_client.get(f"/jobs/{running.code}/").content.decode()
    assert f'action="/jobs/{running.code}/cancel"' in html
    assert "Scores appear when the job finishes." in html
    finished = factories.make_job(owner, demo_assembly, status=Job.SUCCEEDED)
    assert "/cancel" not in owner_client.get(f"/jobs/{finished.code}/").content.decode()


def test_failed_job_shows_its_error(owner_client, owner, demo_assembly):
    job = factories.make_job(owner, demo_assembly, status=Job.FAILED, error="RuntimeError: out of memory")
    assert "RuntimeError: out of memory" in owner_client.get(f"/jobs/{job.code}/").content.decode()


def test_colleague_with_a_link_sees_the_results_read_only(colleague_client, scored_job, share_link):
    response = colleague_client.get(f"/s/{share_link.token}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "read-only shared view" in html
    assert "rs_strong" in html
    base = f"/s/{share_link.token}/"
    assert f'data-status-url="{base}status"' in html
    assert f'href="{base}download/variants.vcf"' in html
    for control in ("/cancel", "/share", "/delete", "/revoke", "Create read-only link", "Delete job"):
        assert control not in html
    config = browser_config(html)
    assert config["variantsURL"] == f"{base}variants.bed"
    assert all(track["url"].startswith(f"{base}files/") for track in config["tracks"])


def test_colleague_gets_no_cancel_button_on_a_running_job(colleague_client, owner, demo_assembly):
    job = factories.make_job(owner, demo_assembly, status=Job.RUNNING, started=timezone.now())
    link = factories.share(job)
    html = colleague_client.get(f"/s/{link.token}/").content.decode()
    assert "Cancel job" not in html and "/cancel" not in html


def test_share_link_does_not_open_the_owner_url(colleague_client, scored_job, share_link):
    response = colleague_client.get(f"/jobs/{scored_job.code}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert b"SNRPB" not in response.content


def test_outsider_gets_404(outsider_client, scored_job):
    response = outsider_client.get(f"/jobs/{scored_job.code}/")
    assert response.status_code == 404
    assert b"SNRPB" not in response.content


def test_a_logged_out_visitor_is_sent_to_log_in_and_back_the_same_for_any_job(
    anonymous_client, scored_job, owner, outsider
):
    """An owner whose session ended lands on the job after logging in; the redirect is the same for
    a job that does not exist, so it tells an anonymous visitor nothing."""
    url = f"/jobs/{scored_job.code}/?sort=position"
    response = anonymous_client.get(url)
    missing = anonymous_client.get("/jobs/00000000-0000-4000-8000-000000000000/")
    assert response.status_code == missing.status_code == 302
    assert response["Location"] == "/accounts/login/?next=" + quote(url)
    assert b"SNRPB" not in response.content

    login = anonymous_client.post(
        response["Location"], {"username": "owner", "password": "owner-pass-123", "next": url}
    )
    assert login.status_code == 302 and login["Location"] == url
    assert anonymous_client.get(url).status_code == 200
    anonymous_client.logout()
    anonymous_client.post("/accounts/login/", {"username": "outsider", "password": "outsider-pass-123"})
    assert anonymous_client.get(url).status_code == 404


def test_unknown_job_code_is_404(owner_client, scored_job):
    assert owner_client.get("/jobs/00000000-0000-4000-8000-000000000000/").status_code == 404


@pytest.mark.parametrize(
    "suffix", ["", "status", "variants.bed", "download/scores.tsv", f"files/{factories.BIGWIG_RELATIVE}"]
)
def test_revoked_link_is_404_everywhere(colleague_client, scored_job, share_link, suffix):
    assert colleague_client.get(f"/s/{share_link.token}/{suffix}").status_code == 200
    share_link.revoke()
    share_link.refresh_from_db()
    assert share_link.revoked is not None
    assert colleague_client.get(f"/s/{share_link.token}/{suffix}").status_code == 404


def test_made_up_token_is_404(colleague_client, scored_job, share_link):
    assert colleague_client.get("/s/not-a-real-token/").status_code == 404


def test_logged_in_outsider_holding_the_link_gets_the_read_only_view(outsider_client, scored_job, share_link):
    response = outsider_client.get(f"/s/{share_link.token}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "read-only shared view" in html and "Delete job" not in html
    assert outsider_client.post(f"/jobs/{scored_job.code}/share").status_code == 404
