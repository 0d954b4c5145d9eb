"""Whole-network tests: config validation, the full model through eval_shape, tiny forward passes."""

import dataclasses
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from model.config import OFFICIAL_HEAD_TRACKS, AlphaGenomeConfig, full, preset, tiny
from model.heads import HeadName
from model.model import build_model, count_parameters
from model.summary import abstract_model, main, output_shapes, parameter_counts

# The official parameter and state trees (names and shapes, see data/README.md).
REFERENCE = Path(__file__).parent / "data"


def _tree(name):
    rows = {}
    for line in (REFERENCE / name).read_text().splitlines():
        path, shape = line.split("\t")[:2]
        rows[path] = tuple(int(d) for d in shape.strip("()").split(",") if d.strip())
    return rows


@pytest.fixture(scope="module")
def tiny_model():
    return build_model(tiny(), seed=0)


def test_config_validation():
    with pytest.raises(ValueError, match="multiple of 2048"):
        tiny(sequence_length=1000)
    with pytest.raises(ValueError, match="odd"):
        tiny(conv_kernel=4)
    with pytest.raises(ValueError, match="compute_dtype"):
        tiny(compute_dtype="float16")
    with pytest.raises(ValueError, match="missing"):
        tiny(head_tracks=(("atac", 3),))
    with pytest.raises(ValueError, match="unknown preset"):
        preset("huge")
    with pytest.raises(dataclasses.FrozenInstanceError):
        tiny().num_layers = 3  # type: ignore[misc]
    assert full().encoder_channels == (768, 896, 1024, 1152, 1280, 1408, 1536)
    assert dict(full().head_tracks) == OFFICIAL_HEAD_TRACKS


def test_full_parameter_count_via_eval_shape():
    total, state_total, per_module = parameter_counts(full())
    assert total == 450_452_613
    assert state_total == 100_608
    assert per_module["sequence_encoder"] == 89_972_992
    assert per_module["sequence_decoder"] == 111_501_447
    assert per_module["head/splice_sites_junction"] == 6_870_528


def test_full_tree_matches_official_paths_and_shapes():
    model = abstract_model(full())
    for kind, tree in (
        (nnx.Param, "alphagenome-param-tree.tsv"),
        (nnx.BatchStat, "alphagenome-state-tree.tsv"),
    ):
        ours = {
            "alphagenome/" + "/".join(map(str, p)): tuple(v.shape)
            for p, v in nnx.to_flat_state(nnx.state(model, kind))
        }
        assert ours == _tree(tree)


def test_full_output_shapes_via_eval_shape():
    shapes = output_shapes(full(), 2**17)
    assert shapes["embeddings_1bp"] == (1, 2**17, 1536)
    assert shapes["embeddings_128bp"] == (1, 1024, 3072)
    assert shapes["embeddings_pair"] == (1, 64, 64, 128)
    assert shapes["rna_seq/predictions_1bp"] == (1, 2**17, 768)
    assert shapes["chip_tf/predictions_128bp"] == (1, 1024, 1664)
    assert shapes["contact_maps/predictions"] == (1, 64, 64, 28)
    assert shapes["splice_sites_junction/predictions"] == (1, 512, 512, 734)


def test_summary_cli_prints_param_count(capsys):
    main(["--preset", "full"])
    assert "params: 450452613" in capsys.readouterr().out
    main(["--preset", "tiny"])
    assert f"params: {parameter_counts(tiny())[0]}" in capsys.readouterr().out


def test_tiny_forward(tiny_model):
    assert count_parameters(tiny_model) == parameter_counts(tiny())[0]
    graphdef, state = nnx.split(tiny_model)

    @jax.jit
    def forward(state, dna, organism):
        predictions, emb = nnx.merge(graphdef, state)(dna, organism)
        return predictions, emb.embeddings_1bp

    rng = np.random.default_rng(0)
    dna = jnp.asarray(np.eye(4, dtype=np.float32)[rng.integers(0, 4, (2, 16384))])
    organism = jnp.asarray([0, 1], jnp.int32)
    predictions, emb1 = forward(state, dna, organism)
    assert emb1.shape == (2, 16384, tiny().embedding_1bp_channels)
    assert predictions["dnase"]["predictions_1bp"].shape == (2, 16384, 8)
    assert predictions["contact_maps"]["predictions"].shape == (2, 8, 8, 4)
    assert predictions["splice_sites_junction"]["predictions"].shape == (2, 32, 32, 8)
    for head in predictions.values():
        for value in head.values():
            assert np.isfinite(np.asarray(value, np.float32)).all()
    # Organism-specific read-out: same DNA, different organism -> different predictions.
    same = jnp.concatenate([dna[:1], dna[:1]])
    predictions, _ = forward(state, same, organism)
    atac = np.asarray(predictions["atac"]["predictions_1bp"])
    assert not np.allclose(atac[0], atac[1])


def test_requested_heads_only(tiny_model):
    graphdef, state = nnx.split(tiny_model)

    def forward(state, dna, organism):
        return nnx.merge(graphdef, state)(dna, organism, heads=[HeadName.CHIP_TF])[0]

    shapes = jax.eval_shape(forward, state, jnp.zeros((1, 2048, 4)), jnp.zeros((1,), jnp.int32))
    assert set(shapes) == {"chip_tf"}


@pytest.mark.slow
def test_bfloat16_compute_policy(tiny_model):
    graphdef, state = nnx.split(tiny_model)
    dna = jnp.asarray(np.eye(4, dtype=np.float32)[np.random.default_rng(1).integers(0, 4, (1, 2048))])
    organism = jnp.zeros((1,), jnp.int32)

    def run(dtype):
        @jax.jit
        def forward(state, dna, organism):
            model = nnx.merge(graphdef, state)
            model.config = tiny(compute_dtype=dtype)
            predictions, emb = model(dna, organism, heads=[HeadName.CHIP_HISTONE])
            return predictions["chip_histone"][
                "scaled_predictions_128bp"
            ], emb.embeddings_128bp.dtype == jnp.bfloat16

        return forward(state, dna, organism)

    ref, _ = run("float32")
    low, is_bf16 = run("bfloat16")
    assert bool(is_bf16)
    assert all(leaf.dtype == jnp.float32 for leaf in jax.tree.leaves(nnx.state(tiny_model, nnx.Param)))
    a, b = np.asarray(ref, np.float32).ravel(), np.asarray(low, np.float32).ravel()
    assert np.corrcoef(a, b)[0, 1] > 0.9


def test_config_is_hashable_static():
    assert hash(tiny()) == hash(tiny())
    assert isinstance(tiny(), AlphaGenomeConfig)
