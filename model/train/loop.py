"""The training loop: model and data from a config, a jitted train step, evaluation, checkpoints.

`fit(config)` trains from random weights; `finetune(config)` starts from a checkpoint (ours, or
one `model.checkpoints` converts), re-creates the heads that get new tracks and, if asked,
freezes the trunk. Both resume from the run's latest checkpoint when there is one.

The train step is `jax.jit` over the model split by `nnx.split` into trainable parameters and
the rest (frozen parameters, `var_ema`, track means); only the trainable part is differentiated
and updated by optax. RMSBatchNorm normalises by batch statistics and moves `var_ema` (decay 0.9,
spec section 2.1) when training from scratch; fine-tuning keeps the checkpoint's `var_ema`
(`[train] batch_statistics` chooses). Evaluation always uses `var_ema`.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax  # type: ignore[import-untyped]
import pandas as pd
from flax import nnx
from jaxtyping import Array
from tqdm import tqdm

from model import checkpoints
from model.annotations import read_annotation
from model.config import AlphaGenomeConfig, preset
from model.genome import Genome
from model.heads import HEAD_CONFIGS, HeadName, HeadType
from model.model import AlphaGenome, build_model, random_init
from model.train import losses, metrics
from model.train.checkpointing import Checkpoints, TrainState, export, read_track_means
from model.train.config import OptimizerSection, TrainConfig
from model.train.data import (
    BigWigTracks,
    Example,
    Folds,
    SpliceLabels,
    TrainingData,
    contiguous_blocks,
    read_splice_sites,
    read_splice_usage,
    read_track_table,
    splice_sites_from_genes,
    track_heads,
)

# Training compiles with XLA's own convolutions: the Winograd CPU kernels (`model.kernels`, "auto")
# are an inference optimisation whose gradients are slow (tiny preset, 16 kb, batch 2, float32 on this
# CPU, bench/train.py: train step 5.08 s with "auto", 1.29 s with "xla"; compile 99 s vs 39 s).
# The export goes back to "auto" for inference unless the run's config chose kernels itself.
TRAINING_KERNELS = "xla"
METRICS_FILE = "metrics.jsonl"
CHECKPOINT_DIR = "checkpoints"
EXPORT_DIR = "export"

Filter = Any  # an nnx filter (type, callable or combination)


# Optimizer -----------------------------------------------------------------------------------


def learning_rate(section: OptimizerSection, total_steps: int) -> optax.Schedule:
    """Linear warm-up from 0 to the peak, then cosine to 0 at `total_steps` (or constant)."""
    if section.schedule == "constant":
        return optax.constant_schedule(section.learning_rate)
    warmup = min(section.warmup_steps, max(total_steps - 1, 0))
    return optax.warmup_cosine_decay_schedule(
        init_value=0.0,
        peak_value=section.learning_rate,
        warmup_steps=warmup,
        decay_steps=max(total_steps, warmup + 1),
        end_value=0.0,
    )


def make_optimizer(section: OptimizerSection, total_steps: int) -> optax.GradientTransformation:
    """AdamW (spec section 5: beta 0.9/0.999, eps 1e-8, weight decay 0.4) on the schedule."""
    adamw = optax.adamw(
        learning_rate(section, total_steps),
        b1=section.b1,
        b2=section.b2,
        eps=section.eps,
        weight_decay=section.weight_decay,
    )
    if section.clip_norm:
        return optax.chain(optax.clip_by_global_norm(section.clip_norm), adamw)
    return adamw


# Data and model ------------------------------------------------------------------------------


def build_data(config: TrainConfig, sequence_length: int) -> TrainingData:
    """Genome, folds and targets named by `[data]`."""
    section = config.data
    genome = Genome(section.fasta)
    if section.blocks:
        chrom = genome.resolve_contig(section.blocks)
        spec = contiguous_blocks(chrom, genome.lengths[chrom], section.fractions)
    else:
        spec = {split: list(regions) for split, regions in section.folds}
    folds = Folds.from_regions(spec, genome.lengths)
    tracks: dict[HeadName, tuple[BigWigTracks, pd.DataFrame]] = {}
    if section.tracks is not None:
        for head, rows in track_heads(read_track_table(section.tracks)).items():
            tracks[head] = (BigWigTracks(rows["file"].tolist()), rows)
    sites = None
    if section.splice_sites is not None:
        sites = read_splice_sites(section.splice_sites)
    elif section.genes is not None:
        sites = splice_sites_from_genes(read_annotation(section.genes))
    usage = read_splice_usage(section.splice_usage) if section.splice_usage is not None else None
    splice = SpliceLabels(sites, usage) if sites is not None or usage is not None else None
    return TrainingData(genome, folds, sequence_length, tracks, splice, organism=section.organism)


def model_config(config: TrainConfig) -> AlphaGenomeConfig:
    """The preset with its overrides (sizes of heads come from the data, see `with_tracks`)."""
    return preset(config.model.preset, **({"kernels": TRAINING_KERNELS} | dict(config.model.overrides)))


def with_tracks(model_config: AlphaGenomeConfig, counts: Mapping[HeadName, int]) -> AlphaGenomeConfig:
    """`model_config` with each head in `counts` sized to that many tracks."""
    tracks = dict(model_config.head_tracks) | {head.value: n for head, n in counts.items()}
    return model_config.replace(head_tracks=tuple(tracks.items()))


def install_track_means(model: AlphaGenome, means: Mapping[HeadName, np.ndarray]) -> None:
    """Per-track `nonzero_mean` (spec section 3.3) into the heads, the same for every organism."""
    organisms = model.config.num_organisms
    model.head.set_constants({head.value: np.tile(m[None, :], (organisms, 1)) for head, m in means.items()})


def fresh_model(config: TrainConfig, data: TrainingData) -> AlphaGenome:
    """Random weights (seeded by `[train] seed`), heads sized to the data's tracks."""
    sizes = with_tracks(model_config(config), data.track_counts())
    model = build_model(sizes, random_init(config.train.seed))
    install_track_means(model, data.nonzero_means())
    return model


