"""Variants as the scoring engine sees them, and the prediction windows they are scored in.

Positions are 1-based (as in VCF and the SDK's `genome.Variant`); `start` is 0-based.
Windows are 0-based half-open on the forward strand and may run past contig ends (the
genome pads with N).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from typing import Any

from model.genome import Interval

_BASES = re.compile(r"^[ACGTN]+$")
_FORMATS = (
    re.compile(
        r"^(?P<chrom>[^:\s]+):(?P<pos>\d+):(?P<ref>[ACGTN]+)>(?P<alt>[ACGTN]+)$", re.I
    ),  # chr20:1234:A>C
    re.compile(r"^(?P<chrom>[^:\s]+):(?P<pos>\d+):(?P<ref>[ACGTN]+):(?P<alt>[ACGTN]+)$", re.I),  # 20:1234:A:C
    re.compile(
        r"^(?P<chrom>[^_\s]+)_(?P<pos>\d+)_(?P<ref>[ACGTN]+)_(?P<alt>[ACGTN]+)(_b\d+)?$", re.I
    ),  # GTEx
    re.compile(r"^(?P<chrom>[^\s]+?)-(?P<pos>\d+)-(?P<ref>[ACGTN]+)-(?P<alt>[ACGTN]+)$", re.I),  # gnomAD
)


@dataclasses.dataclass(frozen=True)
class Variant:
    """A REF→ALT change; `position` is 1-based, alleles uppercase `ACGTN`."""

    chrom: str
    position: int
    ref: str
    alt: str
    name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "ref", self.ref.upper())
        object.__setattr__(self, "alt", self.alt.upper())
        if self.position < 1:
            raise ValueError(f"variant position must be >= 1, got {self.position}")
        for allele in (self.ref, self.alt):
            if not _BASES.match(allele):
                raise ValueError(f"allele {allele!r} of {self.chrom}:{self.position} is not ACGTN")

    @property
    def start(self) -> int:
        return self.position - 1

    @property
    def end(self) -> int:
        return self.start + len(self.ref)

    @property
    def is_snv(self) -> bool:
        return len(self.ref) == len(self.alt) == 1

    @property
    def is_indel(self) -> bool:
        return len(self.ref) != len(self.alt)

    @property
    def center(self) -> int:
        """The SDK's centre of the REF interval, `(start + end) // 2`."""
        return (self.start + self.end) // 2

    def __str__(self) -> str:
        return f"{self.chrom}:{self.position}:{self.ref}>{self.alt}"

    @classmethod
    def from_str(cls, text: str) -> Variant:
        """Parse `chr20:1234:A>C`, `20:1234:A:C`, `20_1234_A_C_b37` or `chr20-1234-A-C`."""
        for pattern in _FORMATS:
            match = pattern.match(text.strip())
            if match:
                return cls(match["chrom"], int(match["pos"]), match["ref"], match["alt"])
        raise ValueError(
            f"cannot parse variant {text!r}: expected chr20:1234:A>C, 20_1234_A_C_b37 or chr20-1234-A-C"
        )


def as_variant(value: Any) -> Variant:
    """Our Variant from ours, a string, a tuple `(chrom, pos, ref, alt)` or an SDK `genome.Variant`."""
    if isinstance(value, Variant):
        return value
    if isinstance(value, str):
        return Variant.from_str(value)
    if hasattr(value, "reference_bases"):
        return Variant(
            value.chromosome, value.position, value.reference_bases, value.alternate_bases, value.name
        )
    if isinstance(value, tuple | list) and len(value) >= 4:
        return Variant(str(value[0]), int(value[1]), str(value[2]), str(value[3]), *(value[4:5]))
    raise TypeError(f"cannot read a variant from {value!r}")


@dataclasses.dataclass(frozen=True)
class WindowPlan:
    """One prediction window and the variants (indices into the batch) scored in it."""

    interval: Interval
    variant_indices: tuple[int, ...]


def centered_window(variant: Variant, sequence_length: int) -> Interval:
    """The SDK's window: the REF interval resized to `sequence_length` around its centre."""
    start = variant.center - sequence_length // 2
    return Interval(variant.chrom, start, start + sequence_length)


def plan_windows(
    variants: Sequence[Variant], sequence_length: int, *, share: bool = True, max_offset: int | None = None
) -> list[WindowPlan]:
    """Group variants into prediction windows.

    With `share`, variants on the same contig are taken in position order and grouped greedily
    so that every variant's centre lies within `max_offset` bp (default a quarter of the
    window) of its window's centre; each group is one window and one REF pass. Without
    `share`, every variant gets its own window centred on it, as AlphaGenome does.

    Returns:
      windows in genomic order; every variant index appears exactly once.
    """
    if sequence_length <= 0:
        raise ValueError(f"sequence_length must be positive, got {sequence_length}")
    if not share:
        return [WindowPlan(centered_window(v, sequence_length), (i,)) for i, v in enumerate(variants)]
    offset = sequence_length // 4 if max_offset is None else max_offset
    if not 0 <= offset <= sequence_length // 2:
        raise ValueError(f"max_offset must be within [0, {sequence_length // 2}], got {offset}")
    order = sorted(range(len(variants)), key=lambda i: (variants[i].chrom, variants[i].center, i))
    plans: list[WindowPlan] = []
    group: list[int] = []

    def close() -> None:
        first, last = variants[group[0]].center, variants[group[-1]].center
        start = (first + last) // 2 - sequence_length // 2
        plans.append(
            WindowPlan(Interval(variants[group[0]].chrom, start, start + sequence_length), tuple(group))
        )

    for index in order:
        variant = variants[index]
        if group and (
            variant.chrom != variants[group[0]].chrom
            or variant.center - variants[group[0]].center > 2 * offset
        ):
            close()
            group = []
        group.append(index)
    if group:
        close()
    return plans


def variants_in_order(variants: Iterable[Any]) -> list[Variant]:
    return [as_variant(v) for v in variants]
