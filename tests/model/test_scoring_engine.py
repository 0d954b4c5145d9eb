"""The batch engine on a deterministic fake backend: shared REF passes equal the naive path, pass
counts, applicability errors, tidy/VCF output, junction scores, quantiles and ISM."""

import math

import numpy as np
import pandas as pd
import pysam
import pytest
from alphagenome.models import variant_scorers as sdk
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.genome import Interval
from model.outputs import OutputType, TrackSet
from model.scoring import (
    AggregationType,
    CenterMaskScorer,
    GeneIndex,
    GeneMaskActiveScorer,
    GeneMaskLFCScorer,
    GeneMaskScorer,
    GeneMaskSplicingScorer,
    JunctionSet,
    PolyadenylationScorer,
    QuantileBackground,
    ScorerNotApplicableError,
    SpliceJunctionScorer,
    Variant,
    get_recommended_scorers,
    plan_windows,
    score_interval,
    score_ism,
    score_predictions,
    score_variants,
)
from tests.model.scoring_fakes import FakeBackend, random_genome, toy_annotation, track_metadata

L = 16_384
PAS = pd.DataFrame(
    {
        "chrom": "chr20",
        "position": [19_100, 19_500, 19_900, 29_300],
        "strand": ["+", "+", "+", "-"],
        "gene_id": ["ENSG01", "ENSG01", "ENSG01", "ENSG02"],
    }
)


@pytest.fixture(scope="module")
def genome():
    return random_genome(1_200_000)


@pytest.fixture(scope="module")
def genes():
    return GeneIndex(toy_annotation())


def variants_near(genome, positions, kinds):
    out = []
    for position, kind in zip(positions, kinds, strict=True):
        ref = genome.fetch("20", position - 1, position)
        if kind == "snv":
            out.append(Variant("chr20", position, ref, "ACGT"[("ACGT".index(ref) + 1) % 4]))
        elif kind == "ins":
            out.append(Variant("chr20", position, ref, ref + "GAT"))
        else:
            out.append(Variant("chr20", position, genome.fetch("20", position - 1, position + 4), ref))
    return out


def all_scorers():
    return [
        *get_recommended_scorers(),
        CenterMaskScorer(OutputType.CHIP_TF, None, AggregationType.DIFF_MEAN),
        CenterMaskScorer(OutputType.RNA_SEQ, 2001, AggregationType.L2_DIFF_LOG1P),
        GeneMaskLFCScorer(OutputType.SPLICE_SITE_USAGE),
        GeneMaskActiveScorer(OutputType.CAGE),
        GeneMaskSplicingScorer(OutputType.SPLICE_SITES, 101),
    ]


def assert_same_scores(a, b):
    assert len(a.blocks) == len(b.blocks)
    for x, y in zip(a.blocks, b.blocks, strict=True):
        assert x.scorer == y.scorer and x.variant == y.variant and x.interval == y.interval
        np.testing.assert_allclose(x.values, y.values, rtol=1e-6, atol=1e-7, equal_nan=True)
        if x.genes is not None:
            pd.testing.assert_frame_equal(x.genes, y.genes)


def test_shared_ref_equals_naive_for_every_scorer(genome):
    kinds = ["snv", "ins", "del", "snv", "snv", "del", "ins", "snv"]
    positions = [15_101, 15_150, 15_900, 18_000, 19_400, 21_000, 60_000, 60_010]
    variants = variants_near(genome, positions, kinds)
    common = dict(sequence_length=L, annotation=toy_annotation(), pas_sites=PAS, batch_size=4)
    shared = score_variants(FakeBackend(), genome, variants, all_scorers(), **common)
    naive = score_variants(FakeBackend(), genome, variants, all_scorers(), share_ref=False, **common)
    assert_same_scores(shared, naive)
    assert naive.ref_passes == len(variants) and naive.passes_per_variant == 2.0
    assert shared.ref_passes == 2 and shared.alt_passes == len(variants)  # two windows: 15-21 kb and 60 kb
    np.testing.assert_allclose(shared.per_variant_passes.sum(), shared.forward_passes)
    assert len(shared.blocks) == len(variants) * len(all_scorers())
    names = {b.scorer for b in shared.blocks if b.genes is not None and len(b.genes)}
    assert PolyadenylationScorer() in names and SpliceJunctionScorer() in names


