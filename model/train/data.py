"""Training examples from what a lab has: a FASTA, bigWig tracks with a metadata table, splice sites.

Inputs:

- a reference FASTA (`model.genome.Genome`);
- a track table (CSV or TSV) with columns `name, file, strand, output_type, ontology_term`, one
  row per bigWig (`file` relative to the table). `output_type` is an AlphaGenome output type
  name (`ATAC`, `DNASE`, `PROCAP`, `CAGE`, `RNA_SEQ`, `CHIP_TF`, `CHIP_HISTONE`); the tracks of a
  type become that head's columns, in table order;
- splice sites: a table of `chrom, position, strand, kind` (0-based, `kind` donor/acceptor), or
  the sites of a gene table (`model.annotations`, e.g. the one SpliceAI ships) through
  `splice_sites_from_genes`;
- splice-site usage: a table of `chrom, position, strand` plus one column per tissue (values in
  [0, 1]; empty = unknown, masked in the loss). Each tissue gives two head columns, `+` then `-`,
  as the official 734 = 367 tissues x 2 strands.

Regions are assigned to folds (`Folds`): whole chromosomes, or contiguous blocks of one
chromosome. Every window lies inside one region, shift included, so no example crosses a fold
boundary. Training examples are a deterministic function of `(seed, step)`: a resumed run sees
the same batches as an uninterrupted one.

Targets are kept in experimental units at 1 bp; `model.train.losses` scales them to model space
(architecture spec section 3.3, `model.heads.targets_scaling`) and sum-pools them for 128 bp.
Reverse-complement augmentation maps targets with `model.strand.reverse_complement_values`, the
one definition of how outputs flip.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyBigWig
from jaxtyping import Float

from model.genome import Interval, SequenceSource, contig_aliases, one_hot, reverse_complement
from model.heads import HEAD_CONFIGS, HEAD_FOR_OUTPUT, HeadName
from model.outputs import OutputType
from model.strand import reverse_complement_values, strand_reindexing

SPLITS = ("train", "validation", "test")
TRACK_TABLE_COLUMNS = ("name", "file", "strand", "output_type", "ontology_term")
TRACK_OUTPUT_TYPES = (
    OutputType.ATAC,
    OutputType.DNASE,
    OutputType.PROCAP,
    OutputType.CAGE,
    OutputType.RNA_SEQ,
    OutputType.CHIP_TF,
    OutputType.CHIP_HISTONE,
)
# Classes of the splice-site head, in channel order (architecture spec section 3.1).
SPLICE_CLASSES = (("donor", "+"), ("acceptor", "+"), ("donor", "-"), ("acceptor", "-"))
OTHER_CLASS = 4
# A reverse complement turns `+` sites into `-` sites: donor+ <-> donor-, acceptor+ <-> acceptor-.
SPLICE_CLASS_REINDEX = np.array([2, 3, 0, 1, 4], np.int32)

Example = dict[str, np.ndarray]
PerTrack = Float[np.ndarray, "T"]  # module-level so the shape stays a string (ruff UP037)

_REGION = re.compile(r"^(?P<chrom>[^:]+)(:(?P<start>[\d,]+)-(?P<end>[\d,]+))?$")


# Folds ---------------------------------------------------------------------------------------


def parse_region(text: str, contig_lengths: Mapping[str, int]) -> Interval:
    """`chr20` (whole contig) or `chr20:1-30,000,000` (1-based inclusive, as samtools) -> Interval."""
    match = _REGION.match(text.strip())
    if not match:
        raise ValueError(f"region {text!r} is not CHROM or CHROM:START-END")
    chrom = _resolve(match["chrom"], contig_lengths, what="FASTA")
    length = contig_lengths[chrom]
    if match["start"] is None:
        return Interval(chrom, 0, length, ".")
    start, end = int(match["start"].replace(",", "")) - 1, int(match["end"].replace(",", ""))
    if not 0 <= start < end <= length:
        raise ValueError(f"region {text!r} is outside {chrom} (length {length:,})")
    return Interval(chrom, start, end, ".")


def contiguous_blocks(
    chrom: str, length: int, fractions: Sequence[float] = (0.8, 0.1, 0.1)
) -> dict[str, list[str]]:
    """One chromosome cut into train, validation and test blocks, in that order along it.

    Returns region strings for `Folds.from_regions`, e.g. chr20 (63 Mb) -> train 1-50.4 Mb,
    validation the next 6.3 Mb, test the last 6.3 Mb.
    """
    if len(fractions) != len(SPLITS) or any(f < 0 for f in fractions) or abs(sum(fractions) - 1) > 1e-9:
        raise ValueError(f"fractions must be three non-negative numbers summing to 1, got {fractions}")
    bounds = np.round(np.cumsum([0.0, *fractions]) * length).astype(int)
    return {
        split: [f"{chrom}:{bounds[i] + 1}-{bounds[i + 1]}"] if bounds[i + 1] > bounds[i] else []
        for i, split in enumerate(SPLITS)
    }


@dataclasses.dataclass(frozen=True)
class Folds:
    """Genome regions assigned to train, validation and test; no two regions overlap."""

    regions: Mapping[str, tuple[Interval, ...]]

    def __post_init__(self) -> None:
        unknown = set(self.regions) - set(SPLITS)
        if unknown:
            raise ValueError(f"unknown splits {sorted(unknown)}; use {SPLITS}")
        labelled = [(split, r) for split in SPLITS for r in self.regions.get(split, ())]
        for i, (split_a, a) in enumerate(labelled):
            for split_b, b in labelled[i + 1 :]:
                if a.chrom == b.chrom and a.start < b.end and b.start < a.end:
                    raise ValueError(f"{split_a} region {a} overlaps {split_b} region {b}")

    @classmethod
    def from_regions(cls, spec: Mapping[str, Sequence[str]], contig_lengths: Mapping[str, int]) -> Folds:
        """`{"train": ["chr1", "chr20:1-50000000"], "validation": [...], "test": [...]}`."""
        return cls(
            {split: tuple(parse_region(r, contig_lengths) for r in spec.get(split, ())) for split in spec}
        )

    def split_of(self, chrom: str, position: int) -> str | None:
        """The split whose region holds `chrom:position` (0-based), or None."""
        for split, regions in self.regions.items():
            for region in regions:
                if region.chrom in contig_aliases(chrom) and region.start <= position < region.end:
                    return split
        return None

    def windows(self, split: str, length: int, margin: int = 0) -> list[Interval]:
        """Windows of `length` bp tiling `split`'s regions, each `margin` bp clear of the region's ends.

        A window shifted by up to `margin` bp stays inside its region (shift augmentation).
        """
        out: list[Interval] = []
        for region in self.regions.get(split, ()):
            start, stop = region.start + margin, region.end - margin - length
            out.extend(Interval(region.chrom, s, s + length, "+") for s in range(start, stop + 1, length))
        return out


# Tracks --------------------------------------------------------------------------------------


def read_track_table(path: str | Path) -> pd.DataFrame:
    """The lab's track table (CSV or TSV, by the file's first line): TRACK_TABLE_COLUMNS.

    `file` becomes an absolute path (relative to the table); `output_type` is upper-cased and checked.
    """
    path = Path(path)
    first = path.read_text().splitlines()[0] if path.stat().st_size else ""
    frame = pd.read_csv(path, sep="\t" if "\t" in first else ",", dtype=str).fillna("")
    missing = [c for c in TRACK_TABLE_COLUMNS if c not in frame]
    if missing:
        raise ValueError(f"{path.name}: missing columns {missing} (need {list(TRACK_TABLE_COLUMNS)})")
    frame["output_type"] = frame["output_type"].str.strip().str.upper()
    allowed = {t.name for t in TRACK_OUTPUT_TYPES}
    bad = sorted(set(frame["output_type"]) - allowed)
    if bad:
        raise ValueError(f"{path.name}: output_type {bad} not trainable from bigWigs; use {sorted(allowed)}")
    bad_strands = sorted(set(frame["strand"]) - {"+", "-", "."})
    if bad_strands:
        raise ValueError(f"{path.name}: strand must be +, - or ., got {bad_strands}")
    frame["file"] = [str((path.parent / f).resolve()) for f in frame["file"]]
    return frame.loc[:, list(TRACK_TABLE_COLUMNS)].reset_index(drop=True)


def track_heads(table: pd.DataFrame) -> dict[HeadName, pd.DataFrame]:
    """The table's tracks grouped by head, in table order (head columns 0..T-1)."""
    out = {}
    for output_type in TRACK_OUTPUT_TYPES:
        rows = table[table["output_type"] == output_type.name]
        if len(rows):
            out[HEAD_FOR_OUTPUT[output_type]] = rows.reset_index(drop=True)
    return out


