"""The arithmetic of every scorer: pure numpy functions over REF/ALT arrays and masks.

Axis letters: `B` bins of a window at the output's resolution, `T` tracks, `G` genes,
`P` contact-map bins or PAS sites, `J` junctions. All sums run in float64 and results are
float32. Nothing here knows about genomes, backends or annotations.
"""

from __future__ import annotations

import numpy as np

from model.scoring.scorers import AggregationType, IntervalAggregationType

LFC_PSEUDOCOUNT = 1e-3
JUNCTION_PSEUDOCOUNT = 1e-7


def center_mask(num_bins: int, variant_offset: int, width: int | None, resolution: int) -> np.ndarray:
    """Bins of a window within `width` bp centred on the variant.

    Args:
      num_bins: bins in the window (`L // resolution`).
      variant_offset: the variant's 0-based position relative to the window start, in bp.
      width: mask width in bp, or None for the whole window.
      resolution: bp per bin.

    Returns:
      bool `[B]`; `ceil(width / resolution)` bins centred on the variant's bin, clipped to the
      window; all False when the variant lies outside the window.
    """
    mask = np.zeros(num_bins, dtype=bool)
    if not 0 <= variant_offset < num_bins * resolution:
        return mask
    if width is None:
        mask[:] = True
        return mask
    bins = -(-width // resolution)
    first = variant_offset // resolution - bins // 2
    mask[max(first, 0) : max(min(first + bins, num_bins), 0)] = True
    return mask


def aggregate_center(
    ref: np.ndarray, alt: np.ndarray, mask: np.ndarray, aggregation: AggregationType
) -> np.ndarray:
    """One center-mask score per track.

    Args:
      ref, alt: float `[B, T]` REF and (aligned) ALT predictions.
      mask: bool `[B]`.
      aggregation: see `AggregationType`.

    Returns:
      float32 `[T]`.
    """
    r = np.asarray(ref, dtype=np.float64)[mask]
    a = np.asarray(alt, dtype=np.float64)[mask]
    with np.errstate(invalid="ignore", divide="ignore"):
        match aggregation:
            case AggregationType.DIFF_MEAN:
                out = a.mean(0) - r.mean(0)
            case AggregationType.DIFF_SUM:
                out = a.sum(0) - r.sum(0)
            case AggregationType.DIFF_SUM_LOG2:
                out = np.log2(a + 1).sum(0) - np.log2(r + 1).sum(0)
            case AggregationType.DIFF_LOG2_SUM:
                out = np.log2(1 + a.sum(0)) - np.log2(1 + r.sum(0))
            case AggregationType.L2_DIFF:
                out = np.sqrt(((a - r) ** 2).sum(0))
            case AggregationType.L2_DIFF_LOG1P:
                out = np.sqrt(((np.log1p(a) - np.log1p(r)) ** 2).sum(0))
            case AggregationType.ACTIVE_MEAN:
                out = np.maximum(a.mean(0), r.mean(0))
            case AggregationType.ACTIVE_SUM:
                out = np.maximum(a.sum(0), r.sum(0))
            case _:
                raise ValueError(f"unknown aggregation {aggregation!r}")
    return out.astype(np.float32)


def _masked_means(values: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """`[G, T]` mean of `values [B, T]` over each gene's mask `[B, G]` (NaN for an empty mask)."""
    used = masks.any(axis=1)
    m = masks[used].astype(np.float64)
    sums = m.T @ np.asarray(values, dtype=np.float64)[used]
    with np.errstate(invalid="ignore", divide="ignore"):
        return sums / m.sum(axis=0)[:, None]


def gene_mask_lfc(ref: np.ndarray, alt: np.ndarray, gene_masks: np.ndarray) -> np.ndarray:
    """Per gene and track: log(mean(ALT) + 1e-3) - log(mean(REF) + 1e-3) over the gene's exons.

    Args:
      ref, alt: float `[B, T]`; gene_masks: bool `[B, G]`.

    Returns:
      float32 `[G, T]`.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.log(_masked_means(alt, gene_masks) + LFC_PSEUDOCOUNT) - np.log(
            _masked_means(ref, gene_masks) + LFC_PSEUDOCOUNT
        )
    return out.astype(np.float32)


def gene_mask_active(ref: np.ndarray, alt: np.ndarray, gene_masks: np.ndarray) -> np.ndarray:
    """Per gene and track: max(mean(ALT), mean(REF)) over the gene's exons; float32 `[G, T]`."""
    return np.maximum(_masked_means(alt, gene_masks), _masked_means(ref, gene_masks)).astype(np.float32)


def gene_mask_splicing(ref: np.ndarray, alt: np.ndarray, gene_masks: np.ndarray) -> np.ndarray:
    """Per gene and track: max over the gene's mask of |ALT - REF| (0 for an empty mask).

    Args:
      ref, alt: float `[B, T]`; gene_masks: bool `[B, G]`.

    Returns:
      float32 `[G, T]`.
    """
    diff = np.abs(np.asarray(alt, np.float64) - np.asarray(ref, np.float64))
    out = np.zeros((gene_masks.shape[1], diff.shape[1]))
    for g in range(gene_masks.shape[1]):
        rows = diff[gene_masks[:, g]]
        if len(rows):
            out[g] = rows.max(axis=0)
    return out.astype(np.float32)


def contact_map_score(ref: np.ndarray, alt: np.ndarray, variant_bin: int) -> np.ndarray:
    """Mean over all rows i of |ALT[i, v] - REF[i, v]| for the variant's bin v.

    Args:
      ref, alt: float `[P, P, T]` contact maps; variant_bin: v.

    Returns:
      float32 `[T]`.
    """
    if not 0 <= variant_bin < ref.shape[1]:
        raise ValueError(f"variant bin {variant_bin} is outside the contact map ({ref.shape[1]} bins)")
    diff = np.abs(np.asarray(alt, np.float64)[:, variant_bin] - np.asarray(ref, np.float64)[:, variant_bin])
    return diff.mean(axis=0).astype(np.float32)


def interval_gene_mask(
    values: np.ndarray, gene_masks: np.ndarray, aggregation: IntervalAggregationType
) -> np.ndarray:
    """Interval scorer: MEAN or SUM of `values [B, T]` over each gene mask `[B, G]`; float32 `[G, T]`."""
    if aggregation is IntervalAggregationType.MEAN:
        return _masked_means(values, gene_masks).astype(np.float32)
    used = gene_masks.any(axis=1)
    sums = gene_masks[used].astype(np.float64).T @ np.asarray(values, np.float64)[used]
    return sums.astype(np.float32)


def junction_delta(ref: np.ndarray, alt: np.ndarray) -> np.ndarray:
    """|log(ALT + 1e-7) - log(REF + 1e-7)| per junction and tissue; float32 `[J, T]`."""
    return np.abs(
        np.log(np.asarray(alt, np.float64) + JUNCTION_PSEUDOCOUNT)
        - np.log(np.asarray(ref, np.float64) + JUNCTION_PSEUDOCOUNT)
    ).astype(np.float32)


def paqtl_scores(ref: np.ndarray, alt: np.ndarray, pas_masks: list[np.ndarray]) -> np.ndarray:
    """Borzoi's paQTL statistic per gene and track.

    For a gene with K polyadenylation sites (sorted by position), r_p = cov_ALT(p) / cov_REF(p)
    is the coverage ratio in each site's window (0 where undefined); the score is
    max over splits k = 1..K-1 of |log2( (K - k) / k * sum_{p <= k} r_p / sum_{p > k} r_p )|,
    with undefined splits counting 0.

    Args:
      ref, alt: float `[B, T]`.
      pas_masks: one bool `[B, K_g]` per gene, columns in genomic order.

    Returns:
      float32 `[G, T]`.
    """
    ref64, alt64 = np.asarray(ref, np.float64), np.asarray(alt, np.float64)
    out = np.zeros((len(pas_masks), ref64.shape[1]))
    for g, masks in enumerate(pas_masks):
        m = masks.astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = (m.T @ alt64) / (m.T @ ref64)  # [K, T]
            ratio = np.nan_to_num(ratio, nan=0.0, posinf=0.0, neginf=0.0)
            total = ratio.shape[0]
            cumulative = np.cumsum(ratio, axis=0)
            k = np.arange(1, total)[:, None]
            proximal, distal = cumulative[:-1], cumulative[-1] - cumulative[:-1]
            split = np.abs(np.log2((total - k) / k * proximal / distal))
        split = np.nan_to_num(split, nan=0.0, posinf=0.0, neginf=0.0)
        if len(split):
            out[g] = split.max(axis=0)
    return out.astype(np.float32)
