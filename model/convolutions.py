"""Convolutional blocks of the AlphaGenome U-Net (encoder and decoder), Flax NNX.

Module and parameter names follow the official Haiku tree, e.g.
`sequence_encoder/downres_block_3/conv_block_1/standardized_conv1_d/{w,scale,bias}`.
Every block takes `kernels` (`model.kernels.Kernels`), the formulation of its convolutions.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
from flax import nnx
from jax.typing import DTypeLike
from jaxtyping import Array, Float

from model.kernels import WINOGRAD_WIDTH, Kernels, conv1d, cpu_float32, winograd_kernel
from model.layers import Linear, RMSBatchNorm, gelu, truncated_normal


class BakedKernel(nnx.Variable):
    """A convolution kernel derived from the parameters once, for inference; never saved."""


class Conv1D(nnx.Module):
    """Plain 'SAME' 1-D convolution with bias (`hk.Conv1D`): `w (width, in, out)`, `b (out,)`."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        width: int,
        *,
        kernels: Kernels = Kernels.XLA,
        rngs: nnx.Rngs,
    ) -> None:
        fan_in = width * in_channels
        self.w = nnx.Param(
            truncated_normal(rngs, (width, in_channels, out_channels), 1.0 / math.sqrt(fan_in))
        )
        self.b = nnx.Param(jnp.zeros((out_channels,), jnp.float32))
        self.kernels = kernels

    def __call__(self, x: Float[Array, "B S I"]) -> Float[Array, "B S O"]:
        return conv1d(x, self.w[...].astype(x.dtype), self.kernels) + self.b[...].astype(x.dtype)


class StandardizedConv1D(nnx.Module):
    """1-D conv with scaled weight standardisation, 'SAME' padding.

    `w <- (w - mean_{width,in} w) * scale * rsqrt(max(fan_in * var_{width,in} w, 1e-4))`, then
    `conv(x, w) + bias`. Params `w (width, in, out)`, `scale (1, 1, out)`, `bias (out,)`.
    The official release initialises `w` to zeros (load-only); we use a random normal so that
    untrained models are not constant. The official module standardises `w` on every call; with
    fixed weights `bake(dtype)` does it once (the same operations, so the same values) and later
    calls in that dtype reuse the result.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        width: int,
        *,
        kernels: Kernels = Kernels.XLA,
        rngs: nnx.Rngs,
    ) -> None:
        self.fan_in = width * in_channels
        self.w = nnx.Param(truncated_normal(rngs, (width, in_channels, out_channels), 1.0))
        self.scale = nnx.Param(jnp.ones((1, 1, out_channels), jnp.float32))
        self.bias = nnx.Param(jnp.zeros((out_channels,), jnp.float32))
        self.kernels = kernels
        self.baked: BakedKernel | None = nnx.data(None)
        self.baked_winograd: BakedKernel | None = nnx.data(None)

    def standardized_kernel(self, dtype: DTypeLike) -> Float[Array, "W I O"]:
        """The effective kernel, computed in the activation dtype as the official module does."""
        w = self.w[...].astype(dtype)
        w = w - jnp.mean(w, axis=(0, 1), keepdims=True)
        var_w = jnp.var(w, axis=(0, 1), keepdims=True)
        scale = self.scale[...].astype(dtype) * jax.lax.rsqrt(jnp.maximum(self.fan_in * var_w, 1e-4))
        return w * scale

    def bake(self, dtype: DTypeLike) -> None:
        """Standardise the current `w` once for calls in `dtype` (redo after changing weights).

        Where the CPU kernels apply (`model.kernels`), also keep the kernel in Winograd's domain
        (`[8, in, out]`, 1.6x the weights' memory) so calls do not transform it again.
        """
        dtype = jnp.dtype(dtype)
        kernel = self.standardized_kernel(dtype)
        self.baked = BakedKernel(kernel)
        if cpu_float32(self.kernels, dtype) and kernel.shape[0] == WINOGRAD_WIDTH:
            self.baked_winograd = BakedKernel(winograd_kernel(kernel))

    def kernel(self, dtype: DTypeLike) -> Float[Array, "W I O"]:
        """The baked kernel when it was baked for `dtype`, else standardised now."""
        if self.baked is not None and self.baked[...].dtype == dtype:
            return self.baked[...]
        return self.standardized_kernel(dtype)

    def __call__(self, x: Float[Array, "B S I"]) -> Float[Array, "B S O"]:
        transformed = None
        if self.baked_winograd is not None and self.baked_winograd[...].dtype == x.dtype:
            transformed = self.baked_winograd[...]
        y = conv1d(x, self.kernel(x.dtype), self.kernels, transformed=transformed)
        return y + self.bias[...].astype(x.dtype)


class ConvBlock(nnx.Module):
    """Pre-activation block `conv(gelu(RMSBatchNorm(x)))`; width 1 uses a Linear instead.

    Args:
      x: `Float[Array, "B S in"]`. Returns `Float[Array, "B S out"]`.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        width: int,
        *,
        kernels: Kernels = Kernels.XLA,
        rngs: nnx.Rngs,
    ) -> None:
        self.rms_batch_norm = RMSBatchNorm(in_channels)
        if width == 1:
            self.linear = Linear(in_channels, out_channels, kernels=kernels, rngs=rngs)
        else:
            self.standardized_conv1_d = StandardizedConv1D(
                in_channels, out_channels, width, kernels=kernels, rngs=rngs
            )
        self.width = width

    def __call__(self, x: Float[Array, "B S I"]) -> Float[Array, "B S O"]:
        h = gelu(self.rms_batch_norm(x))
        if self.width == 1:
            return self.linear(h)
        return self.standardized_conv1_d(h)


