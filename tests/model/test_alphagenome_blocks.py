"""Shape and exact-value tests for every AlphaGenome block on tiny sizes (no Django, CPU)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from model import attention, convolutions, embeddings, heads, layers
from model.config import tiny

CFG = tiny()
B, S = 2, 4096  # 32 bins of 128 bp, 2 pair bins
T = S // 128
P = T // CFG.pair_pool
C = CFG.trunk_channels
RNG = np.random.default_rng(0)


def rand(*shape):
    return jnp.asarray(RNG.standard_normal(shape), jnp.float32)


ORG = jnp.asarray([0, 1], jnp.int32)


def test_gelu_variants():
    x = jnp.linspace(-4, 4, 9)
    np.testing.assert_allclose(layers.gelu(x), x * jax.nn.sigmoid(1.702 * x), rtol=1e-6)
    tanh = 0.5 * x * (1 + jnp.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))
    np.testing.assert_allclose(layers.gelu_tanh(x), tanh, rtol=1e-5, atol=1e-6)


def test_rms_batch_norm_inference_formula():
    norm = layers.RMSBatchNorm(3)
    norm.scale[...] = jnp.asarray([[[1.0, 2.0, 3.0]]])
    norm.offset[...] = jnp.asarray([[[0.0, 1.0, -1.0]]])
    norm.var_ema[...] = jnp.asarray([[[4.0, 1.0, 0.25]]])
    x = rand(2, 5, 3)
    expected = x * np.array([1, 2, 3]) / np.sqrt(np.array([4, 1, 0.25]) + 1e-5) + np.array([0, 1, -1])
    np.testing.assert_allclose(norm(x), expected, rtol=1e-5)
    assert norm.var_ema[...].shape == (1, 1, 3)
    assert layers.RMSBatchNorm(3, ndim=4).scale[...].shape == (1, 1, 1, 3)


@pytest.mark.parametrize("rms", [False, True])
def test_layer_norm(rms):
    x = rand(3, 7)
    norm = layers.LayerNorm(7, rms_norm=rms)
    centred = x if rms else x - x.mean(-1, keepdims=True)
    expected = centred / np.sqrt((np.asarray(centred) ** 2).mean(-1, keepdims=True) + 1e-5)
    np.testing.assert_allclose(norm(x), expected, rtol=1e-5, atol=1e-6)


def test_pool_max_and_mean():
    x = rand(1, 8, 2)
    np.testing.assert_allclose(layers.pool(x, 2), np.asarray(x).reshape(1, 4, 2, 2).max(2))
    np.testing.assert_allclose(
        layers.pool(x, 4, "mean"), np.asarray(x).reshape(1, 2, 4, 2).mean(2), rtol=1e-6
    )


def test_standardized_conv_matches_numpy():
    conv = convolutions.StandardizedConv1D(3, 4, 5, rngs=nnx.Rngs(0))
    x = rand(1, 9, 3)
    w = np.asarray(conv.w[...])
    w = w - w.mean((0, 1), keepdims=True)
    w = w / np.sqrt(np.maximum(15 * w.var((0, 1), keepdims=True), 1e-4))
    padded = np.pad(np.asarray(x), ((0, 0), (2, 2), (0, 0)))
    expected = np.stack([np.einsum("wi,wio->o", padded[0, i : i + 5], w) for i in range(9)])[None]
    np.testing.assert_allclose(conv(x), expected, rtol=1e-4, atol=1e-5)


def test_conv_blocks_shapes():
    rngs = nnx.Rngs(0)
    ch = CFG.encoder_channels
    x = rand(B, 64, 4)
    emb = convolutions.DnaEmbedder(ch[0], CFG.embed_kernel, CFG.conv_kernel, rngs=rngs)
    h = emb(x)
    assert h.shape == (B, 64, ch[0])
    down = convolutions.DownResBlock(ch[0], ch[1], CFG.conv_kernel, rngs=rngs)
    d = down(h)
    assert d.shape == (B, 64, ch[1])
    up = convolutions.UpResBlock(ch[1], ch[0], CFG.conv_kernel, rngs=rngs)
    assert up(d[:, :32], h).shape == (B, 64, ch[0])
    block = convolutions.ConvBlock(ch[0], 7, 1, rngs=rngs)
    assert hasattr(block, "linear") and block(h).shape == (B, 64, 7)


def test_rope_is_relative():
    """q.k after RoPE depends only on the position offset."""
    q, k = rand(1, 1, 1, 16), rand(1, 1, 1, 16)

    def score(i, j):
        qi = attention.apply_rope(q, jnp.asarray([[i]], jnp.float32), 8192)
        kj = attention.apply_rope(k, jnp.asarray([[j]], jnp.float32), 8192)
        return float((qi * kj).sum())

    assert score(3, 10) == pytest.approx(score(50, 57), rel=1e-4)
    assert score(0, 0) == pytest.approx(float((q * k).sum()), rel=1e-5)


def test_rope_interleaved_rotation():
    x = jnp.asarray([[[[1.0, 0.0, 0.0, 1.0]]]])
    inv = attention.rope_inverse_frequencies(4, 8192)
    out = attention.apply_rope(x, jnp.asarray([[1.0]]), 8192)
    a, b = inv
    expected = [np.cos(a), np.sin(a), -np.sin(b), np.cos(b)]
    np.testing.assert_allclose(np.asarray(out).ravel(), expected, rtol=1e-5)


def test_relative_shift_matches_gather():
    q_len = 5
    x = rand(2, q_len, 2 * q_len)
    shifted = attention.relative_shift(x, q_len)
    # Transformer-XL: out[i, j] = x[i, j - i + q_len] for relative index arange(-P, P)
    for i in range(q_len):
        for j in range(q_len):
            np.testing.assert_allclose(shifted[:, i, j], x[:, i, j - i + q_len])


def test_central_mask_features():
    f = attention.central_mask_features(jnp.asarray([0.0, 1.0, 600.0]), 4, 512)
    assert f.shape == (3, 4)
    assert np.asarray(f)[0].all() and not np.asarray(f)[2].any()


def test_tower_blocks_shapes():
    rngs = nnx.Rngs(0)
    x = rand(B, T, C)
    s2p = attention.SequenceToPairBlock(CFG, rngs=rngs)
    pair = s2p(x)
    assert pair.shape == (B, P, P, CFG.pair_dim)
    upd = attention.PairUpdateBlock(CFG, rngs=rngs)
    pair = upd(x, pair)
    assert pair.shape == (B, P, P, CFG.pair_dim)
    bias = attention.AttentionBiasBlock(CFG, rngs=rngs)(pair)
    assert bias.shape == (B, CFG.num_heads, P, P)
    assert attention.MHABlock(CFG, rngs=rngs)(x, bias).shape == (B, T, C)
    assert attention.MLPBlock(CFG, rngs=rngs)(x).shape == (B, T, C)
    assert attention.RowAttentionBlock(CFG, rngs=rngs)(pair).shape == pair.shape
    assert attention.PairMLPBlock(CFG, rngs=rngs)(pair).shape == pair.shape


def test_attention_bias_broadcast_equals_repeat():
    """MHABlock adds the pair-resolution bias blockwise: same as the official 16x repeat."""
    rngs = nnx.Rngs(1)
    mha = attention.MHABlock(CFG, rngs=rngs)
    x = rand(1, T, C)
    bias = rand(1, CFG.num_heads, P, P)
    out = mha(x, bias)
    # Reference: explicit repeat, then the same computation without the pair path.
    full_bias = jnp.repeat(jnp.repeat(bias, CFG.pair_pool, 2), CFG.pair_pool, 3)
    h = mha.rms_batch_norm(x)
    q = mha.norm_q(mha.q_layer(h).reshape(1, T, CFG.num_heads, CFG.qk_dim))
    k = mha.norm_k(mha.k_layer(h).reshape(1, T, 1, CFG.qk_dim))
    v = mha.norm_v(mha.v_layer(h).reshape(1, T, 1, CFG.v_dim))
    q, k = attention.apply_rope(q, None, 8192), attention.apply_rope(k, None, 8192)
    logits = jnp.einsum("bshc,bSc->bhsS", q, k[:, :, 0]) / np.sqrt(CFG.qk_dim) + full_bias
    w = jax.nn.softmax(jnp.tanh(logits / 5) * 5, -1)
    y = jnp.einsum("bhsS,bSc->bshc", w, v[:, :, 0]).reshape(1, T, -1)
    expected = mha.rms_batch_norm_1(mha.linear_embedding(y))
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-5)


def test_output_embedders_shapes():
    rngs = nnx.Rngs(0)
    trunk = rand(B, T, C)
    e128 = embeddings.OutputEmbedder(C, 2, rngs=rngs)(trunk, ORG)
    assert e128.shape == (B, T, 2 * C)
    decoded = rand(B, S, CFG.base_channels)
    e1 = embeddings.OutputEmbedder(CFG.base_channels, 2, skip_channels=2 * C, rngs=rngs)(decoded, ORG, e128)
    assert e1.shape == (B, S, 2 * CFG.base_channels)
    pair = rand(B, P, P, CFG.pair_dim)
    ep = embeddings.OutputPair(CFG.pair_dim, 2, rngs=rngs)(pair, ORG)
    assert ep.shape == pair.shape
    np.testing.assert_allclose(ep, jnp.swapaxes(ep, 1, 2), rtol=1e-6)


def _embeddings():
    return embeddings.Embeddings(
        embeddings_1bp=rand(B, S, CFG.embedding_1bp_channels),
        embeddings_128bp=rand(B, T, CFG.embedding_128bp_channels),
        embeddings_pair=rand(B, P, P, CFG.pair_dim),
    )


def test_every_head_shape():
    emb = _embeddings()
    tracks = CFG.tracks
    all_heads = heads.Heads(CFG, rngs=nnx.Rngs(0))
    for name in heads.HeadName:
        head = all_heads.get(name)
        kwargs = {}
        if name is heads.HeadName.SPLICE_SITES_JUNCTION:
            kwargs["splice_site_positions"] = jnp.asarray(RNG.integers(-1, S, (B, 4, 6)), jnp.int32)
        out = head(emb, ORG, **kwargs)
        n = tracks[name.value]
        if name is heads.HeadName.CONTACT_MAPS:
            assert out["predictions"].shape == (B, P, P, n)
        elif name is heads.HeadName.SPLICE_SITES_JUNCTION:
            assert out["predictions"].shape == (B, 6, 6, 2 * n)
        elif head.config.resolutions:
            for res in head.config.resolutions:
                assert out[f"predictions_{res}bp"].shape == (B, S // res, n)
                assert (np.asarray(out[f"scaled_predictions_{res}bp"]) >= 0).all()
        else:
            assert out["predictions"].shape == (B, S, n)


def test_track_index_computes_only_selected_columns():
    emb = _embeddings()
    head = heads.create_head(heads.HeadName.CAGE, CFG, rngs=nnx.Rngs(0))
    head.track_means[...] = jnp.asarray(RNG.uniform(0.5, 2, head.track_means[...].shape), jnp.float32)
    full = head(emb, ORG)
    idx = jnp.asarray([5, 1], jnp.int32)
    part = head(emb, ORG, idx)
    for key in full:
        assert part[key].shape[-1] == 2
        np.testing.assert_allclose(part[key], np.asarray(full[key])[..., [5, 1]], rtol=1e-5, atol=1e-6)


def test_prediction_scaling_round_trip():
    y = jnp.asarray(RNG.uniform(0, 500, (1, 10, 3)), jnp.float32)
    means = jnp.asarray([[0.5, 2.0, 7.0]])
    for squash in (False, True):
        scaled = heads.targets_scaling(y, means, 128, squash)
        np.testing.assert_allclose(heads.predictions_scaling(scaled, means, 128, squash), y, rtol=1e-4)


def test_top_k_splice_sites():
    probs = np.full((1, 20, 5), 0.01, np.float32)
    probs[0, [3, 11], 0] = [0.9, 0.5]
    probs[0, 7, 2] = 0.05  # below threshold
    sites = np.asarray(heads.top_k_splice_sites(jnp.asarray(probs), 4, 0.1))
    assert sites.shape == (1, 4, 4)
    assert sites[0, 0].tolist() == [3, 11, -1, -1]
    assert (sites[0, 2] == -1).all()


def test_junction_mask_and_padding():
    emb = _embeddings()
    head = heads.create_head(heads.HeadName.SPLICE_SITES_JUNCTION, CFG, rngs=nnx.Rngs(0))
    sites = jnp.asarray([[[1, 5, -1]] * 4] * B, jnp.int32)
    out = head(emb, ORG, splice_site_positions=sites)
    pred = np.asarray(out["predictions"])
    assert (pred[:, 2, :, :] == 0).all() and (pred[:, :, 2, :] == 0).all()
    assert (pred[:, :2, :2] > 0).all()
