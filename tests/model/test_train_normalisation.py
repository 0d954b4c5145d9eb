"""RMSBatchNorm in training mode (spec section 2.1): batch statistics, `var_ema` with decay 0.9."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from model.layers import RMSBatchNorm


def test_training_mode_normalises_by_the_batch_and_moves_the_average():
    x = jnp.array([[[1.0, 2.0], [3.0, 0.0]], [[-1.0, 2.0], [1.0, 4.0]]])  # [B=2, S=2, C=2]
    norm = RMSBatchNorm(2)
    norm.train()
    out = norm(x)
    mean_square = np.array([(1 + 9 + 1 + 1) / 4, (4 + 0 + 4 + 16) / 4])  # per channel: 3, 6
    np.testing.assert_allclose(out, np.asarray(x) / np.sqrt(mean_square + 1e-5), rtol=1e-6)
    np.testing.assert_allclose(norm.var_ema[...].ravel(), 0.9 * 1.0 + 0.1 * mean_square, rtol=1e-6)


def test_inference_mode_reads_the_average_and_changes_nothing():
    norm = RMSBatchNorm(2)
    norm.var_ema[...] = jnp.array([[[4.0, 9.0]]])
    x = jnp.ones((1, 3, 2))
    np.testing.assert_allclose(norm(x)[0, 0], [1 / np.sqrt(4 + 1e-5), 1 / np.sqrt(9 + 1e-5)], rtol=1e-6)
    np.testing.assert_array_equal(norm.var_ema[...], [[[4.0, 9.0]]])
