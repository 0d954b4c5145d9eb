"""Checkpoints: convert the official AlphaGenome checkpoint, save and load the project's own.

Official layout: an Orbax `StandardCheckpointer` directory holding the pytree `(params, state)`
of the Haiku model, `params = {"alphagenome/<module path>": {"<name>": array}}` (589 leaves,
`shared/reference/alphagenome-param-tree.tsv`) and `state` with the 81 `var_ema` leaves.

Our modules carry the Haiku names, so the mapping is explicit and one-to-one: each of our
state paths `(a, b, ..., leaf)` corresponds to the official path `alphagenome/a/b/.../leaf`
(`name_mapping`). Conversion checks that every official path is consumed, that none of ours is
missing and that every shape matches, and names the first mismatch otherwise.

Our own format is a directory with `weights.npz` (flat `params/<official path>` and
`state/<official path>` arrays, float32) and `genomeapp.json` (config, provenance, whether the
weights are trained).

CLI: `python -m model.checkpoints convert --from OFFICIAL_DIR --to OUT [--preset full]`.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
from collections.abc import Mapping
from pathlib import Path

import jax
import numpy as np
from flax import nnx

from model.config import AlphaGenomeConfig, preset
from model.model import AlphaGenome, abstract_model, build_model

ROOT = "alphagenome"
WEIGHTS_FILE = "weights.npz"
INFO_FILE = "genomeapp.json"


class CheckpointMismatchError(ValueError):
    """The checkpoint does not fit the model: a missing, unexpected or wrongly shaped leaf."""


@dataclasses.dataclass(frozen=True)
class LeafMapping:
    """One official leaf and where it goes in our model."""

    official_path: str  # e.g. "alphagenome/transformer_tower/mha_block_3/q_layer/w"
    our_path: tuple[str, ...]  # e.g. ("transformer_tower", "mha_block_3", "q_layer", "w")
    collection: str  # "params" or "state" (var_ema)
    shape: tuple[int, ...]


def official_path(our_path: tuple[object, ...]) -> str:
    """Our NNX state path -> the official Haiku path."""
    return "/".join((ROOT, *map(str, our_path)))


def name_mapping(config: AlphaGenomeConfig) -> dict[str, LeafMapping]:
    """Every leaf of the official tree for `config`, keyed by official path."""
    return dict(_name_mapping(config))


@functools.lru_cache(maxsize=8)
def _name_mapping(config: AlphaGenomeConfig) -> dict[str, LeafMapping]:
    model = abstract_model(config)
    mapping = {}
    for collection, kind in (("params", nnx.Param), ("state", nnx.BatchStat)):
        for path, leaf in nnx.to_flat_state(nnx.state(model, kind)):
            our = tuple(map(str, path))
            mapping[official_path(our)] = LeafMapping(official_path(our), our, collection, tuple(leaf.shape))
    return mapping


def flatten_haiku(tree: Mapping[str, Mapping[str, object]]) -> dict[str, np.ndarray]:
    """`{"alphagenome/x": {"w": a}}` -> `{"alphagenome/x/w": a}` (already-flat keys pass through)."""
    flat = {}
    for module, leaves in tree.items():
        if isinstance(leaves, Mapping):
            for name, value in leaves.items():
                flat[f"{module}/{name}"] = np.asarray(value)
        else:
            flat[module] = np.asarray(leaves)
    return flat


def unflatten_haiku(flat: Mapping[str, np.ndarray]) -> dict[str, dict[str, np.ndarray]]:
    """Inverse of `flatten_haiku`."""
    tree: dict[str, dict[str, np.ndarray]] = {}
    for path, value in flat.items():
        module, name = path.rsplit("/", 1)
        tree.setdefault(module, {})[name] = value
    return tree


def read_official(directory: str | Path) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Restore an official Orbax checkpoint to flat `(params, state)` dicts of numpy arrays."""
    import orbax.checkpoint as ocp

    restored = ocp.StandardCheckpointer().restore(Path(directory).resolve())
    if isinstance(restored, Mapping) and set(restored) >= {"0", "1"}:
        params, state = restored["0"], restored["1"]
    elif isinstance(restored, Mapping) and set(restored) >= {"params", "state"}:
        params, state = restored["params"], restored["state"]
    else:
        params, state = restored
    return flatten_haiku(params), flatten_haiku(state)


def write_official(
    directory: str | Path, params: Mapping[str, np.ndarray], state: Mapping[str, np.ndarray]
) -> None:
    """Write flat `(params, state)` as an Orbax checkpoint in the official nested layout (tests, parity)."""
    import orbax.checkpoint as ocp

    checkpointer = ocp.StandardCheckpointer()
    checkpointer.save(Path(directory).resolve(), (unflatten_haiku(params), unflatten_haiku(state)))
    checkpointer.wait_until_finished()


def check_official(
    params: Mapping[str, np.ndarray], state: Mapping[str, np.ndarray], config: AlphaGenomeConfig
) -> dict[str, LeafMapping]:
    """Raise `CheckpointMismatchError` on the first missing/unexpected/misshapen leaf."""
    mapping = name_mapping(config)
    given = {**{k: ("params", v) for k, v in params.items()}, **{k: ("state", v) for k, v in state.items()}}
    for path in sorted(mapping):
        leaf = mapping[path]
        if path not in given:
            raise CheckpointMismatchError(
                f"official checkpoint lacks {leaf.collection} leaf {path} {leaf.shape}"
            )
        collection, value = given[path]
        if collection != leaf.collection:
            raise CheckpointMismatchError(f"{path} is in {collection}, expected in {leaf.collection}")
        if tuple(np.shape(value)) != leaf.shape:
            raise CheckpointMismatchError(
                f"shape mismatch at {path}: checkpoint {tuple(np.shape(value))}, model {leaf.shape}"
            )
    unexpected = sorted(set(given) - set(mapping))
    if unexpected:
        raise CheckpointMismatchError(
            f"{len(unexpected)} official leaves are not consumed by the model, first: {unexpected[0]}"
        )
    return mapping


