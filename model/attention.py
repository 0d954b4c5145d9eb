"""Transformer tower blocks: multi-query attention with RoPE and soft-capped logits, the MLP,
the pairwise (2048 bp) representation and its attention bias. Flax NNX, official names.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx
from jaxtyping import Array, Float

from model.config import AlphaGenomeConfig
from model.layers import LayerNorm, Linear, RMSBatchNorm, gelu_tanh, pool


def rope_inverse_frequencies(channels: int, max_position: int) -> np.ndarray:
    """AlphaGenome's modified RoPE frequencies `1 / (f + geomspace(1, max - C/2 + 1, C/2))`, float32."""
    num_freq = channels // 2
    ramp = np.geomspace(1.0, max_position - num_freq + 1, num_freq).astype(np.float32)
    return (1.0 / (np.arange(num_freq, dtype=np.float32) + ramp)).astype(np.float32)


def rotate_pairs(x: Float[Array, "... C"]) -> Float[Array, "... C"]:
    """RoPE's quarter turn of interleaved channel pairs: `(x0, x1) -> (-x1, x0)`."""
    return jnp.stack([-x[..., 1::2], x[..., ::2]], axis=-1).reshape(x.shape)


def apply_rope(
    x: Float[Array, "B S H C"], positions: Float[Array, "B S"] | None, max_position: int
) -> Float[Array, "B S H C"]:
    """Rotary embedding over interleaved channel pairs (2i, 2i+1), computed in `x.dtype`.

    Args:
      x: activations; `C` must be even.
      positions: position of every row (defaults to `arange(S)`, the 128 bp bin index).
      max_position: sets the frequency schedule (8192 in the tower, 2**20 for junctions).
    """
    if positions is None:
        positions = jnp.arange(x.shape[1]).astype(x.dtype)[None, :]
    inv_freq = jnp.asarray(rope_inverse_frequencies(x.shape[-1], max_position)).astype(x.dtype)
    theta = jnp.einsum("bs,f->bsf", positions.astype(x.dtype), inv_freq)
    theta = jnp.repeat(theta, 2, axis=-1)[:, :, None, :]
    return x * jnp.cos(theta) + rotate_pairs(x) * jnp.sin(theta)


def central_mask_features(
    distances: Float[Array, "N ..."], feature_size: int, seq_length: int
) -> Float[Array, "N F"]:
    """Binary features `width_j > |d|` with exponentially spaced widths (Enformer's central mask)."""
    widths = np.arange(feature_size) + np.geomspace(
        1, seq_length - feature_size + 1, feature_size, endpoint=False
    )
    return (jnp.asarray(widths, jnp.float32) > distances[:, None]).astype(distances.dtype)


def relative_shift(x: Float[Array, "... Q K2"], key_length: int) -> Float[Array, "... Q K"]:
    """Transformer-XL relative shift of `[..., Q, Q+K]` logits to `[..., Q, K]`."""
    *batch, rows, diags = x.shape
    x = x.reshape(*batch, diags, rows)[..., 1:, :]
    return x.reshape(*batch, rows, diags - 1)[..., :key_length]


