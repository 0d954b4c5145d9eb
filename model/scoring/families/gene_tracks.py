"""What the gene families on track outputs share: masks per gene, one aggregate, strand match.

GeneMaskLFC, GeneMaskActive, GeneMaskSplicing and paQTL all score a 1-D track output
(`[B, T]`) per gene: the family picks the genes and their bin masks, aggregates REF and ALT
under each mask to `[G, T]`, and a gene's score on a track of the other strand is NaN.
"""

from __future__ import annotations

import abc
from typing import Generic, TypeVar

import numpy as np
import pandas as pd

from model.scoring.families.base import (
    ScorerContext,
    ScorerT,
    VariantPredictions,
    VariantScorerFamily,
    aligned_tracks,
)
from model.scoring.masks import WindowGrid, strand_match
from model.scoring.results import ScoreBlock
from model.scoring.variants import Variant

# A family's masks: bool `[B, G]`, or (paQTL) one bool `[B, K_g]` per gene.
MaskT = TypeVar("MaskT")
GENE_BLOCK_COLUMNS = ["gene_id", "strand", "gene_name", "gene_type"]


class GeneTrackFamily(VariantScorerFamily[ScorerT], Generic[ScorerT, MaskT]):
    """A family scoring genes on a track output; subclasses choose masks and aggregation."""

    needs_genes = True

    @abc.abstractmethod
    def gene_masks(
        self, variant: Variant, grid: WindowGrid, context: ScorerContext
    ) -> tuple[MaskT, pd.DataFrame]:
        """The masks of the genes this variant is scored against, and their metadata (G rows)."""

    @abc.abstractmethod
    def aggregate(self, ref: np.ndarray, alt: np.ndarray, masks: MaskT) -> np.ndarray:
        """float32 `[G, T]` from REF and aligned ALT `[B, T]` under the masks."""

    def score(self, case: VariantPredictions, context: ScorerContext) -> ScoreBlock:
        variant, window, ref, alt = case
        aligned = aligned_tracks(self.scorer.requested_output, variant, window, ref, alt)
        masks, genes = self.gene_masks(variant, aligned.grid, context)
        values = self.aggregate(aligned.ref, aligned.alt, masks)
        genes = genes[GENE_BLOCK_COLUMNS].reset_index(drop=True)
        on_strand = strand_match(genes["strand"].to_numpy(), aligned.tracks["strand"].to_numpy())
        values = np.where(on_strand, values, np.nan).astype(np.float32)
        return ScoreBlock(self.scorer, window, variant, values, aligned.tracks, genes)


class ExonMaskFamily(GeneTrackFamily[ScorerT, np.ndarray]):
    """Genes with a transcript whose TSS lies in the window; each gene's mask is the OR of those
    transcripts' exons (GeneMaskLFC and GeneMaskActive differ only in `aggregate`)."""

    def gene_masks(
        self, variant: Variant, grid: WindowGrid, context: ScorerContext
    ) -> tuple[np.ndarray, pd.DataFrame]:
        return context.require_genes(self.scorer).exon_masks(grid)