def finetune_model(
    config: TrainConfig, data: TrainingData, loaded: AlphaGenome
) -> tuple[AlphaGenome, Filter]:
    """The checkpoint's model with re-created heads, and the filter of what trains.

    Heads listed in `replace_heads` (default: every head with targets) get fresh weights sized to
    the new tracks; every other leaf comes from the checkpoint. With `freeze_trunk` only the heads
    that have targets train.
    """
    section = config.finetune
    if section is None:
        raise ValueError("finetune needs a [finetune] section")
    replaced = {HeadName(h) for h in section.replace_heads} if section.replace_heads else set(data.heads)
    counts = data.track_counts()
    for head in data.heads:
        if head not in replaced and head in counts and loaded.config.tracks[head.value] != counts[head]:
            raise ValueError(
                f"{head.value}: the checkpoint has {loaded.config.tracks[head.value]} tracks, the data "
                f"{counts[head]}; list it in [finetune] replace_heads"
            )
    overrides = {"kernels": TRAINING_KERNELS} | dict(config.model.overrides)
    sizes = with_tracks(
        loaded.config.replace(**overrides),
        {h: n for h, n in counts.items() if h in replaced},
    )
    old = {tuple(map(str, p)): v[...] for p, v in nnx.to_flat_state(nnx.state(loaded))}
    fresh = random_init(config.train.seed)
    old_means = read_track_means(section.checkpoint)

    def arrays(path: tuple[str, ...], shape: tuple[int, ...]) -> np.ndarray:
        in_replaced_head = len(path) > 1 and path[0] == "head" and HeadName(path[1]) in replaced
        if in_replaced_head or path not in old:
            return fresh(path, shape)
        if path[-1] == "track_means" and path[1] in old_means:
            return old_means[path[1]]
        value = np.asarray(old[path])
        if value.shape != shape:
            raise ValueError(f"{'/'.join(path)}: checkpoint shape {value.shape}, model {shape}")
        return value

    model = build_model(sizes, arrays)
    install_track_means(model, {h: m for h, m in data.nonzero_means().items() if h in replaced})
    trained = {h.value for h in data.heads}
    if section.freeze_trunk:
        return model, nnx.All(
            nnx.Param, lambda path, _: len(path) > 1 and path[0] == "head" and path[1] in trained
        )
    return model, nnx.Param


# Jitted steps --------------------------------------------------------------------------------


