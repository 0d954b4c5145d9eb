"""Fine-tuning from a checkpoint: a new DNase head for the lab's track, trunk frozen."""

from __future__ import annotations

import numpy as np

from model import checkpoints
from model.model import build_model
from model.train.__main__ import main
from model.train.loop import EXPORT_DIR, METRICS_FILE, read_metrics
from tests.model.train_support import CHROM, lab_data, tiny_config


def test_finetune_replaces_the_head_and_leaves_the_frozen_trunk_alone(tmp_path):
    lab_data(tmp_path)
    base = checkpoints.save(
        tmp_path / "base", build_model(tiny_config(), seed=1), provenance="random tiny", weights_trained=False
    )
    (tmp_path / "dnase.csv").write_text(
        "name,file,strand,output_type,ontology_term\nDNase liver,atac_plus.bw,.,DNASE,UBERON:0002107\n"
    )
    (tmp_path / "finetune.toml").write_text(
        f"""
[model]
preset = "tiny"

[data]
fasta = "genome.fa"
tracks = "dnase.csv"
folds = {{ train = ["{CHROM}:1-32768"], validation = ["{CHROM}:32769-36864"] }}

[augment]
max_shift = 0

[optimizer]
learning_rate = 1e-2
schedule = "constant"

[train]
steps = 6
batch_size = 2
checkpoint_every = 6
eval_every = 6
eval_windows = 2
output_dir = "tuned"

[finetune]
checkpoint = "base"
freeze_trunk = true
"""
    )
    main(["finetune", "--config", str(tmp_path / "finetune.toml"), "--no-progress"])

    records = [r for r in read_metrics(tmp_path / "tuned" / METRICS_FILE) if "split" not in r]
    assert [r["step"] for r in records] == list(range(1, 7)) and "loss/dnase" in records[0]
    assert records[-1]["loss"] < records[0]["loss"], [r["loss"] for r in records]
    tuned = checkpoints.load(tmp_path / "tuned" / EXPORT_DIR).model
    assert tuned.config.tracks["dnase"] == 1 and tuned.config.tracks["atac"] == 8
    with (
        np.load(base / "weights.npz") as before,
        np.load(tmp_path / "tuned" / EXPORT_DIR / "weights.npz") as after,
    ):
        dnase = [k for k in after.files if "/head/dnase/" in k]
        frozen = [k for k in after.files if "/head/dnase/" not in k]
        assert dnase and all(after[k].shape[-1] == 1 for k in dnase if k.endswith(("/w", "/b")))
        for key in frozen:  # trunk and the other heads: exactly the checkpoint's
            np.testing.assert_array_equal(after[key], before[key], err_msg=key)
