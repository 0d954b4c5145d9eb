"""The scorer families behind one interface, the planner and `ScoringOptions`: the registry
covers every scorer kind, families say why they cannot run, options= equals the keyword calls,
and the planner shares REF passes and keeps a window's passes in one batch."""

import dataclasses
import inspect

import numpy as np
import pytest

from model.genome import Interval
from model.outputs import Organism, OutputType
from model.scoring import (
    BaseVariantScorer,
    CenterMaskScorer,
    GeneIndex,
    GeneMaskScorer,
    PolyadenylationScorer,
    ScorerError,
    ScoringOptions,
    Variant,
    get_recommended_scorers,
    score_variants,
)
from model.scoring.families import (
    REGISTRY,
    GeneTrackFamily,
    ScorerContext,
    VariantScorerFamily,
    family_for,
)
from model.scoring.planner import PassLedger, WindowPlan, scheduled_passes, window_passes
from model.scoring.scorers import RECOMMENDED_VARIANT_SCORERS
from tests.model.scoring_fakes import FakeBackend, random_genome, toy_annotation

L = 4096
GENE_SCORERS = {  # scorers with one row per gene: they need an annotation
    BaseVariantScorer.GENE_MASK_LFC,
    BaseVariantScorer.GENE_MASK_ACTIVE,
    BaseVariantScorer.GENE_MASK_SPLICING,
    BaseVariantScorer.PA_QTL,
    BaseVariantScorer.SPLICE_JUNCTION,
}


@pytest.fixture(scope="module")
def genome():
    return random_genome(200_000)


def snvs(genome, positions):
    out = []
    for position in positions:
        ref = genome.fetch("20", position - 1, position)
        out.append(Variant("chr20", position, ref, "ACGT"[("ACGT".index(ref) + 1) % 4]))
    return out


def test_registry_has_a_concrete_family_for_every_base_scorer():
    assert set(REGISTRY) == set(BaseVariantScorer)
    for base, family in REGISTRY.items():
        assert issubclass(family, VariantScorerFamily), base
        assert not inspect.isabstract(family), f"{family.__name__} leaves methods unimplemented"
        assert family.needs_genes == (base in GENE_SCORERS), base
    assert REGISTRY[BaseVariantScorer.PA_QTL].needs_pas_sites
    assert sum(f.needs_pas_sites for f in REGISTRY.values()) == 1


def test_family_for_binds_each_recommended_scorer():
    for scorer in RECOMMENDED_VARIANT_SCORERS.values():
        family = family_for(scorer)
        assert isinstance(family, REGISTRY[scorer.base_variant_scorer]) and family.scorer is scorer
    assert all(
        isinstance(family_for(s), GeneTrackFamily)
        for s in get_recommended_scorers()
        if s.base_variant_scorer in GENE_SCORERS
        and s.base_variant_scorer is not BaseVariantScorer.SPLICE_JUNCTION
    )
    with pytest.raises(ScorerError, match="not a variant scorer"):
        family_for(GeneMaskScorer("RNA_SEQ", None, "MEAN"))


def test_applicability_reasons_come_from_the_family():
    genes = GeneIndex(toy_annotation())
    paqtl = family_for(PolyadenylationScorer())
    assert "gene annotation" in paqtl.applicability(FakeBackend(), Organism.HOMO_SAPIENS, ScorerContext())
    assert "polyadenylation sites" in paqtl.applicability(
        FakeBackend(), Organism.HOMO_SAPIENS, ScorerContext(genes)
    )
    assert "not defined for MUS_MUSCULUS" in paqtl.applicability(
        FakeBackend(), Organism.MUS_MUSCULUS, ScorerContext(genes)
    )
    atac = family_for(CenterMaskScorer("ATAC", 501, "DIFF_SUM"))
    assert atac.applicability(FakeBackend(), Organism.HOMO_SAPIENS, ScorerContext()) is None
    assert "which backend 'fake' does not provide" in atac.applicability(
        FakeBackend([OutputType.DNASE]), Organism.HOMO_SAPIENS, ScorerContext()
    )