class MHABlock(nnx.Module):
    """Multi-query attention branch: `RMSBatchNorm(Linear(attend(RMSBatchNorm(x))))`.

    Args:
      x: `Float[Array, "B S C"]` at 128 bp.
      bias: `Float[Array, "B H P P"]` at pair resolution (S = P * pair_pool), or None.
    Returns the branch output `Float[Array, "B S C"]` (the caller adds the residual).
    """

    def __init__(self, config: AlphaGenomeConfig, *, rngs: nnx.Rngs) -> None:
        c, h = config.trunk_channels, config.num_heads
        self.config = config
        self.rms_batch_norm = RMSBatchNorm(c)
        self.q_layer = Linear(c, h * config.qk_dim, use_bias=False, rngs=rngs)
        self.k_layer = Linear(c, config.qk_dim, use_bias=False, rngs=rngs)
        self.v_layer = Linear(c, config.v_dim, use_bias=False, rngs=rngs)
        self.norm_q = LayerNorm(config.qk_dim)
        self.norm_k = LayerNorm(config.qk_dim)
        self.norm_v = LayerNorm(config.v_dim)
        self.linear_embedding = Linear(h * config.v_dim, c, rngs=rngs)
        self.rms_batch_norm_1 = RMSBatchNorm(c)

    def __call__(
        self, x: Float[Array, "B S C"], bias: Float[Array, "B H P P"] | None
    ) -> Float[Array, "B S C"]:
        cfg = self.config
        batch, length, _ = x.shape
        h = self.rms_batch_norm(x)
        q = self.norm_q(self.q_layer(h).reshape(batch, length, cfg.num_heads, cfg.qk_dim))
        k = self.norm_k(self.k_layer(h).reshape(batch, length, 1, cfg.qk_dim))
        v = self.norm_v(self.v_layer(h).reshape(batch, length, 1, cfg.v_dim))
        q = apply_rope(q, None, cfg.rope_max_position)
        k = apply_rope(k, None, cfg.rope_max_position)
        logits = jnp.einsum("bshc,bSc->bhsS", q, k[:, :, 0], preferred_element_type=jnp.float32)
        logits = logits / math.sqrt(cfg.qk_dim)
        if bias is not None:
            # Add the pair-resolution bias block-wise instead of materialising a [B,H,S,S] repeat.
            pairs = bias.shape[-1]
            block = length // pairs
            logits = logits.reshape(batch, cfg.num_heads, pairs, block, pairs, block)
            logits = logits + bias.astype(jnp.float32)[:, :, :, None, :, None]
            logits = logits.reshape(batch, cfg.num_heads, length, length)
        logits = jnp.tanh(logits / cfg.logit_soft_cap) * cfg.logit_soft_cap
        weights = jax.nn.softmax(logits, axis=-1)
        y = jnp.einsum("bhsS,bSc->bshc", weights, v[:, :, 0], preferred_element_type=jnp.float32).astype(
            x.dtype
        )
        y = self.linear_embedding(y.reshape(batch, length, cfg.num_heads * cfg.v_dim))
        return self.rms_batch_norm_1(y)


class MLPBlock(nnx.Module):
    """Sequence MLP branch `RMSBatchNorm(Linear(relu(Linear(RMSBatchNorm(x)))))`, `[B S C] -> [B S C]`."""

    def __init__(self, config: AlphaGenomeConfig, *, rngs: nnx.Rngs) -> None:
        c = config.trunk_channels
        self.rms_batch_norm = RMSBatchNorm(c)
        self.linear = Linear(c, config.mlp_ratio * c, rngs=rngs)
        self.linear_1 = Linear(config.mlp_ratio * c, c, rngs=rngs)
        self.rms_batch_norm_1 = RMSBatchNorm(c)

    def __call__(self, x: Float[Array, "B S C"]) -> Float[Array, "B S C"]:
        h = self.linear(self.rms_batch_norm(x))
        h = self.linear_1(jax.nn.relu(h))
        return self.rms_batch_norm_1(h)


class AttentionBiasBlock(nnx.Module):
    """Pair activations `[B P P F]` -> per-head attention bias `[B H P P]` (tanh-GELU, no bias).

    The official block repeats the bias 16x on both axes; MHABlock broadcasts it instead.
    """

    def __init__(self, config: AlphaGenomeConfig, *, rngs: nnx.Rngs) -> None:
        self.rms_batch_norm = RMSBatchNorm(config.pair_dim, ndim=4)
        self.linear = Linear(config.pair_dim, config.num_heads, use_bias=False, rngs=rngs)

    def __call__(self, pair: Float[Array, "B P P F"]) -> Float[Array, "B H P P"]:
        bias = self.linear(gelu_tanh(self.rms_batch_norm(pair)))
        return jnp.moveaxis(bias, 3, 1)


