"""Motif gain and loss: our log-odds, p-values and hits checked against MOODS' and Biopython's."""

from __future__ import annotations

import MOODS.scan
import MOODS.tools
import numpy as np
import pytest
from Bio import motifs as bio_motifs
from Bio.Seq import Seq

from model import demo_assets
from model.genome import Genome
from model.motifs import MotifLibrary, VariantWindows, motif_changes, variant_windows
from model.motifs.library import HUMAN_BACKGROUND, PSEUDOCOUNT
from model.motifs.pvalues import ScoreDistribution

COMPLEMENT_TRANSITION = {"A": "G", "G": "A", "C": "T", "T": "C"}
GATA1_TAL1 = "MA0140.3"  # the TAL1 composite site of erythroid enhancers (JASPAR 2024 CORE)


@pytest.fixture(scope="module")
def library() -> MotifLibrary:
    return MotifLibrary.jaspar()


@pytest.fixture(scope="module")
def genome() -> Genome:
    return Genome(demo_assets.demo_fasta_path())


def as_rows(matrix: np.ndarray) -> list[list[float]]:
    return [list(map(float, row)) for row in matrix]


def test_the_library_is_jaspar_core_vertebrates(library):
    assert library.source == "JASPAR2024 CORE vertebrates"
    assert len(library.motifs) == 879
    assert library.by_id("MA0139.2").name == "CTCF"
    assert library.by_id(GATA1_TAL1).name == "GATA1::TAL1"
    # a 6-bp matrix cannot reach p 1e-4 on this background: listed, never silently "no change"
    assert "MA0100.4" in {m.matrix_id for m in library.unreachable}
    assert 0 < len(library.unreachable) < len(library.motifs) // 4


def test_log_odds_equal_moods(library):
    for motif in library.motifs[::7]:
        expected = MOODS.tools.log_odds(as_rows(motif.counts), list(HUMAN_BACKGROUND), PSEUDOCOUNT, 2.0)
        np.testing.assert_allclose(motif.log_odds, np.array(expected), rtol=0, atol=1e-12)


def test_thresholds_agree_with_moods(library):
    compared = 0
    for motif, distribution in zip(library.motifs[::5], library.distributions[::5], strict=True):
        if distribution.best_pvalue > 1e-4:
            continue
        theirs = MOODS.tools.threshold_from_p(as_rows(motif.log_odds), list(HUMAN_BACKGROUND), 1e-4)
        assert distribution.threshold(1e-4) == pytest.approx(theirs, abs=0.05), motif.matrix_id
        compared += 1
    assert compared > 100


def test_pvalues_are_exact_on_a_small_matrix():
    """Two columns, every one of the 16 sequences enumerated by hand."""
    matrix = np.array([[1.0, 0.5], [0.0, -1.0], [-1.0, 0.0], [0.25, 2.0]])
    background = (0.4, 0.1, 0.1, 0.4)
    distribution = ScoreDistribution(matrix, background)
    scores = {(a, b): matrix[a, 0] + matrix[b, 1] for a in range(4) for b in range(4)}
    for (a, b), score in scores.items():
        expected = sum(background[x] * background[y] for (x, y), s in scores.items() if s >= score - 1e-9)
        assert distribution.site_pvalue([a, b]) == pytest.approx(expected, rel=1e-12)
        assert distribution.pvalue(score) == pytest.approx(expected, rel=1e-12)
    assert distribution.best_pvalue == pytest.approx(0.4 * 0.4)  # T then T, the consensus


def test_a_single_base_creates_a_gata1_tal1_site(library, genome):
    """Real chr20 flanks around the GATA1::TAL1 consensus with its most informative base mutated."""
    motif = library.by_id(GATA1_TAL1)
    consensus = motif.consensus
    information = (motif.log_odds.max(axis=0) - np.sort(motif.log_odds, axis=0)[-2]).argmax()
    column = int(information)
    weaker = "ACGT"[int(np.argsort(motif.log_odds[:, column])[-2])]
    broken = consensus[:column] + weaker + consensus[column + 1 :]
    flank = library.max_width - 1
    left, right = (
        genome.fetch("20", 2_000_000, 2_000_000 + flank),
        genome.fetch("20", 2_000_100, 2_000_100 + flank),
    )
    ref = left + broken + right
    alt = left + consensus + right
    start0 = 10_000  # any genomic offset: reported positions add it
    windows = VariantWindows(
        ref, alt, flank=len(left) + column, ref_length=1, alt_length=1, start0=start0 - column
    )

    changes = motif_changes(library, windows)

    gained = [c for c in changes if c.matrix_id == GATA1_TAL1 and c.strand == "+"]
    assert len(gained) == 1, [c.describe() for c in changes]
    change = gained[0]
    assert change.effect == "gain"
    assert change.alt_pvalue <= 1e-4 < change.ref_pvalue
    assert (change.ref_site, change.alt_site) == (broken, consensus)
    assert change.start == start0 - column + len(left) + 1 and change.end == change.start + motif.width - 1
    # the scores, by Biopython's own PSSM from the same counts, background and pseudocounts
    counts = bio_motifs.Motif(counts={b: list(motif.counts[i]) for i, b in enumerate("ACGT")}).counts
    background = dict(zip("ACGT", HUMAN_BACKGROUND, strict=True))
    pssm = counts.normalize(pseudocounts={b: PSEUDOCOUNT * p for b, p in background.items()}).log_odds(
        background
    )
    assert change.ref_score == pytest.approx(pssm.calculate(Seq(broken)), abs=1e-4)
    assert change.alt_score == pytest.approx(pssm.calculate(Seq(consensus)), abs=1e-4)
    # and MOODS, scanning at its own p 1e-4 threshold, agrees: a hit on ALT, none on REF
    threshold = MOODS.tools.threshold_from_p(as_rows(motif.log_odds), list(HUMAN_BACKGROUND), 1e-4)
    hits = [
        MOODS.scan.scan_dna(s, [as_rows(motif.log_odds)], list(HUMAN_BACKGROUND), [threshold], 7)[0]
        for s in (ref, alt)
    ]
    assert [m.pos for m in hits[0]] == [] and len(left) in [m.pos for m in hits[1]]


