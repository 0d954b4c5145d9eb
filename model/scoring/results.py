"""Score containers and their tidy, TSV and VCF forms.

A `ScoreBlock` is what the SDK calls one AnnData: the scores of one variant (or interval)
under one scorer, `values [G, T]` with one row per gene (G = 1 and no gene table for
non-gene scorers), the track metadata as `tracks` and optional `quantiles` of the same shape.
`tidy_scores` turns blocks into the SDK's `tidy_scores` columns. A `ScoringResult` holds the
blocks of a batch of variants with what they cost in forward passes.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from model.genome import Interval
from model.scoring.scorers import GeneMaskScorer, VariantScorer
from model.scoring.variants import Variant

if TYPE_CHECKING:
    from model.scoring.planner import WindowPlan

GENE_COLUMNS = ("gene_id", "gene_name", "gene_type", "gene_strand", "junction_Start", "junction_End")
EXTENDED_TRACK_COLUMNS = (
    "Assay title",
    "ontology_curie",
    "biosample_name",
    "biosample_type",
    "biosample_life_stage",
    "gtex_tissue",
    "data_source",
    "endedness",
    "genetically_modified",
    "transcription_factor",
    "histone_mark",
)
# Our metadata frames may spell the assay column `assay_title` (model.outputs); the SDK says `Assay title`.
_TRACK_COLUMN_ALIASES = {"assay_title": "Assay title"}


def sdk_track_columns(tracks: pd.DataFrame) -> pd.DataFrame:
    """Track metadata with the SDK's column spellings (`assay_title` → `Assay title` when absent)."""
    renames = {k: v for k, v in _TRACK_COLUMN_ALIASES.items() if k in tracks and v not in tracks}
    return tracks.rename(columns=renames)


def sdk_interval_str(interval: Interval) -> str:
    """The SDK's `str(genome.Interval)`: `chr20:100-200:.` (0-based start)."""
    return f"{interval.chrom}:{interval.start}-{interval.end}:{interval.strand}"


@dataclasses.dataclass
class ScoreBlock:
    """Scores of one variant (or interval) under one scorer.

    Attributes:
      scorer: the variant or interval scorer.
      interval: the prediction window.
      variant: the variant, None for interval scores.
      values: float32 `[G, T]` raw scores (NaN where a gene and track strand mismatch).
      tracks: track metadata, `T` rows with at least `name` and `strand`.
      genes: gene metadata (`gene_id, strand, gene_name, gene_type[, junction_Start, junction_End]`),
        `G` rows; None for non-gene scorers (then G = 1).
      quantiles: float32 `[G, T]` quantile scores, or None without a background.
    """

    scorer: VariantScorer | GeneMaskScorer
    interval: Interval
    variant: Variant | None
    values: np.ndarray
    tracks: pd.DataFrame
    genes: pd.DataFrame | None = None
    quantiles: np.ndarray | None = None

    def __post_init__(self) -> None:
        rows = 1 if self.genes is None else len(self.genes)
        if self.values.shape != (rows, len(self.tracks)):
            raise ValueError(
                f"values {self.values.shape} do not match ({rows} genes, {len(self.tracks)} tracks)"
            )
        if self.quantiles is not None and self.quantiles.shape != self.values.shape:
            raise ValueError("quantiles and values differ in shape")

    def to_anndata(self) -> Any:
        """The SDK's AnnData form (X = values, layers['quantiles'], obs = genes, var = tracks)."""
        import anndata

        var = sdk_track_columns(self.tracks).copy()
        var.index = var.index.map(str)
        obs = None
        if self.genes is not None:
            obs = self.genes.copy()
            obs.index = obs.index.map(str)
        adata = anndata.AnnData(np.ascontiguousarray(self.values), obs=obs, var=var)
        if self.quantiles is not None:
            adata.layers["quantiles"] = np.ascontiguousarray(self.quantiles)
        adata.uns["interval"] = sdk_interval_str(self.interval)
        key = "interval_scorer" if self.variant is None else "variant_scorer"
        adata.uns[key] = self.scorer
        if self.variant is not None:
            adata.uns["variant"] = str(self.variant)
        return adata


def _validate_stranded_tracks(tracks: pd.DataFrame) -> None:
    plus = tracks.loc[tracks["strand"] == "+", "name"].reset_index(drop=True)
    minus = tracks.loc[tracks["strand"] == "-", "name"].reset_index(drop=True)
    if not plus.equals(minus):
        raise ValueError(
            f"positive and negative tracks do not match: {plus.to_list()[:5]} vs {minus.to_list()[:5]}"
        )


