"""PolyadenylationScorer: Borzoi's paQTL statistic over each gene's polyadenylation sites.

Genes overlapping the variant qualify when at least 80% of their PAS (same strand) lie in the
window and at least 2 lie inside; each site contributes a 400 bp window upstream of it
(on the gene's strand).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.scoring import aggregations as agg
from model.scoring.families.base import ScorerContext, variant_span_end
from model.scoring.families.gene_tracks import GeneTrackFamily
from model.scoring.masks import WindowGrid
from model.scoring.pas_sites import gene_sites
from model.scoring.scorers import PolyadenylationScorer
from model.scoring.variants import Variant

PAS_WINDOW = 400  # bp of coverage upstream of a site that counts for it
MIN_SITES_INSIDE = 0.8  # share of a gene's sites that must lie in the window


class PolyadenylationFamily(GeneTrackFamily[PolyadenylationScorer, list[np.ndarray]]):
    """Masks are one bool `[B, K_g]` per gene (K_g sites in genomic order)."""

    needs_pas_sites = True

    def gene_masks(
        self, variant: Variant, grid: WindowGrid, context: ScorerContext
    ) -> tuple[list[np.ndarray], pd.DataFrame]:
        genes = context.require_genes(self.scorer)
        pas_sites = context.require_pas_sites(self.scorer)
        overlapping = genes.genes_overlapping(grid.chrom, variant.start, variant_span_end(variant))
        masks: list[np.ndarray] = []
        kept = []
        for _, gene in overlapping.iterrows():
            mask = _site_masks(grid, gene_sites(pas_sites, grid.chrom, gene["gene_id"], gene["strand"]))
            if mask is not None:
                masks.append(mask)
                kept.append(gene)
        frame = pd.DataFrame(kept) if kept else genes.genes.iloc[:0]
        return masks, genes.gene_metadata(frame)

    def aggregate(self, ref: np.ndarray, alt: np.ndarray, masks: list[np.ndarray]) -> np.ndarray:
        return agg.paqtl_scores(ref, alt, masks)


def _site_masks(grid: WindowGrid, sites: pd.DataFrame) -> np.ndarray | None:
    """bool `[B, K]`, one 400 bp upstream window per site inside the window; None when the
    gene does not qualify (no sites, too few inside)."""
    if sites.empty:
        return None
    inside = (sites["position"] >= grid.origin) & (sites["position"] + 1 < grid.end)
    if inside.mean() < MIN_SITES_INSIDE:
        return None
    sites = sites[inside].sort_values("position")
    if len(sites) < 2:
        return None
    mask = np.zeros((grid.num_bins, len(sites)), dtype=bool)
    for k, (position, strand) in enumerate(zip(sites["position"], sites["strand"], strict=True)):
        start, end = (
            (position + 1 - PAS_WINDOW, position + 1) if strand == "+" else (position, position + PAS_WINDOW)
        )
        mask[:, k] = grid.span_mask(np.array([start]), np.array([end]))
    return mask