def _track_means(model: AlphaGenome, head: HeadName, organism: Array) -> Array | None:
    if HEAD_CONFIGS[head].type is not HeadType.GENOME_TRACKS:
        return None
    return jnp.take(getattr(model.head, head.value).track_means[...], organism, axis=0)


def _losses(model: AlphaGenome, heads: tuple[HeadName, ...], batch: Mapping[str, Array]) -> tuple[dict, dict]:
    predictions, _ = model(batch["dna"], batch["organism"], heads=heads)
    per_head = {
        h.value: losses.head_loss(h, predictions[h.value], batch, _track_means(model, h, batch["organism"]))
        for h in heads
    }
    return predictions, per_head


@functools.lru_cache(maxsize=8)
def compiled_steps(
    graphdef: nnx.GraphDef,
    train_graphdef: nnx.GraphDef,
    heads: tuple[HeadName, ...],
    optimizer: OptimizerSection,
    total_steps: int,
    loss_weights: tuple[tuple[str, float], ...],
) -> tuple[Callable[..., Any], Callable[..., Any], Callable[..., Any]]:
    """`(init, train_step, eval_step)` for one model structure (cached: a resumed run reuses them).

    `init(trainable)` is the optimizer state, jitted (eager, it compiles a kernel per leaf shape).
    `train_graphdef` is the model in training mode (batch statistics) or `graphdef` itself; the
    train step returns the rest of the state with the updated `var_ema`, evaluation uses `graphdef`.
    """
    tx = make_optimizer(optimizer, total_steps)
    weights = dict(loss_weights)

    def loss_fn(
        trainable: nnx.State, rest: nnx.State, batch: Mapping[str, Array]
    ) -> tuple[Array, tuple[dict, nnx.State]]:
        model = nnx.merge(train_graphdef, trainable, rest, copy=True)  # var_ema is written in this trace
        _, per_head = _losses(model, heads, batch)
        total = losses.total_loss(per_head, weights)
        return total, ({h: v["loss"] for h, v in per_head.items()}, nnx.state(model, nnx.BatchStat))

    @jax.jit
    def train_step(
        trainable: nnx.State, rest: nnx.State, opt_state: Any, batch: Mapping[str, Array]
    ) -> tuple[nnx.State, nnx.State, Any, Array, dict]:
        (loss, (per_head, stats)), grads = jax.value_and_grad(loss_fn, has_aux=True)(trainable, rest, batch)
        updates, opt_state = tx.update(grads, opt_state, trainable)
        if train_graphdef is not graphdef:
            rest = nnx.merge_state(rest, stats)
        return optax.apply_updates(trainable, updates), rest, opt_state, loss, per_head

    @jax.jit
    def eval_step(trainable: nnx.State, rest: nnx.State, batch: Mapping[str, Array]) -> tuple[dict, dict]:
        model = nnx.merge(graphdef, trainable, rest)
        predictions, per_head = _losses(model, heads, batch)
        outputs = {}
        for head in heads:
            config = HEAD_CONFIGS[head]
            key = (
                f"predictions_{config.output_resolution}bp"
                if config.type is HeadType.GENOME_TRACKS
                else "predictions"
            )
            outputs[head.value] = predictions[head.value][key]
        return outputs, {h: v["loss"] for h, v in per_head.items()}

    return jax.jit(tx.init), train_step, eval_step


# Metrics log ---------------------------------------------------------------------------------


class MetricsLog:
    """JSON lines, one per training step and one per evaluation; a resumed run drops later lines."""

    def __init__(self, path: Path, *, resume_from: int) -> None:
        self.path = path
        kept = []
        if path.exists():
            kept = [line for line in path.read_text().splitlines() if json.loads(line)["step"] <= resume_from]
        path.write_text("".join(line + "\n" for line in kept))

    def write(self, record: Mapping[str, object]) -> None:
        clean = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in record.items()}
        with self.path.open("a") as handle:
            handle.write(json.dumps(clean) + "\n")


def read_metrics(path: Path) -> list[dict[str, Any]]:
    """The records of a metrics JSONL file."""
    return [json.loads(line) for line in Path(path).read_text().splitlines()]


# Trainer -------------------------------------------------------------------------------------


