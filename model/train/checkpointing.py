"""Training checkpoints (Orbax) for exact resume, and the exported model a run leaves behind.

A training checkpoint is `output_dir/checkpoints/<step>/`: the step, the trainable parameters, the
rest of the model state (frozen parameters, `var_ema`, track means) and the optimizer state, all
as one Orbax `StandardSave` pytree. Batches are a function of `(seed, step)`, so restoring the
latest checkpoint and continuing gives the same parameters and losses as never stopping.

The export (`output_dir/export/`) is `model.checkpoints`' own format (loadable by the backends and
by `finetune`), plus `tracks.json` (what each trained head's columns are) and `track_means.npz`
(the per-track `nonzero_mean` the heads scale with, which `weights.npz` does not carry).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import jax
import numpy as np
import orbax.checkpoint as ocp
from flax import nnx

from model import checkpoints
from model.heads import HeadName
from model.model import AlphaGenome

TRACKS_FILE = "tracks.json"
TRACK_MEANS_FILE = "track_means.npz"


@dataclasses.dataclass
class TrainState:
    """What a checkpoint holds: `step` steps done, parameters and optimizer state after them."""

    step: int
    trainable: nnx.State
    rest: nnx.State
    opt_state: Any

    def tree(self) -> dict[str, Any]:
        return {
            "step": np.asarray(self.step, np.int64),
            "trainable": self.trainable,
            "rest": self.rest,
            "opt_state": self.opt_state,
        }


class Checkpoints:
    """Orbax checkpoints of a run, every `every` steps, the last `keep` kept."""

    def __init__(self, directory: Path, *, every: int, keep: int) -> None:
        self.directory = Path(directory).resolve()
        self.every = every
        options = ocp.CheckpointManagerOptions(max_to_keep=keep, create=True)
        self.manager = ocp.CheckpointManager(self.directory, options=options)

    def latest_step(self) -> int | None:
        return self.manager.latest_step()

    def save(self, state: TrainState, *, force: bool = False) -> bool:
        """Save when `state.step` is due (or `force`); returns whether it saved."""
        if not (force or state.step % self.every == 0) or state.step == self.latest_step():
            return False
        self.manager.save(state.step, args=ocp.args.StandardSave(state.tree()), force=True)
        self.manager.wait_until_finished()
        return True

    def restore(self, template: TrainState, step: int | None = None) -> TrainState:
        """The state saved at `step` (default latest), shaped like `template`."""
        step = self.latest_step() if step is None else step
        if step is None:
            raise FileNotFoundError(f"no checkpoint under {self.directory}")
        # types and shardings as the template's: else the jitted step sees new arguments and recompiles
        abstract = jax.tree.map(
            lambda x: jax.ShapeDtypeStruct(
                np.shape(x),
                x.dtype,
                weak_type=getattr(x, "weak_type", False),
                sharding=getattr(x, "sharding", None),
            ),
            template.tree(),
        )
        tree = self.manager.restore(step, args=ocp.args.StandardRestore(abstract))
        return TrainState(int(tree["step"]), tree["trainable"], tree["rest"], tree["opt_state"])

    def close(self) -> None:
        self.manager.close()


def export(
    directory: Path,
    model: AlphaGenome,
    *,
    provenance: str,
    tracks: dict[str, list[dict[str, str]]],
) -> Path:
    """Write the trained model where `model.checkpoints.load` and `finetune` read it."""
    checkpoints.save(directory, model, provenance=provenance, weights_trained=True)
    (directory / TRACKS_FILE).write_text(json.dumps(tracks, indent=2))
    means = {
        name: np.asarray(getattr(model.head, name).track_means[...]) for name in tracks if _has_means(name)
    }
    np.savez(directory / TRACK_MEANS_FILE, **means)  # type: ignore[arg-type]
    return directory


def read_track_means(directory: Path) -> dict[str, np.ndarray]:
    """The exported heads' `[organisms, T]` track means ({} for a checkpoint without them)."""
    path = Path(directory) / TRACK_MEANS_FILE
    if not path.exists():
        return {}
    with np.load(path) as npz:
        return {name: npz[name] for name in npz.files}


def _has_means(name: str) -> bool:
    return name in {h.value for h in HeadName} and name not in {
        HeadName.CONTACT_MAPS.value,
        HeadName.SPLICE_SITES_CLASSIFICATION.value,
        HeadName.SPLICE_SITES_USAGE.value,
        HeadName.SPLICE_SITES_JUNCTION.value,
    }
