"""Read the packaged SpliceAI Keras 2 `.h5` files with h5py into Flax NNX modules.

Only h5py touches the files (no Keras, no TensorFlow). Layers are matched by name:
`conv1d_N` and `batch_normalization_N` in the numeric order of N, which follows the
network's topology (stem `conv1d_1`, skip `conv1d_2`, the unit convs of stage 1, skip
`conv1d_11`, …, head `conv1d_39`). The weights are CC BY-NC 4.0: they are read from the
installed `spliceai` package and never copied into the repository.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import h5py
import jax.numpy as jnp
import numpy as np
from flax import nnx

from model.spliceai.network import SpliceAI, SpliceAIConfig

_NUMBERED = re.compile(r"^(conv1d|batch_normalization)_(\d+)$")


def read_h5_layers(path: str | Path) -> dict[str, dict[str, np.ndarray]]:
    """All weights of a Keras 2 `.h5` model as `{layer name: {weight name: array}}`.

    Weight names drop the `:0` suffix (`kernel`, `bias`, `gamma`, `beta`, `moving_mean`, …).
    """
    layers: dict[str, dict[str, np.ndarray]] = {}
    with h5py.File(path, "r") as handle:
        group = handle.get("model_weights", handle)
        for raw_name in group.attrs["layer_names"]:
            name = raw_name.decode() if isinstance(raw_name, bytes) else str(raw_name)
            layer = group[name]
            weights: dict[str, np.ndarray] = {}
            for raw_weight in layer.attrs.get("weight_names", []):
                weight = raw_weight.decode() if isinstance(raw_weight, bytes) else str(raw_weight)
                short = weight.rsplit("/", 1)[-1].split(":", 1)[0]
                weights[short] = np.asarray(layer[weight], dtype=np.float32)
            if weights:
                layers[name] = weights
    return layers


def _numbered(layers: dict[str, dict[str, np.ndarray]], kind: str) -> list[dict[str, np.ndarray]]:
    found = sorted(
        (int(m.group(2)), name) for name in layers if (m := _NUMBERED.match(name)) and m.group(1) == kind
    )
    return [layers[name] for _, name in found]


def _set_conv(conv: nnx.Conv, weights: dict[str, np.ndarray]) -> None:
    if conv.kernel[...].shape != weights["kernel"].shape:
        raise ValueError(f"kernel shape {weights['kernel'].shape} != expected {conv.kernel[...].shape}")
    conv.kernel[...] = jnp.asarray(weights["kernel"])
    assert conv.bias is not None
    conv.bias[...] = jnp.asarray(weights["bias"])


def _set_norm(norm: nnx.BatchNorm, weights: dict[str, np.ndarray]) -> None:
    assert norm.scale is not None and norm.bias is not None
    norm.scale[...] = jnp.asarray(weights["gamma"])
    norm.bias[...] = jnp.asarray(weights["beta"])
    norm.mean[...] = jnp.asarray(weights["moving_mean"])
    norm.var[...] = jnp.asarray(weights["moving_variance"])


def load_spliceai_h5(path: str | Path, config: SpliceAIConfig | None = None) -> SpliceAI:
    """Build a `SpliceAI` module holding the weights of one packaged `.h5` file."""
    config = config or SpliceAIConfig.spliceai_10k()
    layers = read_h5_layers(path)
    convs = _numbered(layers, "conv1d")
    norms = _numbered(layers, "batch_normalization")
    n_units = len(config.stages) * config.units_per_stage
    if len(convs) != 2 * n_units + len(config.stages) + 3 or len(norms) != 2 * n_units:
        raise ValueError(f"{path}: {len(convs)} convs and {len(norms)} BatchNorms do not match {config}")

    model = SpliceAI(config, nnx.Rngs(0))
    conv_iter, norm_iter = iter(convs), iter(norms)
    _set_conv(model.stem, next(conv_iter))
    _set_conv(model.skips[0], next(conv_iter))
    for stage, skip in zip(model.stages, model.skips[1:], strict=True):
        for unit in stage:
            _set_norm(unit.norm_a, next(norm_iter))
            _set_conv(unit.conv_a, next(conv_iter))
            _set_norm(unit.norm_b, next(norm_iter))
            _set_conv(unit.conv_b, next(conv_iter))
        _set_conv(skip, next(conv_iter))
    _set_conv(model.head, next(conv_iter))
    return model


def load_spliceai_models(paths: Sequence[str | Path] | None = None) -> list[SpliceAI]:
    """The five packaged SpliceAI-10k models (or the given `.h5` files), in order."""
    if paths is None:
        from model.demo_assets import spliceai_weight_paths

        paths = spliceai_weight_paths()
    return [load_spliceai_h5(p) for p in paths]
