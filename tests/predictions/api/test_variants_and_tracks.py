"""A job's variants (with rejection reasons) and its track files, whose URLs the owner can fetch."""

from __future__ import annotations

from tests.predictions.web import factories


def test_variants_largest_score_first_then_unscored(owner_api, scored_job):
    body = owner_api.get(f"/api/v1/jobs/{scored_job.code}/variants/").json()
    assert body["count"] == 4
    rows = body["results"]
    assert [(r["pos"], r["max_abs_score"]) for r in rows[:2]] == [(2443281, 0.87), (2443000, 0.05)]
    assert {r["status"] for r in rows[2:]} == {"rejected", "skipped"}  # no score: last on every database


def test_variants_filtered_by_status_and_gene(owner_api, scored_job):
    rejected = owner_api.get(f"/api/v1/jobs/{scored_job.code}/variants/", {"status": "rejected"}).json()[
        "results"
    ]
    assert [(r["line"], r["alt"], r["message"]) for r in rejected] == [
        (4, "<DEL>", "symbolic ALT <DEL> is not supported")
    ]
    snrpb = owner_api.get(f"/api/v1/jobs/{scored_job.code}/variants/", {"gene": "snrpb"}).json()
    assert snrpb["count"] == 2


def test_track_urls_are_absolute_and_serve_the_file(owner_api, owner_client, scored_job):
    body = owner_api.get(f"/api/v1/jobs/{scored_job.code}/tracks/").json()
    assert body["count"] == 1
    track = body["results"][0]
    url = f"http://testserver/jobs/{scored_job.code}/files/{factories.BIGWIG_RELATIVE}"
    assert track == {
        "url": url,
        "variant": "20:2443281:C>A",
        "interval": "",
        "output_type": "SPLICE_SITES",
        "track_name": "Acceptor (+)",
        "allele": "DELTA",
        "file_format": "bigwig",
        "backend": "spliceai",
        "provenance": "test weights",
    }
    response = owner_client.get(url, HTTP_RANGE="bytes=0-3")
    assert response.status_code == 206
    assert b"".join(response.streaming_content) == factories.results_file(scored_job).read_bytes()[:4]
