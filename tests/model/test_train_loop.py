"""A tiny end-to-end fit on synthetic bigWigs and splice tables; exact resume from a checkpoint.

The tiny preset at 2 kb with two transformer blocks (`train_support.MODEL_OVERRIDES`) compiles its
train step in ~20 s on this CPU; both tests share it (the compiled step is cached per structure).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from model import checkpoints
from model.train import config as train_config
from model.train.__main__ import main
from model.train.loop import CHECKPOINT_DIR, EXPORT_DIR, METRICS_FILE, Trainer, read_metrics, trainer_for
from tests.model.train_support import lab_data, write_config

STEPS = 20
EVERY = 10


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    """`python -m model.train fit` for STEPS steps, checkpoint every EVERY."""
    directory = tmp_path_factory.mktemp("fit")
    lab_data(directory)
    path = write_config(directory, steps=STEPS, checkpoint_every=EVERY)
    main(["fit", "--config", str(path), "--no-progress"])
    return directory


def train_records(directory):
    return [r for r in read_metrics(directory / "run" / METRICS_FILE) if "split" not in r]


def test_fit_lowers_the_loss_and_writes_metrics_checkpoints_and_a_model(uninterrupted):
    records = train_records(uninterrupted)
    assert [r["step"] for r in records] == list(range(1, STEPS + 1))

    def first_and_last(key):
        values = [r[key] for r in records]
        return np.mean(values[:3]), np.mean(values[-5:])

    # ATAC's 1 bp multinomial term is mostly the Poisson noise's own entropy (~30 of its ~34); the
    # splice heads' losses fall 10-50x within 20 steps.
    first, last = first_and_last("loss")
    assert last < first
    first, last = first_and_last("loss/atac")
    assert last < first
    for head in ("splice_sites_classification", "splice_sites_usage"):
        first, last = first_and_last(f"loss/{head}")
        assert last < 0.2 * first, (head, first, last)
    validation = [r for r in read_metrics(uninterrupted / "run" / METRICS_FILE) if r.get("split")]
    assert len(validation) == 1 and validation[0]["step"] == STEPS
    assert {"atac/log_r", "splice_sites_classification/auprc", "splice_sites_usage/usage_r"} <= set(
        validation[0]
    )
    run = uninterrupted / "run"
    assert sorted(int(p.name) for p in (run / CHECKPOINT_DIR).iterdir() if p.name.isdigit()) == [EVERY, STEPS]
    exported = checkpoints.load(run / EXPORT_DIR)
    assert exported.weights_trained and exported.model.config.tracks["atac"] == 2
    assert json.loads((run / EXPORT_DIR / "tracks.json").read_text())["atac"][0]["name"] == "ATAC liver +"


def test_resume_gives_the_same_step_parameters_and_losses(uninterrupted, tmp_path):
    lab_data(tmp_path)
    config = train_config.load(write_config(tmp_path, steps=STEPS, checkpoint_every=EVERY))
    first = trainer_for(config)
    first.fit(progress=False, until=EVERY + 3)  # stopped 3 steps after the last checkpoint
    first.close()

    resumed = trainer_for(config)
    assert isinstance(resumed, Trainer) and resumed.state.step == EVERY
    resumed.fit(progress=False)
    resumed.close()

    records = train_records(tmp_path)
    assert [r["step"] for r in records] == list(range(1, STEPS + 1))  # the 3 lost steps logged once
    reference = train_records(uninterrupted)
    assert [r["loss"] for r in records] == [r["loss"] for r in reference]
    with (
        np.load(tmp_path / "run" / EXPORT_DIR / "weights.npz") as ours,
        np.load(uninterrupted / "run" / EXPORT_DIR / "weights.npz") as theirs,
    ):
        assert ours.files == theirs.files
        for name in ours.files:
            np.testing.assert_array_equal(ours[name], theirs[name], err_msg=name)
