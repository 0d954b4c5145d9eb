"""Variants as the scoring engine sees them, read from the formats people paste.

Positions are 1-based (as in VCF and the SDK's `genome.Variant`); `start` is 0-based. The
windows variants are scored in are planned in `model.scoring.planner`.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

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
