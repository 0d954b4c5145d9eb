"""Variant-scorer families: one module per `BaseVariantScorer`, one interface, one registry.

Each module holds the arithmetic of one scorer kind as a `VariantScorerFamily` subclass
(`base.py`); `REGISTRY` maps every `BaseVariantScorer` to its family, and the engine and
planner never ask which kind a scorer is.

Adding a variant scorer
-----------------------
1. In `model/scoring/scorers.py`, add the settings: a `BaseVariantScorer` member, its
   `SUPPORTED_OUTPUT_TYPES` / `SUPPORTED_ORGANISMS` (and `SUPPORTED_WIDTHS`) entries, and a
   frozen dataclass deriving `_ScorerBase` with `base_variant_scorer` set (fields named
   `requested_output`, `width`, `aggregation_type` are coerced and checked for you). Add the
   class to `VariantScorer`, `_CLASSES` and `_PROTO_FIELDS` if the SDK knows it.
2. Add `model/scoring/families/<name>.py` with one class::

       class MyFamily(VariantScorerFamily[MyScorer]):
           needs_genes = True  # if it needs an annotation (needs_pas_sites likewise)

           def score(self, case, context) -> ScoreBlock:
               ...  # values [G, T] from ref/alt[self.scorer.requested_output]

   A per-gene score on a `[B, T]` track output derives `GeneTrackFamily` instead and
   implements only `gene_masks` and `aggregate`. Put new arithmetic in `aggregations.py`.
3. Add one line to `REGISTRY` below: `BaseVariantScorer.MY_KIND: MyFamily,`.

`tests/model/test_scoring_families.py` fails until every `BaseVariantScorer` has a family.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from model.scoring.families.base import (
    AlignedTracks,
    Predictions,
    ScorerContext,
    VariantPredictions,
    VariantScorerFamily,
    aligned_tracks,
)
from model.scoring.families.center_mask import CenterMaskFamily
from model.scoring.families.contact_map import ContactMapFamily
from model.scoring.families.gene_mask_active import GeneMaskActiveFamily
from model.scoring.families.gene_mask_lfc import GeneMaskLFCFamily
from model.scoring.families.gene_mask_splicing import GeneMaskSplicingFamily
from model.scoring.families.gene_tracks import GeneTrackFamily
from model.scoring.families.polyadenylation import PolyadenylationFamily
from model.scoring.families.splice_junction import SpliceJunctionFamily
from model.scoring.scorers import BaseVariantScorer, GeneMaskScorer, ScorerError, VariantScorer

REGISTRY: Mapping[BaseVariantScorer, type[VariantScorerFamily[Any]]] = MappingProxyType(
    {
        BaseVariantScorer.CENTER_MASK: CenterMaskFamily,
        BaseVariantScorer.CONTACT_MAP: ContactMapFamily,
        BaseVariantScorer.GENE_MASK_LFC: GeneMaskLFCFamily,
        BaseVariantScorer.GENE_MASK_ACTIVE: GeneMaskActiveFamily,
        BaseVariantScorer.GENE_MASK_SPLICING: GeneMaskSplicingFamily,
        BaseVariantScorer.PA_QTL: PolyadenylationFamily,
        BaseVariantScorer.SPLICE_JUNCTION: SpliceJunctionFamily,
    }
)


def family_for(scorer: VariantScorer | GeneMaskScorer) -> VariantScorerFamily[Any]:
    """The family that computes `scorer`, bound to it.

    Raises:
      ScorerError: `scorer` is not a variant scorer (e.g. the interval `GeneMaskScorer`).
    """
    base = getattr(scorer, "base_variant_scorer", None)
    if base not in REGISTRY:
        raise ScorerError(f"{scorer.name} is not a variant scorer")
    return REGISTRY[base](scorer)


__all__ = [
    "REGISTRY",
    "AlignedTracks",
    "CenterMaskFamily",
    "ContactMapFamily",
    "GeneMaskActiveFamily",
    "GeneMaskLFCFamily",
    "GeneMaskSplicingFamily",
    "GeneTrackFamily",
    "PolyadenylationFamily",
    "Predictions",
    "ScorerContext",
    "SpliceJunctionFamily",
    "VariantPredictions",
    "VariantScorerFamily",
    "aligned_tracks",
    "family_for",
]
