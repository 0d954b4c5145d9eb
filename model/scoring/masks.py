"""Gene, exon and TSS masks over a prediction window, at any output resolution.

`GeneIndex` wraps a transcript table with `model.annotations.GENE_COLUMNS` (SpliceAI's
canonical-transcript tables or a GENCODE GTF) and answers the three queries AlphaGenome's
scorers make:

- `exon_masks`: genes with a transcript whose TSS lies in a region (default the window);
  each gene's mask is the OR of the exons of those transcripts (GeneMaskLFC/Active, the
  interval GeneMaskScorer);
- `body_masks`: genes whose span overlaps the variant; the mask is the gene span
  (GeneMaskSplicing, SpliceJunction, paQTL);
- `tss_masks`: 1 bp at each selected transcript's TSS.

At resolution r, a bin is in the mask when any of its r bases is. Contig names match under
aliases (`20` = `chr20`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from model.annotations import GENE_COLUMNS, gene_table
from model.genome import Interval
from model.outputs import TrackSet

GENE_METADATA_COLUMNS = ("gene_id", "strand", "gene_name", "gene_type", "Chromosome", "Start", "End")


def contig_key(name: str) -> str:
    """Alias-free contig key: `chr20` and `20` → `20`; `chrM`, `M`, `MT` → `MT`."""
    bare = name[3:] if name.lower().startswith("chr") else name
    return "MT" if bare.upper() in {"M", "MT"} else bare


@dataclasses.dataclass(frozen=True)
class WindowGrid:
    """Bins of one output over a window: bin i covers `[origin + i*resolution, origin + (i+1)*resolution)`."""

    chrom: str
    origin: int
    num_bins: int
    resolution: int

    @property
    def end(self) -> int:
        return self.origin + self.num_bins * self.resolution

    def span_mask(self, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """bool `[B]`: bins touched by any genomic interval `[starts[i], ends[i])`."""
        mask = np.zeros(self.num_bins, dtype=bool)
        for start, end in zip(starts, ends, strict=True):
            first = max((int(start) - self.origin) // self.resolution, 0)
            last = min(-(-(int(end) - self.origin) // self.resolution), self.num_bins)
            if first < last:
                mask[first:last] = True
        return mask


def output_grid(track_set: TrackSet, window: Interval) -> WindowGrid:
    """The bins of `track_set` (`values [B, T]`) over `window`; a shorter output is a centred crop."""
    bins = track_set.values.shape[0]
    covered = bins * track_set.resolution
    if covered > window.width:
        raise ValueError(f"backend returned {covered} bp of predictions for a {window.width} bp window")
    return WindowGrid(window.chrom, window.start + (window.width - covered) // 2, bins, track_set.resolution)


def _empty_genes() -> pd.DataFrame:
    return pd.DataFrame(
        {c: pd.Series(dtype=object if c not in ("Start", "End") else np.int64) for c in GENE_METADATA_COLUMNS}
    )


class GeneIndex:
    """Transcript table indexed by contig for fast window queries."""

    def __init__(self, transcripts: pd.DataFrame) -> None:
        missing = [c for c in GENE_COLUMNS if c not in transcripts.columns]
        if missing:
            raise ValueError(f"annotation table lacks columns {missing}")
        table = transcripts.reset_index(drop=True).copy()
        table["tss"] = np.where(table["strand"] == "-", table["end"] - 1, table["start"]).astype(np.int64)
        table["contig_key"] = table["chrom"].astype(str).map(contig_key)
        self.transcripts = table
        genes = gene_table(table)
        genes["contig_key"] = genes["chrom"].astype(str).map(contig_key)
        self.genes = genes
        self._transcripts_by_contig = {k: df for k, df in table.groupby("contig_key", sort=False)}
        self._genes_by_contig = {k: df for k, df in genes.groupby("contig_key", sort=False)}

    def __len__(self) -> int:
        return len(self.genes)

    @staticmethod
    def gene_metadata(genes: pd.DataFrame) -> pd.DataFrame:
        """Score-block gene metadata (GENE_METADATA_COLUMNS) of rows of `self.genes`."""
        if genes.empty:
            return _empty_genes()
        return pd.DataFrame(
            {
                "gene_id": genes["gene_id"].to_numpy(),
                "strand": genes["strand"].to_numpy(),
                "gene_name": genes["gene_name"].to_numpy(),
                "gene_type": genes["gene_type"].to_numpy(),
                "Chromosome": genes["chrom"].to_numpy(),
                "Start": genes["start"].to_numpy(np.int64),
                "End": genes["end"].to_numpy(np.int64),
            }
        )

    def transcripts_with_tss_in(self, chrom: str, start: int, end: int) -> pd.DataFrame:
        """Transcripts whose TSS (first base on their strand) lies in `[start, end)`."""
        table = self._transcripts_by_contig.get(contig_key(chrom))
        if table is None:
            return self.transcripts.iloc[:0]
        return table[(table["tss"] >= start) & (table["tss"] < end)]

    def genes_overlapping(
        self, chrom: str, start: int, end: int, *, protein_coding: bool = False
    ) -> pd.DataFrame:
        """Genes whose span overlaps `[start, end)`."""
        genes = self._genes_by_contig.get(contig_key(chrom))
        if genes is None:
            return self.genes.iloc[:0]
        hits = genes[(genes["start"] < end) & (genes["end"] > start)]
        if protein_coding:
            hits = hits[hits["gene_type"] == "protein_coding"]
        return hits

    def exon_masks(
        self, grid: WindowGrid, tss_region: tuple[int, int] | None = None
    ) -> tuple[np.ndarray, pd.DataFrame]:
        """Exon masks of genes with a transcript whose TSS lies in `tss_region` (default the window).

        Returns:
          (bool `[B, G]`, gene metadata with GENE_METADATA_COLUMNS, one row per mask column).
        """
        return self._transcript_masks(grid, tss_region, lambda row: (row.exon_starts, row.exon_ends))

    def body_masks(
        self, grid: WindowGrid, variant_start: int, variant_end: int, *, protein_coding: bool = False
    ) -> tuple[np.ndarray, pd.DataFrame]:
        """Gene-body masks of genes overlapping `[variant_start, variant_end)`.

        Returns:
          (bool `[B, G]`, gene metadata).
        """
        genes = self.genes_overlapping(grid.chrom, variant_start, variant_end, protein_coding=protein_coding)
        masks = np.zeros((grid.num_bins, len(genes)), dtype=bool)
        for i, (start, end) in enumerate(zip(genes["start"], genes["end"], strict=True)):
            masks[:, i] = grid.span_mask(np.array([start]), np.array([end]))
        return masks, self.gene_metadata(genes)

    def tss_masks(
        self, grid: WindowGrid, tss_region: tuple[int, int] | None = None
    ) -> tuple[np.ndarray, pd.DataFrame]:
        """1 bp masks at the TSSs of each gene's transcripts whose TSS lies in the region.

        Returns:
          (bool `[B, G]`, gene metadata).
        """
        return self._transcript_masks(
            grid, tss_region, lambda row: (np.array([row.tss]), np.array([row.tss + 1]))
        )

    def _transcript_masks(
        self,
        grid: WindowGrid,
        tss_region: tuple[int, int] | None,
        spans: Callable[[Any], tuple[np.ndarray, np.ndarray]],
    ) -> tuple[np.ndarray, pd.DataFrame]:
        """Per gene, the OR over its transcripts with a TSS in the region of `spans(transcript)`.

        Returns:
          (bool `[B, G]`, gene metadata, genes in order of first transcript).
        """
        region = tss_region or (grid.origin, grid.end)
        transcripts = self.transcripts_with_tss_in(grid.chrom, *region)
        gene_ids = list(dict.fromkeys(transcripts["gene_id"]))
        masks = np.zeros((grid.num_bins, len(gene_ids)), dtype=bool)
        column = {gene_id: i for i, gene_id in enumerate(gene_ids)}
        for row in transcripts.itertuples(index=False):
            masks[:, column[row.gene_id]] |= grid.span_mask(*spans(row))
        genes = (
            self.genes.set_index("gene_id").loc[gene_ids].reset_index() if gene_ids else self.genes.iloc[:0]
        )
        return masks, self.gene_metadata(genes)


def strand_match(gene_strands: np.ndarray, track_strands: np.ndarray) -> np.ndarray:
    """bool `[G, T]`: the track is unstranded (`.`) or on the gene's strand."""
    gene_strands = np.asarray(gene_strands, dtype=object)[:, None]
    track_strands = np.asarray(track_strands, dtype=object)[None, :]
    return (gene_strands == track_strands) | (track_strands == ".")
