"""REF and ALT sequences of a prediction window: the one definition both APIs use.

A window is a forward-strand `Interval`; `flank` extra bases of genomic context on each side
are included for backends that read beyond the window (`Backend.context`). ALT is
left-anchored as in the official SDK: an insertion pushes the rest of the window right and is
cropped at the end; a deletion pulls bases in from beyond the window's end.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from model.genome import Interval, SequenceSource


@runtime_checkable  # jaxtyping + beartype check it in tests/model
class Variant(Protocol):
    """What a window needs of a variant (`model.scoring.variants.Variant` is one)."""

    @property
    def start(self) -> int: ...  # 0-based first REF base

    @property
    def end(self) -> int: ...

    @property
    def ref(self) -> str: ...

    @property
    def alt(self) -> str: ...


def check_variant_in(variant: Variant, window: Interval) -> None:
    """Raise `ValueError` unless the variant's REF bases lie inside `window`."""
    if variant.start < window.start or variant.end > window.end:
        raise ValueError(
            f"{variant} lies outside the interval {window.chrom}:{window.start}-{window.end} "
            "(0-based, half-open)"
        )


def genome_window(genome: SequenceSource, window: Interval, flank: int = 0) -> str:
    """The reference sequence of `window` plus `flank` bases each side (N beyond contig ends)."""
    return genome.fetch(window.chrom, window.start - flank, window.end + flank)


def with_reference_allele(sequence: str, window: Interval, variant: Variant, flank: int = 0) -> str:
    """`sequence` (the window plus flanks) with the variant's stated REF bases in place.

    The official client does this when a variant's REF differs from the genome, so REF is what
    the caller described, not silently the genome's base.
    """
    offset = variant.start - window.start + flank
    return sequence[:offset] + variant.ref + sequence[offset + len(variant.ref) :]


def with_alternate_allele(
    genome: SequenceSource, window: Interval, reference: str, variant: Variant, flank: int = 0
) -> str:
    """`reference` (the window plus flanks, REF in place) with ALT instead, same length."""
    offset = variant.start - window.start + flank
    deleted = max(len(variant.ref) - len(variant.alt), 0)
    end = window.end + flank
    tail = genome.fetch(window.chrom, end, end + deleted) if deleted else ""
    sequence = reference[:offset] + variant.alt + reference[offset + len(variant.ref) :] + tail
    return sequence[: len(reference)]


def allele_sequences(
    genome: SequenceSource,
    window: Interval,
    variant: Variant,
    flank: int = 0,
    *,
    reference: str | None = None,
) -> tuple[str, str]:
    """REF and ALT sequences of `window` (plus `flank` bases each side) for `variant`.

    Args:
      reference: the window's sequence to start from (with flanks); default the genome's. ISM
        over an `interval_variant` passes that variant's ALT sequence here.

    Returns:
      `(ref, alt)`, each `window.width + 2 * flank` bases.
    """
    check_variant_in(variant, window)
    base = genome_window(genome, window, flank) if reference is None else reference
    ref = with_reference_allele(base, window, variant, flank)
    return ref, with_alternate_allele(genome, window, ref, variant, flank)