class Trainer:
    """One run: the model split for training, the optimizer, checkpoints and metrics."""

    def __init__(
        self,
        config: TrainConfig,
        model: AlphaGenome,
        data: TrainingData,
        *,
        trainable: Filter = nnx.Param,
        batch_statistics: bool = True,
    ) -> None:
        self.config = config
        self.data = data
        self.heads = tuple(data.heads)
        self.model_config = model.config
        model.eval()
        graphdef, *states = nnx.split(model, trainable, ...)
        params, rest = states
        self.graphdef: nnx.GraphDef = graphdef
        train_graphdef = graphdef
        if batch_statistics:
            model.train()
            train_graphdef = nnx.graphdef(model)
            model.eval()
        init, self._train_step, self._eval_step = compiled_steps(
            graphdef,
            train_graphdef,
            self.heads,
            config.optimizer,
            config.train.steps,
            config.train.loss_weights,
        )
        self.schedule = learning_rate(config.optimizer, config.train.steps)
        # committed to one device, as restored checkpoints are: the same jit signature either way
        params, rest = jax.device_put((params, rest), jax.devices()[0])
        self.state = TrainState(0, params, rest, jax.device_put(init(params), jax.devices()[0]))
        out = config.train.output_dir
        out.mkdir(parents=True, exist_ok=True)
        self.checkpoints = Checkpoints(
            out / CHECKPOINT_DIR, every=config.train.checkpoint_every, keep=config.train.keep_checkpoints
        )
        if self.checkpoints.latest_step() is not None:
            self.state = self.checkpoints.restore(self.state)

    @property
    def model(self) -> AlphaGenome:
        return nnx.merge(self.graphdef, self.state.trainable, self.state.rest)

    def batch(self, step: int) -> Example:
        train, augment = self.config.train, self.config.augment
        return self.data.train_batch(
            step,
            train.batch_size,
            seed=train.seed,
            max_shift=augment.max_shift,
            reverse_complement_rate=augment.reverse_complement_rate,
        )

    def step(self) -> dict[str, float | int]:
        """One optimizer step on batch `state.step`; returns its losses (before the update)."""
        step = self.state.step
        batch = self.batch(step)
        trainable, rest, opt_state, loss, per_head = self._train_step(
            self.state.trainable, self.state.rest, self.state.opt_state, batch
        )
        self.state = TrainState(step + 1, trainable, rest, opt_state)
        record = {"step": step + 1, "loss": float(loss), "learning_rate": float(self.schedule(step))}
        return record | {f"loss/{head}": float(value) for head, value in per_head.items()}

    def evaluate(self, split: str = "validation") -> dict[str, float]:
        """Metrics per head (see `model.train.metrics`) and mean losses on `split`'s windows."""
        gathered: dict[str, list[np.ndarray]] = {}
        head_losses: dict[str, list[float]] = {h.value: [] for h in self.heads}
        for batch in self._eval_batches(split):
            outputs, per_head = self._eval_step(self.state.trainable, self.state.rest, batch)
            for head, value in per_head.items():
                head_losses[head].append(float(value))
            for head, value in outputs.items():
                gathered.setdefault(head, []).append(np.asarray(value, np.float32))
            for key in batch:
                if key not in ("dna", "organism"):
                    gathered.setdefault(key, []).append(batch[key])
        if not head_losses or not any(head_losses.values()):
            return {}
        arrays = {k: np.concatenate(v) for k, v in gathered.items()}
        result = {f"{head}/loss": float(np.mean(v)) for head, v in head_losses.items() if v}
        return result | metrics.summarise(self._head_metrics(arrays))

    def _eval_batches(self, split: str) -> Iterator[Example]:
        train = self.config.train
        return self.data.eval_batches(split, train.eval_batch_size, max_windows=train.eval_windows)

    def _head_metrics(self, arrays: Mapping[str, np.ndarray]) -> dict[str, dict[str, float]]:
        out: dict[str, dict[str, float]] = {}
        for head in self.heads:
            config = HEAD_CONFIGS[head]
            predictions = arrays[head.value]
            if config.type is HeadType.GENOME_TRACKS:
                targets = arrays[f"tracks/{head.value}"]
                res = config.output_resolution
                if res > 1:
                    n, s, t = targets.shape
                    targets = targets.reshape(n, s // res, res, t).sum(axis=2)
                per_track = metrics.log_pearson_per_track(predictions, targets)
                names = self.data.tracks[head][1]["name"].tolist()
                out[head.value] = {"log_r": metrics.mean_ignoring_nan(per_track)} | {
                    f"log_r/{name}": r for name, r in zip(names, per_track, strict=True)
                }
            elif config.type is HeadType.SPLICE_SITES_CLASSIFICATION:
                out[head.value] = metrics.splice_site_metrics(predictions, arrays["splice_sites"])
            elif config.type is HeadType.SPLICE_SITES_USAGE:
                sites = arrays["splice_sites"][..., :4].sum(-1) if "splice_sites" in arrays else None
                out[head.value] = {
                    "usage_r": metrics.usage_r(predictions, arrays["splice_site_usage"], sites)
                }
        return out

    def fit(self, *, progress: bool = True, until: int | None = None) -> TrainState:
        """Train to `[train] steps`: log each step, evaluate and checkpoint on schedule, then export.

        `until` stops after that step instead (no export): a time-boxed run that a later `fit` resumes.
        """
        train = self.config.train
        last = train.steps if until is None else min(until, train.steps)
        out = train.output_dir
        log = MetricsLog(out / METRICS_FILE, resume_from=self.state.step)
        bar = tqdm(
            total=train.steps, initial=self.state.step, disable=not progress, desc="train", unit="step"
        )
        started = time.perf_counter()
        try:
            while self.state.step < last:
                record = self.step()
                record["seconds"] = round(time.perf_counter() - started, 3)
                log.write(record)
                bar.update(1)
                bar.set_postfix(loss=f"{record['loss']:.4g}")
                step = self.state.step
                if step % train.eval_every == 0 or step == train.steps:
                    log.write({"step": step, "split": "validation"} | self.evaluate("validation"))
                self.checkpoints.save(self.state, force=step == train.steps)
        finally:
            bar.close()
        if self.state.step == train.steps:
            self.export(out / EXPORT_DIR)
        return self.state

    def export(self, directory: Path) -> Path:
        tracks: dict[str, list[dict[str, str]]] = {
            head.value: rows.drop(columns=["file"]).to_dict("records")
            for head, (_, rows) in self.data.tracks.items()
        }
        if self.data.splice is not None and self.data.splice.usage_metadata is not None:
            tracks[HeadName.SPLICE_SITES_USAGE.value] = self.data.splice.usage_metadata.to_dict("records")
        provenance = (
            f"genomeapp model.train: {self.model_config.sequence_length} bp windows, "
            f"{self.state.step} steps, "
            f"heads {', '.join(h.value for h in self.heads)}, data {self.config.data.fasta.name}"
        )
        model = self.model
        if "kernels" not in dict(self.config.model.overrides):
            model.config = model.config.replace(kernels=AlphaGenomeConfig.kernels)
        return export(directory, model, provenance=provenance, tracks=tracks)

    def close(self) -> None:
        self.checkpoints.close()
        for bigwigs, _ in self.data.tracks.values():
            bigwigs.close()


def trainer_for(config: TrainConfig, *, finetune: bool = False) -> Trainer:
    """The Trainer of `config`: a fresh model (`fit`) or one from `[finetune] checkpoint`."""
    overrides = dict(config.model.overrides)
    batch_statistics = config.train.batch_statistics
    if not finetune:
        data = build_data(config, model_config(config).sequence_length)
        statistics = True if batch_statistics is None else batch_statistics
        return Trainer(config, fresh_model(config, data), data, batch_statistics=statistics)
    if config.finetune is None:
        raise ValueError("finetune needs a [finetune] section")
    loaded = checkpoints.load(config.finetune.checkpoint, preset_name=config.finetune.preset).model
    data = build_data(config, int(overrides.get("sequence_length", loaded.config.sequence_length)))
    model, trainable = finetune_model(config, data, loaded)
    return Trainer(config, model, data, trainable=trainable, batch_statistics=bool(batch_statistics))


def run(config: TrainConfig, *, finetune: bool = False, progress: bool = True) -> TrainState:
    """Build, train (resuming if the run has checkpoints), export; the CLI's `fit` and `finetune`."""
    trainer = trainer_for(config, finetune=finetune)
    try:
        return trainer.fit(progress=progress)
    finally:
        trainer.close()


def config_summary(config: TrainConfig) -> dict[str, Any]:
    """The run's settings as JSON-able values (written beside the metrics)."""
    return json.loads(json.dumps(dataclasses.asdict(config), default=str))
