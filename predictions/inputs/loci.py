"""Loci and gene names typed by a scientist, and the model window centred on them.

Loci are written as genome browsers show them, 1-based and inclusive (`chr20:1,000,000-1,131,072`,
`chr20:1000000` for one base, `chr20` for a whole contig) and returned as 0-based half-open
`model.genome.Interval`s on the reference's own contig spelling.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
import weakref
from collections.abc import Sequence

import pandas as pd

from model.service import SEQUENCE_LENGTHS, ContigNotFoundError, Genome, Interval
from predictions.inputs.numbers import number_problem, whole_number
from predictions.inputs.results import InputError

_LOCUS = re.compile(
    r"^(?P<chrom>[^:\s]+)(?::(?P<start>\d[\d,]*)(?:(?:-|\.\.)(?P<end>\d[\d,]*))?)?$",
)
_DASHES = str.maketrans({"–": "-", "—": "-", "‒": "-", "−": "-"})


class LocusError(InputError):
    """A locus or gene name that cannot be resolved; the message says why."""


class GeneNotFoundError(LocusError):
    """No gene has this name; `suggestions` are genes whose names start like it."""

    def __init__(self, message: str, *, suggestions: Sequence[GeneLocus] = ()) -> None:
        super().__init__(message)
        self.suggestions = list(suggestions)


def parse_locus(text: str, genome: Genome) -> Interval:
    """A browser-style locus as a 0-based half-open Interval on `genome` (strand `+`).

    `chr20:1,000,000-1,131,072` → Interval('20', 999_999, 1_131_072); `chr20:1000000` → the one
    base; `chr20` → the whole contig. Commas, spaces, en dashes and `..` are accepted.

    Raises:
      LocusError: unreadable text, unknown contig, start after end, position 0, or a locus
        that runs past the end of the contig.
    """
    cleaned = "".join(text.translate(_DASHES).split())
    match = _LOCUS.match(cleaned)
    if not match:
        raise LocusError(
            f"Cannot read the locus {text.strip()!r}: "
            "expected chr20:1,000,000-1,131,072, chr20:1000000 or chr20."
        )
    contig = _resolve(match["chrom"], genome)
    length = genome.lengths[contig]
    if match["start"] is None:
        return Interval(contig, 0, length)
    start = whole_number(match["start"], thousands=True)
    end = whole_number(match["end"], thousands=True) if match["end"] is not None else start
    if start is None or end is None:
        number = match["start"] if start is None else match["end"]
        raise LocusError(f"The locus {text.strip()!r}: {number_problem(number, 'position')}.")
    if start < 1:
        raise LocusError(f"The locus {text.strip()!r} starts at {start}: positions start at 1.")
    if start > end:
        raise LocusError(f"The locus {text.strip()!r} starts at {start:,}, after its end {end:,}.")
    if end > length:
        raise LocusError(
            f"The locus {text.strip()!r} ends at {end:,}, beyond the end of contig {contig} ({length:,} bp)."
        )
    return Interval(contig, start - 1, end)


def centered_window(
    interval: Interval, sequence_length: int, genome: Genome, *, allow_crop: bool = True
) -> Interval:
    """The model input window of `sequence_length` bp centred on `interval` (forward strand).

    The window may run past a contig end; the genome pads it with N, as the model expects.

    Args:
      interval: a locus, 0-based half-open (from `parse_locus` or a gene).
      sequence_length: one of SEQUENCE_LENGTHS.
      genome: the reference, to check the contig and give it the reference's spelling.
      allow_crop: a locus wider than the window gives the window around its centre, as the
        SDK's `Interval.resize` does (the default); False makes that an error that suggests a
        length that fits (`smallest_fitting_length`).

    Raises:
      LocusError: an unsupported length, an unknown contig, or a locus wider than the window.
    """
    if sequence_length not in SEQUENCE_LENGTHS:
        raise LocusError(
            f"Sequence length {sequence_length:,} is not supported; choose one of "
            f"{', '.join(f'{n:,}' for n in SEQUENCE_LENGTHS)}."
        )
    contig = _resolve(interval.chrom, genome)
    if interval.width > sequence_length and not allow_crop:
        fitting = smallest_fitting_length(interval)
        advice = f"choose {fitting:,} bp or more" if fitting else "choose a smaller locus"
        raise LocusError(
            f"The locus is {interval.width:,} bp, wider than the {sequence_length:,} bp window: {advice}."
        )
    return Interval(contig, interval.start, interval.end, "+").centered(sequence_length)


def smallest_fitting_length(interval: Interval) -> int | None:
    """The shortest of SEQUENCE_LENGTHS that holds `interval` whole, or None when none does."""
    return next((n for n in SEQUENCE_LENGTHS if n >= interval.width), None)


@dataclasses.dataclass(frozen=True)
class GeneLocus:
    """A gene's span over all its transcripts, 0-based half-open."""

    gene_name: str
    gene_id: str
    chrom: str
    strand: str
    start: int
    end: int

    @property
    def interval(self) -> Interval:
        """The gene's span on its own strand."""
        return Interval(self.chrom, self.start, self.end, self.strand if self.strand in "+-" else ".")

    @property
    def label(self) -> str:
        """`SNRPB (20:2,442,869-2,451,500, −)` for an autocomplete list (1-based inclusive)."""
        return f"{self.gene_name} ({self.chrom}:{self.start + 1:,}-{self.end:,}, {self.strand})"


