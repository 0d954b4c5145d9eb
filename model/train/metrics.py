"""Validation metrics per head (numpy, on predictions gathered over the evaluation windows).

- Genome tracks: Pearson r of `log(1 + signal)` per track, predictions in experimental units
  against the targets (1 bp heads at 1 bp; ChIP at 128 bp, targets sum-pooled), then the mean.
- Splice sites, per class (donor+, acceptor+, donor-, acceptor-): top-k accuracy (SpliceAI's: k is
  the number of true sites; the share of the k most probable positions that are true sites) and
  auPRC (average precision, scikit-learn).
- Splice-site usage: Pearson r of predicted vs measured usage at positions with a known value and
  a site (any non-zero usage on that track, or an annotated site when labels are present).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
from jaxtyping import Float
from sklearn.metrics import average_precision_score  # type: ignore[import-untyped]

from model.train.data import SPLICE_CLASSES

Values = Float[np.ndarray, "*dims"]  # any shape, read flattened (module-level: ruff UP037)


def pearson_r(x: Values, y: Values) -> float:
    """Pearson correlation; NaN when either side is constant or there are fewer than 2 values."""
    x, y = np.asarray(x, np.float64).ravel(), np.asarray(y, np.float64).ravel()
    if x.size < 2:
        return math.nan
    dx, dy = x - x.mean(), y - y.mean()
    denominator = math.sqrt(float(dx @ dx) * float(dy @ dy))
    return float(dx @ dy) / denominator if denominator > 0 else math.nan


def log_pearson_per_track(
    predictions: Float[np.ndarray, "N S T"], targets: Float[np.ndarray, "N S T"]
) -> list[float]:
    """Pearson r of `log1p` predictions vs `log1p` targets, one value per track."""
    return [
        pearson_r(np.log1p(np.maximum(predictions[..., t], 0)), np.log1p(np.maximum(targets[..., t], 0)))
        for t in range(predictions.shape[-1])
    ]


def top_k_accuracy(scores: Values, labels: Values) -> float:
    """Share of the k highest-scoring positions that are true sites, k = number of true sites."""
    labels = np.asarray(labels).ravel() > 0
    k = int(labels.sum())
    if k == 0:
        return math.nan
    top = np.argpartition(-np.asarray(scores).ravel(), k - 1)[:k]
    return float(labels[top].mean())


def auprc(scores: Values, labels: Values) -> float:
    """Area under the precision-recall curve (average precision); NaN without a positive."""
    labels = np.asarray(labels).ravel() > 0
    if not labels.any():
        return math.nan
    return float(average_precision_score(labels, np.asarray(scores).ravel()))


def splice_site_metrics(
    probabilities: Float[np.ndarray, "N S 5"], labels: Float[np.ndarray, "N S 5"]
) -> dict[str, float]:
    """`top_k/<class>` and `auprc/<class>` per site class, and their means over classes with sites."""
    out: dict[str, float] = {}
    for index, (kind, strand) in enumerate(SPLICE_CLASSES):
        name = f"{kind}{strand}"
        out[f"top_k/{name}"] = top_k_accuracy(probabilities[..., index], labels[..., index])
        out[f"auprc/{name}"] = auprc(probabilities[..., index], labels[..., index])
    for metric in ("top_k", "auprc"):
        values = [v for k, v in out.items() if k.startswith(metric + "/") and not math.isnan(v)]
        out[metric] = float(np.mean(values)) if values else math.nan
    return out


def usage_r(
    predictions: Float[np.ndarray, "N S T"],
    usage: Float[np.ndarray, "N S T"],
    sites: Float[np.ndarray, "N S"] | None = None,
) -> float:
    """Pearson r of usage at measured sites, pooled over tracks."""
    known = np.isfinite(usage)
    at_site = usage > 0 if sites is None else np.broadcast_to(sites[..., None] > 0, usage.shape)
    chosen = known & (at_site | (usage > 0))
    return pearson_r(predictions[chosen], usage[chosen])


def mean_ignoring_nan(values: Sequence[float]) -> float:
    finite = [v for v in values if not math.isnan(v)]
    return float(np.mean(finite)) if finite else math.nan


def summarise(per_head: Mapping[str, Mapping[str, float]]) -> dict[str, float]:
    """`{head: {metric: value}}` -> flat `{"head/metric": value}` for the metrics log."""
    return {f"{head}/{name}": value for head, metrics in per_head.items() for name, value in metrics.items()}