def test_thousand_clustered_variants_cost_under_1_2_passes_each_and_match_naive(genome):
    rng = np.random.default_rng(7)
    centres = rng.integers(100_000, 1_100_000, size=10)
    positions = np.concatenate([c + rng.integers(-25_000, 25_000, size=100) for c in centres])
    kinds = rng.choice(["snv", "snv", "snv", "ins", "del"], size=1000)
    variants = variants_near(genome, positions.tolist(), kinds.tolist())
    scorers = [get_recommended_scorers()[0], CenterMaskScorer("CHIP_HISTONE", 2001, "DIFF_LOG2_SUM")]
    seen = []
    shared = score_variants(
        FakeBackend(),
        genome,
        variants,
        scorers,
        sequence_length=L,
        batch_size=64,
        progress=lambda d, t: seen.append((d, t)),
    )
    assert shared.passes_per_variant < 1.2
    assert seen[-1] == (1000, 1000) and len(seen) == 1000
    naive = score_variants(
        FakeBackend(), genome, variants, scorers, sequence_length=L, batch_size=64, share_ref=False
    )
    assert naive.passes_per_variant == 2.0
    assert_same_scores(shared, naive)


def test_windows_keep_every_variant_near_the_centre():
    variants = [Variant("chr1", p, "A", "C") for p in (1, 4000, 8000, 9000, 30_000)] + [
        Variant("chr2", 5, "A", "C")
    ]
    plans = plan_windows(variants, 16_384)
    assert sorted(i for p in plans for i in p.variant_indices) == list(range(6))
    for plan in plans:
        centre = (plan.interval.start + plan.interval.end) // 2
        assert plan.interval.width == 16_384
        assert all(abs(variants[i].center - centre) <= 4096 for i in plan.variant_indices)
    assert len(plans) == 4
    centred = plan_windows(variants, 16_384, share=False)
    assert [p.interval.start for p in centred][:2] == [0 - 8192, 3999 - 8192]


def test_reference_mismatch_gets_its_own_ref_pass(genome):
    good = variants_near(genome, [30_000], ["snv"])[0]
    ref = genome.fetch("20", 30_009, 30_010)
    wrong = Variant("chr20", 30_010, "ACGT"[("ACGT".index(ref) + 2) % 4], ref)  # REF differs from the genome
    result = score_variants(
        FakeBackend(), genome, [good, wrong], get_recommended_scorers()[:1], sequence_length=L
    )
    assert result.ref_passes == 2 and result.alt_passes == 2
    naive = score_variants(
        FakeBackend(),
        genome,
        [good, wrong],
        get_recommended_scorers()[:1],
        sequence_length=L,
        share_ref=False,
    )
    assert_same_scores(result, naive)


def test_scorers_that_do_not_apply_say_why(genome):
    splice_only = FakeBackend([OutputType.SPLICE_SITES])
    variants = variants_near(genome, [15_100], ["snv"])
    with pytest.raises(
        ScorerNotApplicableError, match=r"needs ATAC predictions, which backend 'fake' does not"
    ):
        score_variants(splice_only, genome, variants, None, sequence_length=L, annotation=toy_annotation())
    result = score_variants(
        splice_only,
        genome,
        variants,
        None,
        sequence_length=L,
        annotation=toy_annotation(),
        on_unsupported="skip",
    )
    assert len(result.skipped) == 18
    assert {b.scorer for b in result.blocks} == {GeneMaskSplicingScorer(OutputType.SPLICE_SITES, None)}
    with pytest.raises(ScorerNotApplicableError, match="needs a gene annotation"):
        score_variants(FakeBackend(), genome, variants, [GeneMaskLFCScorer("RNA_SEQ")], sequence_length=L)
    with pytest.raises(ScorerNotApplicableError, match="polyadenylation sites"):
        score_variants(
            FakeBackend(),
            genome,
            variants,
            [PolyadenylationScorer()],
            sequence_length=L,
            annotation=toy_annotation(),
        )


