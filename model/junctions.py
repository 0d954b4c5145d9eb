"""Predicted splice junctions in genomic coordinates, from whatever layout a backend returns.

Axis letters: `J` junctions, `T` tissues, `K` splice sites per strand and kind.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from model.errors import ScorerNotApplicableError


@dataclasses.dataclass(frozen=True)
class JunctionSet:
    """Predicted splice junctions of one window.

    Attributes:
      starts, ends: int `[J]` genomic junction coordinates, 0-based (`+`: start = donor + 1,
        end = acceptor; `-`: start = acceptor + 1, end = donor).
      strands: `[J]` of `+`/`-`.
      values: float `[J, T]` predicted junction counts per tissue.
      metadata: `T` rows with `name` (and optional tissue columns).
    """

    starts: np.ndarray
    ends: np.ndarray
    strands: np.ndarray
    values: np.ndarray
    metadata: pd.DataFrame


def junctions_from_prediction(prediction: Any, origin: int) -> JunctionSet:
    """A `JunctionSet` from a backend's SPLICE_JUNCTIONS output.

    Args:
      prediction: a `JunctionSet` (already genomic, returned as it is), or an object with
        `values [K, K, 2T]` (donor × acceptor × (+ tissues, − tissues), AlphaGenome's head
        layout), `splice_site_positions int [4, K]` (donor+, acceptor+, donor−, acceptor−;
        window-relative, −1 = padding) and `metadata` (T rows, or 2T rows whose first half
        names the tissues).
      origin: genomic coordinate of the window's first base (0-based).

    Returns:
      the junctions with start < end, `+` strand first, in genomic coordinates.
    """
    if isinstance(prediction, JunctionSet):
        return prediction
    positions = getattr(prediction, "splice_site_positions", None)
    if positions is None:
        raise ScorerNotApplicableError(
            "SpliceJunctionScorer needs junction predictions with splice-site positions; this backend's "
            "SPLICE_JUNCTIONS output has none"
        )
    values = np.asarray(prediction.values)
    tissues = values.shape[-1] // 2
    metadata = prediction.metadata.iloc[:tissues].reset_index(drop=True)
    starts, ends, strands, rows = [], [], [], []
    for strand, (donor_row, acceptor_row) in (("+", (0, 1)), ("-", (2, 3))):
        donors = np.asarray(positions[donor_row])
        acceptors = np.asarray(positions[acceptor_row])
        d_idx, a_idx = np.nonzero((donors[:, None] >= 0) & (acceptors[None, :] >= 0))
        channel = slice(0, tissues) if strand == "+" else slice(tissues, 2 * tissues)
        donor_pos, acceptor_pos = donors[d_idx] + origin, acceptors[a_idx] + origin
        if strand == "+":
            start, end = donor_pos + 1, acceptor_pos
        else:
            start, end = acceptor_pos + 1, donor_pos
        keep = start < end
        starts.append(start[keep])
        ends.append(end[keep])
        strands.append(np.full(int(keep.sum()), strand))
        rows.append(values[d_idx[keep], a_idx[keep], channel])
    return JunctionSet(
        np.concatenate(starts),
        np.concatenate(ends),
        np.concatenate(strands),
        np.concatenate(rows).astype(np.float32) if rows else np.zeros((0, tissues), np.float32),
        metadata,
    )
