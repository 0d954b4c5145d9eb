"""Indel alignment of ALT predictions onto REF coordinates (SpliceAI / AlphaGenome style).

The ALT sequence of a window is built left-anchored: bases before the variant are the REF
window's; an insertion pushes the rest to the right and the window is cropped at its right
end; a deletion pulls the rest to the left and the window is extended on the right by the
deleted length. Aligning then means, for a left-normalised variant whose first
`min(len(REF), len(ALT))` bases are shared:

- insertion of n bases: the ALT positions of the last shared base and the n inserted bases
  are summarised by their **max** into the last shared base's position; the rest shifts left
  by n; the last n positions of the window (no ALT prediction there) are 0;
- deletion of n bases: the n deleted REF positions get **0** in ALT; the rest shifts right by
  n; ALT's last n predictions fall off the window.
"""

from __future__ import annotations

import numpy as np


def indel_anchor(variant_offset: int, ref_length: int, alt_length: int) -> int:
    """Window index of the last base REF and ALT share (where the indel starts)."""
    return variant_offset + min(ref_length, alt_length) - 1


def align_alternate(alt: np.ndarray, variant_offset: int, ref_length: int, alt_length: int) -> np.ndarray:
    """ALT predictions moved onto REF coordinates.

    Args:
      alt: `[L, T]` ALT predictions at 1 bp resolution over the window.
      variant_offset: 0-based position of the variant's first REF base in the window.
      ref_length, alt_length: allele lengths.

    Returns:
      `[L, T]` array of alt's dtype; equal to `alt` for substitutions (SNVs and MNVs).
    """
    size = alt.shape[0]
    change = alt_length - ref_length
    if change == 0:
        return alt
    anchor = indel_anchor(variant_offset, ref_length, alt_length)
    if not 0 <= anchor < size:
        raise ValueError(f"indel anchor {anchor} is outside the window of {size} bins")
    aligned = np.zeros_like(alt)
    if change > 0:  # insertion of `change` bases
        inserted_end = min(anchor + change + 1, size)
        aligned[:anchor] = alt[:anchor]
        aligned[anchor] = alt[anchor:inserted_end].max(axis=0)
        tail = alt[inserted_end:]
        aligned[anchor + 1 : anchor + 1 + len(tail)] = tail
    else:  # deletion of `-change` bases
        deleted = -change
        aligned[: anchor + 1] = alt[: anchor + 1]
        keep = max(size - (anchor + 1 + deleted), 0)
        aligned[anchor + 1 + deleted : anchor + 1 + deleted + keep] = alt[anchor + 1 : anchor + 1 + keep]
    return aligned
