"""Motifs a variant creates or destroys: REF and ALT scanned at every site that overlaps it.

A site is a start position and strand of one matrix whose bases include at least one of the
variant's. Sites are compared at the same start on both alleles (left-anchored, so an indel's
sites before its end line up). A **gain** is a site that is a hit on ALT (p ≤ the library's
p-value) and not on REF, with ALT at least `min_fold` times more significant; a **loss** the
reverse. This is the comparison motifbreakR and FIMO-on-both-alleles workflows make.
"""

from __future__ import annotations

import dataclasses

from model.genome import Genome
from model.motifs.library import MotifLibrary, reverse_complement_matrix

BASE_INDEX = {"A": 0, "C": 1, "G": 2, "T": 3}


@dataclasses.dataclass(frozen=True)
class VariantWindows:
    """REF and ALT sequence around a variant, long enough for every site of the widest matrix.

    Attributes:
      ref: genome[start0 : start0 + len] with the reference allele.
      alt: the same flanks around the alternate allele.
      flank: bases before the variant in both (the variant starts at index `flank`).
      ref_length / alt_length: allele lengths.
      start0: 0-based genomic position of `ref[0]`.
    """

    ref: str
    alt: str
    flank: int
    ref_length: int
    alt_length: int
    start0: int


def variant_windows(genome: Genome, chrom: str, pos: int, ref: str, alt: str, flank: int) -> VariantWindows:
    """Windows around a VCF-style variant (1-based `pos`, REF as in the genome)."""
    start0 = max(0, pos - 1 - flank)
    before = genome.fetch(chrom, start0, pos - 1).upper()
    after = genome.fetch(chrom, pos - 1 + len(ref), pos - 1 + len(ref) + flank).upper()
    return VariantWindows(
        ref=before + ref.upper() + after,
        alt=before + alt.upper() + after,
        flank=len(before),
        ref_length=len(ref),
        alt_length=len(alt),
        start0=start0,
    )


@dataclasses.dataclass(frozen=True)
class MotifChange:
    """One site gained or lost.

    Attributes:
      effect: "gain" or "loss".
      matrix_id / name: the JASPAR matrix and its factor.
      strand: "+" or "-".
      start / end: 1-based inclusive genomic span of the site (REF coordinates).
      ref_score / alt_score: PWM scores in bits (None where the site runs off an allele).
      ref_pvalue / alt_pvalue: P(score ≥ observed) on background sequence.
      ref_site / alt_site: the site's bases on each allele, read on `strand`.
    """

    effect: str
    matrix_id: str
    name: str
    strand: str
    start: int
    end: int
    ref_score: float | None
    alt_score: float | None
    ref_pvalue: float
    alt_pvalue: float
    ref_site: str
    alt_site: str

    @property
    def fold(self) -> float:
        """How many times more significant the site is on the allele that has it."""
        low, high = sorted((self.ref_pvalue, self.alt_pvalue))
        return high / max(low, 1e-300)

    def describe(self) -> str:
        """e.g. "MYB (MA0100.4) gained on +: p 3.1e-05 vs 2.0e-03"."""
        verb = "gained" if self.effect == "gain" else "lost"
        return (
            f"{self.name} ({self.matrix_id}) {verb} on {self.strand}: "
            f"ALT p {self.alt_pvalue:.1e} vs REF p {self.ref_pvalue:.1e}"
        )


def motif_changes(
    library: MotifLibrary, windows: VariantWindows, min_fold: float = 10.0
) -> list[MotifChange]:
    """Every motif gained or lost, most significant change first: the strongest site per matrix, strand
    and effect (a variant can destroy one site of a matrix and create another a few bases away)."""
    candidates = _overlapping_hits(
        library, windows.ref, windows.ref_length, windows.flank
    ) | _overlapping_hits(library, windows.alt, windows.alt_length, windows.flank)
    best: dict[tuple[int, str, str], MotifChange] = {}
    for index, strand, position in candidates:
        change = _compare(library, windows, index, strand, position)
        if change is None or change.fold < min_fold:
            continue
        key = (index, strand, change.effect)
        if key not in best or change.fold > best[key].fold:
            best[key] = change
    return sorted(best.values(), key=lambda c: (-c.fold, c.matrix_id, c.strand))


def _overlapping_hits(
    library: MotifLibrary, sequence: str, allele_length: int, flank: int
) -> set[tuple[int, str, int]]:
    """(motif index, strand, start) of MOODS' candidate hits whose site overlaps the allele."""
    found = set()
    for k, matches in enumerate(library.scanner.scan(sequence)):
        index, strand = divmod(k, 2)
        width = library.motifs[index].width
        for match in matches:
            if match.pos < flank + max(allele_length, 1) and match.pos + width > flank:
                found.add((index, "-" if strand else "+", int(match.pos)))
    return found


def _site(
    library: MotifLibrary, index: int, strand: str, sequence: str, position: int
) -> tuple[float, float] | None:
    """(score in bits, p-value) of one site, or None where it runs off the sequence or holds an N."""
    motif = library.motifs[index]
    if position < 0 or position + motif.width > len(sequence):
        return None
    site = sequence[position : position + motif.width]
    if any(base not in BASE_INDEX for base in site):
        return None
    bases = [BASE_INDEX[base] for base in site]
    matrix = motif.log_odds if strand == "+" else reverse_complement_matrix(motif.log_odds)
    score = float(matrix[bases, range(motif.width)].sum())
    return score, library.distributions[index].site_pvalue(bases, reverse=strand == "-")


def _compare(
    library: MotifLibrary, windows: VariantWindows, index: int, strand: str, position: int
) -> MotifChange | None:
    motif = library.motifs[index]
    ref = _site(library, index, strand, windows.ref, position)
    alt = _site(library, index, strand, windows.alt, position)
    ref_score, ref_p = (None, 1.0) if ref is None else ref
    alt_score, alt_p = (None, 1.0) if alt is None else alt
    if alt_p <= library.pvalue < ref_p:
        effect = "gain"
    elif ref_p <= library.pvalue < alt_p:
        effect = "loss"
    else:
        return None
    return MotifChange(
        effect=effect,
        matrix_id=motif.matrix_id,
        name=motif.name,
        strand=strand,
        start=windows.start0 + position + 1,
        end=windows.start0 + position + motif.width,
        ref_score=ref_score,
        alt_score=alt_score,
        ref_pvalue=ref_p,
        alt_pvalue=alt_p,
        ref_site=_read(windows.ref, position, motif.width, strand),
        alt_site=_read(windows.alt, position, motif.width, strand),
    )


def _read(sequence: str, position: int, width: int, strand: str) -> str:
    site = sequence[max(position, 0) : position + width]
    return site if strand == "+" else site[::-1].translate(str.maketrans("ACGTN", "TGCAN"))
