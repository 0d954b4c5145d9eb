"""The scoring engine: variants in, REF/ALT forward passes through any backend, scores out.

`score_variants` is the one entry point the web app's Celery task and the gRPC server call.
It groups variants into prediction windows (variants within a quarter window of a shared
centre share one window), runs **one REF pass per window** and one ALT pass per variant,
batches the sequences through `Backend.predict`, aligns indels, applies every scorer and
returns a `ScoringResult` (score blocks, tidy frame, forward-pass counts).

A scorer that cannot be computed here (the backend lacks its output type, no annotation,
no polyadenylation sites, wrong organism) raises `ScorerNotApplicableError` naming the
reason, or, with `on_unsupported="skip"`, is listed in `ScoringResult.skipped`; it never
produces numbers.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
import pandas as pd

from model.genome import Genome, Interval
from model.outputs import Backend, Organism, OutputType, TrackSet
from model.scoring import aggregations as agg
from model.scoring.alignment import align_alternate
from model.scoring.masks import GeneIndex, WindowGrid, contig_key, strand_match
from model.scoring.results import ScoreBlock, merge_stranded_gene_tracks, tidy_scores, write_tsv, write_vcf
from model.scoring.scorers import (
    GENE_SCORERS,
    SUPPORTED_ORGANISMS,
    BaseVariantScorer,
    CenterMaskScorer,
    GeneMaskScorer,
    GeneMaskSplicingScorer,
    ScorerNotApplicableError,
    VariantScorer,
    from_sdk,
    get_recommended_scorers,
)
from model.scoring.variants import Variant, WindowPlan, as_variant, plan_windows

ProgressCallback = Callable[[int, int], None]
Predictions = Mapping[OutputType, Any]


class QuantileSource(Protocol):
    """What the engine needs from a quantile background (see `model.scoring.quantiles`)."""

    def transform(self, block: ScoreBlock) -> np.ndarray | None: ...


@dataclasses.dataclass(frozen=True)
class JunctionSet:
    """Predicted splice junctions of one window.

    Attributes:
      starts, ends: int `[J]` genomic junction coordinates, 0-based (`+`: start = donor + 1,
        end = acceptor; `-`: start = acceptor + 1, end = donor).
      strands: `[J]` of `+`/`-`.
      values: float `[J, T]` predicted junction counts per tissue.
      metadata: `T` rows with `name` (and optional tissue columns).
    """

    starts: np.ndarray
    ends: np.ndarray
    strands: np.ndarray
    values: np.ndarray
    metadata: pd.DataFrame


def junctions_from_prediction(prediction: Any, origin: int) -> JunctionSet:
    """A `JunctionSet` from a backend's SPLICE_JUNCTIONS output.

    Returns a `JunctionSet` in genomic coordinates. Accepted: a `JunctionSet` (already genomic,
    returned as it is), or an object with
    `values [K, K, 2T]` (donor × acceptor × (+ tissues, − tissues), AlphaGenome's head layout),
    `splice_site_positions int [4, K]` (donor+, acceptor+, donor−, acceptor−; window-relative,
    −1 = padding) and `metadata` (T rows, or 2T rows whose first half names the tissues).
    """
    if isinstance(prediction, JunctionSet):
        return prediction
    positions = getattr(prediction, "splice_site_positions", None)
    if positions is None:
        raise ScorerNotApplicableError(
            "SpliceJunctionScorer needs junction predictions with splice-site positions; this backend's "
            "SPLICE_JUNCTIONS output has none"
        )
    values = np.asarray(prediction.values)
    tissues = values.shape[-1] // 2
    metadata = prediction.metadata.iloc[:tissues].reset_index(drop=True)
    starts, ends, strands, rows = [], [], [], []
    for strand, (donor_row, acceptor_row) in (("+", (0, 1)), ("-", (2, 3))):
        donors = np.asarray(positions[donor_row])
        acceptors = np.asarray(positions[acceptor_row])
        d_idx, a_idx = np.nonzero((donors[:, None] >= 0) & (acceptors[None, :] >= 0))
        channel = slice(0, tissues) if strand == "+" else slice(tissues, 2 * tissues)
        donor_pos, acceptor_pos = donors[d_idx] + origin, acceptors[a_idx] + origin
        if strand == "+":
            start, end = donor_pos + 1, acceptor_pos
        else:
            start, end = acceptor_pos + 1, donor_pos
        keep = start < end
        starts.append(start[keep])
        ends.append(end[keep])
        strands.append(np.full(int(keep.sum()), strand))
        rows.append(values[d_idx[keep], a_idx[keep], channel])
    return JunctionSet(
        np.concatenate(starts),
        np.concatenate(ends),
        np.concatenate(strands),
        np.concatenate(rows).astype(np.float32) if rows else np.zeros((0, tissues), np.float32),
        metadata,
    )


@dataclasses.dataclass
class ScoringResult:
    """Scores of a batch of variants and how many forward passes they cost.

    Attributes:
      variants: the batch, in input order.
      variant_blocks: per variant (input order), one `ScoreBlock` per applicable scorer (scorer
        order): what the gRPC layer returns for one `ScoreVariant` request.
      windows: the prediction windows used.
      ref_passes, alt_passes: sequences sent through the backend for REF and ALT.
      per_variant_passes: float `[N]`: 1 ALT pass plus the variant's share of its window's REF pass.
      skipped: scorer name → reason, for scorers that do not apply here.
      backend, provenance, weights_trained: which model made the predictions.
    """

    variants: list[Variant]
    variant_blocks: list[list[ScoreBlock]]
    windows: list[WindowPlan]
    ref_passes: int
    alt_passes: int
    per_variant_passes: np.ndarray
    skipped: dict[str, str]
    backend: str = ""
    provenance: str = ""
    weights_trained: bool = False

    @property
    def blocks(self) -> list[ScoreBlock]:
        """All blocks, variants in input order."""
        return [block for per_variant in self.variant_blocks for block in per_variant]

    @property
    def forward_passes(self) -> int:
        return self.ref_passes + self.alt_passes

    @property
    def passes_per_variant(self) -> float:
        return self.forward_passes / max(len(self.variants), 1)

    def tidy(self, *, match_gene_strand: bool = True, include_extended_metadata: bool = True) -> pd.DataFrame:
        """The SDK's `tidy_scores` frame over all blocks."""
        return tidy_scores(
            self.blocks,
            match_gene_strand=match_gene_strand,
            include_extended_metadata=include_extended_metadata,
        )

    def to_tsv(self, path: str | Path) -> Path:
        return write_tsv(self.tidy(), path)

    def to_vcf(self, path: str | Path, *, top: int = 5, reference_name: str = "") -> Path:
        ids = {str(v): v.name for v in self.variants if v.name}
        return write_vcf(
            self.tidy(),
            path,
            top=top,
            reference_name=reference_name,
            source=f"genomeapp {self.backend}",
            ids=ids,
        )


# --- annotation handling ------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _index_for_path(path: str) -> GeneIndex:
    from model.annotations import read_annotation

    return GeneIndex(read_annotation(path))


def as_gene_index(annotation: GeneIndex | pd.DataFrame | str | Path | None) -> GeneIndex | None:
    """A `GeneIndex` from an index, a transcript table (GENE_COLUMNS) or an annotation file."""
    if annotation is None or isinstance(annotation, GeneIndex):
        return annotation
    if isinstance(annotation, pd.DataFrame):
        return GeneIndex(annotation)
    return _index_for_path(str(Path(annotation).resolve()))


PAS_COLUMNS = ("chrom", "position", "strand", "gene_id")


def _check_pas(pas_sites: pd.DataFrame | None) -> pd.DataFrame | None:
    if pas_sites is None:
        return None
    missing = [c for c in PAS_COLUMNS if c not in pas_sites]
    if missing:
        raise ValueError(f"polyadenylation-site table lacks columns {missing}; needs {PAS_COLUMNS}")
    table = pas_sites.copy()
    table["contig_key"] = table["chrom"].astype(str).map(contig_key)
    table["gene_key"] = table["gene_id"].astype(str).str.split(".").str[0]
    return table


# --- applicability ------------------------------------------------------------------------------------------


def applicability(
    scorer: VariantScorer,
    backend: Backend,
    organism: Organism,
    genes: GeneIndex | None,
    pas_sites: pd.DataFrame | None,
) -> str | None:
    """None when `scorer` can be computed here, else the reason it cannot."""
    output = scorer.requested_output
    provided = getattr(backend, "output_types", frozenset())
    if output not in provided:
        names = ", ".join(sorted(o.name for o in provided)) or "nothing"
        return (
            f"{scorer.name} needs {output.name} predictions, which backend "
            f"{getattr(backend, 'name', type(backend).__name__)!r} does not provide (it provides {names})"
        )
    if organism not in SUPPORTED_ORGANISMS[scorer.base_variant_scorer]:
        return f"{scorer.name} is not defined for {organism.name}"
    if scorer.base_variant_scorer in GENE_SCORERS and genes is None:
        return f"{scorer.name} needs a gene annotation and none was given"
    if scorer.base_variant_scorer is BaseVariantScorer.PA_QTL and pas_sites is None:
        return f"{scorer.name} needs polyadenylation sites (PolyA_DB v3 style) and none were given"
    return None


# --- per-variant scoring from predictions ------------------------------------------------------------------


def _grid(track_set: TrackSet, window: Interval) -> WindowGrid:
    """Bins of a track set over the window; a shorter output is taken as a centred crop."""
    bins = track_set.values.shape[0]
    covered = bins * track_set.resolution
    if covered > window.width:
        raise ValueError(f"backend returned {covered} bp of predictions for a {window.width} bp window")
    return WindowGrid(window.chrom, window.start + (window.width - covered) // 2, bins, track_set.resolution)


def _strand_nan(values: np.ndarray, genes: pd.DataFrame, tracks: pd.DataFrame) -> np.ndarray:
    return np.where(
        strand_match(genes["strand"].to_numpy(), tracks["strand"].to_numpy()), values, np.nan
    ).astype(np.float32)


def _aligned_alt(ref: TrackSet, alt: TrackSet, grid: WindowGrid, variant: Variant) -> np.ndarray:
    values = np.asarray(alt.values)
    if variant.is_indel and grid.resolution == 1:
        return align_alternate(values, variant.start - grid.origin, len(variant.ref), len(variant.alt))
    return values


def _score_one(
    scorer: VariantScorer,
    variant: Variant,
    window: Interval,
    ref: Predictions,
    alt: Predictions,
    genes: GeneIndex | None,
    pas_sites: pd.DataFrame | None,
) -> ScoreBlock:
    output = scorer.requested_output
    base = scorer.base_variant_scorer
    if base is BaseVariantScorer.SPLICE_JUNCTION:
        return _score_junctions(scorer, variant, window, ref[output], alt[output], genes)
    ref_set: TrackSet = ref[output]
    alt_set: TrackSet = alt[output]
    tracks = ref_set.metadata.reset_index(drop=True)
    grid = _grid(ref_set, window)
    ref_values = np.asarray(ref_set.values)
    if base is BaseVariantScorer.CONTACT_MAP:
        values = agg.contact_map_score(
            ref_values, np.asarray(alt_set.values), (variant.start - grid.origin) // grid.resolution
        )
        return ScoreBlock(scorer, window, variant, values[None], tracks)
    alt_values = _aligned_alt(ref_set, alt_set, grid, variant)
    if isinstance(scorer, CenterMaskScorer):
        mask = agg.center_mask(grid.num_bins, variant.start - grid.origin, scorer.width, grid.resolution)
        values = agg.aggregate_center(ref_values, alt_values, mask, scorer.aggregation_type)
        return ScoreBlock(scorer, window, variant, values[None], tracks)
    assert genes is not None
    if base in (BaseVariantScorer.GENE_MASK_LFC, BaseVariantScorer.GENE_MASK_ACTIVE):
        masks, gene_meta = genes.exon_masks(grid)
        fn = agg.gene_mask_lfc if base is BaseVariantScorer.GENE_MASK_LFC else agg.gene_mask_active
        values = fn(ref_values, alt_values, masks)
    elif base is BaseVariantScorer.GENE_MASK_SPLICING:
        assert isinstance(scorer, GeneMaskSplicingScorer)
        masks, gene_meta = genes.body_masks(
            grid, variant.start, max(variant.end, variant.start + len(variant.alt))
        )
        if scorer.width is not None:
            masks &= agg.center_mask(
                grid.num_bins, variant.start - grid.origin, scorer.width, grid.resolution
            )[:, None]
        values = agg.gene_mask_splicing(ref_values, alt_values, masks)
    elif base is BaseVariantScorer.PA_QTL:
        pas_masks, gene_meta = _pas_masks(grid, variant, genes, pas_sites)
        values = agg.paqtl_scores(ref_values, alt_values, pas_masks)
    else:  # pragma: no cover - every base is handled above
        raise AssertionError(base)
    gene_meta = gene_meta[["gene_id", "strand", "gene_name", "gene_type"]].reset_index(drop=True)
    return ScoreBlock(scorer, window, variant, _strand_nan(values, gene_meta, tracks), tracks, gene_meta)


PAS_WINDOW = 400


def _pas_masks(
    grid: WindowGrid, variant: Variant, genes: GeneIndex, pas_sites: pd.DataFrame | None
) -> tuple[list[np.ndarray], pd.DataFrame]:
    """Per gene overlapping the variant with >= 2 usable PAS: bool `[B, K]` 400 bp upstream windows."""
    assert pas_sites is not None
    overlapping = genes.genes_overlapping(
        grid.chrom, variant.start, max(variant.end, variant.start + len(variant.alt))
    )
    on_contig = pas_sites[pas_sites["contig_key"] == contig_key(grid.chrom)]
    masks: list[np.ndarray] = []
    kept = []
    for _, gene in overlapping.iterrows():
        sites = on_contig[
            (on_contig["gene_key"] == str(gene["gene_id"]).split(".")[0])
            & (on_contig["strand"] == gene["strand"])
        ]
        if sites.empty:
            continue
        inside = (sites["position"] >= grid.origin) & (sites["position"] + 1 < grid.end)
        if inside.mean() < 0.8:
            continue
        sites = sites[inside].sort_values("position")
        if len(sites) < 2:
            continue
        mask = np.zeros((grid.num_bins, len(sites)), dtype=bool)
        for k, position in enumerate(sites["position"].to_numpy()):
            start, end = (
                (position + 1 - PAS_WINDOW, position + 1)
                if gene["strand"] == "+"
                else (position, position + PAS_WINDOW)
            )
            mask[:, k] = grid.span_mask(np.array([start]), np.array([end]))
        masks.append(mask)
        kept.append(gene)
    frame = pd.DataFrame(kept) if kept else genes.genes.iloc[:0]
    return masks, genes._metadata(frame)


def _score_junctions(
    scorer: VariantScorer, variant: Variant, window: Interval, ref: Any, alt: Any, genes: GeneIndex | None
) -> ScoreBlock:
    assert genes is not None
    ref_j = junctions_from_prediction(ref, window.start)
    alt_j = junctions_from_prediction(alt, window.start)
    tissues = ref_j.metadata.reset_index(drop=True)
    tracks = pd.DataFrame({"name": tissues["name"], "strand": "."})
    for column in tissues.columns:
        if column not in ("name", "strand"):
            tracks[column] = tissues[column].to_numpy()
    # REF and ALT may predict different junction sets; a junction missing on one side counts 0.
    keys = pd.concat(
        [
            pd.DataFrame({"start": ref_j.starts, "end": ref_j.ends, "strand": ref_j.strands}),
            pd.DataFrame({"start": alt_j.starts, "end": alt_j.ends, "strand": alt_j.strands}),
        ]
    ).drop_duplicates(ignore_index=True)

    def on_keys(j: JunctionSet) -> np.ndarray:
        out = np.zeros((len(keys), len(tracks)), np.float64)
        index = pd.MultiIndex.from_frame(keys)
        rows = index.get_indexer(pd.MultiIndex.from_arrays([j.starts, j.ends, j.strands]))
        out[rows] = j.values
        return out

    delta = agg.junction_delta(on_keys(ref_j), on_keys(alt_j))
    overlapping = genes.genes_overlapping(
        window.chrom, variant.start, max(variant.end, variant.start + len(variant.alt)), protein_coding=True
    )
    rows, values = [], []
    for _, gene in overlapping.iterrows():
        inside = (
            (keys["strand"] == gene["strand"]) & (keys["start"] > gene["start"]) & (keys["end"] < gene["end"])
        ).to_numpy()
        if not inside.any() or len(tracks) == 0:
            continue
        gene_delta, gene_keys = delta[inside], keys[inside].reset_index(drop=True)
        for j in dict.fromkeys(np.argmax(gene_delta, axis=0).tolist()):
            rows.append(
                {
                    "gene_id": gene["gene_id"],
                    "strand": gene["strand"],
                    "gene_name": gene["gene_name"],
                    "gene_type": gene["gene_type"],
                    "junction_Start": int(gene_keys.loc[j, "start"]),
                    "junction_End": int(gene_keys.loc[j, "end"]),
                }
            )
            values.append(gene_delta[j])
    gene_meta = pd.DataFrame(
        rows, columns=["gene_id", "strand", "gene_name", "gene_type", "junction_Start", "junction_End"]
    )
    array = np.array(values, np.float32).reshape(len(rows), len(tracks))
    return ScoreBlock(scorer, window, variant, array, tracks, gene_meta)


def score_predictions(
    variant: Variant,
    window: Interval,
    ref: Predictions,
    alt: Predictions,
    scorers: Sequence[VariantScorer],
    *,
    annotation: GeneIndex | pd.DataFrame | str | Path | None = None,
    pas_sites: pd.DataFrame | None = None,
    background: QuantileSource | None = None,
    merge_stranded: bool = False,
) -> list[ScoreBlock]:
    """Score one variant from its REF and ALT predictions over `window` (no model calls).

    Args:
      variant: the variant; it must lie inside `window`.
      window: the genomic window both predictions cover.
      ref, alt: output type → `TrackSet` (`values [B, T]`, contact maps `[P, P, T]`) or, for
        SPLICE_JUNCTIONS, a `JunctionSet` or AlphaGenome-layout junction output.
      scorers: variant scorers; each must have its output in `ref` and `alt`.

    Returns:
      one `ScoreBlock` per scorer.
    """
    genes = as_gene_index(annotation)
    pas = pas_sites if pas_sites is None or "gene_key" in pas_sites else _check_pas(pas_sites)
    blocks = []
    for scorer in scorers:
        block = _score_one(scorer, variant, window, ref, alt, genes, pas)
        if merge_stranded:
            block = merge_stranded_gene_tracks(block)
        if background is not None:
            block.quantiles = background.transform(block)
        blocks.append(block)
    return blocks


# --- the batch entry point ----------------------------------------------------------------------------------


def _alt_sequence(genome: Genome, window: Interval, ref_sequence: str, variant: Variant) -> str:
    """The window's sequence with ALT in place of REF, left-anchored and cropped/extended to its width."""
    offset = variant.start - window.start
    deleted = max(len(variant.ref) - len(variant.alt), 0)
    tail = genome.fetch(window.chrom, window.end, window.end + deleted) if deleted else ""
    sequence = ref_sequence[:offset] + variant.alt + ref_sequence[offset + len(variant.ref) :] + tail
    return sequence[: window.width]


def _patched_reference(ref_sequence: str, window: Interval, variant: Variant) -> str:
    offset = variant.start - window.start
    return ref_sequence[:offset] + variant.ref + ref_sequence[offset + len(variant.ref) :]


def score_variants(
    backend: Backend,
    genome: Genome,
    variants: Iterable[Variant | str | Any],
    scorers: Sequence[VariantScorer | Any] | None = None,
    *,
    sequence_length: int,
    organism: Organism = Organism.HOMO_SAPIENS,
    annotation: GeneIndex | pd.DataFrame | str | Path | None = None,
    background: QuantileSource | None = None,
    progress: ProgressCallback | None = None,
    share_ref: bool = True,
    share_windows: bool = True,
    max_offset: int | None = None,
    batch_size: int = 8,
    ontology_terms: Sequence[str] | None = None,
    pas_sites: pd.DataFrame | None = None,
    merge_stranded: bool = False,
    on_unsupported: Literal["raise", "skip"] = "raise",
) -> ScoringResult:
    """Score a batch of variants with `backend` (the entry point for the web app and gRPC server).

    Args:
      backend: any `model.outputs.Backend` (AlphaGenome Flax, SpliceAI, ...).
      genome: the reference; REF alleles that differ from it are inserted into a REF window of
        their own (as the SDK does), costing one extra REF pass.
      variants: `Variant`s, strings (`chr20:1234:A>C`, ...), tuples or SDK `genome.Variant`s.
      scorers: our or SDK scorer objects; None = the recommended scorers for `organism`.
      sequence_length: window length in bp, as the backend expects.
      annotation: transcript table, `GeneIndex` or annotation path (gene scorers need it).
      background: quantile background; without it blocks have no quantiles (never invented).
      progress: called as `progress(done, total)` after each variant is scored.
      share_ref: one REF pass per window (False: one REF pass per variant, the naive path;
        same windows, so identical scores).
      share_windows: group variants into shared windows (False: each variant centred in its own
        window, AlphaGenome's layout, so nothing is shared).
      max_offset: largest distance (bp) of a variant from its window centre (default L/4).
      batch_size: sequences per `backend.predict` call.
      ontology_terms: passed to the backend's track filter.
      pas_sites: polyadenylation sites (`chrom, position, strand, gene_id`) for the paQTL scorer.
      merge_stranded: apply `merge_stranded_gene_tracks` to gene scores.
      on_unsupported: "raise" (default) a `ScorerNotApplicableError` for a scorer that does not
        apply, or "skip" it and report the reason in `ScoringResult.skipped`.

    Returns:
      `ScoringResult` with blocks in variant order and forward-pass counts.
    """
    batch = [as_variant(v) for v in variants]
    chosen = [from_sdk(s) for s in (scorers if scorers is not None else get_recommended_scorers(organism))]
    if any(isinstance(s, GeneMaskScorer) for s in chosen):
        raise TypeError("GeneMaskScorer is an interval scorer: use score_interval")
    genes = as_gene_index(annotation)
    pas = _check_pas(pas_sites)
    skipped: dict[str, str] = {}
    usable: list[VariantScorer] = []
    for scorer in chosen:
        reason = applicability(scorer, backend, organism, genes, pas)
        if reason is None:
            usable.append(scorer)
        elif on_unsupported == "raise":
            raise ScorerNotApplicableError(reason)
        else:
            skipped[scorer.name] = reason
    output_types = list(dict.fromkeys(s.requested_output for s in usable))
    plans = plan_windows(batch, sequence_length, share=share_windows, max_offset=max_offset)
    blocks: list[list[ScoreBlock]] = [[] for _ in batch]
    per_variant = np.zeros(len(batch))
    counts = {"ref": 0, "alt": 0, "done": 0}

    def run(jobs: list[tuple[str, str, Interval, list[int]]]) -> None:
        """jobs: (kind, sequence, window, variant indices) with kind 'ref' or 'alt'."""
        outputs: list[dict[OutputType, Any]] = []
        sequences = [job[1] for job in jobs]
        for first in range(0, len(sequences), batch_size):
            chunk = sequences[first : first + batch_size]
            outputs.extend(
                backend.predict(chunk, output_types, organism, ontology_terms)
                if output_types
                else [{}] * len(chunk)
            )
        ref_of: dict[int, dict[OutputType, Any]] = {}
        for (kind, _, _, indices), output in zip(jobs, outputs, strict=True):
            counts[kind] += 1
            for i in indices:
                if kind == "ref":
                    ref_of[i] = output
                    per_variant[i] += 1 / len(indices)
                else:
                    per_variant[i] += 1
        for (kind, _, window, indices), output in zip(jobs, outputs, strict=True):
            if kind != "alt":
                continue
            (i,) = indices
            blocks[i] = score_predictions(
                batch[i],
                window,
                ref_of[i],
                output,
                usable,
                annotation=genes,
                pas_sites=pas,
                background=background,
                merge_stranded=merge_stranded,
            )
            counts["done"] += 1
            if progress is not None:
                progress(counts["done"], len(batch))

    pending: list[tuple[str, str, Interval, list[int]]] = []
    for plan in plans:
        window = plan.interval
        genome_sequence = genome.fetch(window.chrom, window.start, window.end)
        shared: list[int] = []
        for i in plan.variant_indices:
            variant = batch[i]
            offset = variant.start - window.start
            if not (offset >= 0 and variant.end <= window.end):
                raise ValueError(f"{variant} does not fit in its window {window}")
            if genome_sequence[offset : offset + len(variant.ref)] == variant.ref:
                shared.append(i)
            else:
                ref_sequence = _patched_reference(genome_sequence, window, variant)
                pending.append(("ref", ref_sequence, window, [i]))
                pending.append(("alt", _alt_sequence(genome, window, ref_sequence, variant), window, [i]))
        if shared:
            if share_ref:
                pending.append(("ref", genome_sequence, window, shared))
            for i in shared:
                if not share_ref:
                    pending.append(("ref", genome_sequence, window, [i]))
                pending.append(("alt", _alt_sequence(genome, window, genome_sequence, batch[i]), window, [i]))
        if len(pending) >= batch_size:
            run(pending)
            pending = []
    if pending:
        run(pending)
    return ScoringResult(
        variants=batch,
        variant_blocks=blocks,
        windows=plans,
        ref_passes=counts["ref"],
        alt_passes=counts["alt"],
        per_variant_passes=per_variant,
        skipped=skipped,
        backend=getattr(backend, "name", type(backend).__name__),
        provenance=getattr(backend, "provenance", ""),
        weights_trained=bool(getattr(backend, "weights_trained", False)),
    )


def score_interval(
    backend: Backend,
    genome: Genome,
    interval: Interval,
    scorers: Sequence[GeneMaskScorer | Any],
    *,
    organism: Organism = Organism.HOMO_SAPIENS,
    annotation: GeneIndex | pd.DataFrame | str | Path,
    ontology_terms: Sequence[str] | None = None,
) -> list[ScoreBlock]:
    """Interval scores (GeneMaskScorer): one block per scorer, one row per gene whose TSS lies
    in the central `width` bp of `interval` (the whole interval when width is None).

    The interval is predicted as given (its width is the sequence length).
    """
    chosen = [from_sdk(s) for s in scorers]
    genes = as_gene_index(annotation)
    assert genes is not None
    for scorer in chosen:
        if not isinstance(scorer, GeneMaskScorer):
            raise TypeError(f"{scorer.name} is not an interval scorer")
        if scorer.requested_output not in backend.output_types:
            raise ScorerNotApplicableError(
                f"{scorer.name} needs {scorer.requested_output.name}, "
                f"which backend {backend.name!r} does not provide"
            )
        if scorer.width is not None and scorer.width > interval.width:
            raise ValueError(
                f"{scorer.name}: width {scorer.width} is larger than the interval ({interval.width} bp)"
            )
    output_types = list(dict.fromkeys(s.requested_output for s in chosen))
    (prediction,) = backend.predict(
        [genome.fetch(interval.chrom, interval.start, interval.end)], output_types, organism, ontology_terms
    )
    blocks = []
    for scorer in chosen:
        track_set: TrackSet = prediction[scorer.requested_output]
        grid = _grid(track_set, interval)
        region = (interval.start, interval.end)
        if scorer.width is not None:
            centre = interval.start + interval.width // 2
            region = (centre - scorer.width // 2, centre - scorer.width // 2 + scorer.width)
        masks, gene_meta = genes.exon_masks(grid, tss_region=region)
        # As in AlphaGenome, exons outside the central `width` bp do not count.
        masks &= grid.span_mask(np.array([region[0]]), np.array([region[1]]))[:, None]
        values = agg.interval_gene_mask(np.asarray(track_set.values), masks, scorer.aggregation_type)
        tracks = track_set.metadata.reset_index(drop=True)
        gene_meta = gene_meta[["gene_id", "strand", "gene_name", "gene_type"]].reset_index(drop=True)
        blocks.append(ScoreBlock(scorer, interval, None, values, tracks, gene_meta))
    return blocks