class DnaEmbedder(nnx.Module):
    """One-hot DNA `[B, S, 4]` -> `[B, S, C0]`: Conv1D(width 15) then a residual ConvBlock(width 5)."""

    def __init__(
        self,
        channels: int,
        embed_kernel: int,
        conv_kernel: int,
        *,
        kernels: Kernels = Kernels.XLA,
        rngs: nnx.Rngs,
    ) -> None:
        self.conv1_d = Conv1D(4, channels, embed_kernel, kernels=kernels, rngs=rngs)
        self.conv_block = ConvBlock(channels, channels, conv_kernel, kernels=kernels, rngs=rngs)

    def __call__(self, dna: Float[Array, "B S 4"]) -> Float[Array, "B S C"]:
        x = self.conv1_d(dna)
        return x + self.conv_block(x)


class DownResBlock(nnx.Module):
    """`[B, S, C] -> [B, S, C + inc]`: two residual ConvBlocks; the first residual is zero-padded."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        conv_kernel: int,
        *,
        kernels: Kernels = Kernels.XLA,
        rngs: nnx.Rngs,
    ) -> None:
        self.extra = out_channels - in_channels
        self.conv_block = ConvBlock(in_channels, out_channels, conv_kernel, kernels=kernels, rngs=rngs)
        self.conv_block_1 = ConvBlock(out_channels, out_channels, conv_kernel, kernels=kernels, rngs=rngs)

    def __call__(self, x: Float[Array, "B S C"]) -> Float[Array, "B S D"]:
        out = self.conv_block(x) + jnp.pad(x, ((0, 0), (0, 0), (0, self.extra)))
        return out + self.conv_block_1(out)


class UpResBlock(nnx.Module):
    """Upsample x2 and merge a U-Net skip: `[B, S, C], [B, 2S, Cs] -> [B, 2S, Cs]`.

    `out = repeat2(ConvBlock_in(x) + x[..., :Cs]) * residual_scale + ConvBlock_1x1(skip)`;
    `out + ConvBlock_out(out)`.
    """

    def __init__(
        self,
        in_channels: int,
        skip_channels: int,
        conv_kernel: int,
        *,
        kernels: Kernels = Kernels.XLA,
        rngs: nnx.Rngs,
    ) -> None:
        self.skip_channels = skip_channels
        self.conv_in = ConvBlock(in_channels, skip_channels, conv_kernel, kernels=kernels, rngs=rngs)
        self.residual_scale = nnx.Param(jnp.ones((), jnp.float32))
        self.pointwise_conv_unet_skip = ConvBlock(skip_channels, skip_channels, 1, kernels=kernels, rngs=rngs)
        self.conv_out = ConvBlock(skip_channels, skip_channels, conv_kernel, kernels=kernels, rngs=rngs)

    def __call__(self, x: Float[Array, "B S C"], skip: Float[Array, "B S2 D"]) -> Float[Array, "B S2 D"]:
        out = self.conv_in(x) + x[:, :, : self.skip_channels]
        out = jnp.repeat(out, 2, axis=1) * self.residual_scale[...].astype(x.dtype)
        out = out + self.pointwise_conv_unet_skip(skip)
        return out + self.conv_out(out)


def bake_kernels(model: nnx.Module, dtype: DTypeLike) -> int:
    """Standardise every `StandardizedConv1D` kernel of `model` once for `dtype`; returns how many.

    For inference with fixed weights (the port alphagenome-pytorch bakes them at conversion).
    """
    convs = [m for _, m in nnx.iter_modules(model) if isinstance(m, StandardizedConv1D)]
    for conv in convs:
        conv.bake(dtype)
    return len(convs)
