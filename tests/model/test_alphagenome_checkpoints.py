"""Checkpoint conversion on a synthetic checkpoint in the official Orbax/Haiku layout (tiny sizes)."""

import numpy as np
import pytest

from model import checkpoints
from model.config import tiny

CFG = tiny()


@pytest.fixture(scope="module")
def official(tmp_path_factory):
    """Random weights written exactly as the official checkpoint is: Orbax, (params, state) Haiku dicts."""
    rng = np.random.default_rng(0)
    params, state = {}, {}
    for path, leaf in checkpoints.name_mapping(CFG).items():
        value = rng.standard_normal(leaf.shape).astype(np.float32)
        (state if leaf.collection == "state" else params)[path] = (
            np.abs(value) if leaf.collection == "state" else value
        )
    directory = tmp_path_factory.mktemp("official") / "all_folds"
    checkpoints.write_official(directory, params, state)
    return directory, params, state


def test_mapping_covers_every_leaf_once():
    mapping = checkpoints.name_mapping(CFG)
    assert sum(m.collection == "params" for m in mapping.values()) == 589
    assert sum(m.collection == "state" for m in mapping.values()) == 81
    assert mapping["alphagenome/transformer_tower/mha_block_8/q_layer/w"].our_path == (
        "transformer_tower",
        "mha_block_8",
        "q_layer",
        "w",
    )


def test_read_official_layout(official):
    directory, params, state = official
    read_params, read_state = checkpoints.read_official(directory)
    assert set(read_params) == set(params) and set(read_state) == set(state)
    key = "alphagenome/head/splice_sites_junction/pos_donor_logits/embeddings"
    np.testing.assert_array_equal(read_params[key], params[key])


def test_convert_cli_and_load_round_trip(official, tmp_path):
    directory, params, state = official
    out = tmp_path / "ours"
    checkpoints.main(["convert", "--from", str(directory), "--to", str(out), "--preset", "tiny"])
    loaded = checkpoints.load(out)
    assert loaded.weights_trained
    assert "converted" in loaded.provenance
    ours_params, ours_state = checkpoints.model_arrays(loaded.model)
    for key, value in params.items():
        np.testing.assert_array_equal(ours_params[key], value)
    for key, value in state.items():
        np.testing.assert_array_equal(ours_state[key], value)


def test_missing_leaf_is_named(official):
    _, params, state = official
    broken = dict(params)
    del broken["alphagenome/sequence_decoder/up_res_block_3/residual_scale"]
    with pytest.raises(checkpoints.CheckpointMismatchError, match="up_res_block_3/residual_scale"):
        checkpoints.check_official(broken, state, CFG)


def test_shape_mismatch_is_named(official):
    _, params, state = official
    broken = dict(params)
    key = "alphagenome/transformer_tower/mha_block_2/k_layer/w"
    broken[key] = broken[key][:, :1]
    with pytest.raises(
        checkpoints.CheckpointMismatchError, match="shape mismatch at .*mha_block_2/k_layer/w"
    ):
        checkpoints.check_official(broken, state, CFG)


def test_unconsumed_leaf_is_named(official):
    _, params, state = official
    extra = dict(params)
    extra["alphagenome/transformer_tower/mha_block_9/q_layer/w"] = np.zeros((1, 1), np.float32)
    with pytest.raises(checkpoints.CheckpointMismatchError, match="not consumed.*mha_block_9"):
        checkpoints.check_official(extra, state, CFG)


def test_full_preset_rejects_tiny_checkpoint(official, tmp_path):
    directory, _, _ = official
    with pytest.raises(SystemExit, match="shape mismatch"):
        checkpoints.main(
            ["convert", "--from", str(directory), "--to", str(tmp_path / "x"), "--preset", "full"]
        )


def test_save_load_own_random_checkpoint(tmp_path):
    from model.model import build_model

    model = build_model(CFG, seed=3)
    checkpoints.save(tmp_path / "rand", model, provenance="random (seed 3)", weights_trained=False)
    loaded = checkpoints.load(tmp_path / "rand")
    assert not loaded.weights_trained and loaded.model.config == CFG
    a, _ = checkpoints.model_arrays(model)
    b, _ = checkpoints.model_arrays(loaded.model)
    assert all(np.array_equal(a[k], b[k]) for k in a)