def merge_stranded_gene_tracks(block: ScoreBlock, *, validate_tracks: bool = True) -> ScoreBlock:
    """Merge `+` and `-` tracks of a gene scorer into one unstranded track per name.

    The SDK's semantics: a `+` gene takes its score from the `+` track, a `-` gene from the
    `-` track; unstranded tracks are kept; an unstranded track whose name also exists
    stranded is dropped; all merged tracks get strand `.`. Non-gene blocks are unchanged.
    Tracks must come in matching `+`/`-` order (checked when `validate_tracks`).
    """
    if block.genes is None or "strand" not in block.genes:
        return block
    tracks = block.tracks
    if validate_tracks:
        _validate_stranded_tracks(tracks)
    stranded_names = set(tracks.loc[tracks["strand"] != ".", "name"])
    duplicate = ((tracks["strand"] == ".") & tracks["name"].isin(stranded_names)).to_numpy()
    plus_mask = (tracks["strand"] != "-").to_numpy() & ~duplicate
    minus_mask = (tracks["strand"] != "+").to_numpy() & ~duplicate
    gene_plus = (block.genes["strand"] == "+").to_numpy()[:, None]

    def merge(values: np.ndarray) -> np.ndarray:
        return np.where(gene_plus, values[:, plus_mask], values[:, minus_mask])

    merged_tracks = tracks[plus_mask].reset_index(drop=True).copy()
    merged_tracks["strand"] = "."
    return dataclasses.replace(
        block,
        values=merge(block.values),
        tracks=merged_tracks,
        quantiles=None if block.quantiles is None else merge(block.quantiles),
    )


def _tidy_block(block: ScoreBlock, match_gene_strand: bool, include_extended_metadata: bool) -> pd.DataFrame:
    if math.prod(block.values.shape) == 0:
        return pd.DataFrame()
    tracks = sdk_track_columns(block.tracks).rename(columns={"name": "track_name", "strand": "track_strand"})
    track_columns = ["track_name", "track_strand"]
    if include_extended_metadata:
        track_columns += [c for c in EXTENDED_TRACK_COLUMNS if c in tracks]
    num_genes, num_tracks = block.values.shape
    if block.genes is not None:
        genes = block.genes.rename(columns={"strand": "gene_strand"})
        genes = genes.assign(gene_id=genes["gene_id"].astype(str).str.split(".").str[0])
        gene_frame = pd.DataFrame({c: genes[c].to_numpy() if c in genes else None for c in GENE_COLUMNS})
    else:
        gene_frame = pd.DataFrame([[None] * len(GENE_COLUMNS)], columns=list(GENE_COLUMNS))
    # Row order is the SDK's: tracks outer, genes inner (`pd.merge(var, obs, how='cross')`).
    frame = pd.DataFrame(index=range(num_tracks * num_genes))
    if block.variant is not None:
        frame["variant_id"] = str(block.variant)
    frame["scored_interval"] = sdk_interval_str(block.interval)
    gene_rows = np.tile(np.arange(num_genes), num_tracks)
    track_rows = np.repeat(np.arange(num_tracks), num_genes)
    for column in GENE_COLUMNS:
        frame[column] = gene_frame[column].to_numpy()[gene_rows]
    frame["output_type"] = block.scorer.requested_output.name
    frame["variant_scorer" if block.variant is not None else "interval_scorer"] = str(block.scorer)
    for column in track_columns:
        frame[column] = tracks[column].to_numpy()[track_rows]
    frame["raw_score"] = block.values.T.reshape(-1)
    if block.quantiles is not None:
        frame["quantile_score"] = block.quantiles.T.reshape(-1)
    if match_gene_strand:
        mismatch = ((frame["gene_strand"] == "+") & (frame["track_strand"] == "-")) | (
            (frame["gene_strand"] == "-") & (frame["track_strand"] == "+")
        )
        frame = frame[~mismatch.to_numpy()]
    return frame.reset_index(drop=True)


def tidy_scores(
    blocks: Sequence[ScoreBlock], *, match_gene_strand: bool = True, include_extended_metadata: bool = True
) -> pd.DataFrame:
    """One row per (variant, scorer, gene, track) with the SDK's `tidy_scores` columns.

    Columns: `variant_id` (variant scores), `scored_interval`, `gene_id`, `gene_name`,
    `gene_type`, `gene_strand`, `junction_Start`, `junction_End`, `output_type`,
    `variant_scorer` or `interval_scorer`, `track_name`, `track_strand`, the extended track
    columns present in the metadata, then `raw_score` and, only when some block has a
    quantile background, `quantile_score`. Gene/track strand mismatches are dropped when
    `match_gene_strand`. An empty input gives an empty frame.
    """
    frames = [_tidy_block(b, match_gene_strand, include_extended_metadata) for b in blocks]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame()
    frame = pd.concat(frames, axis=0, ignore_index=True)
    last = ["raw_score"] + (["quantile_score"] if "quantile_score" in frame else [])
    return frame[[c for c in frame.columns if c not in last] + last]