class GeneIndex:
    """Case-insensitive gene lookup by name or ID, and prefix search for autocomplete.

    Build it once per annotation (`GeneIndex(table)`) and reuse it: lookups are dictionary
    and binary-search operations.
    """

    def __init__(self, gene_table: pd.DataFrame) -> None:
        genes = _gene_spans(gene_table)
        self.genes = genes
        self._exact: dict[str, list[GeneLocus]] = {}
        for gene in genes:
            for key in _keys(gene):
                bucket = self._exact.setdefault(key, [])
                if gene not in bucket:
                    bucket.append(gene)
        self._sorted_keys = sorted(self._exact)
        self._longest_key = max(map(len, self._sorted_keys), default=0)

    def find(self, name: str) -> list[GeneLocus]:
        """Genes whose name or ID (with or without version) is `name`, ignoring case."""
        return list(self._exact.get(name.strip().upper(), []))

    def suggest(self, prefix: str, limit: int = 10) -> list[GeneLocus]:
        """Genes whose name or ID starts with `prefix`: exact match first, then shorter names."""
        key = prefix.strip().upper()
        if not key or limit < 1:
            return []
        first = bisect.bisect_left(self._sorted_keys, key)
        found: list[tuple[int, str, GeneLocus]] = []
        for candidate in self._sorted_keys[first:]:
            if not candidate.startswith(key):
                break
            for gene in self._exact[candidate]:
                found.append((len(candidate), candidate, gene))
        found.sort(key=lambda item: (item[0], item[1]))
        result: list[GeneLocus] = []
        for _, _, gene in found:
            if gene not in result:
                result.append(gene)
            if len(result) == limit:
                break
        return result

    def suggest_near(self, name: str, limit: int = 5) -> list[GeneLocus]:
        """Suggestions for a misspelt name: genes sharing its longest prefix that matches any (≥ 2)."""
        # No prefix longer than the longest name can match: a 100,000-character "name" would
        # otherwise cost 100,000 prefix searches of up to 100,000 characters each.
        key = name.strip().upper()[: self._longest_key]
        for length in range(len(key), 1, -1):
            found = self.suggest(key[:length], limit)
            if found:
                return found
        return []