def _resolve(chrom: str, names: Mapping[str, int] | Sequence[str], *, what: str) -> str:
    for alias in contig_aliases(chrom):
        if alias in names:
            return alias
    raise KeyError(f"contig {chrom!r} is not in the {what}")


class BigWigTracks:
    """Open bigWigs of one head; `values(interval)` is `[S, T]` float32, missing data as 0."""

    def __init__(self, files: Sequence[str]) -> None:
        self.files = list(files)
        self._handles = [pyBigWig.open(f) for f in self.files]
        for file, handle in zip(self.files, self._handles, strict=True):
            if handle is None or not handle.isBigWig():
                raise ValueError(f"{file} is not a bigWig")

    def values(self, chrom: str, start: int, end: int) -> Float[np.ndarray, "S T"]:
        out = np.zeros((end - start, len(self._handles)), np.float32)
        for column, handle in enumerate(self._handles):
            contig = _resolve(chrom, handle.chroms(), what="bigWig")
            length = handle.chroms()[contig]
            lo, hi = max(start, 0), min(end, length)
            if lo < hi:
                out[lo - start : hi - start, column] = handle.values(contig, lo, hi, numpy=True)
        return np.nan_to_num(out, nan=0.0)

    def nonzero_means(self, regions: Sequence[Interval]) -> PerTrack:
        """Mean of the non-zero values of each track over `regions` (the spec's `nonzero_mean`).

        1 where a track has no non-zero value, so scaling never divides by zero.
        """
        means = np.ones(len(self._handles), np.float32)
        for column, handle in enumerate(self._handles):
            total, count = 0.0, 0
            for region in regions:
                contig = _resolve(region.chrom, handle.chroms(), what="bigWig")
                for lo, hi, value in handle.intervals(contig, region.start, region.end) or ():
                    lo, hi = max(lo, region.start), min(hi, region.end)
                    if value != 0 and np.isfinite(value) and hi > lo:
                        total += float(value) * (hi - lo)
                        count += hi - lo
            if count:
                means[column] = total / count
        return means

    def close(self) -> None:
        for handle in self._handles:
            handle.close()


