"""Target scaling and every training loss against values worked out by hand on tiny arrays."""

from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np
import pytest

from model.heads import HeadName, predictions_scaling, targets_scaling
from model.train import losses

LN2 = math.log(2.0)


def test_target_scaling_divides_by_mean_times_resolution_then_soft_clips():
    means = jnp.array([[2.0]])
    # 128 bp bins: y / (2 * 128); 10 is the soft-clip knee, above it 2 sqrt(10 y) - 10.
    y = jnp.array([[[256.0], [2560.0], [5120.0]]])
    scaled = targets_scaling(y, means, 128, False)
    np.testing.assert_allclose(scaled[0, :, 0], [1.0, 10.0, 2 * math.sqrt(200) - 10], rtol=1e-6)
    # RNA-seq squashing: (4096 / 256) ** 0.75 = 8.
    np.testing.assert_allclose(
        targets_scaling(jnp.array([[[4096.0]]]), means, 128, True), [[[8.0]]], rtol=1e-6
    )
    # and predictions_scaling is its inverse
    back = predictions_scaling(scaled, means, 128, False)
    np.testing.assert_allclose(back, y, rtol=1e-5)


def test_track_loss_sum_pools_one_bp_targets_and_scales_each_resolution():
    # ones at 1 bp: the 128 bp target is 128, scaled by mean * 128 -> 1/mean; predictions equal to
    # the scaled targets leave only the positional (entropy) term, the same at both resolutions here.
    mean = 0.5
    targets = jnp.ones((1, 256, 1))
    predictions = {
        "scaled_predictions_1bp": jnp.full((1, 256, 1), 1 / mean),
        "scaled_predictions_128bp": jnp.full((1, 2, 1), 1 / mean),
    }
    out = losses.track_loss(predictions, targets, jnp.array([[mean]]), jnp.ones((1, 1), bool), HeadName.ATAC)
    # 1 bp: 256 positions of 2 in one segment, each -2 log(1/256); 128 bp: 2 bins of 2, -2 log(1/2)
    np.testing.assert_allclose(out["loss_positional_1bp"], 2 * math.log(256), rtol=1e-5)
    np.testing.assert_allclose(out["loss_positional_128bp"], 2 * LN2, rtol=1e-5)
    np.testing.assert_allclose(out["loss_total_1bp"], 0.0, atol=1e-5)
    np.testing.assert_allclose(out["loss"], 5 * (2 * math.log(256) + 2 * LN2), rtol=1e-5)


def test_poisson_loss_is_zero_at_the_target():
    value = losses.poisson_loss(jnp.array([1.0, 2.0]), jnp.array([2.0, 2.0]))
    # (2 - 1 ln 2) - (1 - 1 ln 1) = 1 - ln 2 for the first, 0 for the second; mean of the two.
    np.testing.assert_allclose(value, (1 - LN2) / 2, rtol=1e-6)


def test_multinomial_loss_by_hand():
    y_true = jnp.array([1.0, 0.0, 2.0, 2.0]).reshape(1, 4, 1)
    y_pred = jnp.array([1.0, 1.0, 1.0, 3.0]).reshape(1, 4, 1)
    out = losses.multinomial_loss(y_true, y_pred, jnp.ones((1, 1, 1), bool), segment=2)
    # totals: segment 1 true 1 pred 2 -> 1 - ln 2; segment 2 true 4 pred 4 -> 0; mean / 2 bins
    total = (1 - LN2) / 2 / 2
    # positions: -1 ln(1/2), 0, -2 ln(1/4), -2 ln(3/4); mean of four
    positional = (LN2 + 2 * math.log(4) + 2 * math.log(4 / 3)) / 4
    np.testing.assert_allclose(out["loss_total"], total, rtol=1e-5)
    np.testing.assert_allclose(out["loss_positional"], positional, rtol=1e-5)
    np.testing.assert_allclose(out["loss"], total + 5 * positional, rtol=1e-5)


def test_multinomial_loss_ignores_masked_tracks():
    y_true = jnp.array([[[1.0, 100.0], [0.0, 0.0], [2.0, 7.0], [2.0, 1.0]]])
    y_pred = jnp.array([[[1.0, 0.1], [1.0, 9.0], [1.0, 0.0], [3.0, 2.0]]])
    masked = losses.multinomial_loss(y_true, y_pred, jnp.array([[[True, False]]]), segment=2)
    alone = losses.multinomial_loss(y_true[..., :1], y_pred[..., :1], jnp.ones((1, 1, 1), bool), segment=2)
    np.testing.assert_allclose(masked["loss"], alone["loss"], rtol=1e-6)


def test_segments_are_two_to_the_seventeen_bp_or_the_whole_window():
    assert losses.segment_bins(2**20, 1) == 2**17 and losses.segment_bins(2**20, 128) == 1024
    assert losses.segment_bins(2048, 1) == 2048 and losses.segment_bins(2048, 128) == 16


def test_splice_site_cross_entropy_by_hand():
    logits = jnp.array([[[0.0] * 5, [2.0, 0, 0, 0, 0], [9.0, 9, 9, 9, 9]]])
    labels = jnp.array([[[0, 0, 0, 0, 1.0], [1.0, 0, 0, 0, 0], [0.0] * 5]])  # the third has no label
    out = losses.splice_sites_loss(logits, labels)
    # uniform logits: ln 5; class 0 with logit 2: ln(e^2 + 4) - 2 (smoothing 1e-7 changes ~1e-7)
    expected = (math.log(5) + math.log(math.e**2 + 4) - 2) / 2
    np.testing.assert_allclose(out["loss"], expected, rtol=1e-5)


def test_splice_usage_binary_cross_entropy_by_hand():
    logits = jnp.array([[[0.0, 2.0], [5.0, -1.0]]])
    usage = jnp.array([[[0.3, 1.0], [jnp.nan, 0.0]]])
    out = losses.splice_usage_loss(logits, usage, jnp.ones((1, 2), bool))
    # logit 0: ln 2 whatever the target; logit 2, target 1 - 1e-7: log1p(e^-2) (+2e-7);
    # logit -1, target 1e-7: log1p(e^-1); the NaN is left out.
    expected = (LN2 + math.log1p(math.exp(-2)) + math.log1p(math.exp(-1))) / 3
    np.testing.assert_allclose(out["loss"], expected, rtol=1e-5)


def test_total_loss_weights_heads():
    per_head = {"atac": {"loss": jnp.asarray(2.0)}, "splice_sites_junction": {"loss": jnp.asarray(10.0)}}
    assert float(losses.total_loss(per_head, {"splice_sites_junction": 0.2})) == pytest.approx(4.0)


def test_multinomial_loss_matches_the_official_code():
    official = pytest.importorskip("alphagenome_research.model.losses")
    rng = np.random.default_rng(0)
    y_true = rng.poisson(2.0, (2, 64, 3)).astype(np.float32)
    y_pred = rng.uniform(0.1, 4.0, (2, 64, 3)).astype(np.float32)
    mask = np.array([[[True, True, False]], [[True, False, True]]])
    theirs = official.multinomial_loss(
        y_true=jnp.asarray(y_true),
        y_pred=jnp.asarray(y_pred),
        mask=jnp.asarray(mask),
        multinomial_resolution=16,
        positional_weight=5.0,
    )
    ours = losses.multinomial_loss(jnp.asarray(y_true), jnp.asarray(y_pred), jnp.asarray(mask), segment=16)
    np.testing.assert_allclose(ours["loss"], theirs["loss"], rtol=1e-6)
