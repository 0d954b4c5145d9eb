"""Reference sequence access: indexed FASTA (plain or BGZF) with contig-name aliases.

Coordinates are 0-based half-open on the forward strand throughout `model/`; VCF positions
are converted at the edge (`pos - 1`).
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
import pysam

_COMPLEMENT = str.maketrans("ACGTNacgtn", "TGCANtgcan")
_ONE_HOT_INDEX = np.full(256, 4, dtype=np.int8)
for _i, _base in enumerate("ACGT"):
    _ONE_HOT_INDEX[ord(_base)] = _i
    _ONE_HOT_INDEX[ord(_base.lower())] = _i
_ONE_HOT_TABLE = np.concatenate([np.eye(4, dtype=np.float32), np.zeros((1, 4), np.float32)])


class ContigNotFoundError(KeyError):
    """A contig name that the reference does not have under any alias."""

    def __str__(self) -> str:
        return str(self.args[0])


def contig_aliases(name: str) -> list[str]:
    """Names that may denote the same contig: `20`, `chr20`; `MT`, `chrM`."""
    bare = name[3:] if name.lower().startswith("chr") else name
    aliases = [name, bare, f"chr{bare}"]
    if bare.upper() in {"M", "MT"}:
        aliases += ["MT", "chrM", "M"]
    return list(dict.fromkeys(aliases))


def reverse_complement(sequence: str) -> str:
    return sequence.translate(_COMPLEMENT)[::-1]


def one_hot(sequence: str) -> np.ndarray:
    """One-hot encode DNA in A, C, G, T order; N (or any other letter) is all zeros.

    Returns:
      float32 array `[L, 4]`.
    """
    codes = _ONE_HOT_INDEX[np.frombuffer(sequence.encode("ascii"), dtype=np.uint8)]
    return _ONE_HOT_TABLE[codes]


@dataclasses.dataclass(frozen=True)
class Interval:
    """A 0-based half-open genomic interval; `strand` is `+`, `-` or `.`."""

    chrom: str
    start: int
    end: int
    strand: str = "+"

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"interval end {self.end} is before start {self.start}")
        if self.strand not in {"+", "-", "."}:
            raise ValueError(f"strand must be '+', '-' or '.', got {self.strand!r}")

    @property
    def width(self) -> int:
        return self.end - self.start

    def centered(self, width: int) -> Interval:
        """The interval of `width` bp sharing this one's centre."""
        center = (self.start + self.end) // 2
        return Interval(self.chrom, center - width // 2, center - width // 2 + width, self.strand)

    def __str__(self) -> str:
        return f"{self.chrom}:{self.start + 1}-{self.end}:{self.strand}"


@runtime_checkable  # jaxtyping + beartype check it in tests/model
class SequenceSource(Protocol):
    """What windows and scoring read from a genome: a `Genome`, or an in-memory genome in tests."""

    def fetch(self, chrom: str, start: int, end: int) -> str: ...


class Genome:
    """An indexed FASTA (plain with .fai, or BGZF with .fai and .gzi) read through pysam."""

    def __init__(self, fasta_path: str | Path) -> None:
        self.path = Path(fasta_path)
        if not self.path.exists():
            raise FileNotFoundError(f"FASTA not found: {self.path}")
        self._fasta = pysam.FastaFile(str(self.path))
        self.lengths: dict[str, int] = dict(zip(self._fasta.references, self._fasta.lengths, strict=True))

    def resolve_contig(self, name: str) -> str:
        """The reference's own spelling of `name` (`chr20` → `20` when the FASTA says `20`)."""
        for alias in contig_aliases(name):
            if alias in self.lengths:
                return alias
        raise ContigNotFoundError(
            f"contig {name!r} is not in {self.path.name} (has {', '.join(list(self.lengths)[:5])}"
            f"{'…' if len(self.lengths) > 5 else ''})"
        )

    def contig_length(self, name: str) -> int:
        return self.lengths[self.resolve_contig(name)]

    def fetch(self, chrom: str, start: int, end: int) -> str:
        """Uppercase forward-strand sequence of `[start, end)`, padded with N beyond contig ends."""
        contig = self.resolve_contig(chrom)
        length = self.lengths[contig]
        inner_start, inner_end = min(max(start, 0), length), max(min(end, length), 0)
        core = self._fetch_cached(contig, inner_start, inner_end) if inner_start < inner_end else ""
        left_pad = min(inner_start, end) - start if start < 0 else 0
        return "N" * left_pad + core + "N" * (end - start - left_pad - len(core))

    def fetch_interval(self, interval: Interval) -> str:
        """Sequence of `interval`, reverse-complemented when it is on the `-` strand."""
        sequence = self.fetch(interval.chrom, interval.start, interval.end)
        return reverse_complement(sequence) if interval.strand == "-" else sequence

    @functools.lru_cache(maxsize=64)  # noqa: B019 - one Genome per FASTA lives for the process
    def _fetch_cached(self, contig: str, start: int, end: int) -> str:
        return self._fasta.fetch(contig, start, end).upper()
