"""GeneMaskLFCScorer: per gene, log fold change of the mean over its exons (ALT vs REF)."""

from __future__ import annotations

import numpy as np

from model.scoring import aggregations as agg
from model.scoring.families.gene_tracks import ExonMaskFamily
from model.scoring.scorers import GeneMaskLFCScorer


class GeneMaskLFCFamily(ExonMaskFamily[GeneMaskLFCScorer]):
    """`log(mean_exons(ALT) + 1e-3) - log(mean_exons(REF) + 1e-3)`, float32 `[G, T]`."""

    def aggregate(self, ref: np.ndarray, alt: np.ndarray, masks: np.ndarray) -> np.ndarray:
        return agg.gene_mask_lfc(ref, alt, masks)
