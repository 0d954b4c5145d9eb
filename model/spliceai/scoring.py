"""Variant scoring with SpliceAI's own VCF-annotation semantics (spliceai 1.3.1 `get_delta_scores`).

For every gene of the annotation table whose transcript contains the variant position, and
every ALT allele, the REF and ALT windows (±(5,000 + distance) bp, bases outside the
transcript replaced by N, reverse-complemented for `-` strand genes) are predicted and the
largest acceptor/donor gain and loss within ±distance bp are reported, with their offsets
from the variant in forward genomic coordinates. Deletions get zeros inserted in the ALT
track, insertions are collapsed to their maximum, MNVs/complex alleles are reported as
`.`; records SpliceAI would skip carry a `skipped` reason instead of vanishing.

Speed: the REF prediction is shared by all variants of a gene within a cluster (one pass
over the region), and ALT windows run batched and jit-compiled.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from model.annotations import read_spliceai_table
from model.genome import ContigNotFoundError, Genome, contig_aliases, reverse_complement
from model.outputs import OutputType
from model.spliceai.ensemble import FLANK, SpliceAIEnsemble, default_ensemble, mask_outside
from model.strand import reverse_complement_values

DEFAULT_DISTANCE = 50
MAX_DISTANCE = 4999
INFO_FORMAT = "ALLELE|SYMBOL|DS_AG|DS_AL|DS_DG|DS_DL|DP_AG|DP_AL|DP_DG|DP_DL"

# Reasons SpliceAI logs "Skipping record (...)"; we keep the record and say why.
# Codes have no spaces so that they fit a VCF INFO value.
SKIP_BAD_INPUT = "bad_input"
SKIP_CONTIG = "contig_not_in_reference"
SKIP_REF_MISMATCH = "ref_mismatch"
SKIP_CHROM_END = "near_chromosome_end"
SKIP_REF_TOO_LONG = "ref_too_long"

_IGNORED_ALT_CHARS = (".", "-", "*", "<", ">")
# Variants of a gene whose ±d outputs fit in one of the ensemble's region sizes share one REF
# pass (8,192 + 10,000 input bases serve them all; separate passes cost 10,000 + 2d each);
# the widest size is used for at least _MIN_WIDE_PASS tasks; a pass takes <= _MAX_VARIANTS.
_MAX_VARIANTS = 32
_MIN_WIDE_PASS = 4


@dataclasses.dataclass(frozen=True)
class SpliceVariant:
    """A VCF record: `pos` is 1-based, `alts` may hold several alleles."""

    chrom: str
    pos: int
    ref: str
    alts: tuple[str, ...]
    id: str | None = None

    def __str__(self) -> str:
        return f"{self.chrom}:{self.pos}:{self.ref}>{','.join(self.alts)}"


@dataclasses.dataclass(frozen=True)
class GeneScore:
    """SpliceAI delta scores of one ALT allele in one gene.

    `ds_*` are probabilities in [0, 1] (None for alleles SpliceAI reports as `.`); `dp_*` are
    offsets in bp from the variant's POS, forward genomic strand, negative = upstream.
    `masked` records whether `--mask` was applied.
    """

    allele: str
    gene: str
    strand: str
    ds_ag: float | None
    ds_al: float | None
    ds_dg: float | None
    ds_dl: float | None
    dp_ag: int | None
    dp_al: int | None
    dp_dg: int | None
    dp_dl: int | None

    def to_info(self) -> str:
        """The `ALLELE|SYMBOL|DS_AG|DS_AL|DS_DG|DS_DL|DP_AG|DP_AL|DP_DG|DP_DL` field."""
        if self.ds_ag is None:
            return f"{self.allele}|{self.gene}|.|.|.|.|.|.|.|."
        ds = "|".join(f"{v:.2f}" for v in (self.ds_ag, self.ds_al, self.ds_dg, self.ds_dl))
        dp = "|".join(str(v) for v in (self.dp_ag, self.dp_al, self.dp_dg, self.dp_dl))
        return f"{self.allele}|{self.gene}|{ds}|{dp}"


@dataclasses.dataclass
class VariantScores:
    """All gene scores of one record, or why SpliceAI would skip it (`skipped`)."""

    variant: SpliceVariant
    scores: list[GeneScore] = dataclasses.field(default_factory=list)
    skipped: str | None = None

    @property
    def info(self) -> list[str]:
        return [s.to_info() for s in self.scores]


@dataclasses.dataclass(frozen=True)
class _Gene:
    row: int
    name: str
    strand: str
    start: int  # 0-based transcript start
    end: int  # exclusive
    boundaries: np.ndarray  # 1-based exon first/last bases, sorted (SpliceAI's union1d)


@dataclasses.dataclass
class _Task:
    result: VariantScores
    slot: int
    gene: _Gene
    contig: str
    allele: str

    @property
    def is_snv(self) -> bool:
        return len(self.result.variant.ref) == 1 and len(self.allele) == 1


class GeneIndex:
    """The annotation table as per-contig arrays for fast point lookups (SpliceAI's semantics)."""

    def __init__(self, table: pd.DataFrame) -> None:
        self.table = table.reset_index(drop=True)
        self._by_contig: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        chroms = self.table["chrom"].astype(str).to_numpy()
        for contig in dict.fromkeys(chroms):
            rows = np.flatnonzero(chroms == contig)
            self._by_contig[contig] = (
                rows,
                self.table["start"].to_numpy()[rows],
                self.table["end"].to_numpy()[rows],
            )
        self._genes: dict[int, _Gene] = {}

    def overlapping(self, chrom: str, pos: int) -> list[_Gene]:
        """Genes whose transcript contains 1-based `pos` (TX_START < pos <= TX_END), table order."""
        for alias in contig_aliases(chrom):
            if alias in self._by_contig:
                rows, starts, ends = self._by_contig[alias]
                return [self.gene(int(r)) for r in rows[(starts < pos) & (pos <= ends)]]
        return []

    def gene(self, row: int) -> _Gene:
        if row not in self._genes:
            rec = self.table.iloc[row]
            boundaries = np.union1d(np.asarray(rec["exon_starts"]) + 1, np.asarray(rec["exon_ends"]))
            self._genes[row] = _Gene(
                row, str(rec["gene_name"]), str(rec["strand"]), int(rec["start"]), int(rec["end"]), boundaries
            )
        return self._genes[row]


def load_annotation(annotation: str | Path | pd.DataFrame) -> pd.DataFrame:
    """`grch37`/`grch38` (SpliceAI's packaged tables), a path to such a table, or a gene table."""
    if isinstance(annotation, pd.DataFrame):
        return annotation
    if str(annotation) in {"grch37", "grch38"}:
        from model.demo_assets import spliceai_annotation_path

        return read_spliceai_table(spliceai_annotation_path(str(annotation)))
    return read_spliceai_table(annotation)


class SpliceAIScorer:
    """Scores variants like `spliceai -D distance -M mask`, faster.

    Args:
      genome: reference FASTA (path or `Genome`); contig names `20`/`chr20` both resolve.
      annotation: `grch37`, `grch38`, a SpliceAI-format table path, or a gene table.
      distance: ±bp searched for gained/lost sites (0..4999, SpliceAI's `-D`).
      mask: SpliceAI's `-M 1`: zero gains at annotated sites and losses at unannotated ones.
      ensemble: the model (default: the packaged five-model ensemble, loaded once per process).
    """

    def __init__(
        self,
        genome: Genome | str | Path,
        annotation: str | Path | pd.DataFrame = "grch37",
        distance: int = DEFAULT_DISTANCE,
        mask: bool = False,
        ensemble: SpliceAIEnsemble | None = None,
    ) -> None:
        if not 0 <= distance <= MAX_DISTANCE:
            raise ValueError(f"distance must be in 0..{MAX_DISTANCE}, got {distance}")
        self.genome = genome if isinstance(genome, Genome) else Genome(genome)
        self.genes = GeneIndex(load_annotation(annotation))
        self.distance = distance
        self.mask = bool(mask)
        self.ensemble = ensemble or default_ensemble()

    @property
    def half_window(self) -> int:
        """Bases on each side of the variant in SpliceAI's window (`wid // 2`)."""
        return FLANK + self.distance

    def score(
        self,
        variants: Iterable[SpliceVariant],
        chunk_size: int = 256,
        on_progress: Callable[[int], None] | None = None,
    ) -> Iterator[VariantScores]:
        """Yield one `VariantScores` per input record, in input order, `chunk_size` at a time."""
        chunk: list[SpliceVariant] = []
        for variant in variants:
            chunk.append(variant)
            if len(chunk) >= chunk_size:
                yield from self.score_batch(chunk)
                if on_progress:
                    on_progress(len(chunk))
                chunk = []
        if chunk:
            yield from self.score_batch(chunk)
            if on_progress:
                on_progress(len(chunk))

    def score_variant(self, variant: SpliceVariant) -> VariantScores:
        """Score a single record."""
        return self.score_batch([variant])[0]

    # -- internals -------------------------------------------------------------------------

    def score_batch(self, variants: Sequence[SpliceVariant]) -> list[VariantScores]:
        """Score records together (shared REF passes, batched ALT windows), in input order."""
        results = [VariantScores(v) for v in variants]
        tasks: list[_Task] = []
        for result in results:
            tasks.extend(self._plan(result))
        if tasks:
            self._run(tasks)
        return results

    def _plan(self, result: VariantScores) -> list[_Task]:
        """Checks in SpliceAI's order; returns the (allele, gene) pairs that need the model."""
        v = result.variant
        if not v.chrom or v.pos is None or not v.ref or not v.alts:
            result.skipped = SKIP_BAD_INPUT
            return []
        genes = self.genes.overlapping(v.chrom, v.pos)
        if not genes:
            return []
        try:
            contig = self.genome.resolve_contig(v.chrom)
        except ContigNotFoundError:
            result.skipped = SKIP_CONTIG
            return []
        p0 = v.pos - 1
        if self.genome.fetch(contig, p0, p0 + len(v.ref)) != v.ref:
            result.skipped = SKIP_REF_MISMATCH
            return []
        if p0 - self.half_window < 0 or p0 + self.half_window + 1 > self.genome.lengths[contig]:
            result.skipped = SKIP_CHROM_END
            return []
        if len(v.ref) > 2 * self.distance:
            result.skipped = SKIP_REF_TOO_LONG
            return []
        tasks = []
        for allele in v.alts:
            for gene in genes:
                if any(c in allele for c in _IGNORED_ALT_CHARS):
                    continue
                if len(v.ref) > 1 and len(allele) > 1:
                    result.scores.append(GeneScore(allele, gene.name, gene.strand, *([None] * 8)))
                    continue
                result.scores.append(None)  # type: ignore[arg-type]  # filled in by _run
                tasks.append(_Task(result, len(result.scores) - 1, gene, contig, allele))
        return tasks

    def _run(self, tasks: list[_Task]) -> None:
        """Predict REF and ALT for every (allele, gene) task and fill in its scores."""
        d, half = self.distance, self.half_window
        y_ref: list[np.ndarray | None] = [None] * len(tasks)
        y_alt: list[np.ndarray | None] = [None] * len(tasks)
        by_gene: dict[tuple[str, int], list[int]] = {}
        for i, task in enumerate(tasks):
            by_gene.setdefault((task.contig, task.gene.row), []).append(i)
        for (contig, _), members in by_gene.items():
            members.sort(key=lambda i: tasks[i].result.variant.pos)
            for cluster in self._plan_passes(members, lambda i: tasks[i].result.variant.pos - 1):
                self._run_cluster(contig, [tasks[i] for i in cluster], cluster, y_ref, y_alt)
        # indels: one full ALT window each (their lengths differ), batched
        indels = [i for i, task in enumerate(tasks) if not task.is_snv]
        windows = []
        for i in indels:
            task = tasks[i]
            v, p0 = task.result.variant, task.result.variant.pos - 1
            window = self.genome.fetch(task.contig, p0 - half, p0 + half + 1)
            window = mask_outside(window, p0 - half, (task.gene.start, task.gene.end))
            alt = window[:half] + task.allele + window[half + len(v.ref) :]
            windows.append(reverse_complement(alt) if task.gene.strand == "-" else alt)
        for i, probs in zip(indels, self.ensemble.predict_windows(windows), strict=True):
            y_alt[i] = _forward_order(probs) if tasks[i].gene.strand == "-" else probs
        for task, ref, alt in zip(tasks, y_ref, y_alt, strict=True):
            assert ref is not None and alt is not None
            task.result.scores[task.slot] = self._delta(task, ref, alt, d)

    def _plan_passes(self, members: list[int], position: Callable[[int], int]) -> Iterator[list[int]]:
        """Group a gene's sorted tasks into REF passes over the ensemble's region sizes.

        A wide region pays off only with enough variants in it (measured on CPU: one pass of
        8,192 outputs costs about three of 128), so sparse variants get small passes.
        """
        d, sizes = self.distance, self.ensemble.region_sizes
        for wide in _clusters(members, position, sizes[-1] - 2 * d):
            if len(wide) >= _MIN_WIDE_PASS or len(sizes) < 2:
                yield wide
            else:
                yield from _clusters(wide, position, max(sizes[-2] - 2 * d, 1))

    def _run_cluster(
        self,
        contig: str,
        cluster: list[_Task],
        ids: list[int],
        y_ref: list[np.ndarray | None],
        y_alt: list[np.ndarray | None],
    ) -> None:
        """One REF pass over the cluster's region (gene-masked), ALT for its SNVs alongside."""
        d, gene = self.distance, cluster[0].gene
        first = cluster[0].result.variant.pos - 1 - d
        last = cluster[-1].result.variant.pos - 1 + d + 1
        n_out = last - first
        sequence = self.genome.fetch(contig, first - FLANK, last + FLANK)
        sequence = mask_outside(sequence, first - FLANK, (gene.start, gene.end))
        snvs = [k for k, task in enumerate(cluster) if task.is_snv]
        offsets = [cluster[k].result.variant.pos - 1 - first for k in snvs]
        bases = [cluster[k].allele for k in snvs]
        if gene.strand == "-":
            sequence = reverse_complement(sequence)
            offsets = [n_out - 1 - o for o in offsets]
            bases = [reverse_complement(b) for b in bases]
        ref, alts = self.ensemble.predict_with_snvs(sequence, offsets, bases, d)
        if gene.strand == "-":
            ref, alts = _forward_order(ref), _forward_order(alts)
        for task, i in zip(cluster, ids, strict=True):
            offset = task.result.variant.pos - 1 - first
            y_ref[i] = ref[offset - d : offset + d + 1]
        for k, alt in zip(snvs, alts, strict=True):
            y_alt[ids[k]] = alt

    def _delta(self, task: _Task, y_ref: np.ndarray, y_alt: np.ndarray, d: int) -> GeneScore:
        v = task.result.variant
        ref_len, alt_len = len(v.ref), len(task.allele)
        cov = 2 * d + 1
        if ref_len > 1 and alt_len == 1:
            y_alt = np.concatenate(
                [y_alt[: d + alt_len], np.zeros((ref_len - alt_len, 3)), y_alt[d + alt_len :]]
            )
        elif ref_len == 1 and alt_len > 1:
            collapsed = y_alt[d : d + alt_len].max(axis=0)[None]
            y_alt = np.concatenate([y_alt[:d], collapsed, y_alt[d + alt_len :]])
        assert y_alt.shape[0] == cov and y_ref.shape[0] == cov, (y_alt.shape, y_ref.shape)
        gain_a = y_alt[:, 1] - y_ref[:, 1]
        gain_d = y_alt[:, 2] - y_ref[:, 2]
        idx_pa, idx_na = int(gain_a.argmax()), int((-gain_a).argmax())
        idx_pd, idx_nd = int(gain_d.argmax()), int((-gain_d).argmax())
        # SpliceAI's get_pos_data: offset of the single nearest exon boundary (ties → upstream)
        offsets = task.gene.boundaries - v.pos
        nearest = int(offsets[np.argmin(np.abs(offsets))])
        keep_pa = 0 if self.mask and idx_pa - d == nearest else 1
        keep_na = 0 if self.mask and idx_na - d != nearest else 1
        keep_pd = 0 if self.mask and idx_pd - d == nearest else 1
        keep_nd = 0 if self.mask and idx_nd - d != nearest else 1
        return GeneScore(
            task.allele,
            task.gene.name,
            task.gene.strand,
            float(y_alt[idx_pa, 1] - y_ref[idx_pa, 1]) * keep_pa,
            float(y_ref[idx_na, 1] - y_alt[idx_na, 1]) * keep_na,
            float(y_alt[idx_pd, 2] - y_ref[idx_pd, 2]) * keep_pd,
            float(y_ref[idx_nd, 2] - y_alt[idx_nd, 2]) * keep_nd,
            idx_pa - d,
            idx_na - d,
            idx_pd - d,
            idx_nd - d,
        )


def _clusters(members: list[int], position: Callable[[int], int], max_span: int) -> Iterator[list[int]]:
    """Greedy runs of position-sorted `members` whose REF region (±d included) fits `max_span`."""
    cluster = [members[0]]
    for i in members[1:]:
        if position(i) - position(cluster[0]) >= max_span or len(cluster) >= _MAX_VARIANTS:
            yield cluster
            cluster = [i]
        else:
            cluster.append(i)
    yield cluster


def score_variants(
    variants: Iterable[SpliceVariant],
    fasta: Genome | str | Path,
    annotation: str | Path | pd.DataFrame = "grch37",
    distance: int = DEFAULT_DISTANCE,
    mask: bool = False,
) -> list[VariantScores]:
    """Score records with SpliceAI's semantics; see `SpliceAIScorer`."""
    return list(SpliceAIScorer(fasta, annotation, distance, mask).score(variants))


def _forward_order(probabilities: np.ndarray) -> np.ndarray:
    """Class probabilities `[..., L, 3]` predicted on a reverse complement, in forward base order."""
    return reverse_complement_values(OutputType.SPLICE_SITES, probabilities, None)
