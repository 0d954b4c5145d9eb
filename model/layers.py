"""Primitive layers of AlphaGenome in Flax NNX, with the official parameter names and numerics.

Parameters are stored in float32 and cast to the activation dtype when used (the official jmp
policy `params=float32, compute=bfloat16`); normalisation statistics are accumulated in float32.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx
from jaxtyping import Array, Float, Int

from model.kernels import Kernels, dense

# Shape aliases (module-level so single-axis shapes stay readable strings).
OrganismIndex = Int[Array, "B"]  # 0 human, 1 mouse
TrackIndex = Int[Array, "T"]  # output channels to compute
AnyFloat = Float[Array, "..."]


def gelu(x: AnyFloat) -> AnyFloat:
    """The project-wide GELU of AlphaGenome: `x * sigmoid(1.702 x)`."""
    return jax.nn.sigmoid(jnp.asarray(1.702, x.dtype) * x) * x


def gelu_tanh(x: AnyFloat) -> AnyFloat:
    """`jax.nn.gelu` (tanh approximation), used only by the attention-bias and seq->pair blocks."""
    return jax.nn.gelu(x, approximate=True)


def truncated_normal(rngs: nnx.Rngs, shape: tuple[int, ...], stddev: float) -> Array:
    """Truncated normal (2 sigma) float32 initialiser, as Haiku's default for Linear.

    Drawn with numpy from a seed taken from `rngs`: eager `jax.random` compiles once per shape,
    which makes building the ~600-leaf model slow on CPU.
    """
    key = rngs.params()
    if isinstance(key, jax.core.Tracer):  # under eval_shape / jit: stay symbolic
        return stddev * jax.random.truncated_normal(key, -2.0, 2.0, shape, jnp.float32)
    seed = int(jax.random.bits(key, dtype=jnp.uint32))
    values = np.random.default_rng(seed).standard_normal(shape)
    return jnp.asarray(stddev * np.clip(values, -2.0, 2.0), jnp.float32)


def pool(x: Float[Array, "B S C"], by: int, reduce: str = "max") -> Float[Array, "B S2 C"]:
    """Non-overlapping max/mean pooling over the sequence axis: `S2 = S // by` (`by` must divide S)."""
    batch, length, channels = x.shape
    if length % by:
        raise ValueError(f"sequence length {length} is not divisible by pool size {by}")
    windows = x.reshape(batch, length // by, by, channels)
    if reduce == "max":
        return windows.max(axis=2)
    if reduce in ("avg", "mean"):
        return windows.mean(axis=2, dtype=jnp.float32).astype(x.dtype)
    raise ValueError(f"unknown pooling {reduce!r}")


class Linear(nnx.Module):
    """Dense layer `x @ w + b` with Haiku's names: `w (in, out)`, `b (out,)`.

    `kernels` chooses the formulation of the product (see `model.kernels.dense`).

    Args:
      x: `Float[Array, "... in"]`. Returns `Float[Array, "... out"]`.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        *,
        use_bias: bool = True,
        kernels: Kernels = Kernels.XLA,
        rngs: nnx.Rngs,
    ) -> None:
        self.w = nnx.Param(truncated_normal(rngs, (in_features, out_features), 1.0 / math.sqrt(in_features)))
        self.b = nnx.Param(jnp.zeros((out_features,), jnp.float32)) if use_bias else None
        self.kernels = kernels

    def __call__(self, x: Float[Array, "... I"]) -> Float[Array, "... O"]:
        y = dense(x, self.w[...].astype(x.dtype), self.kernels)
        if self.b is not None:
            y = y + self.b[...].astype(x.dtype)
        return y


class Embed(nnx.Module):
    """Lookup table `embeddings (vocab, dim)` (Haiku `hk.Embed`)."""

    def __init__(self, vocab_size: int, features: int, *, rngs: nnx.Rngs) -> None:
        self.embeddings = nnx.Param(truncated_normal(rngs, (vocab_size, features), 1.0))

    def __call__(self, index: OrganismIndex) -> Float[Array, "B D"]:
        return jnp.take(self.embeddings[...], index, axis=0)


class RMSBatchNorm(nnx.Module):
    """Root-mean-square batch norm: `x * scale * rsqrt(var + 1e-5) + offset`.

    `scale`/`offset` are parameters and `var_ema` a float32 batch statistic, each shaped
    `(1, ..., 1, C)` with `ndim` axes (3 for sequences `B S C`, 4 for pairs `B P P C`).

    Inference mode (`use_running_average`, the default and the released code): `var = var_ema`.
    Training mode (`model.train()`, architecture spec section 2.1): `var` is the uncentred mean of
    `x^2` over every axis but the channels, in float32, and `var_ema` moves towards it with decay 0.9.
    """

    def __init__(self, channels: int, *, ndim: int = 3, momentum: float = 0.9) -> None:
        shape = (1,) * (ndim - 1) + (channels,)
        self.scale = nnx.Param(jnp.ones(shape, jnp.float32))
        self.offset = nnx.Param(jnp.zeros(shape, jnp.float32))
        self.var_ema = nnx.BatchStat(jnp.ones(shape, jnp.float32))
        self.use_running_average = True
        self.momentum = momentum

    def __call__(self, x: Float[Array, "... C"]) -> Float[Array, "... C"]:
        if self.use_running_average:
            variance = self.var_ema[...]
        else:
            axes = tuple(range(x.ndim - 1))
            variance = jnp.mean(jnp.square(x.astype(jnp.float32)), axis=axes, keepdims=True)
            self.var_ema[...] = self.momentum * self.var_ema[...] + (
                1.0 - self.momentum
            ) * jax.lax.stop_gradient(variance)
        inv = self.scale[...].astype(x.dtype) * jax.lax.rsqrt(variance + 1e-5).astype(x.dtype)
        return x * inv + self.offset[...].astype(x.dtype)


class LayerNorm(nnx.Module):
    """Layer norm over the last axis (centred, or RMS when `rms_norm`), statistics in float32.

    Params `scale (C,)`, `offset (C,)`; `y = scale * (x - mean) * rsqrt(mean((x - mean)^2) + 1e-5) + offset`.
    """

    def __init__(self, channels: int, *, rms_norm: bool = False) -> None:
        self.rms_norm = rms_norm
        self.scale = nnx.Param(jnp.ones((channels,), jnp.float32))
        self.offset = nnx.Param(jnp.zeros((channels,), jnp.float32))

    def __call__(self, x: Float[Array, "... C"]) -> Float[Array, "... C"]:
        dtype = x.dtype
        if not self.rms_norm:
            x = x - jnp.mean(x, axis=-1, dtype=jnp.float32, keepdims=True).astype(dtype)
        variance = jnp.mean(jnp.square(x), axis=-1, dtype=jnp.float32, keepdims=True)
        inv = self.scale[...].astype(dtype) * jax.lax.rsqrt(variance + 1e-5).astype(dtype)
        return inv * x + self.offset[...].astype(dtype)
