"""In-silico mutagenesis: every substitution in a small interval, scored, as a width × 4 matrix.

All 3 × width SNVs fall in one prediction window, so ISM costs one REF pass plus one ALT pass
per substitution.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from model.constants import MAX_ISM_WIDTH
from model.genome import Interval, SequenceSource
from model.outputs import Backend
from model.scoring.engine import score_variants
from model.scoring.options import ScoringOptions
from model.scoring.results import ScoringResult
from model.scoring.scorers import VariantScorer
from model.scoring.variants import Variant

VOCABULARY = "ACGT"


def ism_variants(interval: Interval, sequence: str) -> list[Variant]:
    """The 3 substitutions at every non-N position of `sequence` (the interval's forward sequence)."""
    if len(sequence) != interval.width:
        raise ValueError(f"sequence has {len(sequence)} bases for a {interval.width} bp interval")
    return [
        Variant(interval.chrom, interval.start + i + 1, base, alt)
        for i, base in enumerate(sequence.upper())
        if base in VOCABULARY
        for alt in VOCABULARY
        if alt != base
    ]


@dataclasses.dataclass
class IsmResult:
    interval: Interval
    sequence: str
    variants: list[Variant]
    scores: ScoringResult

    def matrix(
        self,
        scorer: VariantScorer,
        *,
        track: str | int | None = None,
        reduce: Callable[[np.ndarray], float] = np.nanmean,
        multiply_by_sequence: bool = True,
    ) -> np.ndarray:
        """Per-position contribution matrix, float32 `[width, 4]` (A, C, G, T), for a sequence logo.

        Each substitution's score is reduced to one number (the named/indexed `track`, else
        `reduce` over all genes and tracks); entry [i, b] is that score minus the mean of the 3
        substitutions at i (the SDK's `ism_matrix`). With `multiply_by_sequence`, only the
        reference base keeps a value, -mean(substitution scores): the logo's letter height.
        """
        per_variant: dict[Variant, float] = {}
        for block in self.scores.blocks:
            if block.scorer != scorer:
                continue
            values = block.values
            if track is not None:
                column = (
                    track if isinstance(track, int) else int(np.flatnonzero(block.tracks["name"] == track)[0])
                )
                values = values[:, column]
            per_variant[block.variant] = float(reduce(values)) if values.size else np.nan
        if not per_variant:
            raise ValueError(f"no ISM scores for {scorer.name}")
        return ism_matrix(
            [per_variant.get(v, np.nan) for v in self.variants],
            self.variants,
            self.interval,
            multiply_by_sequence=multiply_by_sequence,
        )


def ism_matrix(
    scores: Sequence[float],
    variants: Sequence[Variant],
    interval: Interval,
    *,
    multiply_by_sequence: bool = True,
) -> np.ndarray:
    """float32 `[width, 4]` from one score per SNV (the SDK's `ism_matrix` arithmetic)."""
    matrix = np.zeros((interval.width, 4), np.float32)
    filled = np.zeros((interval.width, 4), bool)
    for variant, score in zip(variants, scores, strict=True):
        if not variant.is_snv:
            continue
        i = variant.start - interval.start
        if 0 <= i < interval.width:
            matrix[i, VOCABULARY.index(variant.alt)] = score
            filled[i, VOCABULARY.index(variant.alt)] = True
    matrix -= matrix.sum(axis=1, keepdims=True) / 3
    if multiply_by_sequence:
        matrix *= ~filled
        matrix[filled.sum(axis=1) == 0] = 0
    return matrix


def score_ism(
    backend: Backend,
    genome: SequenceSource,
    interval: Interval,
    scorers: Sequence[VariantScorer | Any],
    *,
    sequence_length: int,
    **kwargs: Any,
) -> IsmResult:
    """Score every substitution in `interval` (at most 200 bp) with `scorers`.

    Extra keyword arguments go to `score_variants` (annotation, organism, progress, options, ...);
    `sequence_length` overrides the one in `options`.
    """
    if not 0 < interval.width <= MAX_ISM_WIDTH:
        raise ValueError(f"ISM interval must be 1 to {MAX_ISM_WIDTH} bp, got {interval.width}")
    if interval.width > sequence_length // 2:
        raise ValueError(
            f"ISM interval ({interval.width} bp) must fit in half the window ({sequence_length} bp)"
        )
    sequence = genome.fetch(interval.chrom, interval.start, interval.end)
    variants = ism_variants(interval, sequence)
    options: ScoringOptions | None = kwargs.get("options")
    if options is None or options.max_offset is None:
        # All substitutions in one window: its centre may sit up to the interval's width away.
        kwargs.setdefault("max_offset", max(interval.width, sequence_length // 4))
    result = score_variants(backend, genome, variants, scorers, sequence_length=sequence_length, **kwargs)
    return IsmResult(interval, sequence, variants, result)
