"""GeneMaskSplicingScorer: per gene overlapping the variant, max |ALT - REF| over its body."""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.scoring import aggregations as agg
from model.scoring.families.base import ScorerContext, variant_span_end
from model.scoring.families.gene_tracks import GeneTrackFamily
from model.scoring.masks import WindowGrid
from model.scoring.scorers import GeneMaskSplicingScorer
from model.scoring.variants import Variant


class GeneMaskSplicingFamily(GeneTrackFamily[GeneMaskSplicingScorer, np.ndarray]):
    """Gene-body masks; with a `width`, only the `width` bp centred on the variant count
    (the reference code accepts the width but does not use it)."""

    def gene_masks(
        self, variant: Variant, grid: WindowGrid, context: ScorerContext
    ) -> tuple[np.ndarray, pd.DataFrame]:
        genes = context.require_genes(self.scorer)
        masks, metadata = genes.body_masks(grid, variant.start, variant_span_end(variant))
        if self.scorer.width is not None:
            near = agg.center_mask(
                grid.num_bins, variant.start - grid.origin, self.scorer.width, grid.resolution
            )
            masks &= near[:, None]
        return masks, metadata

    def aggregate(self, ref: np.ndarray, alt: np.ndarray, masks: np.ndarray) -> np.ndarray:
        return agg.gene_mask_splicing(ref, alt, masks)
