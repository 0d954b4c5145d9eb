"""Interval scores: AlphaGenome's interval `GeneMaskScorer` over one predicted interval.

No variant: the interval is predicted once and each gene whose TSS lies in the scorer's
central `width` bp gets the MEAN or SUM of the predictions over its exons there.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.genome import Interval, SequenceSource
from model.outputs import Backend, Organism, TrackSet
from model.scoring import aggregations as agg
from model.scoring.annotation_cache import as_gene_index
from model.scoring.masks import GeneIndex, output_grid
from model.scoring.results import ScoreBlock
from model.scoring.scorers import GeneMaskScorer, ScorerNotApplicableError, from_sdk


def score_interval(
    backend: Backend,
    genome: SequenceSource,
    interval: Interval,
    scorers: Sequence[GeneMaskScorer | Any],
    *,
    organism: Organism = Organism.HOMO_SAPIENS,
    annotation: GeneIndex | pd.DataFrame | str | Path,
    ontology_terms: Sequence[str] | None = None,
) -> list[ScoreBlock]:
    """Interval scores (GeneMaskScorer): one block per scorer, `values [G, T]` with one row per
    gene whose TSS lies in the central `width` bp of `interval` (the whole interval when width
    is None).

    The interval is predicted as given (its width is the sequence length).
    """
    chosen = [from_sdk(s) for s in scorers]
    genes = as_gene_index(annotation)
    assert genes is not None
    for scorer in chosen:
        if not isinstance(scorer, GeneMaskScorer):
            raise TypeError(f"{scorer.name} is not an interval scorer")
        if scorer.requested_output not in backend.output_types:
            raise ScorerNotApplicableError(
                f"{scorer.name} needs {scorer.requested_output.name}, "
                f"which backend {backend.name!r} does not provide"
            )
        if scorer.width is not None and scorer.width > interval.width:
            raise ValueError(
                f"{scorer.name}: width {scorer.width} is larger than the interval ({interval.width} bp)"
            )
    output_types = list(dict.fromkeys(s.requested_output for s in chosen))
    (prediction,) = backend.predict(
        [genome.fetch(interval.chrom, interval.start, interval.end)], output_types, organism, ontology_terms
    )
    blocks = []
    for scorer in chosen:
        track_set: TrackSet = prediction[scorer.requested_output]
        grid = output_grid(track_set, interval)
        region = (interval.start, interval.end)
        if scorer.width is not None:
            centre = interval.start + interval.width // 2
            region = (centre - scorer.width // 2, centre - scorer.width // 2 + scorer.width)
        masks, gene_meta = genes.exon_masks(grid, tss_region=region)
        # As in AlphaGenome, exons outside the central `width` bp do not count.
        masks &= grid.span_mask(np.array([region[0]]), np.array([region[1]]))[:, None]
        values = agg.interval_gene_mask(np.asarray(track_set.values), masks, scorer.aggregation_type)
        tracks = track_set.metadata.reset_index(drop=True)
        gene_meta = gene_meta[["gene_id", "strand", "gene_name", "gene_type"]].reset_index(drop=True)
        blocks.append(ScoreBlock(scorer, interval, None, values, tracks, gene_meta))
    return blocks
