"""The original SpliceAI models run by Keras 3 (JAX backend), one variant at a time.

A parity and benchmark reference, not used in production: it loads the packaged `.h5` files
with `keras.models.load_model` (no TensorFlow) and scores a record the way spliceai 1.3.1's
command does: per gene, a REF and an ALT window, each predicted by each of the five models
separately with `model.predict`. Requires `KERAS_BACKEND=jax` (set here if unset).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from model.genome import one_hot
from model.spliceai.ensemble import SpliceAIEnsemble, mask_outside
from model.spliceai.scoring import GeneScore, SpliceAIScorer, _Task


def load_keras_models(paths: Sequence[str | Path] | None = None) -> list[Any]:
    """The packaged Keras models, loaded by Keras 3 on the JAX backend."""
    os.environ.setdefault("KERAS_BACKEND", "jax")
    import keras

    if keras.backend.backend() != "jax":
        raise RuntimeError(f"Keras backend is {keras.backend.backend()!r}; set KERAS_BACKEND=jax")
    if paths is None:
        from model.demo_assets import spliceai_weight_paths

        paths = spliceai_weight_paths()
    return [keras.models.load_model(str(p), compile=False) for p in paths]


def keras_ensemble_predict(models: Sequence[Any], x: np.ndarray) -> np.ndarray:
    """Mean of `model.predict(x)` over the models: `[B, L + 10000, 4]` → `[B, L, 3]`."""
    return np.mean([np.asarray(m.predict(x, verbose=0)) for m in models], axis=0)


class KerasReferenceScorer(SpliceAIScorer):
    """`SpliceAIScorer`'s checks and bookkeeping, with SpliceAI's per-variant Keras inference."""

    def __init__(self, *args: Any, keras_models: Sequence[Any] | None = None, **kwargs: Any) -> None:
        self.keras_models = list(keras_models) if keras_models is not None else load_keras_models()
        kwargs.setdefault("ensemble", _NO_ENSEMBLE)
        super().__init__(*args, **kwargs)

    def _run(self, tasks: list[_Task]) -> None:
        half = self.half_window
        for task in tasks:
            v, p0 = task.result.variant, task.result.variant.pos - 1
            window = self.genome.fetch(task.contig, p0 - half, p0 + half + 1)
            x_ref_seq = mask_outside(window, p0 - half, (task.gene.start, task.gene.end))
            x_alt_seq = x_ref_seq[:half] + task.allele + x_ref_seq[half + len(v.ref) :]
            x_ref, x_alt = one_hot(x_ref_seq)[None], one_hot(x_alt_seq)[None]
            if task.gene.strand == "-":
                x_ref, x_alt = x_ref[:, ::-1, ::-1], x_alt[:, ::-1, ::-1]
            y_ref = keras_ensemble_predict(self.keras_models, np.ascontiguousarray(x_ref))[0]
            y_alt = keras_ensemble_predict(self.keras_models, np.ascontiguousarray(x_alt))[0]
            if task.gene.strand == "-":
                y_ref, y_alt = y_ref[::-1], y_alt[::-1]
            task.result.scores[task.slot] = self._delta(task, y_ref, y_alt, self.distance)


class _NoEnsemble(SpliceAIEnsemble):
    """Placeholder so the Keras scorer never loads the Flax ensemble (a `SpliceAIEnsemble` to the
    type checkers, jaxtyping's run-time one in tests/model included; it holds no models)."""

    def __init__(self) -> None:  # nothing to build: `KerasReferenceScorer._run` never calls it
        pass


_NO_ENSEMBLE = _NoEnsemble()


__all__ = ["GeneScore", "KerasReferenceScorer", "keras_ensemble_predict", "load_keras_models"]
