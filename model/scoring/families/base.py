"""The one interface every variant-scorer family implements, and what a family is given.

A *family* is the arithmetic behind one `BaseVariantScorer`: given one variant, its window and
the REF and ALT predictions of that window, it returns one `ScoreBlock`. A family object is
bound to one scorer (its settings: output, width, aggregation); the engine asks it, in order,

1. `applicability(backend, organism, context)`: None, or why it cannot run here;
2. `score(variant, window, ref, alt, context)`: the block, `values [G, T]`;
3. `finalise(block, merge_stranded=...)`: the block as returned to callers.

Axis letters: `B` bins of the window at the output's resolution, `T` tracks, `G` genes.
"""

from __future__ import annotations

import abc
import dataclasses
from collections.abc import Mapping
from typing import Any, ClassVar, Generic, NamedTuple, TypeVar

import numpy as np
import pandas as pd

from model.genome import Interval
from model.outputs import Backend, Organism, OutputType, TrackSet
from model.scoring.alignment import align_alternate
from model.scoring.masks import GeneIndex, WindowGrid, output_grid
from model.scoring.results import ScoreBlock, merge_stranded_gene_tracks
from model.scoring.scorers import SUPPORTED_ORGANISMS, ScorerNotApplicableError, VariantScorer
from model.scoring.variants import Variant

# Output type → `TrackSet` (`values [B, T]`; contact maps `[B, B, T]`) or, for
# SPLICE_JUNCTIONS, a `JunctionSet` or the backend's junction output.
Predictions = Mapping[OutputType, Any]
ScorerT = TypeVar("ScorerT", bound=VariantScorer)


@dataclasses.dataclass(frozen=True)
class ScorerContext:
    """What a family may need besides the predictions: annotation shared by a whole batch.

    Attributes:
      genes: the gene index (gene scorers), or None when no annotation was given.
      pas_sites: a polyadenylation-site table prepared by `pas_sites.prepare_pas_sites`
        (the paQTL scorer), or None.
    """

    genes: GeneIndex | None = None
    pas_sites: pd.DataFrame | None = None

    def require_genes(self, scorer: VariantScorer) -> GeneIndex:
        """The gene index; ScorerNotApplicableError when there is none."""
        if self.genes is None:
            raise ScorerNotApplicableError(f"{scorer.name} needs a gene annotation and none was given")
        return self.genes

    def require_pas_sites(self, scorer: VariantScorer) -> pd.DataFrame:
        """The prepared PAS table; ScorerNotApplicableError when there is none."""
        if self.pas_sites is None:
            raise ScorerNotApplicableError(
                f"{scorer.name} needs polyadenylation sites (PolyA_DB v3 style) and none were given"
            )
        return self.pas_sites


class VariantScorerFamily(abc.ABC, Generic[ScorerT]):
    """How one kind of variant scorer turns REF and ALT predictions into a `ScoreBlock`.

    Subclasses implement `score`; they set `needs_genes` / `needs_pas_sites` rather than
    override `applicability`, and override `finalise` only when their blocks need more than
    the optional strand merge.
    """

    needs_genes: ClassVar[bool] = False
    needs_pas_sites: ClassVar[bool] = False

    def __init__(self, scorer: ScorerT) -> None:
        self.scorer = scorer

    def applicability(self, backend: Backend, organism: Organism, context: ScorerContext) -> str | None:
        """None when the scorer can be computed with `backend` for `organism`, else the reason."""
        scorer = self.scorer
        output = scorer.requested_output
        if output not in backend.output_types:
            names = ", ".join(sorted(o.name for o in backend.output_types)) or "nothing"
            return (
                f"{scorer.name} needs {output.name} predictions, which backend "
                f"{backend.name!r} does not provide (it provides {names})"
            )
        if organism not in SUPPORTED_ORGANISMS[scorer.base_variant_scorer]:
            return f"{scorer.name} is not defined for {organism.name}"
        try:
            if self.needs_genes:
                context.require_genes(scorer)
            if self.needs_pas_sites:
                context.require_pas_sites(scorer)
        except ScorerNotApplicableError as reason:
            return str(reason)
        return None

    @abc.abstractmethod
    def score(self, case: VariantPredictions, context: ScorerContext) -> ScoreBlock:
        """The scores of `case.variant` from its REF and ALT predictions (no model calls).

        Args:
          case: the variant, the window it lies in and the REF and ALT predictions over it (`alt`
            not yet aligned to `ref` for indels).
          context: annotation shared by the batch.

        Returns:
          a block with `values [G, T]` (G = 1 and no gene table for non-gene families).
        """

    def finalise(self, block: ScoreBlock, *, merge_stranded: bool) -> ScoreBlock:
        """The block as callers see it: `+`/`-` tracks merged per gene when asked (a no-op
        for blocks without genes)."""
        return merge_stranded_gene_tracks(block) if merge_stranded else block


class VariantPredictions(NamedTuple):
    """What a family scores: a variant, its window, and REF and ALT predictions over the window."""

    variant: Variant
    window: Interval
    ref: Predictions
    alt: Predictions


class AlignedTracks(NamedTuple):
    """One track output of a window, REF and ALT on the same bins."""

    grid: WindowGrid
    ref: np.ndarray  # float [B, T]
    alt: np.ndarray  # float [B, T]; indels at 1 bp re-aligned to REF coordinates
    tracks: pd.DataFrame  # T rows


def aligned_tracks(
    output: OutputType, variant: Variant, window: Interval, ref: Predictions, alt: Predictions
) -> AlignedTracks:
    """REF and ALT `[B, T]` of `output`; at 1 bp resolution an indel's ALT is aligned to REF."""
    ref_set: TrackSet = ref[output]
    alt_set: TrackSet = alt[output]
    grid = output_grid(ref_set, window)
    alt_values = np.asarray(alt_set.values)
    if variant.is_indel and grid.resolution == 1:
        alt_values = align_alternate(
            alt_values, variant.start - grid.origin, len(variant.ref), len(variant.alt)
        )
    return AlignedTracks(
        grid, np.asarray(ref_set.values), alt_values, ref_set.metadata.reset_index(drop=True)
    )


def variant_span_end(variant: Variant) -> int:
    """End (exclusive) of the bases a variant touches on REF or ALT, for overlap queries."""
    return max(variant.end, variant.start + len(variant.alt))
