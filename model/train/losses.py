"""Losses per head, as the architecture spec gives them (`shared/reference/alphagenome-architecture.md`).

- Genome tracks (section 3.4): targets scaled to model space (section 3.3, `model.heads.targets_scaling`),
  sum-pooled to 128 bp for the 128 bp read-out; split into segments of `2**17 // resolution` bins
  (or the whole window when shorter); Poisson on each segment's total (divided by the segment length)
  plus 5 x multinomial over positions; both resolutions summed.
- Splice-site classification (3.6): softmax cross-entropy from logits, labels smoothed to
  `(1 - 1e-7) * onehot + 1e-7 / 5`, masked to positions that have a label.
- Splice-site usage (3.7): binary cross-entropy from logits against usage clipped to
  [1e-7, 1 - 1e-7]; padding tracks masked (and here also unknown, NaN, targets).
- Total (3.9): the sum of `loss_weight * loss` over heads.

Every function matches `alphagenome_research.model.losses` / `heads` (checked in the tests
against hand-computed values).
"""

from __future__ import annotations

from collections.abc import Mapping

import jax
import jax.numpy as jnp
from jaxtyping import Array, Bool, Float

from model.heads import HEAD_CONFIGS, HeadName, HeadType, targets_scaling

MULTINOMIAL_SEGMENT_BP = 2**17
POSITIONAL_WEIGHT = 5.0
LABEL_SMOOTHING = 1e-7
USAGE_CLIP = 1e-7

Losses = dict[str, Array]
AnyFloat = Float[Array, "..."]  # module-level so the shape stays a string (ruff UP037)
AnyBool = Bool[Array, "..."]


def safe_masked_mean(x: AnyFloat, mask: AnyBool | None = None) -> Float[Array, ""]:
    """Mean of `x` where `mask` (broadcast to `x`) holds; 0 when nothing is unmasked."""
    if mask is None:
        return jnp.mean(x, dtype=jnp.float32)
    mask = jnp.broadcast_to(mask, x.shape)
    total = jnp.sum(jnp.where(mask, x, 0.0), dtype=jnp.float32)
    return total / jnp.maximum(1.0, jnp.sum(mask, dtype=jnp.float32))


def poisson_loss(y_true: AnyFloat, y_pred: AnyFloat, mask: AnyBool | None = None) -> Float[Array, ""]:
    """Poisson negative log-likelihood less its minimum (0 when `y_pred == y_true`), masked mean."""
    y_true = jnp.abs(y_true).astype(jnp.float32)
    y_pred = y_pred.astype(jnp.float32)
    minimum = y_true - y_true * jnp.log(y_true + 1e-7)
    return safe_masked_mean((y_pred - y_true * jnp.log(y_pred + 1e-7)) - minimum, mask)


