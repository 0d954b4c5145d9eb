"""Allele checks and left-normalisation of variants against the reference.

Normalisation follows `vt normalize` (Tan, Abecasis & Kang 2015, Algorithm 1): while both
alleles end with the same base, drop it, and when an allele becomes empty extend both alleles
one reference base to the left; then drop shared leading bases while both alleles keep at least
two. The result is the left-most, most parsimonious spelling with one VCF anchor base before an
indel (after it only when the event starts at position 1, as the VCF spec asks).
"""

from __future__ import annotations

import re

from model.service import Genome
from predictions.inputs.results import RejectionCode

BASES = frozenset("ACGTN")
_SYMBOLIC = re.compile(r"^<[^<>]*>$")
_BREAKEND = re.compile(r"[\[\]]")
_CHUNK = 512  # reference bases fetched at a time while shifting left through a repeat


def allele_problem(allele: str, field: str) -> tuple[RejectionCode, str] | None:
    """Why `allele` (already uppercased) cannot be scored, or None when it is plain sequence.

    Args:
      allele: the allele as written in the input, uppercased.
      field: `REF` or `ALT`, to name the field in the message.
    """
    if allele in {"", "."}:
        return RejectionCode.NO_ALT if field == "ALT" else RejectionCode.BASES, (
            f"{field} is {allele or 'empty'!r}: no {'alternate' if field == 'ALT' else 'reference'} allele"
        )
    if _SYMBOLIC.match(allele):
        return RejectionCode.SYMBOLIC, (
            f"{field} {allele} is a symbolic structural-variant allele; only sequence alleles "
            "(A, C, G, T, N) can be scored"
        )
    if allele == "*":
        return RejectionCode.SYMBOLIC, (
            f"{field} '*' stands for an allele removed by an overlapping deletion on another line; "
            "it has no sequence to score"
        )
    if _BREAKEND.search(allele) or (len(allele) > 1 and "." in (allele[0], allele[-1])):
        return RejectionCode.SYMBOLIC, (
            f"{field} {allele!r} is a breakend (structural rearrangement); "
            "only sequence alleles can be scored"
        )
    if allele == "-":
        return RejectionCode.BASES, (
            f"{field} is '-' (an empty allele): write the indel in VCF style with the reference base "
            "before it, e.g. REF=CA ALT=C"
        )
    invalid = sorted(set(allele) - BASES)
    if invalid:
        return RejectionCode.BASES, (
            f"{field} {shorten_allele(allele)} contains {', '.join(repr(c) for c in invalid)}; "
            "alleles may only use A, C, G, T and N"
        )
    return None


class ReferenceReader:
    """Reference bases of one contig by 1-based position, fetched in chunks while moving left."""

    def __init__(self, genome: Genome, contig: str) -> None:
        self.genome = genome
        self.contig = contig
        self._start = 0  # 0-based start of `_bases`
        self._bases = ""

    def base(self, pos: int) -> str:
        """The reference base at 1-based `pos` (1 ≤ pos ≤ contig length)."""
        index = pos - 1
        if not self._start <= index < self._start + len(self._bases):
            self._start = max(0, index - _CHUNK + 1)
            self._bases = self.genome.fetch(self.contig, self._start, index + 1)
        return self._bases[index - self._start]


def left_normalize(reader: ReferenceReader, pos: int, ref: str, alt: str) -> tuple[int, str, str]:
    """The vt-normalised `(pos, ref, alt)` of a biallelic variant whose REF matches the reference.

    Args:
      reader: the reference contig the variant is on.
      pos: 1-based position of the first REF base.
      ref, alt: uppercase alleles, different from each other, each at least one base.

    Returns:
      `(pos, ref, alt)` describing the same ALT haplotype, shifted as far left as it goes.
    """
    while ref[-1] == alt[-1]:
        if min(len(ref), len(alt)) == 1 and pos == 1:
            break  # no base to the left: keep the anchor base after the event
        ref, alt = ref[:-1], alt[:-1]
        if not ref or not alt:
            anchor = reader.base(pos - 1)
            ref, alt, pos = anchor + ref, anchor + alt, pos - 1
    leading = 0
    limit = min(len(ref), len(alt)) - 1
    while leading < limit and ref[leading] == alt[leading]:
        leading += 1
    return pos + leading, ref[leading:], alt[leading:]


def normalize_variant(genome: Genome, chrom: str, pos: int, ref: str, alt: str) -> tuple[int, str, str]:
    """`left_normalize` on `genome`; `chrom` may be any alias of a contig in it."""
    return left_normalize(ReferenceReader(genome, genome.resolve_contig(chrom)), pos, ref, alt)


def shorten_allele(allele: str, width: int = 40) -> str:
    """An allele for a message: long ones are cut in the middle with their length given."""
    if len(allele) <= width:
        return allele
    half = width // 2
    return f"{allele[:half]}…{allele[-half:]} ({len(allele):,} bp)"
