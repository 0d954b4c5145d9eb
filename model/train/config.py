"""Training configuration: frozen dataclasses read from a TOML file (`tomllib`).

Defaults are the pretraining recipe of the architecture spec (section 5): AdamW with
beta 0.9/0.999, eps 1e-8, weight decay 0.4; learning rate warmed up linearly from 0 to 4e-3 over
5,000 steps, then cosine decay to 0 at the last step; shift +-1024 bp; reverse complement half of
the time; batch 64; 15,000 steps. A lab's run on a CPU will shrink most of them.

```toml
[model]
preset = "tiny"                 # model.config presets
overrides = { sequence_length = 16384 }

[data]
fasta = "genome.fa"             # paths are relative to this file
tracks = "tracks.csv"           # name, file, strand, output_type, ontology_term
splice_sites = "sites.tsv"      # or: genes = "genes.tsv" (a SpliceAI table or a GTF)
splice_usage = "usage.tsv"
folds = { train = ["chr1"], validation = ["chr2"], test = ["chr3"] }
# or: blocks = "chr20", fractions = [0.8, 0.1, 0.1]

[augment]
max_shift = 1024
reverse_complement_rate = 0.5

[optimizer]
learning_rate = 4e-3
warmup_steps = 5000

[train]
steps = 15000
batch_size = 64
checkpoint_every = 1000
eval_every = 1000
output_dir = "runs/first"

[finetune]                      # python -m model.train finetune
checkpoint = "runs/first/export"
freeze_trunk = true
```
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from model.heads import HeadName

SCHEDULES = ("warmup_cosine", "constant")


@dataclasses.dataclass(frozen=True)
class ModelSection:
    """`preset` (`tiny`, `full`) and AlphaGenomeConfig fields to change."""

    preset: str = "tiny"
    overrides: tuple[tuple[str, Any], ...] = ()


@dataclasses.dataclass(frozen=True)
class DataSection:
    """Where the examples come from (see `model.train.data`)."""

    fasta: Path
    tracks: Path | None = None
    splice_sites: Path | None = None
    genes: Path | None = None
    splice_usage: Path | None = None
    folds: tuple[tuple[str, tuple[str, ...]], ...] = ()
    blocks: str | None = None
    fractions: tuple[float, float, float] = (0.8, 0.1, 0.1)
    organism: int = 0

    def __post_init__(self) -> None:
        if bool(self.folds) == bool(self.blocks):
            raise ValueError(
                "[data] needs exactly one of `folds` (regions per split) or `blocks` (a chromosome)"
            )
        if self.splice_sites is not None and self.genes is not None:
            raise ValueError("[data] takes `splice_sites` or `genes`, not both")
        if not (self.tracks or self.splice_sites or self.genes or self.splice_usage):
            raise ValueError("[data] has no targets: give tracks, splice_sites, genes or splice_usage")


@dataclasses.dataclass(frozen=True)
class AugmentSection:
    max_shift: int = 1024
    reverse_complement_rate: float = 0.5

    def __post_init__(self) -> None:
        if self.max_shift < 0 or not 0.0 <= self.reverse_complement_rate <= 1.0:
            raise ValueError("[augment] max_shift must be >= 0 and reverse_complement_rate in [0, 1]")


@dataclasses.dataclass(frozen=True)
class OptimizerSection:
    """AdamW and its learning-rate schedule (spec section 5)."""

    learning_rate: float = 4e-3
    warmup_steps: int = 5000
    schedule: str = "warmup_cosine"
    weight_decay: float = 0.4
    b1: float = 0.9
    b2: float = 0.999
    eps: float = 1e-8
    clip_norm: float | None = None

    def __post_init__(self) -> None:
        if self.schedule not in SCHEDULES:
            raise ValueError(f"[optimizer] schedule must be one of {SCHEDULES}, got {self.schedule!r}")
        if self.learning_rate <= 0 or self.warmup_steps < 0:
            raise ValueError("[optimizer] learning_rate must be > 0 and warmup_steps >= 0")


@dataclasses.dataclass(frozen=True)
class TrainSection:
    """Steps, batches, checkpoints, evaluation.

    Attributes:
      batch_statistics: RMSBatchNorm normalises by each batch's statistics and updates `var_ema`
        (spec section 2.1); default true for `fit`, false for `finetune` (the checkpoint's kept).
    """

    output_dir: Path
    steps: int = 15000
    batch_size: int = 64
    seed: int = 0
    checkpoint_every: int = 1000
    keep_checkpoints: int = 3
    eval_every: int = 1000
    eval_windows: int = 64
    eval_batch_size: int = 4
    loss_weights: tuple[tuple[str, float], ...] = ()
    batch_statistics: bool | None = None

    def __post_init__(self) -> None:
        for name in ("steps", "batch_size", "checkpoint_every", "eval_every", "eval_batch_size"):
            if getattr(self, name) <= 0:
                raise ValueError(f"[train] {name} must be positive")


@dataclasses.dataclass(frozen=True)
class FinetuneSection:
    """Start from `checkpoint` (ours, or converted by `model.checkpoints`).

    Attributes:
      replace_heads: heads re-created (fresh weights, sized to the new tracks); default: every
        head that has targets in `[data]`.
      freeze_trunk: train only the heads (the trunk's parameters get no updates).
      preset: sizes of an official (not yet converted) checkpoint.
    """

    checkpoint: Path
    replace_heads: tuple[str, ...] | None = None
    freeze_trunk: bool = True
    preset: str = "full"

    def __post_init__(self) -> None:
        known = {h.value for h in HeadName}
        unknown = set(self.replace_heads or ()) - known
        if unknown:
            raise ValueError(f"[finetune] unknown heads {sorted(unknown)}")


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    model: ModelSection
    data: DataSection
    augment: AugmentSection
    optimizer: OptimizerSection
    train: TrainSection
    finetune: FinetuneSection | None = None


def _section(cls: type, values: Mapping[str, Any], name: str) -> dict[str, Any]:
    fields = {f.name for f in dataclasses.fields(cls)}
    unknown = set(values) - fields
    if unknown:
        raise ValueError(f"[{name}] unknown keys {sorted(unknown)}; known: {sorted(fields)}")
    return dict(values)


def _path(base: Path, value: object) -> Path | None:
    return None if value is None else (base / str(value)).resolve()


def from_mapping(raw: Mapping[str, Any], base: Path) -> TrainConfig:
    """Build a TrainConfig from parsed TOML; relative paths are taken from `base`."""
    unknown = set(raw) - {"model", "data", "augment", "optimizer", "train", "finetune"}
    if unknown:
        raise ValueError(f"unknown sections {sorted(unknown)}")
    model = _section(ModelSection, raw.get("model", {}), "model")
    model["overrides"] = tuple(sorted(dict(model.get("overrides", {})).items()))
    data = _section(DataSection, raw.get("data", {}), "data")
    if "fasta" not in data:
        raise ValueError("[data] fasta is required")
    for key in ("fasta", "tracks", "splice_sites", "genes", "splice_usage"):
        data[key] = _path(base, data.get(key))
    data["folds"] = tuple((split, tuple(regions)) for split, regions in dict(data.get("folds", {})).items())
    if "fractions" in data:
        data["fractions"] = tuple(float(f) for f in data["fractions"])
    train = _section(TrainSection, raw.get("train", {}), "train")
    if "output_dir" not in train:
        raise ValueError("[train] output_dir is required")
    train["output_dir"] = _path(base, train["output_dir"])
    train["loss_weights"] = tuple(sorted(dict(train.get("loss_weights", {})).items()))
    finetune = None
    if "finetune" in raw:
        section = _section(FinetuneSection, raw["finetune"], "finetune")
        if "checkpoint" not in section:
            raise ValueError("[finetune] checkpoint is required")
        section["checkpoint"] = _path(base, section["checkpoint"])
        if section.get("replace_heads") is not None:
            section["replace_heads"] = tuple(section["replace_heads"])
        finetune = FinetuneSection(**section)
    return TrainConfig(
        model=ModelSection(**model),
        data=DataSection(**data),
        augment=AugmentSection(**_section(AugmentSection, raw.get("augment", {}), "augment")),
        optimizer=OptimizerSection(**_section(OptimizerSection, raw.get("optimizer", {}), "optimizer")),
        train=TrainSection(**train),
        finetune=finetune,
    )


def load(path: str | Path) -> TrainConfig:
    """Read a TOML training config."""
    path = Path(path)
    with path.open("rb") as handle:
        raw = tomllib.load(handle)
    return from_mapping(raw, path.resolve().parent)
