"""Exact p-values of position-weight-matrix scores, as FIMO and MOODS compute them.

A site's score is the sum of one matrix entry per column; under the background model the
columns are independent, so the score's distribution is the convolution of the columns'. The
entries are rounded to a grid of `resolution` bits (FIMO uses 1/1000 of the score range) and the
distribution is built exactly on that grid. A p-value is then P(score ≥ s), the survival
function at `s`, and a threshold for a p-value is the smallest grid score whose survival is at
most that p-value (MOODS' `threshold_from_p` does the same).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from jaxtyping import Float


class ScoreDistribution:
    """The distribution of one matrix's score on random sequence drawn from `background`.

    Args:
      matrix: [4, W] scores (rows A, C, G, T).
      background: base probabilities A, C, G, T.
      resolution: the grid step in score units.
    """

    def __init__(
        self, matrix: Float[np.ndarray, "4 W"], background: Sequence[float], resolution: float = 0.01
    ) -> None:
        self.resolution = resolution
        grid = np.rint(np.asarray(matrix, dtype=np.float64) / resolution).astype(np.int64)  # [4, W]
        self.grid = grid
        column_min = grid.min(axis=0)
        self.offset = int(column_min.sum())  # the grid score of the first bin
        bg = np.asarray(background, dtype=np.float64)
        probabilities = np.ones(1)
        for column, low in zip(grid.T, column_min, strict=True):
            shifted = column - low
            step = np.zeros(probabilities.size + int(shifted.max()))
            for base in range(4):
                step[shifted[base] : shifted[base] + probabilities.size] += bg[base] * probabilities
            probabilities = step
        # survival[k] = P(grid score ≥ offset + k); summed from the top so tiny tails keep precision
        self.survival = np.cumsum(probabilities[::-1])[::-1]

    def pvalue(self, score: float) -> float:
        """P(score ≥ `score`): 1.0 below the lowest possible score, 0.0 above the highest.

        A score computed from the unrounded matrix can sit a rounding error above the grid score
        of the same bases; `site_pvalue` avoids that for a site.
        """
        k = math.ceil(round(score / self.resolution, 6)) - self.offset
        if k <= 0:
            return 1.0
        if k >= self.survival.size:
            return 0.0
        return float(self.survival[k])

    def site_pvalue(self, bases: Sequence[int], reverse: bool = False) -> float:
        """P(score ≥ the score of a site), the site given as base indices (0..3 = A, C, G, T) read
        on the matrix's strand, or on the other strand with `reverse`."""
        grid = self.grid[::-1, ::-1] if reverse else self.grid
        k = int(grid[np.asarray(bases), np.arange(grid.shape[1])].sum()) - self.offset
        return float(self.survival[k])

    @property
    def best_pvalue(self) -> float:
        """The p-value of the consensus: a matrix whose best is above a threshold is never a hit."""
        return float(self.survival[-1])

    def threshold(self, pvalue: float) -> float:
        """The lowest score whose p-value is at most `pvalue` (the maximum score if none is)."""
        # survival is non-increasing: the first bin at or below `pvalue`
        k = int(np.searchsorted(-self.survival, -pvalue, side="left"))
        k = min(k, self.survival.size - 1)
        return (self.offset + k) * self.resolution