def test_tidy_frame_equals_the_sdk_tidy_scores(genome, tmp_path):
    variants = variants_near(genome, [15_101, 15_300], ["snv", "del"])
    result = score_variants(
        FakeBackend(),
        genome,
        variants,
        all_scorers(),
        sequence_length=L,
        annotation=toy_annotation(),
        pas_sites=PAS,
    )
    ours = result.tidy()
    theirs = sdk.tidy_scores([[b.to_anndata() for b in result.blocks]])
    assert list(ours.columns) == list(theirs.columns)
    assert list(ours.columns)[:12] == [
        "variant_id", "scored_interval", "gene_id", "gene_name", "gene_type", "gene_strand",
        "junction_Start", "junction_End", "output_type", "variant_scorer", "track_name", "track_strand",
    ]  # fmt: skip
    assert "quantile_score" not in ours  # no background: absent, not invented
    assert len(ours) == len(theirs)
    np.testing.assert_allclose(ours["raw_score"], theirs["raw_score"].astype(float), equal_nan=True)
    assert ours["gene_id"].dropna().str.contains(r"\.").sum() == 0  # versions stripped like the SDK
    # strand-mismatched gene/track rows are gone
    assert not ((ours["gene_strand"] == "+") & (ours["track_strand"] == "-")).any()
    tsv = result.to_tsv(tmp_path / "scores.tsv")
    assert pd.read_csv(tsv, sep="\t").shape == ours.shape
    vcf = result.to_vcf(tmp_path / "top.vcf", top=3)
    records = list(pysam.VariantFile(str(vcf)))
    assert [r.pos for r in records] == [15_101, 15_300]
    assert len(records[0].info["AGS"]) == 3 and records[0].info["AGS_MAX"] >= 0


def junctions(starts, ends, strands, values):
    meta = track_metadata(OutputType.SPLICE_JUNCTIONS)
    return JunctionSet(
        np.array(starts), np.array(ends), np.array(strands), np.array(values, np.float32), meta
    )


def test_splice_junction_scorer_by_hand():
    window = Interval("chr20", 5_000, 45_000)  # JunctionSet coordinates are genomic, whatever the window
    e = math.e
    # + junctions inside GENE_PLUS [10000, 20000); a - junction inside GENE_MINUS; one + junction outside.
    ref = {OutputType.SPLICE_JUNCTIONS: junctions(
        [12_101, 15_201, 14_301, 9_000], [14_999, 18_999, 28_999, 12_000], ["+", "+", "-", "+"],
        [[1, 1], [2, 2], [1, 1], [1, 1]],
    )}  # fmt: skip
    alt = {OutputType.SPLICE_JUNCTIONS: junctions(
        [12_101, 15_201, 14_301, 9_000], [14_999, 18_999, 28_999, 12_000], ["+", "+", "-", "+"],
        [[e, 1], [2, 2 * e**2], [1, e**3], [e**9, e**9]],
    )}  # fmt: skip
    variant = Variant("chr20", 15_101, "A", "G")
    (block,) = score_predictions(
        variant, window, ref, alt, [SpliceJunctionScorer()], annotation=toy_annotation()
    )
    genes = block.genes
    assert genes["gene_name"].tolist() == ["GENE_PLUS", "GENE_PLUS", "GENE_MINUS"]
    assert genes[["junction_Start", "junction_End"]].values.tolist() == [
        [12_101, 14_999],
        [15_201, 18_999],
        [14_301, 28_999],
    ]
    np.testing.assert_allclose(block.values, [[1, 0], [0, 2], [0, 3]], atol=1e-5)
    assert (block.tracks["strand"] == ".").all()