def test_options_object_equals_the_keyword_call(genome):
    variants = snvs(genome, [50_001, 50_700, 90_000])
    scorers = get_recommended_scorers()[:3]
    keywords = dict(sequence_length=L, batch_size=2, share_ref=False, ontology_terms=["UBERON:0002107"])
    by_keywords = score_variants(FakeBackend(), genome, variants, scorers, **keywords)
    options = ScoringOptions(**keywords)
    by_options = score_variants(FakeBackend(), genome, variants, scorers, options=options)
    assert (by_options.ref_passes, by_options.alt_passes) == (by_keywords.ref_passes, by_keywords.alt_passes)
    for a, b in zip(by_keywords.blocks, by_options.blocks, strict=True):
        np.testing.assert_array_equal(a.values, b.values)
    # a keyword overrides the options object
    shared = score_variants(FakeBackend(), genome, variants, scorers, options=options, share_ref=True)
    assert shared.ref_passes == 2 and by_options.ref_passes == 3


def test_options_are_checked():
    with pytest.raises(TypeError, match="sequence_length"):
        score_variants(FakeBackend(), random_genome(), [], [])
    with pytest.raises(TypeError, match="unexpected scoring options"):
        score_variants(FakeBackend(), random_genome(), [], [], sequence_length=L, window_size=3)
    with pytest.raises(ValueError, match="batch_size"):
        ScoringOptions(sequence_length=L, batch_size=0)
    # refused by __post_init__, or before it by the run-time type check of the Literal annotation
    with pytest.raises((ValueError, TypeError), match="on_unsupported"):
        ScoringOptions(sequence_length=L, on_unsupported="ignore")
    options = ScoringOptions(sequence_length=L, ontology_terms=["a"])
    assert options.ontology_terms == ("a",) and hash(options) == hash(dataclasses.replace(options))


def test_a_window_shares_one_ref_pass_and_stays_in_one_batch(genome):
    variants = snvs(genome, [10_001, 10_050, 10_400, 30_000, 30_020, 70_000])
    plans = [
        WindowPlan(Interval("chr20", 8_000, 8_000 + L), (0, 1, 2)),
        WindowPlan(Interval("chr20", 28_000, 28_000 + L), (3, 4)),
        WindowPlan(Interval("chr20", 68_000, 68_000 + L), (5,)),
    ]
    first = window_passes(genome, variants, plans[0], share_ref=True)
    assert [p.kind for p in first] == ["ref", "alt", "alt", "alt"]
    assert first[0].variant_indices == (0, 1, 2) and len(first[0].sequence) == L
    naive = window_passes(genome, variants, plans[0], share_ref=False)
    assert [p.kind for p in naive] == ["ref", "alt"] * 3
    batches = list(scheduled_passes(genome, variants, plans, share_ref=True, batch_size=5))
    assert [len(b) for b in batches] == [7, 2]  # windows are never split between batches
    ledger = PassLedger.for_variants(len(variants))
    pairs = [
        pair for batch in batches for pair in ledger.record(batch, [{"n": i} for i in range(len(batch))])
    ]
    assert [i for i, *_ in pairs] == [0, 1, 2, 3, 4, 5]
    assert (ledger.ref, ledger.alt) == (3, 6)
    np.testing.assert_allclose(ledger.per_variant, [4 / 3, 4 / 3, 4 / 3, 1.5, 1.5, 2])
    assert pairs[4][2] == {"n": 4}  # variant 4's REF is its window's REF pass


def test_a_variant_outside_its_window_is_refused(genome):
    (variant,) = snvs(genome, [20_000])
    with pytest.raises(ValueError, match="does not fit"):
        window_passes(genome, [variant], WindowPlan(Interval("chr20", 0, L), (0,)), share_ref=True)