def multinomial_loss(
    y_true: Float[Array, "B S C"],
    y_pred: Float[Array, "B S C"],
    mask: Bool[Array, "B 1 C"],
    segment: int,
    positional_weight: float = POSITIONAL_WEIGHT,
) -> Losses:
    """Poisson on segment totals (/ segment) + `positional_weight` x multinomial over each segment.

    Args:
      y_true, y_pred: scaled targets and predictions (model space).
      mask: tracks that count (False for padding tracks).
      segment: bins per segment; must divide S.
    Returns:
      `loss`, `loss_total`, `loss_positional` (scalars).
    """
    batch, length, channels = y_pred.shape
    if length % segment:
        raise ValueError(f"{length} bins are not a whole number of {segment}-bin segments")
    y_true = jnp.maximum(y_true, 0.0) * mask
    y_pred = y_pred * mask
    shape = (batch, length // segment, segment, channels)
    y_true, y_pred = y_true.reshape(shape), y_pred.reshape(shape)
    total_pred = jnp.sum(y_pred, axis=-2, keepdims=True, dtype=jnp.float32)
    total_true = jnp.sum(y_true, axis=-2, keepdims=True, dtype=jnp.float32)
    segment_mask = mask[:, :, None, :]
    loss_total = poisson_loss(total_true, total_pred, segment_mask) / segment
    positional = -y_true * jnp.log(y_pred.astype(jnp.float32) / (total_pred + 1e-7) + 1e-7)
    loss_positional = safe_masked_mean(positional, segment_mask)
    return {
        "loss": loss_total + positional_weight * loss_positional,
        "loss_total": loss_total,
        "loss_positional": loss_positional,
    }


def sum_pool(x: Float[Array, "B S C"], width: int) -> Float[Array, "B S2 C"]:
    """Sums over non-overlapping `width`-bin windows (1 bp targets -> 128 bp targets)."""
    batch, length, channels = x.shape
    return x.reshape(batch, length // width, width, channels).sum(axis=2, dtype=jnp.float32)


def segment_bins(length_bp: int, resolution: int) -> int:
    """Bins per multinomial segment: `2**17 // resolution`, or the whole window when it is shorter."""
    return min(MULTINOMIAL_SEGMENT_BP, length_bp) // resolution


def track_loss(
    predictions: Mapping[str, Array],
    targets_1bp: Float[Array, "B S C"],
    track_means: Float[Array, "B C"],
    track_mask: Bool[Array, "B C"],
    head: HeadName,
) -> Losses:
    """A genome-track head: the multinomial + Poisson loss summed over its resolutions.

    Args:
      predictions: the head's outputs (`scaled_predictions_{r}bp`, model space).
      targets_1bp: experimental units at 1 bp; sum-pooled to each resolution, then scaled.
      track_means: the per-track `nonzero_mean` the head scales with.
    """
    config = HEAD_CONFIGS[head]
    length = targets_1bp.shape[1]
    out: Losses = {}
    total = jnp.zeros((), jnp.float32)
    for res in config.resolutions:
        pooled = targets_1bp.astype(jnp.float32) if res == 1 else sum_pool(targets_1bp, res)
        scaled = targets_scaling(pooled, track_means, res, config.apply_squashing)
        losses = multinomial_loss(
            scaled,
            predictions[f"scaled_predictions_{res}bp"],
            track_mask[:, None, :],
            segment_bins(length, res),
        )
        out |= {f"{name}_{res}bp": value for name, value in losses.items()}
        total = total + losses["loss"]
    out["loss"] = total
    return out


def splice_sites_loss(logits: Float[Array, "B S 5"], labels: Float[Array, "B S 5"]) -> Losses:
    """Cross-entropy over the five classes with label smoothing 1e-7, at labelled positions."""
    classes = logits.shape[-1]
    smoothed = (1.0 - LABEL_SMOOTHING) * labels.astype(jnp.float32) + LABEL_SMOOTHING / classes
    log_probs = jax.nn.log_softmax(logits.astype(jnp.float32), axis=-1)
    per_position = -jnp.sum(smoothed * log_probs, axis=-1)
    return {"loss": safe_masked_mean(per_position, jnp.any(labels > 0, axis=-1))}


def splice_usage_loss(
    logits: Float[Array, "B S T"], usage: Float[Array, "B S T"], track_mask: Bool[Array, "B T"]
) -> Losses:
    """Binary cross-entropy from logits vs usage clipped to [1e-7, 1 - 1e-7]; NaN usage is masked."""
    known = jnp.isfinite(usage) & track_mask[:, None, :]
    target = jnp.clip(jnp.nan_to_num(usage), USAGE_CLIP, 1.0 - USAGE_CLIP)
    x = logits.astype(jnp.float32)
    per_value = jnp.maximum(x, 0) - x * target + jnp.log1p(jnp.exp(-jnp.abs(x)))
    return {"loss": safe_masked_mean(per_value, known)}


def head_loss(
    head: HeadName,
    predictions: Mapping[str, Array],
    batch: Mapping[str, Array],
    track_means: Float[Array, "B C"] | None,
) -> Losses:
    """The loss of one head on a batch (keys as `model.train.data.TrainingData.example`)."""
    kind = HEAD_CONFIGS[head].type
    if kind is HeadType.GENOME_TRACKS:
        targets = batch[f"tracks/{head.value}"]
        if track_means is None:
            raise ValueError(f"{head.value}: track means are needed to scale its targets")
        mask = jnp.ones(track_means.shape, bool)
        return track_loss(predictions, targets, track_means, mask, head)
    if kind is HeadType.SPLICE_SITES_CLASSIFICATION:
        return splice_sites_loss(predictions["logits"], batch["splice_sites"])
    if kind is HeadType.SPLICE_SITES_USAGE:
        usage = batch["splice_site_usage"]
        mask = jnp.ones((usage.shape[0], usage.shape[-1]), bool)
        return splice_usage_loss(predictions["logits"], usage, mask)
    raise ValueError(f"no training loss for {head.value} yet")


def total_loss(per_head: Mapping[str, Losses], weights: Mapping[str, float]) -> Float[Array, ""]:
    """`sum_h weight_h * loss_h` (spec 3.9; every weight 1 unless configured)."""
    return sum(
        (weights.get(head, 1.0) * losses["loss"] for head, losses in per_head.items()),
        start=jnp.zeros((), jnp.float32),
    )