def test_backend_junction_layout_is_read(genome):
    variants = variants_near(genome, [15_101], ["snv"])
    result = score_variants(
        FakeBackend(),
        genome,
        variants,
        [SpliceJunctionScorer()],
        sequence_length=L,
        annotation=toy_annotation(),
    )
    (block,) = result.blocks
    assert block.values.shape[1] == 2 and len(block.genes) >= 1
    assert set(block.genes.columns) >= {"junction_Start", "junction_End"}


# REF = ALT gives zero for every signed scorer -------------------------------------------------------------

DIFFS = [a for a in AggregationType if a.name.startswith("DIFF_")]
SIGNED = [
    *(CenterMaskScorer(out, w, a) for out in ("ATAC", "CHIP_TF") for w in (None, 501, 2001) for a in DIFFS),
    GeneMaskLFCScorer(OutputType.RNA_SEQ),
    GeneMaskLFCScorer(OutputType.CAGE),
]
assert all(s.is_signed for s in SIGNED)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seed=st.integers(0, 2**32 - 1),
    offset=st.integers(0, 4095),
    scale=st.floats(1e-3, 1e3),
    ref_allele=st.sampled_from(["A", "C", "GT", "TAC"]),
)
def test_ref_equal_alt_scores_zero_for_signed_scorers(genes, seed, offset, scale, ref_allele):
    rng = np.random.default_rng(seed)
    window = Interval("chr20", 9_000, 9_000 + 4096)
    predictions = {}
    for output, res in (
        (OutputType.ATAC, 1),
        (OutputType.CHIP_TF, 128),
        (OutputType.RNA_SEQ, 1),
        (OutputType.CAGE, 1),
    ):
        values = (rng.gamma(0.5, size=(4096 // res, 6)) * scale).astype(np.float32)
        predictions[output] = TrackSet(values, res, track_metadata(output))
    variant = Variant("chr20", 9_001 + min(offset, 4096 - len(ref_allele)), ref_allele, ref_allele)
    blocks = score_predictions(variant, window, predictions, predictions, SIGNED, annotation=genes)
    for block in blocks:
        finite = block.values[np.isfinite(block.values)]
        assert finite.size > 0, block.scorer
        np.testing.assert_array_equal(finite, 0.0)


# quantiles --------------------------------------------------------------------------------------------------


def test_quantile_background_round_trip_and_use(genome, tmp_path):
    rng = np.random.default_rng(3)
    background_variants = variants_near(
        genome, sorted(rng.integers(100_000, 1_000_000, 60).tolist()), ["snv"] * 60
    )
    scorers = [
        get_recommended_scorers()[0],
        get_recommended_scorers()[13],
    ]  # ATAC signed, ATAC_ACTIVE unsigned
    built = score_variants(FakeBackend(), genome, background_variants, scorers, sequence_length=4096)
    background = QuantileBackground.from_blocks(built.blocks, info={"assembly": "fake"})
    assert len(background.probabilities) == 1000
    assert background.probabilities[0] == pytest.approx(1e-5) and background.probabilities[
        -1
    ] == pytest.approx(1 - 1e-5)
    loaded = QuantileBackground.load(background.save(tmp_path / "bg"))
    assert loaded.info["assembly"] == "fake" and loaded.signed == background.signed
    query = variants_near(genome, [500_000, 500_100], ["snv", "ins"])
    result = score_variants(FakeBackend(), genome, query, scorers, sequence_length=4096, background=loaded)
    tidy = result.tidy()
    signed = tidy[tidy["variant_scorer"] == str(scorers[0])]["quantile_score"]
    active = tidy[tidy["variant_scorer"] == str(scorers[1])]["quantile_score"]
    assert signed.between(-1, 1).all() and active.between(0, 1).all()
    assert signed.abs().max() <= 0.99999 + 1e-6
    # a score in the middle of the background maps near the middle; extremes map to the floor
    key = (scorers[1].name, *track_key(built))
    table = loaded.tables[key]
    assert loaded.quantile(scorers[1].name, *track_key(built), np.array([table[500]]))[0] == pytest.approx(
        loaded.probabilities[500], abs=1e-3
    )
    assert loaded.quantile(scorers[1].name, *track_key(built), np.array([1e9]))[0] == pytest.approx(1 - 1e-5)
    # an unknown scorer has no quantiles at all
    other = score_variants(
        FakeBackend(), genome, query, [get_recommended_scorers()[2]], sequence_length=4096, background=loaded
    )
    assert "quantile_score" not in other.tidy()


def track_key(result):
    tracks = result.blocks[0].tracks
    return (tracks["name"].iloc[0], tracks["strand"].iloc[0])


def test_quantile_ties_spread_uniformly():
    block_scores = np.zeros(1000)
    probabilities = np.linspace(0.01, 0.99, 99)
    background = QuantileBackground(
        probabilities, {("s", "t", "."): np.quantile(block_scores, probabilities)}, {}, {"s": False}
    )
    q = background.quantile("s", "t", ".", np.zeros(500))
    assert 0.4 < q.mean() < 0.6 and q.min() >= 0.01 and q.max() <= 0.99 and q.std() > 0.2


# ISM and interval scoring ---------------------------------------------------------------------------


def test_ism_contribution_matrix(genome):
    interval = Interval("chr20", 50_000, 50_020)
    scorer = CenterMaskScorer(OutputType.DNASE, 501, AggregationType.DIFF_SUM)
    ism = score_ism(FakeBackend(), genome, interval, [scorer], sequence_length=4096)
    assert len(ism.variants) == 60
    assert ism.scores.ref_passes == 1 and ism.scores.alt_passes == 60
    matrix = ism.matrix(scorer, track=0)
    assert matrix.shape == (20, 4)
    reference = np.array(["ACGT".index(b) for b in ism.sequence])
    assert (np.count_nonzero(matrix, axis=1) <= 1).all()
    assert (matrix[np.arange(20), reference] != 0).any()
    first = [b for b in ism.scores.blocks if b.variant.position == 50_001]
    assert matrix[0, reference[0]] == pytest.approx(-np.mean([b.values[0, 0] for b in first]), rel=1e-5)
    with pytest.raises(ValueError, match="1 to 200 bp"):
        score_ism(FakeBackend(), genome, Interval("chr20", 0, 201), [scorer], sequence_length=4096)


def test_interval_gene_mask_scorer(genome):
    interval = Interval("chr20", 8_000, 8_000 + 32_768)
    scorers = [GeneMaskScorer("RNA_SEQ", None, "MEAN"), GeneMaskScorer("RNA_SEQ", 2001, "SUM")]
    whole, central = score_interval(FakeBackend(), genome, interval, scorers, annotation=toy_annotation())
    assert whole.genes["gene_name"].tolist() == ["GENE_PLUS", "GENE_MINUS"]
    values = FakeBackend().predict([genome.fetch("20", interval.start, interval.end)], [OutputType.RNA_SEQ])[
        0
    ]
    rna = values[OutputType.RNA_SEQ].values
    exons = np.r_[10_000:10_500, 12_000:12_100, 15_000:15_200, 19_000:20_000] - interval.start
    np.testing.assert_allclose(whole.values[0], rna[exons].mean(axis=0), rtol=1e-5)
    assert central.genes.empty  # no TSS in the central 2,001 bp (around 24,384)


def test_a_background_applies_only_to_the_model_it_was_built_with():
    fake = FakeBackend()
    built_here = QuantileBackground(
        np.array([0.1, 0.9]), {}, {}, {}, info={"backend": fake.name, "provenance": fake.provenance}
    )
    assert built_here.mismatch(fake) is None
    retrained = FakeBackend()
    retrained.provenance = "fake convolution, retrained"
    reason = built_here.mismatch(retrained)
    assert reason is not None and "retrained" in reason and fake.provenance in reason
    assert QuantileBackground(np.array([0.5]), {}, {}, {}).mismatch(fake) is not None  # no provenance
