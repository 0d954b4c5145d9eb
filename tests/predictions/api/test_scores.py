"""Tidy scores over the API: largest |raw score| first, filters, pagination."""

from __future__ import annotations

import pytest

from predictions.models import Score
from tests.predictions.web import factories


@pytest.fixture
def mixed_job(scored_job):
    """The scored SNRPB job plus AlphaGenome CAGE scores (negative and positive) on the strong variant."""
    strong = scored_job.variants.get(variant_id="rs_strong")
    factories.add_track_score(strong, "CAGE", "liver", "UBERON:0002107", -0.95)
    factories.add_track_score(strong, "CAGE", "lung", "UBERON:0002048", 0.30)
    return scored_job


def scores(api, job, **params):
    response = api.get(f"/api/v1/jobs/{job.code}/scores/", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_ordered_by_absolute_score(owner_api, mixed_job):
    body = scores(owner_api, mixed_job)
    assert body["count"] == 10
    values = [row["raw_score"] for row in body["results"]]
    assert values[:3] == [-0.95, 0.87, 0.3]
    magnitudes = [abs(v) for v in values]
    assert magnitudes == sorted(magnitudes, reverse=True)


def test_row_carries_the_tidy_columns(owner_api, mixed_job):
    top = scores(owner_api, mixed_job, output_type="SPLICE_SITES")["results"][0]
    assert top == {
        "variant": "20:2443281:C>A",
        "variant_scorer": factories.SPLICEAI_SCORER,
        "output_type": "SPLICE_SITES",
        "track_name": "DS_DL",
        "track_strand": "+",
        "ontology_curie": "",
        "biosample_name": "",
        "gene_id": "SNRPB",
        "gene_name": "SNRPB",
        "raw_score": 0.87,
        "quantile_score": None,
        "offset": 1,
        "backend": "spliceai",
        "trained": True,
    }


def test_filters(owner_api, mixed_job):
    assert scores(owner_api, mixed_job, gene="snrpb")["count"] == 8
    assert scores(owner_api, mixed_job, output_type="CAGE")["count"] == 2
    assert scores(owner_api, mixed_job, scorer=factories.SPLICEAI_SCORER)["count"] == 8
    strong = scores(owner_api, mixed_job, min_abs_score="0.3")["results"]
    assert [row["raw_score"] for row in strong] == [-0.95, 0.87, 0.3]
    both = scores(owner_api, mixed_job, output_type="CAGE", min_abs_score="0.5")["results"]
    assert [row["biosample_name"] for row in both] == ["liver"]


def test_bad_threshold_is_400(owner_api, mixed_job):
    response = owner_api.get(f"/api/v1/jobs/{mixed_job.code}/scores/", {"min_abs_score": "big"})
    assert response.status_code == 400
    assert "min_abs_score" in response.json()


def test_paginated_with_next_links(owner_api, scored_job):
    strong = scored_job.variants.get(variant_id="rs_strong")
    Score.objects.bulk_create(
        Score(
            job=scored_job,
            variant=strong,
            scorer="x",
            output_type="RNA_SEQ",
            track_name=f"t{i}",
            raw_score=i / 100,
        )
        for i in range(60)
    )
    first = scores(owner_api, scored_job)
    assert first["count"] == 68 and len(first["results"]) == 50
    assert first["next"].endswith("page=2")
    second = owner_api.get(first["next"]).json()
    assert len(second["results"]) == 18
    everything = [abs(r["raw_score"]) for r in first["results"] + second["results"]]
    assert everything == sorted(everything, reverse=True)