# Splice sites --------------------------------------------------------------------------------


def splice_sites_from_genes(genes: pd.DataFrame) -> pd.DataFrame:
    """Donor and acceptor sites of every transcript in a `model.annotations` gene table.

    A site is the exonic base next to an intron, as `model.spliceai.evaluation.annotated_sites`:
    on `+` the donor is an exon's last base and the acceptor the next exon's first base; on `-`
    the two swap. Returns `chrom, position, strand, kind`, duplicates (shared by isoforms) dropped.
    """
    rows: list[tuple[str, int, str, str]] = []
    for gene in genes.itertuples(index=False):
        order = np.argsort(gene.exon_starts)
        starts, ends = np.asarray(gene.exon_starts)[order], np.asarray(gene.exon_ends)[order]
        left_last, right_first = ends[:-1] - 1, starts[1:]
        donors, acceptors = (left_last, right_first) if gene.strand == "+" else (right_first, left_last)
        rows += [(str(gene.chrom), int(p), str(gene.strand), "donor") for p in donors]
        rows += [(str(gene.chrom), int(p), str(gene.strand), "acceptor") for p in acceptors]
    frame = pd.DataFrame(rows, columns=["chrom", "position", "strand", "kind"])
    return frame.drop_duplicates().sort_values(["chrom", "position", "strand", "kind"]).reset_index(drop=True)


def read_splice_sites(path: str | Path) -> pd.DataFrame:
    """A splice-site table (CSV/TSV): `chrom, position (0-based), strand, kind (donor|acceptor)`."""
    frame = pd.read_csv(path, sep=None, engine="python", dtype={"chrom": str})
    missing = {"chrom", "position", "strand", "kind"} - set(frame)
    if missing:
        raise ValueError(f"{Path(path).name}: missing columns {sorted(missing)}")
    bad = set(frame["kind"]) - {"donor", "acceptor"}
    if bad:
        raise ValueError(f"{Path(path).name}: kind must be donor or acceptor, got {sorted(bad)}")
    return frame


