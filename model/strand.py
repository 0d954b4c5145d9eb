"""Negative-strand predictions: the one place that maps reverse-complement outputs back.

The official code (`alphagenome_research.model.augmentation.reverse_complement_output_type`)
predicts a `-` strand interval on the reverse-complemented sequence and maps every output
back onto forward-strand coordinates:

- 1-D tracks `[S, T]`: reversed along the sequence, `+`/`-` partner tracks swapped
  (`strand_reindexing`), and DNASE (not ATAC) shifted by one base, because a DNase cut-site
  value sits at the start of its position: read backwards it lands one base early.
- contact maps `[P, P, T]`: reversed on both position axes; unstranded, nothing swapped.
- splice junctions `[K, K, 2T]`: the `+` and `-` tissue halves swapped; splice-site positions
  `[4, K]` mirrored (`L - 1 - p`, padding stays -1) with the (donor, acceptor) groups of the
  two strands exchanged.

Every backend and the prediction service use these functions; nothing else flips outputs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.outputs import OutputType

# Splice-site position rows are (donor +, acceptor +, donor -, acceptor -); after a reverse
# complement the `+` sites are the mirrored `-` sites and vice versa.
MIRRORED_SITE_ROWS = (2, 3, 0, 1)


def strand_reindexing(metadata: pd.DataFrame, output_type: OutputType) -> np.ndarray:
    """Channel permutation that swaps each `+` track with its `-` partner, int32 `[T]`.

    The i-th `+` track pairs with the i-th `-` track, as in the official metadata. Junction
    outputs carry `T` tissues twice (`+` block then `-` block): the blocks swap. A table whose
    `+` and `-` tracks do not pair up (a truncated tiny preset) leaves the extra tracks in place.
    """
    count = len(metadata)
    if output_type is OutputType.SPLICE_JUNCTIONS:
        half = count // 2
        return np.concatenate([np.arange(half, 2 * half), np.arange(half)]).astype(np.int32)
    reindex = np.arange(count, dtype=np.int32)
    if count == 0 or "strand" not in metadata:
        return reindex
    strands = metadata["strand"].to_numpy()
    plus, minus = np.flatnonzero(strands == "+"), np.flatnonzero(strands == "-")
    pairs = min(len(plus), len(minus))
    plus, minus = plus[:pairs], minus[:pairs]
    reindex[plus] = minus
    reindex[minus] = plus
    return reindex


def reverse_complement_values(
    output_type: OutputType, values: np.ndarray, reindex: np.ndarray | None
) -> np.ndarray:
    """Predictions made on a reverse-complemented window, on forward-strand coordinates.

    Args:
      output_type: what `values` predicts.
      values: float `[..., S, T]` (leading batch axes allowed); CONTACT_MAPS `[..., P, P, T]`;
        SPLICE_JUNCTIONS `[..., K, K, 2T]` (donor × acceptor, indexed by site, not position).
      reindex: int `[T]` channel permutation (`strand_reindexing`), or None when the channels
        were already computed in forward order (the AlphaGenome backend selects partner
        channels inside the jitted function).

    Returns:
      a new array of the same shape.
    """
    values = np.asarray(values)
    if output_type is OutputType.SPLICE_JUNCTIONS:
        flipped = values
    elif output_type is OutputType.CONTACT_MAPS:
        return np.ascontiguousarray(values[..., ::-1, ::-1, :])
    else:
        flipped = values[..., ::-1, :]
    if reindex is not None:
        flipped = flipped[..., reindex]
    flipped = np.array(flipped, copy=True)
    if output_type is OutputType.DNASE:
        flipped = np.roll(flipped, 1, axis=-2)
        flipped[..., 0, :] = 0.0
    return flipped


def mirror_splice_sites(positions: np.ndarray, length: int) -> np.ndarray:
    """Splice-site positions `[..., 4, K]` found on a reverse complement, in forward offsets.

    Offsets are window-relative (0-based); -1 marks padding and stays -1.
    """
    positions = np.asarray(positions)
    mirrored = np.where(positions < 0, -1, length - 1 - positions)
    return mirrored[..., list(MIRRORED_SITE_ROWS), :].astype(np.int32)
