"""Interval, sequence and ISM job pages: no variant table, a browser whose file URLs follow the visitor."""

from __future__ import annotations

import json
import re

import pytest

from predictions.models import Job, TrackFile
from tests.predictions.web import factories


def browser_config(html: str) -> dict:
    match = re.search(r'<script id="browser-config" type="application/json">(.*?)</script>', html, re.S)
    assert match, "the page has no browser config"
    return json.loads(match.group(1))


@pytest.fixture
def interval_job(owner, demo_assembly):
    job = factories.make_job(
        owner,
        demo_assembly,
        kind=Job.Kind.INTERVAL,
        title="SNRPB (GRCh37-chr20)",
        parameters={"chrom": "20", "start": 2435000, "end": 2451384, "locus": "20:2435001-2451384"},
    )
    track = factories.write_track(job, None, "interval/SPLICE_SITES_acceptor.bw")
    TrackFile.objects.filter(pk=track.pk).update(allele=TrackFile.Allele.NONE, interval="20:2435001-2451384")
    return job


def test_interval_page_for_the_owner(owner_client, interval_job):
    html = owner_client.get(f"/jobs/{interval_job.code}/").content.decode()
    assert 'id="variants-table"' not in html
    config = browser_config(html)
    assert config["locus"] == "20:2435001-2451384"
    assert config["variants"] == [] and "variantsURL" not in config
    assert config["tracks"][0]["url"] == f"/jobs/{interval_job.code}/files/interval/SPLICE_SITES_acceptor.bw"


def test_interval_page_for_a_colleague(colleague_client, interval_job):
    link = factories.share(interval_job)
    response = colleague_client.get(f"/s/{link.token}/")
    assert response.status_code == 200
    url = browser_config(response.content.decode())["tracks"][0]["url"]
    assert url == f"/s/{link.token}/files/interval/SPLICE_SITES_acceptor.bw"
    assert colleague_client.get(url, HTTP_RANGE="bytes=0-3").status_code == 206


def test_interval_page_for_an_outsider(outsider_client, interval_job):
    assert outsider_client.get(f"/jobs/{interval_job.code}/").status_code == 404


def test_sequence_job_uses_its_own_fasta_as_reference(owner_client, owner):
    job = factories.make_job(
        owner, None, kind=Job.Kind.SEQUENCE, parameters={"sequence": "ACGT" * 10, "locus": "sequence:1-40"}
    )
    folder = job.results_dir()
    folder.mkdir(parents=True)
    (folder / "sequence.fa").write_text(">sequence\n" + "ACGT" * 10 + "\n")
    html = owner_client.get(f"/jobs/{job.code}/").content.decode()
    reference = browser_config(html)["reference"]
    assert reference["fastaURL"] == f"/jobs/{job.code}/files/sequence.fa"
    assert b"".join(owner_client.get(reference["fastaURL"]).streaming_content).startswith(b">sequence")


def test_ism_page_has_the_logo_panel(owner_client, owner, demo_assembly):
    job = factories.make_job(
        owner,
        demo_assembly,
        kind=Job.Kind.ISM,
        parameters={"chrom": "20", "start": 2443259, "end": 2443300, "locus": "20:2443260-2443300"},
    )
    html = owner_client.get(f"/jobs/{job.code}/").content.decode()
    assert f'data-url="/jobs/{job.code}/files/ism.json"' in html
    assert 'id="variants-table"' in html  # ISM substitutions are listed like variants


def test_unfinished_region_job_has_no_browser_yet(owner_client, owner, demo_assembly):
    job = factories.make_job(owner, demo_assembly, kind=Job.Kind.INTERVAL, status=Job.RUNNING)
    html = owner_client.get(f"/jobs/{job.code}/").content.decode()
    assert 'id="browser-config"' not in html and "Cancel job" in html
