"""SpliceAI variant scoring: known biology on real chr20, SpliceAI's edge semantics, Keras parity."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.spliceai.scoring import (
    SKIP_CHROM_END,
    SKIP_REF_MISMATCH,
    SKIP_REF_TOO_LONG,
    GeneScore,
    SpliceAIScorer,
    SpliceVariant,
)
from tests.model import spliceai_support as support

# SNRPB (− strand): 1-based 2443281 is the C whose complement is the G of an annotated donor's GT
DONOR_BREAKER = SpliceVariant("20", 2_443_281, "C", ("A",))
# Deleting the GT itself (genomic "AC" at 2443280-2443281)
DONOR_DELETION = SpliceVariant("20", 2_443_279, "TAC", ("T",))
# Synonymous, > 700 bp inside long internal exons, found by their single open reading frame:
# CHGB (+) CGC>CGT (Arg) and NCOA6 (−) CTT>CTC (Leu)
SYNONYMOUS = [SpliceVariant("20", 5_903_873, "C", ("T",)), SpliceVariant("20", 33_329_650, "A", ("G",))]
# Real indels from vt-examples (01_IN.vcf.gz) inside genes of both strands
REAL_INSERTION_MINUS = SpliceVariant("20", 421_808, "A", ("ACCA",))  # TBC1D20 (−)
REAL_DELETION_PLUS = SpliceVariant("20", 9_389_232, "GGGTTTGAT", ("G",))  # PLCB4 (+)


def _one(variant: SpliceVariant, **kwargs: object) -> GeneScore:
    result = (support.scorer(**kwargs) if kwargs else support.scorer()).score_variant(variant)
    assert result.skipped is None, result.skipped
    assert len(result.scores) == 1, result.scores
    return result.scores[0]


def test_breaking_an_annotated_donor_is_a_donor_loss() -> None:
    score = _one(DONOR_BREAKER)
    assert score.gene == "SNRPB" and score.strand == "-"
    assert score.ds_dl is not None and score.ds_dl > 0.5
    # the lost donor is the exon's first base, 1 bp downstream on the forward strand
    assert score.dp_dl == 1
    assert score.to_info().startswith("A|SNRPB|")


def test_deleting_the_donor_gt_is_a_donor_loss() -> None:
    score = _one(DONOR_DELETION)
    assert score.ds_dl is not None and score.ds_dl > 0.5
    assert score.dp_dl == 3


def test_synonymous_changes_far_from_splice_sites_score_low() -> None:
    results = support.scorer().score_batch(SYNONYMOUS)
    assert [r.scores[0].gene for r in results] == ["CHGB", "NCOA6"]
    for result in results:
        deltas = [
            result.scores[0].ds_ag,
            result.scores[0].ds_al,
            result.scores[0].ds_dg,
            result.scores[0].ds_dl,
        ]
        assert max(deltas) < 0.05, result.info


def test_contig_aliases_give_identical_scores() -> None:
    plain = support.scorer().score_variant(DONOR_BREAKER)
    prefixed = support.scorer().score_variant(SpliceVariant("chr20", 2_443_281, "C", ("A",)))
    assert prefixed.info == plain.info


def test_records_are_skipped_with_a_reason_not_silently() -> None:
    g = support.genome()
    length = g.contig_length("20")
    # genes that reach the chromosome ends (chr20's real genes stop short of them)
    table = pd.DataFrame(
        {
            "gene_name": ["START", "END"],
            "chrom": ["20", "20"],
            "strand": ["+", "-"],
            "start": [0, length - 20_000],
            "end": [20_000, length],
            "exon_starts": [np.array([0]), np.array([length - 20_000])],
            "exon_ends": [np.array([20_000]), np.array([length])],
        }
    )
    scorer = SpliceAIScorer(g, table, ensemble=support.ensemble())
    near_start = SpliceVariant("20", 60, g.fetch("20", 59, 60), ("A",))
    near_end = SpliceVariant("20", length - 100, g.fetch("20", length - 101, length - 100), ("A",))
    wrong_ref = SpliceVariant("20", 2_443_281, "G", ("A",))
    results = scorer.score_batch([near_start, near_end]) + support.scorer().score_batch([wrong_ref])
    assert [r.skipped for r in results] == [SKIP_CHROM_END, SKIP_CHROM_END, SKIP_REF_MISMATCH]
    assert all(r.scores == [] for r in results)
    too_long = SpliceVariant("20", 2_443_279, "TAC", ("T",))
    small = SpliceAIScorer(g, support.gene_table(), distance=1, ensemble=support.ensemble())
    assert small.score_variant(too_long).skipped == SKIP_REF_TOO_LONG


def test_variant_outside_every_gene_has_no_scores_and_is_not_skipped() -> None:
    result = support.scorer().score_variant(
        SpliceVariant("20", 100_000, support.genome().fetch("20", 99_999, 100_000), ("A",))
    )
    assert result.skipped is None and result.scores == []


def test_alleles_spliceai_does_not_score() -> None:
    ref = support.genome().fetch("20", 2_443_279, 2_443_281)  # "AC"
    result = support.scorer().score_variant(SpliceVariant("20", 2_443_280, ref, ("GT", "*", "<DEL>", "A")))
    # MNV/complex: dots; '*' and symbolic: dropped; the deletion to "A": scored
    assert result.info[0] == "GT|SNRPB|.|.|.|.|.|.|.|."
    assert len(result.scores) == 2 and result.scores[1].allele == "A" and result.scores[1].ds_ag is not None


def test_mask_zeroes_annotated_gains_and_unannotated_losses_only() -> None:
    variants = [DONOR_BREAKER, SpliceVariant("20", 2_443_280, "A", ("G",)), DONOR_DELETION]
    plain = support.scorer().score_batch(variants)
    masked = support.scorer(mask=True).score_batch(variants)
    gene = support.gene("SNRPB")
    boundaries = np.union1d(gene["exon_starts"] + 1, gene["exon_ends"])
    for p, m in zip(plain, masked, strict=True):
        a, b = p.scores[0], m.scores[0]
        offsets = boundaries - p.variant.pos
        nearest = offsets[np.argmin(np.abs(offsets))]
        assert (a.dp_ag, a.dp_al, a.dp_dg, a.dp_dl) == (b.dp_ag, b.dp_al, b.dp_dg, b.dp_dl)
        assert b.ds_ag == (0.0 if a.dp_ag == nearest else a.ds_ag)
        assert b.ds_dg == (0.0 if a.dp_dg == nearest else a.ds_dg)
        assert b.ds_al == (a.ds_al if a.dp_al == nearest else 0.0)
        assert b.ds_dl == (a.ds_dl if a.dp_dl == nearest else 0.0)
    # the broken donor is the annotated boundary, so its loss survives the mask
    assert masked[0].scores[0].ds_dl > 0.5


@pytest.mark.parametrize("distance", [50])
def test_scores_match_spliceai_run_with_the_original_keras_models(distance: int) -> None:
    """Our batched/incremental scorer vs SpliceAI's per-variant logic run with the Keras models."""
    from model.spliceai.keras_reference import KerasReferenceScorer

    variants = [DONOR_BREAKER, SYNONYMOUS[1], REAL_INSERTION_MINUS, REAL_DELETION_PLUS, DONOR_DELETION]
    keras = KerasReferenceScorer(
        support.genome(), support.gene_table(), distance=distance, keras_models=support.keras_models()
    )
    expected = [keras.score_variant(v) for v in variants]
    got = support.scorer(distance=distance).score_batch(variants)
    for e, g in zip(expected, got, strict=True):
        assert g.info == e.info
        for se, sg in zip(e.scores, g.scores, strict=True):
            for field in ("ds_ag", "ds_al", "ds_dg", "ds_dl"):
                assert abs(getattr(se, field) - getattr(sg, field)) < 1e-4


def test_clusters_and_masking_helpers() -> None:
    from hypothesis import given
    from hypothesis import strategies as st

    from model.spliceai.ensemble import mask_outside
    from model.spliceai.scoring import _clusters

    @given(st.lists(st.integers(0, 100_000), min_size=1, max_size=80), st.integers(1, 20_000))
    def check(positions: list[int], span: int) -> None:
        positions = sorted(positions)
        clusters = list(_clusters(list(range(len(positions))), positions.__getitem__, span))
        assert [i for c in clusters for i in c] == list(range(len(positions)))
        assert all(positions[c[-1]] - positions[c[0]] < span and len(c) <= 32 for c in clusters)

    check()
    assert mask_outside("ACGTACGT", 100, (102, 105)) == "NNGTANNN"
    assert mask_outside("ACGT", 100, (0, 50)) == "NNNN"
    assert mask_outside("ACGT", 100, (0, 1_000)) == "ACGT"
