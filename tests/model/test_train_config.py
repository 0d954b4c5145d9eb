"""The TOML run config: defaults from the spec's recipe, paths from the file's folder, loud errors."""

from __future__ import annotations

import pytest

from model.train import config as train_config
from model.train.loop import learning_rate


def write(tmp_path, text):
    path = tmp_path / "run.toml"
    path.write_text(text)
    return path


MINIMAL = """
[data]
fasta = "ref/genome.fa"
genes = "genes.tsv"
blocks = "20"

[train]
output_dir = "out"
"""


def test_defaults_are_the_pretraining_recipe_and_paths_are_relative_to_the_file(tmp_path):
    config = train_config.load(write(tmp_path, MINIMAL))
    assert config.data.fasta == (tmp_path / "ref" / "genome.fa").resolve()
    assert config.train.output_dir == (tmp_path / "out").resolve()
    optimizer = config.optimizer
    assert (optimizer.learning_rate, optimizer.warmup_steps, optimizer.weight_decay) == (4e-3, 5000, 0.4)
    assert (optimizer.b1, optimizer.b2, optimizer.eps) == (0.9, 0.999, 1e-8)
    assert (config.augment.max_shift, config.augment.reverse_complement_rate) == (1024, 0.5)
    assert (config.train.batch_size, config.train.steps) == (64, 15000)
    assert config.data.fractions == (0.8, 0.1, 0.1) and config.finetune is None


def test_learning_rate_warms_up_linearly_then_decays_to_zero(tmp_path):
    config = train_config.load(write(tmp_path, MINIMAL))
    schedule = learning_rate(config.optimizer, 15000)
    assert float(schedule(0)) == 0.0
    assert float(schedule(2500)) == pytest.approx(2e-3)
    assert float(schedule(5000)) == pytest.approx(4e-3)
    assert float(schedule(10000)) == pytest.approx(2e-3, rel=1e-3)  # half way down the cosine
    assert float(schedule(15000)) == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("[train]", "[train]\nstpes = 3"), "unknown keys"),
        (('blocks = "20"', 'blocks = "20"\nfolds = { train = ["20"] }'), "exactly one of"),
        (('genes = "genes.tsv"', ""), "no targets"),
        (("[train]", '[optimizer]\nschedule = "linear"\n[train]'), "schedule"),
        (("[train]", '[finetune]\ncheckpoint = "c"\nreplace_heads = ["atca"]\n[train]'), "unknown heads"),
    ],
)
def test_mistakes_are_named(tmp_path, change, message):
    with pytest.raises(ValueError, match=message):
        train_config.load(write(tmp_path, MINIMAL.replace(*change)))


def test_finetune_section(tmp_path):
    text = (
        MINIMAL + '\n[finetune]\ncheckpoint = "../weights"\nreplace_heads = ["dnase"]\nfreeze_trunk = false\n'
    )
    finetune = train_config.load(write(tmp_path, text)).finetune
    assert finetune is not None and finetune.checkpoint == (tmp_path.parent / "weights").resolve()
    assert finetune.replace_heads == ("dnase",) and not finetune.freeze_trunk
