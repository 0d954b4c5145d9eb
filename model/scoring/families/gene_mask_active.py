"""GeneMaskActiveScorer: per gene, the larger of the REF and ALT means over its exons."""

from __future__ import annotations

import numpy as np

from model.scoring import aggregations as agg
from model.scoring.families.gene_tracks import ExonMaskFamily
from model.scoring.scorers import GeneMaskActiveScorer


class GeneMaskActiveFamily(ExonMaskFamily[GeneMaskActiveScorer]):
    """`max(mean_exons(ALT), mean_exons(REF))`, float32 `[G, T]`: an activity level, not a change."""

    def aggregate(self, ref: np.ndarray, alt: np.ndarray, masks: np.ndarray) -> np.ndarray:
        return agg.gene_mask_active(ref, alt, masks)