def load_into(
    model: AlphaGenome, params: Mapping[str, np.ndarray], state: Mapping[str, np.ndarray]
) -> AlphaGenome:
    """Copy flat official-layout arrays into `model` (after `check_official`)."""
    check_official(params, state, model.config)
    for kind, source in ((nnx.Param, params), (nnx.BatchStat, state)):
        current = nnx.state(model, kind)
        flat = []
        for path, leaf in nnx.to_flat_state(current):
            value = source[official_path(tuple(map(str, path)))]
            flat.append((path, leaf.replace(jax.numpy.asarray(value, jax.numpy.float32))))
        nnx.update(model, nnx.from_flat_state(flat))
    return model


def model_from_official(
    params: Mapping[str, np.ndarray], state: Mapping[str, np.ndarray], config: AlphaGenomeConfig
) -> AlphaGenome:
    """Build our model directly from flat official-layout arrays (checked first; no random init)."""
    check_official(params, state, config)
    given = {**params, **state}

    def arrays(path: tuple[str, ...], shape: tuple[int, ...]) -> np.ndarray:
        key = official_path(path)
        if key in given:
            return given[key]
        return np.ones(shape, np.float32)  # metadata constants (track means, tissue mask)

    return build_model(config, arrays)


def model_arrays(model: AlphaGenome) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Our model's weights as flat official-layout `(params, state)` numpy dicts."""
    out = []
    for kind in (nnx.Param, nnx.BatchStat):
        flat = nnx.to_flat_state(nnx.state(model, kind))
        out.append({official_path(tuple(map(str, p))): np.asarray(v[...]) for p, v in flat})
    return out[0], out[1]


def config_to_json(config: AlphaGenomeConfig) -> dict[str, object]:
    data = dataclasses.asdict(config)
    data["head_tracks"] = [list(item) for item in config.head_tracks]
    return data


def config_from_json(data: Mapping[str, object]) -> AlphaGenomeConfig:
    data = dict(data)
    data["head_tracks"] = tuple((str(k), int(v)) for k, v in data["head_tracks"])
    return AlphaGenomeConfig(**data)


def save(
    directory: str | Path,
    model: AlphaGenome,
    *,
    provenance: str,
    weights_trained: bool,
) -> Path:
    """Write our own checkpoint (`weights.npz` + `genomeapp.json`)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    params, state = model_arrays(model)
    arrays = {f"params/{k}": v for k, v in params.items()} | {f"state/{k}": v for k, v in state.items()}
    np.savez(directory / WEIGHTS_FILE, **arrays)
    info = {
        "format": "genomeapp-alphagenome-v1",
        "config": config_to_json(model.config),
        "provenance": provenance,
        "weights_trained": weights_trained,
    }
    (directory / INFO_FILE).write_text(json.dumps(info, indent=2))
    return directory


@dataclasses.dataclass(frozen=True)
class LoadedCheckpoint:
    model: AlphaGenome
    provenance: str
    weights_trained: bool


def is_own_checkpoint(directory: str | Path) -> bool:
    return (Path(directory) / INFO_FILE).exists() and (Path(directory) / WEIGHTS_FILE).exists()


def load(
    directory: str | Path, *, compute_dtype: str | None = None, preset_name: str = "full"
) -> LoadedCheckpoint:
    """Load our own checkpoint, or convert an official Orbax one (sizes of `preset_name`) on the fly."""
    directory = Path(directory)
    if is_own_checkpoint(directory):
        info = json.loads((directory / INFO_FILE).read_text())
        config = config_from_json(info["config"])
        if compute_dtype:
            config = config.replace(compute_dtype=compute_dtype)
        with np.load(directory / WEIGHTS_FILE) as npz:
            params = {k.removeprefix("params/"): npz[k] for k in npz.files if k.startswith("params/")}
            state = {k.removeprefix("state/"): npz[k] for k in npz.files if k.startswith("state/")}
        model = model_from_official(params, state, config)
        return LoadedCheckpoint(model, info["provenance"], bool(info["weights_trained"]))
    params, state = read_official(directory)
    config = preset(preset_name, **({"compute_dtype": compute_dtype} if compute_dtype else {}))
    model = model_from_official(params, state, config)
    return LoadedCheckpoint(model, f"official AlphaGenome checkpoint {directory.name} (converted)", True)


def convert(source: str | Path, target: str | Path, config: AlphaGenomeConfig) -> Path:
    """Official Orbax checkpoint -> our own format, with the full name/shape check."""
    params, state = read_official(source)
    model = model_from_official(params, state, config)
    provenance = (
        f"official AlphaGenome checkpoint {Path(source).resolve().name}, converted by model.checkpoints"
    )
    return save(target, model, provenance=provenance, weights_trained=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m model.checkpoints", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    conv = sub.add_parser("convert", help="official Orbax checkpoint -> project checkpoint")
    conv.add_argument("--from", dest="source", required=True, help="official checkpoint directory")
    conv.add_argument("--to", dest="target", required=True, help="output directory")
    conv.add_argument("--preset", default="full", help="model sizes the checkpoint has (default full)")
    args = parser.parse_args(argv)
    if args.command == "convert":
        try:
            out = convert(args.source, args.target, preset(args.preset))
        except CheckpointMismatchError as error:
            raise SystemExit(f"error: {error}") from None
        print(f"converted {args.source} -> {out}")


if __name__ == "__main__":
    main()