def read_splice_usage(path: str | Path) -> pd.DataFrame:
    """Usage table (CSV/TSV): `chrom, position, strand` and one value column per tissue."""
    frame = pd.read_csv(path, sep=None, engine="python", dtype={"chrom": str})
    missing = {"chrom", "position", "strand"} - set(frame)
    if missing:
        raise ValueError(f"{Path(path).name}: missing columns {sorted(missing)}")
    return frame


def usage_metadata(usage: pd.DataFrame) -> pd.DataFrame:
    """Head columns of a usage table: each tissue on `+`, then each on `-` (pairs for strand flips)."""
    tissues = [c for c in usage.columns if c not in ("chrom", "position", "strand")]
    return pd.DataFrame(
        {"name": [f"{t} {s}" for s in "+-" for t in tissues], "strand": [s for s in "+-" for _ in tissues]}
    )


class SpliceLabels:
    """Per-base splice-site classes and usage, looked up by window."""

    def __init__(self, sites: pd.DataFrame | None, usage: pd.DataFrame | None) -> None:
        self.sites = self._by_chrom(sites)
        self.usage = self._by_chrom(usage)
        self.tissues = (
            [c for c in usage.columns if c not in ("chrom", "position", "strand")]
            if usage is not None
            else []
        )
        self.usage_metadata = usage_metadata(usage) if usage is not None else None

    @staticmethod
    def _by_chrom(frame: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
        if frame is None:
            return {}
        return {
            str(chrom): rows.sort_values("position").reset_index(drop=True)
            for chrom, rows in frame.groupby("chrom")
        }

    def _rows(
        self, table: Mapping[str, pd.DataFrame], chrom: str, start: int, end: int
    ) -> pd.DataFrame | None:
        for alias in contig_aliases(chrom):
            if alias in table:
                rows = table[alias]
                lo, hi = np.searchsorted(rows["position"].to_numpy(), [start, end])
                return rows.iloc[lo:hi]
        return None

    def classes(self, chrom: str, start: int, end: int) -> Float[np.ndarray, "S 5"]:
        """One-hot `[S, 5]` in the head's order (donor+, acceptor+, donor-, acceptor-, other)."""
        labels = np.zeros((end - start, 5), np.float32)
        rows = self._rows(self.sites, chrom, start, end)
        if rows is not None:
            for index, (kind, strand) in enumerate(SPLICE_CLASSES):
                chosen = rows[(rows["kind"] == kind) & (rows["strand"] == strand)]
                labels[chosen["position"].to_numpy() - start, index] = 1.0
        labels[labels[:, :4].sum(axis=1) == 0, OTHER_CLASS] = 1.0
        return labels

    def usage_values(self, chrom: str, start: int, end: int) -> Float[np.ndarray, "S T"]:
        """`[S, 2 * tissues]` usage (`+` tissues then `-`); 0 away from sites, NaN where unknown."""
        count = len(self.tissues)
        values = np.zeros((end - start, 2 * count), np.float32)
        rows = self._rows(self.usage, chrom, start, end)
        if rows is not None and len(rows):
            offsets = rows["position"].to_numpy() - start
            data = rows[self.tissues].to_numpy(np.float32)
            minus = (rows["strand"] == "-").to_numpy()
            values[offsets[~minus], :count] = data[~minus]
            values[offsets[minus], count:] = data[minus]
        return values


# Examples ------------------------------------------------------------------------------------


@dataclasses.dataclass
class TrainingData:
    """Everything needed to cut examples: genome, folds, the heads' targets.

    Attributes:
      tracks: per head, its bigWigs (`BigWigTracks`) and metadata rows (`track_heads`).
      splice: splice-site classes and usage, or None.
      organism: 0 human, 1 mouse (every example).
    """

    genome: SequenceSource
    folds: Folds
    sequence_length: int
    tracks: dict[HeadName, tuple[BigWigTracks, pd.DataFrame]]
    splice: SpliceLabels | None = None
    organism: int = 0
    _windows: dict[tuple[str, int], list[Interval]] = dataclasses.field(
        default_factory=dict, init=False, repr=False
    )

    def windows(self, split: str, margin: int = 0) -> list[Interval]:
        """`folds.windows(split, sequence_length, margin)`, tiled once per run."""
        key = (split, margin)
        if key not in self._windows:
            self._windows[key] = self.folds.windows(split, self.sequence_length, margin)
        return self._windows[key]

    @property
    def heads(self) -> list[HeadName]:
        """Heads that have targets, in `HeadName` order."""
        present = set(self.tracks)
        if self.splice is not None and self.splice.sites:
            present.add(HeadName.SPLICE_SITES_CLASSIFICATION)
        if self.splice is not None and self.splice.tissues:
            present.add(HeadName.SPLICE_SITES_USAGE)
        return [h for h in HeadName if h in present]

    def track_counts(self) -> dict[HeadName, int]:
        counts = {head: len(meta) for head, (_, meta) in self.tracks.items()}
        if self.splice is not None and self.splice.tissues:
            counts[HeadName.SPLICE_SITES_USAGE] = 2 * len(self.splice.tissues)
        return counts

    def nonzero_means(self) -> dict[HeadName, np.ndarray]:
        """Per track head, the `nonzero_mean` of each track over the training regions."""
        regions = list(self.folds.regions.get("train", ()))
        return {head: bigwigs.nonzero_means(regions) for head, (bigwigs, _) in self.tracks.items()}

    def example(self, interval: Interval, *, reverse: bool = False) -> Example:
        """One example; `reverse` gives the reverse complement with its targets flipped to match."""
        chrom, start, end = interval.chrom, interval.start, interval.end
        sequence = self.genome.fetch(chrom, start, end)
        out: Example = {
            "dna": one_hot(reverse_complement(sequence) if reverse else sequence),
            "organism": np.asarray(self.organism, np.int32),
        }
        for head, (bigwigs, metadata) in self.tracks.items():
            values = bigwigs.values(chrom, start, end)
            output_type = HEAD_CONFIGS[head].output_type
            if reverse:
                values = reverse_complement_values(
                    output_type, values, strand_reindexing(metadata, output_type)
                )
            out[f"tracks/{head.value}"] = values.astype(np.float32)
        if self.splice is not None and self.splice.sites:
            labels = self.splice.classes(chrom, start, end)
            if reverse:
                labels = reverse_complement_values(OutputType.SPLICE_SITES, labels, SPLICE_CLASS_REINDEX)
            out["splice_sites"] = labels
        if self.splice is not None and self.splice.tissues and self.splice.usage_metadata is not None:
            usage = self.splice.usage_values(chrom, start, end)
            if reverse:
                reindex = strand_reindexing(self.splice.usage_metadata, OutputType.SPLICE_SITE_USAGE)
                usage = reverse_complement_values(OutputType.SPLICE_SITE_USAGE, usage, reindex)
            out["splice_site_usage"] = usage
        return out

    def train_batch(
        self, step: int, batch_size: int, *, seed: int, max_shift: int, reverse_complement_rate: float
    ) -> Example:
        """The batch of training step `step`: a pure function of `(seed, step)`.

        Each example is a training window shifted by a uniform offset in `[-max_shift, max_shift]`
        (windows are `max_shift` clear of their region's ends) and reverse-complemented with
        probability `reverse_complement_rate`.
        """
        windows = self.windows("train", max_shift)
        if not windows:
            raise ValueError(
                f"no {self.sequence_length} bp training window fits (shift margin {max_shift} bp)"
            )
        rng = np.random.default_rng([seed, step])
        picks = rng.integers(0, len(windows), batch_size)
        shifts = rng.integers(-max_shift, max_shift + 1, batch_size)
        flips = rng.random(batch_size) < reverse_complement_rate
        examples = []
        for pick, shift, flip in zip(picks, shifts, flips, strict=True):
            window = windows[int(pick)]
            moved = Interval(window.chrom, window.start + int(shift), window.end + int(shift), "+")
            examples.append(self.example(moved, reverse=bool(flip)))
        return stack(examples)

    def eval_batches(
        self, split: str, batch_size: int, *, max_windows: int | None = None
    ) -> Iterator[Example]:
        """Fixed windows of `split` (forward strand, no shift), `max_windows` evenly spread if set."""
        windows = self.windows(split)
        if max_windows is not None and len(windows) > max_windows:
            chosen = np.linspace(0, len(windows) - 1, max_windows).round().astype(int)
            windows = [windows[i] for i in chosen]
        for i in range(0, len(windows), batch_size):
            yield stack([self.example(w) for w in windows[i : i + batch_size]])


def stack(examples: Sequence[Example]) -> Example:
    """Examples -> a batch (a new leading axis on every array)."""
    return {key: np.stack([e[key] for e in examples]) for key in examples[0]}
