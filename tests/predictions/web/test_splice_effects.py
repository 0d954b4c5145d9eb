"""The SpliceAI column reads as SpliceAI-lookup does: the strongest delta, its position, its level."""

from __future__ import annotations

import pytest

from predictions.splice_effects import SpliceEffect, splice_summaries
from tests.predictions.web.factories import add_spliceai_scores, add_variant, make_job

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("score", "level"), [(0.99, "high"), (0.8, "high"), (0.5, "medium"), (0.2, "low"), (0.19, "none")]
)
def test_levels_follow_spliceais_cut_offs(score, level):
    assert SpliceEffect("DS_DL", "SNRPB", score, 1).level == level


def test_label_names_the_effect_score_and_signed_distance():
    assert SpliceEffect("DS_DL", "SNRPB", 0.994, 1).label == "donor loss 0.99 at +1"
    assert SpliceEffect("DS_AG", "SNRPB", 0.3, -12).label == "acceptor gain 0.30 at -12"


def test_the_most_affected_gene_and_its_strongest_delta(owner, demo_assembly):
    job = make_job(owner, demo_assembly)
    variant = add_variant(job, "20", 2_443_281, "C", "A")
    add_spliceai_scores(variant, "SNRPB", (0.01, 0.02, 0.0, 0.87), (3, -12, 40, 1))
    add_spliceai_scores(variant, "OTHER", (0.3, 0.0, 0.0, 0.0), (5, 0, 0, 0))
    summary = splice_summaries([variant.pk])[variant.pk]
    assert summary.strongest.label == "donor loss 0.87 at +1" and summary.strongest.level == "high"
    assert summary.title.startswith("SNRPB: acceptor gain 0.01 at +3, acceptor loss 0.02 at -12")


def test_the_table_shows_the_effect_coloured(owner_client, scored_job):
    page = owner_client.get(f"/jobs/{scored_job.code}/").content.decode()
    assert "SpliceAI effect</th>" in page
    assert 'class="splice-high" title="SNRPB: ' in page and ">donor loss 0.87 at +1</span>" in page
    assert 'class="splice-none"' in page  # the weak variant: 0.05
