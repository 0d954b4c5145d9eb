"""The CPU formulations of convolutions and dense layers compute the same maps as XLA's plain ops."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from model import attention, convolutions, heads, kernels
from model.config import tiny
from model.embeddings import Embeddings
from model.kernels import Kernels
from model.model import build_model

RNG = np.random.default_rng(7)


def rand(*shape, scale=1.0):
    return jnp.asarray(scale * RNG.standard_normal(shape), jnp.float32)


def correlate_same(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """float64 'SAME' cross-correlation `[B, S, I] x [W, I, O]`, written out."""
    width = w.shape[0]
    padded = np.pad(x, ((0, 0), (width // 2, width // 2), (0, 0)))
    return sum(np.einsum("bsi,io->bso", padded[:, k : k + x.shape[1]], w[k]) for k in range(width))


def test_winograd_matrices_compute_the_correlation_exactly_in_float64():
    a_t, g, b_t = kernels.winograd_matrices()
    assert a_t.shape == (4, 8) and g.shape == (8, 5) and b_t.shape == (8, 8)
    for _ in range(5):
        tile, taps = RNG.standard_normal(8), RNG.standard_normal(5)
        expected = [sum(taps[k] * tile[j + k] for k in range(5)) for j in range(4)]
        np.testing.assert_allclose(a_t @ ((g @ taps) * (b_t @ tile)), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    ("batch", "length", "cin", "cout"), [(1, 64, 8, 8), (2, 2048, 24, 40), (3, 12, 5, 3)]
)
def test_winograd_conv_matches_the_direct_convolution(batch, length, cin, cout):
    x, w = rand(batch, length, cin), rand(5, cin, cout, scale=1 / np.sqrt(5 * cin))
    reference = correlate_same(np.asarray(x, np.float64), np.asarray(w, np.float64))
    winograd = np.asarray(kernels.winograd_conv1d(x, w), np.float64)
    direct = np.asarray(kernels.direct_conv1d(x, w), np.float64)
    scale = np.abs(reference).max()
    assert np.abs(winograd - reference).max() / scale < 2e-6  # edges included ('SAME' zeros)
    assert np.abs(direct - reference).max() / scale < 2e-6


def test_winograd_conv_names_what_it_cannot_do():
    with pytest.raises(ValueError, match="S % 4 == 0"):
        kernels.winograd_conv1d(rand(1, 10, 2), rand(5, 2, 2))
    with pytest.raises(ValueError, match="width-5"):
        kernels.winograd_conv1d(rand(1, 8, 2), rand(3, 2, 2))


def test_a_pretransformed_kernel_gives_the_same_convolution():
    x, w = rand(2, 256, 6), rand(5, 6, 3)
    transformed = kernels.winograd_kernel(w)
    assert transformed.shape == (8, 6, 3)
    np.testing.assert_allclose(
        kernels.winograd_conv1d(x, transformed=transformed),
        kernels.winograd_conv1d(x, w),
        rtol=1e-6,
        atol=1e-6,
    )


def test_conv1d_dispatch():
    long_x, short_x, w = rand(1, 2048, 4), rand(1, 1024, 4), rand(5, 4, 6)
    assert jax.default_backend() == "cpu"
    np.testing.assert_array_equal(kernels.conv1d(long_x, w, Kernels.AUTO), kernels.winograd_conv1d(long_x, w))
    np.testing.assert_array_equal(kernels.conv1d(long_x, w, Kernels.XLA), kernels.direct_conv1d(long_x, w))
    np.testing.assert_array_equal(kernels.conv1d(short_x, w, Kernels.AUTO), kernels.direct_conv1d(short_x, w))
    # bfloat16 keeps XLA's convolution (Winograd's transforms would cost precision there).
    bf16 = long_x.astype(jnp.bfloat16), w.astype(jnp.bfloat16)
    np.testing.assert_array_equal(kernels.conv1d(*bf16, Kernels.AUTO), kernels.direct_conv1d(*bf16))


def test_dense_as_a_width_one_convolution():
    x, w = rand(2, 4096, 12), rand(12, 7)
    expected = np.asarray(x) @ np.asarray(w)
    np.testing.assert_allclose(kernels.dense(x, w, Kernels.AUTO), expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(
        kernels.pointwise(x.reshape(-1, 12), w), kernels.dense(x, w, Kernels.AUTO).reshape(-1, 7)
    )
    np.testing.assert_array_equal(
        kernels.dense(x[:, :8], w, Kernels.AUTO), x[:, :8] @ w
    )  # short: a plain dot


def test_baked_kernels_equal_the_per_call_standardisation():
    conv = convolutions.StandardizedConv1D(6, 4, 5, kernels=Kernels.AUTO, rngs=nnx.Rngs(0))
    conv.scale[...] = rand(1, 1, 4)
    x = rand(2, 32, 6)
    before = conv(x)
    conv.bake(jnp.float32)
    assert conv.baked is not None
    np.testing.assert_allclose(conv(x), before, rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(conv.kernel(jnp.float32), conv.baked[...])
    assert conv.baked_winograd is not None  # float32 on a CPU: also kept in Winograd's domain
    np.testing.assert_allclose(
        conv.baked_winograd[...], kernels.winograd_kernel(conv.baked[...]), rtol=1e-6, atol=1e-6
    )
    long_x = rand(1, 2048, 6)
    np.testing.assert_allclose(
        conv(long_x), kernels.direct_conv1d(long_x, conv.baked[...]) + conv.bias[...], rtol=1e-5, atol=1e-5
    )
    # A call in another dtype standardises in that dtype, as the official module does.
    np.testing.assert_array_equal(conv.kernel(jnp.bfloat16), conv.standardized_kernel(jnp.bfloat16))


def test_bake_kernels_covers_every_standardized_conv_and_saves_nothing():
    model = build_model(tiny())
    convs = [m for _, m in nnx.iter_modules(model) if isinstance(m, convolutions.StandardizedConv1D)]
    assert convolutions.bake_kernels(model, jnp.float32) == len(convs) == 27
    assert all(c.baked is not None for c in convs)
    saved = {type(v) for _, v in nnx.to_flat_state(nnx.state(model, nnx.Param))}
    assert convolutions.BakedKernel not in saved


def test_whole_model_cpu_kernels_match_xla_kernels():
    """tiny preset at 16,384 bp: Winograd stages (>= 2,048 positions) and dense-as-conv both run."""
    dna = jnp.asarray(np.eye(4, dtype=np.float32)[RNG.integers(0, 4, 16_384)][None])
    organism = jnp.zeros((1,), jnp.int32)
    outputs = {}
    for choice in ("auto", "xla"):
        model = build_model(tiny(kernels=choice), seed=3)
        convolutions.bake_kernels(model, jnp.float32)
        predictions, _ = nnx.jit(lambda m, d, o: m(d, o, heads=[heads.HeadName.ATAC, heads.HeadName.CAGE]))(
            model, dna, organism
        )
        outputs[choice] = {k: np.asarray(v) for h in predictions.values() for k, v in h.items()}
    for key, xla in outputs["xla"].items():
        auto = outputs["auto"][key]
        assert np.abs(auto - xla).max() <= 1e-4 * np.abs(xla).max(), key
        assert np.corrcoef(auto.ravel(), xla.ravel())[0, 1] > 0.999999, key


def test_config_rejects_unknown_kernels():
    with pytest.raises(ValueError, match="kernels must be one of"):
        tiny(kernels="fast")


def test_junction_head_equals_rope_of_scaled_site_embeddings():
    """The factorised RoPE (rotate [K,H] and [T,H] factors) against the official formula."""
    config = tiny()
    head = heads.create_head(heads.HeadName.SPLICE_SITES_JUNCTION, config, rngs=nnx.Rngs(1))
    length, k = 4096, 6
    emb1 = rand(1, length, config.embedding_1bp_channels)
    emb = Embeddings(
        emb1, rand(1, length // 128, config.embedding_128bp_channels), rand(1, 2, 2, config.pair_dim)
    )
    sites = jnp.asarray(np.sort(RNG.choice(length, (1, 4, k), replace=False), axis=-1), jnp.int32)
    sites = sites.at[:, :, -1].set(-1)
    organism = jnp.asarray([1], jnp.int32)
    got = head(emb, organism, splice_site_positions=sites)["predictions"]

    hidden = head.multi_organism_linear(emb1, organism)
    tissues, dim = head.tissues, config.junction_hidden

    def site_logits(module, positions):
        gathered = jnp.take(hidden[0], positions, axis=0, mode="clip")[None]  # [1, K, H]
        params = module.embeddings[...][1].reshape(2, tissues, dim)
        x = params[0][None, None] * gathered[:, :, None] + params[1][None, None]  # [1, K, T, H]
        return attention.apply_rope(x, positions[None].astype(jnp.float32), config.junction_rope_max)

    donor_p, accept_p = (
        site_logits(head.pos_donor_logits, sites[0, 0]),
        site_logits(head.pos_acceptor_logits, sites[0, 1]),
    )
    donor_n, accept_n = (
        site_logits(head.neg_donor_logits, sites[0, 2]),
        site_logits(head.neg_acceptor_logits, sites[0, 3]),
    )
    pos = jax.nn.softplus(jnp.einsum("bdtc,batc->bdat", donor_p, accept_p))
    neg = jax.nn.softplus(jnp.einsum("bdtc,batc->bdat", donor_n, accept_n))
    expected = np.concatenate([pos, neg], axis=-1)
    mask = np.asarray(got != 0)
    assert mask[0, :-1, :-1].all() and not mask[0, -1].any()  # padding sites masked
    np.testing.assert_allclose(np.asarray(got)[mask], expected[mask], rtol=2e-5, atol=1e-6)
