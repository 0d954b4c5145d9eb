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
# An indel that would slide further left than this when normalised is refused: that happens only
# inside satellites and runs of N (chr20 has 3.1 Mb of N), where every one of a file's records
# could otherwise slide megabases.
MAX_SLIDE = 1_000


class RepeatTooLongError(ValueError):
    """Left-normalising the indel would slide it more than MAX_SLIDE bases."""


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

    def bases(self, first: int, last: int) -> str:
        """The reference bases from 1-based `first` to `last`, inclusive."""
        return self.genome.fetch(self.contig, first - 1, last)


def left_normalize(reader: ReferenceReader, pos: int, ref: str, alt: str) -> tuple[int, str, str]:
    """The vt-normalised `(pos, ref, alt)` of a biallelic variant whose REF matches the reference.

    The result is that of vt's loop (drop a shared last base; when an allele becomes empty, extend
    both one reference base to the left), computed in bulk: the shared suffix is found by comparing
    strings, and an indel's slide through a repeat is measured against the reference in growing
    chunks. One base at a time, a 500 kb allele or an insertion inside chr20's 3.1 Mb run of N cost
    seconds each (and a file can hold thousands); this way they cost milliseconds.

    Args:
      reader: the reference contig the variant is on.
      pos: 1-based position of the first REF base.
      ref, alt: uppercase alleles, different from each other, each at least one base.

    Returns:
      `(pos, ref, alt)` describing the same ALT haplotype, shifted as far left as it goes.

    Raises:
      RepeatTooLongError: the indel would slide more than MAX_SLIDE bases (vt has no limit).
    """
    shared = min(_common_suffix(ref, alt), min(len(ref), len(alt)) - 1)
    if shared:
        ref, alt = ref[:-shared], alt[:-shared]
    if ref[-1] == alt[-1] and pos > 1:
        # An indel: one allele is a single base ending like the other. Drop that base and extend
        # both one base to the left: the alleles are now `anchor + event` and `anchor`, and slide
        # left while the anchor repeats the event's last base (the event rotating as they go).
        ref_is_longer = len(ref) > len(alt)
        event = (ref if ref_is_longer else alt)[:-1]
        pos -= 1
        slide = _repeat_run(reader, pos, event)
        if slide > MAX_SLIDE:
            raise RepeatTooLongError(
                f"the indel lies in a repeat (or a run of N) longer than {MAX_SLIDE:,} bp: left-normalised "
                f"it would move more than {MAX_SLIDE:,} bp; give it at its left-most position"
            )
        pos -= slide
        event = _rotate_right(event, slide)
        anchor = reader.base(pos)
        ref, alt = (anchor + event, anchor) if ref_is_longer else (anchor, anchor + event)
    leading = 0
    limit = min(len(ref), len(alt)) - 1
    while leading < limit and ref[leading] == alt[leading]:
        leading += 1
    return pos + leading, ref[leading:], alt[leading:]


def _common_suffix(a: str, b: str) -> int:
    """The length of the longest common suffix of `a` and `b` (binary search on slices: C speed)."""
    if not a or not b or a[-1] != b[-1]:
        return 0
    low, high = 1, min(len(a), len(b))
    while low < high:  # the suffix of length `low` is shared; longer than `high` is not
        middle = (low + high + 1) // 2
        if a[len(a) - middle :] == b[len(b) - middle :]:
            low = middle
        else:
            high = middle - 1
    return low


def _repeat_run(reader: ReferenceReader, anchor_pos: int, event: str) -> int:
    """How many bases left of `anchor_pos` (inclusive) the reference repeats `event` read backwards
    (the anchor matching its last base, the base before it the one before, cyclically), at most
    `anchor_pos - 1` and MAX_SLIDE + 1: how far vt's loop slides an indel whose alleles are
    `anchor + event` and `anchor`."""
    limit = min(anchor_pos - 1, MAX_SLIDE + 1)
    size = 64
    while limit > 0:
        size = min(size, limit)
        bases = reader.bases(anchor_pos - size + 1, anchor_pos)
        pattern = (event * (size // len(event) + 1))[-size:]
        if bases != pattern:
            return _common_suffix(bases, pattern)
        if size == limit:
            return limit
        size *= 4
    return 0


def _rotate_right(text: str, steps: int) -> str:
    shift = steps % len(text)
    return text[-shift:] + text[:-shift] if shift else text


def normalize_variant(genome: Genome, chrom: str, pos: int, ref: str, alt: str) -> tuple[int, str, str]:
    """`left_normalize` on `genome`; `chrom` may be any alias of a contig in it."""
    return left_normalize(ReferenceReader(genome, genome.resolve_contig(chrom)), pos, ref, alt)


def shorten_allele(allele: str, width: int = 40) -> str:
    """An allele for a message: long ones are cut in the middle with their length given."""
    if len(allele) <= width:
        return allele
    half = width // 2
    return f"{allele[:half]}…{allele[-half:]} ({len(allele):,} bp)"
