"""Output embeddings at 128 bp, 1 bp and pair resolution, with organism-specific offsets."""

from __future__ import annotations

import jax.numpy as jnp
from flax import nnx, struct
from jaxtyping import Array, Float

from model.kernels import Kernels
from model.layers import Embed, LayerNorm, Linear, OrganismIndex, RMSBatchNorm, gelu


@struct.dataclass
class Embeddings:
    """The three embeddings every head reads.

    Attributes:
      embeddings_1bp: `Float[Array, "B S 2*C0"]` (official 1536).
      embeddings_128bp: `Float[Array, "B S/128 2*C"]` (official 3072).
      embeddings_pair: `Float[Array, "B S/2048 S/2048 F"]` (official 128).
    """

    # Not type-checked at run time (jaxtyping's `jaxtyped` skips the class, so its `__init__`): jax
    # rebuilds pytree nodes with leaves that are not arrays (`ShapeDtypeStruct` under `eval_shape`,
    # axis specs under `vmap`). The methods are still checked.
    __no_type_check__ = True

    embeddings_1bp: Array
    embeddings_128bp: Array
    embeddings_pair: Array

    def at_resolution(self, resolution: int) -> Array:
        """The sequence embedding at 1 or 128 bp."""
        if resolution == 1:
            return self.embeddings_1bp
        if resolution == 128:
            return self.embeddings_128bp
        raise ValueError(f"no sequence embedding at {resolution} bp")


class OutputEmbedder(nnx.Module):
    """`gelu(RMSBatchNorm(Linear(x) [+ repeat(Linear(skip))]) + organism_embedding)`.

    The 128 bp embedder doubles the trunk width; the 1 bp one doubles the decoder width and
    adds a projection of the (final) 128 bp embedding repeated 128 times.

    Args:
      x: `Float[Array, "B S D"]`; skip: `Float[Array, "B S/r E"]` or None; organism: `OrganismIndex`.
    Returns `Float[Array, "B S 2D"]`.
    """

    def __init__(
        self,
        in_channels: int,
        num_organisms: int,
        skip_channels: int | None = None,
        *,
        kernels: Kernels = Kernels.XLA,
        rngs: nnx.Rngs,
    ):
        out = 2 * in_channels
        self.linear = Linear(in_channels, out, kernels=kernels, rngs=rngs)
        if skip_channels is not None:
            self.linear_1 = Linear(skip_channels, out, use_bias=False, rngs=rngs)
        self.has_skip = skip_channels is not None
        self.rms_batch_norm = RMSBatchNorm(out)
        self.embed = Embed(num_organisms, out, rngs=rngs)

    def __call__(
        self, x: Float[Array, "B S D"], organism: OrganismIndex, skip: Float[Array, "B T E"] | None = None
    ) -> Float[Array, "B S O"]:
        x = self.linear(x)
        if self.has_skip:
            projected = self.linear_1(skip)
            x = x + jnp.repeat(projected, x.shape[1] // projected.shape[1], axis=1)
        x = self.rms_batch_norm(x)
        x = x + self.embed(organism)[:, None, :].astype(x.dtype)
        return gelu(x)


class OutputPair(nnx.Module):
    """Symmetrised, RMS-normalised pair embedding with organism offset, `[B P P F] -> [B P P F]`."""

    def __init__(self, channels: int, num_organisms: int, *, rngs: nnx.Rngs) -> None:
        self.layer_norm = LayerNorm(channels, rms_norm=True)
        self.embed = Embed(num_organisms, channels, rngs=rngs)

    def __call__(self, pair: Float[Array, "B P P F"], organism: OrganismIndex) -> Float[Array, "B P P F"]:
        pair = (pair + jnp.swapaxes(pair, 1, 2)) / 2.0
        pair = self.layer_norm(pair)
        pair = pair + self.embed(organism)[:, None, None, :].astype(pair.dtype)
        return gelu(pair)
