"""CenterMaskScorer: REF and ALT aggregated over `width` bp centred on the variant, per track."""

from __future__ import annotations

from model.scoring import aggregations as agg
from model.scoring.families.base import (
    ScorerContext,
    VariantPredictions,
    VariantScorerFamily,
    aligned_tracks,
)
from model.scoring.results import ScoreBlock
from model.scoring.scorers import CenterMaskScorer


class CenterMaskFamily(VariantScorerFamily[CenterMaskScorer]):
    """One row of `T` scores; at resolution r the mask is `ceil(width / r)` bins around the
    variant's bin, and 1 bp indel outputs are aligned first (the reference aligns only gene
    scorers)."""

    def score(self, case: VariantPredictions, context: ScorerContext) -> ScoreBlock:
        variant, window, ref, alt = case
        aligned = aligned_tracks(self.scorer.requested_output, variant, window, ref, alt)
        grid = aligned.grid
        mask = agg.center_mask(grid.num_bins, variant.start - grid.origin, self.scorer.width, grid.resolution)
        values = agg.aggregate_center(aligned.ref, aligned.alt, mask, self.scorer.aggregation_type)
        return ScoreBlock(self.scorer, window, variant, values[None], aligned.tracks)
