"""The variant BED track for igv.js: scored and skipped variants, 0-based, rejected lines left out."""

from __future__ import annotations


def test_owner_gets_bed_of_the_accepted_variants(owner_client, scored_job):
    response = owner_client.get(f"/jobs/{scored_job.code}/variants.bed")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode().splitlines() == [
        "20\t2442999\t2443000\tG>T\t0\t.",
        "20\t2443280\t2443281\trs_strong\t0\t.",
        "20\t63024999\t63025000\tT>C\t0\t.",
    ]


def test_deletion_spans_its_ref_allele(owner_client, scored_job):
    from tests.predictions.web import factories

    factories.add_variant(scored_job, "20", 2443300, "ACGT", "A", variant_id="del3")
    lines = owner_client.get(f"/jobs/{scored_job.code}/variants.bed").content.decode().splitlines()
    assert "20\t2443299\t2443303\tdel3\t0\t." in lines


def test_colleague_reads_it_through_the_link(colleague_client, scored_job, share_link):
    response = colleague_client.get(f"/s/{share_link.token}/variants.bed")
    assert response.status_code == 200
    assert "rs_strong" in response.content.decode()


def test_outsider_and_anonymous_get_404(outsider_client, anonymous_client, scored_job):
    assert outsider_client.get(f"/jobs/{scored_job.code}/variants.bed").status_code == 404
    assert anonymous_client.get(f"/jobs/{scored_job.code}/variants.bed").status_code == 404