def test_gains_and_losses_equal_moods_on_chr20_snvs(library, genome):
    """58 chr20 SNVs: what we call gained or lost (any fold) is exactly what MOODS, scanning REF and
    ALT at its own p 1e-4 thresholds, finds on one allele and not the other; and the SNVs where it
    finds no difference (the controls) get no change from us."""
    moods = MoodsAtThreshold(library)
    controls = compared = 0
    for pos in range(3_000_000, 3_000_400, 7):
        ref_base = genome.fetch("20", pos - 1, pos)
        windows = variant_windows(
            genome, "20", pos, ref_base, COMPLEMENT_TRANSITION[ref_base], library.max_width - 1
        )
        on_ref, on_alt = (
            moods.overlapping_hits(windows, windows.ref),
            moods.overlapping_hits(windows, windows.alt),
        )
        theirs = {(m, s, "loss") for m, s, _ in on_ref - on_alt} | {
            (m, s, "gain") for m, s, _ in on_alt - on_ref
        }
        ours = {(c.matrix_id, c.strand, c.effect) for c in motif_changes(library, windows, min_fold=1.0)}
        assert ours == theirs, pos
        controls += not theirs
        compared += 1
    assert compared == 58 and 1 <= controls < compared


class MoodsAtThreshold:
    """MOODS alone: every reachable matrix on both strands at MOODS' own p 1e-4 thresholds."""

    def __init__(self, library: MotifLibrary) -> None:
        self.entries, matrices, thresholds = [], [], []
        for motif, distribution in zip(library.motifs, library.distributions, strict=True):
            if distribution.best_pvalue > 1e-4:
                continue
            forward = as_rows(motif.log_odds)
            threshold = MOODS.tools.threshold_from_p(forward, list(HUMAN_BACKGROUND), 1e-4)
            for strand, matrix in (("+", forward), ("-", as_rows(motif.log_odds[::-1, ::-1]))):
                self.entries.append((motif.matrix_id, strand, motif.width))
                matrices.append(matrix)
                thresholds.append(threshold)
        self.scanner = MOODS.scan.Scanner(7)
        self.scanner.set_motifs(matrices, list(HUMAN_BACKGROUND), thresholds)

    def overlapping_hits(self, windows: VariantWindows, sequence: str) -> set[tuple[str, str, int]]:
        """(matrix, strand, start) of hits whose site overlaps the variant's first base."""
        return {
            (matrix_id, strand, match.pos)
            for (matrix_id, strand, width), matches in zip(
                self.entries, self.scanner.scan(sequence), strict=True
            )
            for match in matches
            if match.pos <= windows.flank < match.pos + width
        }


def test_an_indel_is_compared_site_by_site(library, genome):
    """A 1-bp deletion inside a GATA1::TAL1 consensus destroys it: reported as a loss."""
    motif = library.by_id(GATA1_TAL1)
    flank = library.max_width - 1
    left = genome.fetch("20", 2_500_000, 2_500_000 + flank)
    right = genome.fetch("20", 2_500_200, 2_500_200 + flank)
    middle = 8  # delete the consensus's 9th base, keeping VCF's anchor base before it
    ref = left + motif.consensus + right
    alt = left + motif.consensus[:middle] + motif.consensus[middle + 1 :] + right
    windows = VariantWindows(ref, alt, flank=len(left) + middle - 1, ref_length=2, alt_length=1, start0=0)
    lost = [c for c in motif_changes(library, windows) if c.matrix_id == GATA1_TAL1 and c.strand == "+"]
    assert len(lost) == 1 and lost[0].effect == "loss"
    assert lost[0].ref_pvalue <= 1e-4 < lost[0].alt_pvalue