class SequenceToPairBlock(nnx.Module):
    """128 bp sequence `[B S C]` -> pair activations `[B P P F]`, P = S / pair_pool.

    Outer sum of two projections plus a learned map of per-head `q.k` logits with relative
    position terms (central-mask features, Transformer-XL shift). No softmax, no 1/sqrt(d).
    """

    def __init__(self, config: AlphaGenomeConfig, *, rngs: nnx.Rngs) -> None:
        c, heads, dim, f = config.trunk_channels, config.s2p_heads, config.s2p_dim, config.pair_dim
        self.config = config
        self.norm_seq2pair = LayerNorm(c, rms_norm=True)
        self.linear_q = Linear(c, heads * dim, use_bias=False, rngs=rngs)
        self.linear_k = Linear(c, heads * dim, use_bias=False, rngs=rngs)
        self.linear_pos_features = Linear(2 * config.pos_features, heads * dim, rngs=rngs)
        self.q_r_bias = nnx.Param(jnp.zeros((1, 1, heads, dim), jnp.float32))
        self.k_r_bias = nnx.Param(jnp.zeros((1, 1, heads, dim), jnp.float32))
        self.linear_y_q = Linear(c, f, use_bias=False, rngs=rngs)
        self.linear_y_k = Linear(c, f, use_bias=False, rngs=rngs)
        self.linear_pair = Linear(heads, f, rngs=rngs)

    def __call__(self, x: Float[Array, "B S C"]) -> Float[Array, "B P P F"]:
        cfg = self.config
        x = self.norm_seq2pair(pool(x, cfg.pair_pool, "mean"))
        batch, pairs = x.shape[0], x.shape[1]
        q = self.linear_q(x).reshape(batch, pairs, cfg.s2p_heads, cfg.s2p_dim)
        k = self.linear_k(x).reshape(batch, pairs, cfg.s2p_heads, cfg.s2p_dim)
        relative = jnp.arange(-pairs, pairs).astype(jnp.float32)
        features = central_mask_features(jnp.abs(relative), cfg.pos_features, cfg.pos_seq_length)
        features = jnp.concatenate([features, jnp.sign(relative)[:, None] * features], axis=-1).astype(
            x.dtype
        )
        pos = self.linear_pos_features(features).reshape(2 * pairs, cfg.s2p_heads, cfg.s2p_dim)
        q_bias = self.q_r_bias[...].astype(x.dtype)
        k_bias = self.k_r_bias[...].astype(x.dtype)
        rel_q = relative_shift(jnp.einsum("bqhc,phc->bhqp", q + q_bias, pos), pairs)
        rel_k = relative_shift(jnp.einsum("bkhc,phc->bhkp", k + k_bias, pos), pairs)
        logits = jnp.einsum("bqhc,bkhc->bqkh", q, k)
        logits = logits + 0.5 * (jnp.einsum("bhqp->bqph", rel_q) + jnp.einsum("bhkp->bpkh", rel_k))
        y_q = self.linear_y_q(gelu_tanh(x))
        y_k = self.linear_y_k(gelu_tanh(x))
        return self.linear_pair(logits) + y_q[:, :, None, :] + y_k[:, None, :, :]


class RowAttentionBlock(nnx.Module):
    """Single-head attention along each row of the pair map, `[B P P F] -> [B P P F]`."""

    def __init__(self, config: AlphaGenomeConfig, *, rngs: nnx.Rngs) -> None:
        f = config.pair_dim
        self.layer_norm = LayerNorm(f, rms_norm=True)
        self.linear_q = Linear(f, f, use_bias=False, rngs=rngs)
        self.linear_k = Linear(f, f, use_bias=False, rngs=rngs)
        self.linear_v = Linear(f, f, rngs=rngs)

    def __call__(self, pair: Float[Array, "B P P F"]) -> Float[Array, "B P P F"]:
        x = self.layer_norm(pair)
        q, k, v = self.linear_q(x), self.linear_k(x), self.linear_v(x)
        logits = jnp.einsum("bpqf,bpkf->bpqk", q, k, preferred_element_type=jnp.float32) / math.sqrt(
            q.shape[-1]
        )
        weights = jax.nn.softmax(logits, axis=-1)
        return jnp.einsum("bpqk,bpkf->bpqf", weights, v, preferred_element_type=jnp.float32).astype(q.dtype)