def find_gene(name: str, gene_table: pd.DataFrame | GeneIndex) -> GeneLocus:
    """The one gene called `name` (gene name or ID, case-insensitive).

    Raises:
      GeneNotFoundError: no such gene; the message and `suggestions` list prefix matches.
      LocusError: several genes at different loci share the name (the message lists them).
    """
    index = _index(gene_table)
    matches = index.find(name)
    if not matches:
        suggestions = index.suggest_near(name, limit=5)
        hint = f" Did you mean {', '.join(g.gene_name for g in suggestions)}?" if suggestions else ""
        raise GeneNotFoundError(
            f"No gene named {name.strip()!r} in this annotation.{hint}", suggestions=suggestions
        )
    if len(matches) > 1:
        raise LocusError(
            f"{len(matches)} genes are named {name.strip()!r}: "
            f"{'; '.join(g.label + ' ' + g.gene_id for g in matches[:5])}. Enter the gene ID or a locus."
        )
    return matches[0]


def suggest_genes(prefix: str, gene_table: pd.DataFrame | GeneIndex, limit: int = 10) -> list[GeneLocus]:
    """Up to `limit` genes whose name or ID starts with `prefix` (case-insensitive), for autocomplete."""
    return _index(gene_table).suggest(prefix, limit)


def resolve_locus_or_gene(
    text: str, genome: Genome, gene_table: pd.DataFrame | GeneIndex
) -> tuple[Interval, GeneLocus | None]:
    """What the home page's one search box means: a locus when it reads as one, else a gene.

    Returns:
      The interval (the gene's span on the forward strand, for a gene) and the gene or None.
    """
    stripped = text.strip()
    if ":" in stripped:
        return parse_locus(stripped, genome), None
    try:
        gene = find_gene(stripped, gene_table)
    except GeneNotFoundError:
        try:
            return parse_locus(stripped, genome), None  # a bare contig name, `chr20`
        except LocusError:
            pass
        raise
    contig = _resolve(gene.chrom, genome)
    return Interval(contig, gene.start, gene.end), gene


_INDEX_CACHE: dict[int, tuple[weakref.ref[pd.DataFrame], GeneIndex]] = {}


def _index(gene_table: pd.DataFrame | GeneIndex) -> GeneIndex:
    """A GeneIndex for `gene_table`, cached while the DataFrame lives."""
    if isinstance(gene_table, GeneIndex):
        return gene_table
    cached = _INDEX_CACHE.get(id(gene_table))
    if cached is not None and cached[0]() is gene_table:
        return cached[1]
    index = GeneIndex(gene_table)
    key = id(gene_table)
    _INDEX_CACHE[key] = (weakref.ref(gene_table, lambda _: _INDEX_CACHE.pop(key, None)), index)
    return index


def _gene_spans(table: pd.DataFrame) -> list[GeneLocus]:
    """One GeneLocus per (gene_id, chrom): transcripts merged to their span."""
    if table.empty:
        return []
    grouped = table.groupby(["gene_id", "chrom"], sort=False).agg(
        gene_name=("gene_name", "first"),
        strand=("strand", "first"),
        start=("start", "min"),
        end=("end", "max"),
    )
    return [
        GeneLocus(str(row.gene_name), str(gene_id), str(chrom), str(row.strand), int(row.start), int(row.end))
        for (gene_id, chrom), row in grouped.iterrows()
    ]


def _keys(gene: GeneLocus) -> set[str]:
    keys = {gene.gene_name.upper(), gene.gene_id.upper()}
    if "." in gene.gene_id:
        keys.add(gene.gene_id.split(".", 1)[0].upper())  # ENSG00000125835.18 → ENSG00000125835
    return {key for key in keys if key}


def _resolve(chrom: str, genome: Genome) -> str:
    try:
        return genome.resolve_contig(chrom)
    except ContigNotFoundError:
        names = list(genome.lengths)
        shown = ", ".join(names[:8]) + (f" and {len(names) - 8:,} more" if len(names) > 8 else "")
        raise LocusError(f"Contig {chrom!r} is not in this reference (it has {shown}).") from None