def write_tsv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a tidy frame as TSV (NaN as empty field)."""
    path = Path(path)
    frame.to_csv(path, sep="\t", index=False, na_rep="")
    return path


_INFO_ESCAPES = str.maketrans({" ": "_", ";": "%3B", "=": "%3D", ",": "%2C", "|": "%7C", "\t": "_"})


def _info_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "."
    if isinstance(value, float | np.floating):
        return f"{float(value):.4g}"
    return str(value).translate(_INFO_ESCAPES)


def write_vcf(
    frame: pd.DataFrame,
    path: str | Path,
    *,
    top: int = 5,
    by: str = "raw_score",
    reference_name: str = "",
    source: str = "genomeapp",
    ids: dict[str, str] | None = None,
) -> Path:
    """An annotated VCF: one record per variant, its `top` scores (by |`by`|) in INFO `AGS`.

    INFO `AGS` (AlphaGenome-style scores) holds comma-separated entries
    `OUTPUT|SCORER|GENE|TRACK|TRACK_STRAND|RAW|QUANTILE` (`.` when absent), highest |score|
    first; `AGS_MAX` is the largest |raw score|. Variants are sorted by contig and position;
    `ids` maps a `variant_id` to the VCF ID column (e.g. an rsID).
    """
    path = Path(path)
    if "variant_id" not in frame:
        raise ValueError("write_vcf needs variant scores (a `variant_id` column)")
    quantile = "quantile_score" in frame
    rank = frame[by].abs() if by in frame else frame["raw_score"].abs()
    ranked = frame.assign(_rank=rank.fillna(-1.0)).sort_values("_rank", ascending=False, kind="stable")
    records = []
    for variant_id, rows in ranked.groupby("variant_id", sort=False):
        variant = Variant.from_str(str(variant_id))
        entries = [
            "|".join(
                _info_text(v)
                for v in (
                    row.output_type,
                    row.variant_scorer.split("(")[0],
                    row.gene_name if row.gene_name is not None else None,
                    row.track_name,
                    row.track_strand,
                    row.raw_score,
                    row.quantile_score if quantile else None,
                )
            )
            for row in rows.head(top).itertuples(index=False)
        ]
        best = rows["raw_score"].abs().max()
        records.append((variant, f"AGS_MAX={_info_text(best)};AGS={','.join(entries)}"))
    records.sort(key=lambda r: (r[0].chrom, r[0].position, r[0].ref, r[0].alt))
    contigs = list(dict.fromkeys(r[0].chrom for r in records))
    header = [
        "##fileformat=VCFv4.2",
        f"##source={source}",
        *(f"##reference={reference_name}" for _ in [0] if reference_name),
        *(f"##contig=<ID={c}>" for c in contigs),
        '##INFO=<ID=AGS_MAX,Number=1,Type=Float,Description="Largest absolute raw variant score">',
        '##INFO=<ID=AGS,Number=.,Type=String,Description="Top variant scores. Format: '
        'OUTPUT|SCORER|GENE|TRACK|TRACK_STRAND|RAW|QUANTILE">',
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO",
    ]
    with open(path, "w") as handle:
        handle.write("\n".join(header) + "\n")
        for variant, info in records:
            name = (ids or {}).get(str(variant)) or "."
            handle.write(
                f"{variant.chrom}\t{variant.position}\t{name}\t{variant.ref}\t{variant.alt}\t.\t.\t{info}\n"
            )
    return path


@dataclasses.dataclass
class ScoringResult:
    """Scores of a batch of variants and how many forward passes they cost.

    Attributes:
      variants: the batch, in input order (N variants).
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
        """The tidy frame as a TSV file at `path`."""
        return write_tsv(self.tidy(), path)

    def to_vcf(self, path: str | Path, *, top: int = 5, reference_name: str = "") -> Path:
        """A VCF at `path` with each variant's `top` scores in INFO (see `write_vcf`)."""
        ids = {str(v): v.name for v in self.variants if v.name}
        return write_vcf(
            self.tidy(),
            path,
            top=top,
            reference_name=reference_name,
            source=f"genomeapp {self.backend}",
            ids=ids,
        )
