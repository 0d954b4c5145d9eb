"""A variant's gene, and so the strand of its browser tracks, comes from the annotation: it never
depends on which scorers ran (AlphaGenome rows without a gene once blanked SNRPB's)."""

from __future__ import annotations

import pytest

from predictions.models import Score
from predictions.runners.variants import summarise_variants
from tests.predictions.web.factories import add_spliceai_scores, add_variant, make_job

pytestmark = pytest.mark.django_db


def _alphagenome_row(variant, score: float) -> Score:
    return Score.objects.create(
        job=variant.job,
        variant=variant,
        scorer="CenterMaskScorer(requested_output=DNASE, width=501, aggregation_type=DIFF_LOG2_SUM)",
        output_type="DNASE",
        track_name="CL:0000047 DNase-seq",
        gene_name="",
        raw_score=score,
        backend="alphagenome",
    )


def test_gene_comes_from_the_annotation_whatever_else_was_scored(owner, demo_assembly):
    job = make_job(owner, demo_assembly)
    donor = add_variant(job, "20", 2_443_281, "C", "A")  # SNRPB (minus strand), exon-2 donor
    add_spliceai_scores(donor, "SNRPB", (0.0, 0.0, 0.0, 0.9), (0, 0, 0, 1))
    _alphagenome_row(donor, 25.0)  # a larger score, no gene: it must not blank the gene
    only_alphagenome = add_variant(job, "chr20", 2_443_300, "G", "T")  # inside SNRPB too
    _alphagenome_row(only_alphagenome, 3.0)
    intergenic = add_variant(job, "20", 1_000, "A", "C")
    _alphagenome_row(intergenic, 1.0)

    summarise_variants(job)

    for variant in (donor, only_alphagenome, intergenic):
        variant.refresh_from_db()
    assert donor.top_gene == "SNRPB" and donor.max_abs_score == pytest.approx(25.0)
    assert only_alphagenome.top_gene == "SNRPB"
    assert intergenic.top_gene == ""


def test_scores_from_random_weights_never_rank_a_variant(owner, demo_assembly, client):
    job = make_job(owner, demo_assembly)
    donor = add_variant(job, "20", 2_443_281, "C", "A")
    add_spliceai_scores(donor, "SNRPB", (0.0, 0.0, 0.0, 0.9), (0, 0, 0, 1))
    untrained_big = _alphagenome_row(donor, 25.0)
    Score.objects.filter(pk=untrained_big.pk).update(trained=False)
    only_untrained = add_variant(job, "20", 2_443_300, "G", "T")
    Score.objects.filter(pk=_alphagenome_row(only_untrained, 30.0).pk).update(trained=False)

    summarise_variants(job)

    donor.refresh_from_db()
    only_untrained.refresh_from_db()
    assert donor.max_abs_score == pytest.approx(0.9)  # not 25: that one is random weights
    assert only_untrained.max_abs_score is None and only_untrained.max_abs_quantile is None

    client.force_login(owner)
    page = client.get(f"/jobs/{job.code}/?output_type=DNASE").content.decode()
    assert 'data-role="untrained-note"' in page
    assert "25.000" not in page and "30.000" not in page  # listed, never scored by random weights
    body = client.get(f"/api/v1/jobs/{job.code}/scores/?output_type=DNASE").json()
    assert {row["trained"] for row in body["results"]} == {False}