class PairMLPBlock(nnx.Module):
    """Pair MLP `Linear(relu(Linear(RMSNorm(x))))`, `[B P P F] -> [B P P F]`."""

    def __init__(self, config: AlphaGenomeConfig, *, rngs: nnx.Rngs) -> None:
        f = config.pair_dim
        self.layer_norm = LayerNorm(f, rms_norm=True)
        self.linear = Linear(f, config.mlp_ratio * f, rngs=rngs)
        self.linear_1 = Linear(config.mlp_ratio * f, f, rngs=rngs)

    def __call__(self, pair: Float[Array, "B P P F"]) -> Float[Array, "B P P F"]:
        return self.linear_1(jax.nn.relu(self.linear(self.layer_norm(pair))))


class PairUpdateBlock(nnx.Module):
    """`p = s2p(x) (+ p)`; `p += RowAttention(p)`; `p += PairMLP(p)`."""

    def __init__(self, config: AlphaGenomeConfig, *, rngs: nnx.Rngs) -> None:
        self.sequence_to_pair_block = SequenceToPairBlock(config, rngs=rngs)
        self.row_attention_block = RowAttentionBlock(config, rngs=rngs)
        self.pair_mlp_block = PairMLPBlock(config, rngs=rngs)

    def __call__(
        self, x: Float[Array, "B S C"], pair: Float[Array, "B P P F"] | None
    ) -> Float[Array, "B P P F"]:
        y = self.sequence_to_pair_block(x)
        pair = y if pair is None else pair + y
        pair = pair + self.row_attention_block(pair)
        return pair + self.pair_mlp_block(pair)


def haiku_suffix(index: int) -> str:
    """Haiku's numbering of repeated modules: '' for the first, then '_1', '_2', ..."""
    return "" if index == 0 else f"_{index}"


class TransformerTower(nnx.Module):
    """Nine (num_layers) blocks of MQA + MLP with a pair update before every second block.

    Args:
      x: `Float[Array, "B S C"]` 128 bp trunk. Returns `(x [B S C], pair [B P P F])`.
    """

    def __init__(self, config: AlphaGenomeConfig, *, rngs: nnx.Rngs) -> None:
        self.num_layers = config.num_layers
        self.pair_every = config.pair_every
        for i in range(config.num_layers):
            if i % config.pair_every == 0:
                setattr(
                    self,
                    f"pair_update_block{haiku_suffix(i // config.pair_every)}",
                    PairUpdateBlock(config, rngs=rngs),
                )
            setattr(self, f"attention_bias_block{haiku_suffix(i)}", AttentionBiasBlock(config, rngs=rngs))
            setattr(self, f"mha_block{haiku_suffix(i)}", MHABlock(config, rngs=rngs))
            setattr(self, f"mlp_block{haiku_suffix(i)}", MLPBlock(config, rngs=rngs))

    def __call__(self, x: Float[Array, "B S C"]) -> tuple[Float[Array, "B S C"], Float[Array, "B P P F"]]:
        pair = None
        for i in range(self.num_layers):
            if i % self.pair_every == 0:
                pair = getattr(self, f"pair_update_block{haiku_suffix(i // self.pair_every)}")(x, pair)
            bias = getattr(self, f"attention_bias_block{haiku_suffix(i)}")(pair)
            x = x + getattr(self, f"mha_block{haiku_suffix(i)}")(x, bias)
            x = x + getattr(self, f"mlp_block{haiku_suffix(i)}")(x)
        return x, pair


__all__ = [
    "AttentionBiasBlock",
    "MHABlock",
    "MLPBlock",
    "PairMLPBlock",
    "PairUpdateBlock",
    "RowAttentionBlock",
    "SequenceToPairBlock",
    "TransformerTower",
    "apply_rope",
    "rotate_pairs",
    "central_mask_features",
    "relative_shift",
]
