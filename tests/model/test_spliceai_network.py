"""SpliceAI-10k network: shapes, parameter count, exactness of the valid-conv tricks, Keras parity."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from model.genome import one_hot, reverse_complement
from model.spliceai.network import SpliceAI, SpliceAIConfig, count_parameters
from tests.model import spliceai_support as support

SNRPB_REGION = (2_442_000, 2_444_000)  # 0-based, around SNRPB's 3' exons (− strand)
NRSN2_DONOR = 327_785  # 0-based last base of NRSN2's first exon (+ strand donor)
SNRPB_DONOR = 2_443_281  # 0-based first base of an SNRPB exon (− strand donor)


@nnx.jit
def _forward(model: SpliceAI, x: jax.Array) -> jax.Array:
    return model(x)


def test_config_flanks() -> None:
    assert SpliceAIConfig.spliceai_10k().flank == 5000
    assert SpliceAIConfig.tiny().flank == 2 * 1 * 2 + 2 * 2 * 4
    with pytest.raises(ValueError):
        SpliceAIConfig(stages=((4, 1),))


def test_tiny_shapes_and_softmax() -> None:
    config = SpliceAIConfig.tiny()
    model = SpliceAI(config, nnx.Rngs(0))
    x = jax.nn.one_hot(jnp.arange(2 * (30 + 2 * config.flank)) % 4, 4).reshape(2, -1, 4)
    y = _forward(model, x)
    assert y.shape == (2, 30, 3)
    np.testing.assert_allclose(np.asarray(y.sum(-1)), 1.0, rtol=1e-6)


def test_full_model_parameter_count() -> None:
    abstract = nnx.eval_shape(lambda: SpliceAI(SpliceAIConfig.spliceai_10k(), nnx.Rngs(0)))
    assert count_parameters(abstract) == 698_787


def test_valid_convs_are_translation_equivariant() -> None:
    """An output base depends only on the 2 * flank + 1 bases around it: tiles have no seams."""
    config = SpliceAIConfig.tiny()
    model = SpliceAI(config, nnx.Rngs(1))
    rng = np.random.default_rng(0)
    x = jax.nn.one_hot(rng.integers(0, 4, 200 + 2 * config.flank), 4)[None]
    whole = np.asarray(_forward(model, x))[0]
    left = np.asarray(_forward(model, x[:, : 100 + 2 * config.flank]))[0]
    right = np.asarray(_forward(model, x[:, 100:]))[0]
    np.testing.assert_allclose(np.concatenate([left, right]), whole, atol=1e-6)


def _real_windows(n_out: int = 400) -> np.ndarray:
    """SNRPB's last donor (− strand, so reverse-complemented) and NRSN2's first donor (+ strand)."""
    g = support.genome()
    # reversed, output 200 is forward base 199 of the window
    snrpb = reverse_complement(g.fetch("20", SNRPB_DONOR - 199 - 5000, SNRPB_DONOR + 201 + 5000))
    nrsn2 = g.fetch("20", NRSN2_DONOR - 200 - 5000, NRSN2_DONOR + 200 + 5000)
    return np.stack([one_hot(snrpb), one_hot(nrsn2)])


def test_parity_with_keras_original_on_real_chr20() -> None:
    """Our Flax port vs the original .h5 models in Keras 3 (JAX backend): each model and the mean."""
    from model.spliceai.keras_reference import keras_ensemble_predict

    x = _real_windows()
    keras_models = support.keras_models()
    ours = support.ensemble()
    expected = keras_ensemble_predict(keras_models, x)
    got = ours.predict_onehot(x)
    assert got.shape == expected.shape == (2, 400, 3)
    assert np.abs(got - expected).max() < 1e-4
    # the windows hold real splice sites, so the comparison is not between near-zero tracks
    assert expected[..., 1:].max() > 0.9
    assert expected[0, 200, 2] > 0.9 and expected[1, 200, 2] > 0.5  # the annotated donors


def test_tiled_and_incremental_predictions_are_exact() -> None:
    """Tiling a region and the incremental SNV path both equal plain full-window passes."""
    ens = support.ensemble()
    g = support.genome()
    d = 50
    sequence = g.fetch("20", SNRPB_REGION[0] - 5000, SNRPB_REGION[1] + 5000)
    whole = ens.predict_sequence(sequence)
    offsets = [d, 1281, 2000 - d - 1]
    alts = [{"A": "C", "C": "G", "G": "T", "T": "A"}[sequence[o + 5000]] for o in offsets]
    ref, alt = ens.predict_with_snvs(sequence, offsets, alts, d)
    np.testing.assert_allclose(ref, whole, atol=1e-6)
    windows = []
    for o, a in zip(offsets, alts, strict=True):
        w = sequence[o - d : o + d + 1 + 10_000]
        windows.append(w[: 5000 + d] + a + w[5000 + d + 1 :])
    full_alt = np.stack(ens.predict_windows(windows))
    np.testing.assert_allclose(alt, full_alt, atol=1e-6)
    assert np.abs(full_alt - np.stack([whole[o - d : o + d + 1] for o in offsets])).max() > 1e-5
