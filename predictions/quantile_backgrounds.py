"""An assembly's quantile background (`Assembly.quantiles_path`, built by `manage.py build_quantiles`):
loaded once per process, and applied only to scores of the model it was built with."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from model.assets import MANIFEST_FILE, QuantileBackground
from predictions.models import Assembly


def load_background(path: str) -> QuantileBackground | None:
    """The background saved in directory `path`, or None when it is not there (any more)."""
    manifest = Path(path) / MANIFEST_FILE
    if not manifest.exists():
        return None
    return _load(str(Path(path).resolve()), manifest.stat().st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _load(path: str, _mtime_ns: int) -> QuantileBackground:  # a rebuilt background is a new key
    return QuantileBackground.load(path)


def background_for(assembly: Assembly, backend: Any) -> tuple[QuantileBackground | None, str]:
    """(background, "") when the assembly has one that fits `backend`'s scores, else (None, why not)."""
    if not assembly.quantiles_path:
        return None, (
            f"no quantile background for {assembly.name} "
            f"(an operator builds one with `manage.py build_quantiles --assembly {assembly.name}`)"
        )
    background = load_background(assembly.quantiles_path)
    if background is None:
        return None, f"the quantile background of {assembly.name} is missing at {assembly.quantiles_path}"
    mismatch = background.mismatch(backend)
    if mismatch:
        return None, f"quantiles not shown: {mismatch}"
    return background, ""
