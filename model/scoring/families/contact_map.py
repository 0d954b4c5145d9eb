"""ContactMapScorer: Orca-style change of the variant's row of the contact map, per track."""

from __future__ import annotations

import numpy as np

from model.outputs import TrackSet
from model.scoring import aggregations as agg
from model.scoring.families.base import ScorerContext, VariantPredictions, VariantScorerFamily
from model.scoring.masks import output_grid
from model.scoring.results import ScoreBlock
from model.scoring.scorers import ContactMapScorer


class ContactMapFamily(VariantScorerFamily[ContactMapScorer]):
    """Maps are `[P, P, T]` at 2,048 bp per bin; indels are not aligned (bins are too coarse)."""

    def score(self, case: VariantPredictions, context: ScorerContext) -> ScoreBlock:
        variant, window, ref, alt = case
        ref_set: TrackSet = ref[self.scorer.requested_output]
        alt_set: TrackSet = alt[self.scorer.requested_output]
        grid = output_grid(ref_set, window)
        variant_bin = (variant.start - grid.origin) // grid.resolution
        values = agg.contact_map_score(np.asarray(ref_set.values), np.asarray(alt_set.values), variant_bin)
        return ScoreBlock(self.scorer, window, variant, values[None], ref_set.metadata.reset_index(drop=True))
