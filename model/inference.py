"""Backends by name: loaded once per process, and described without loading where possible.

Backends predict batches of same-length windows with jit-compiled functions on whatever device
JAX finds (CPU or GPU, unchanged). Predictions go through `model.service`, never a backend
directly.

    from model import inference
    backend = inference.get_backend("alphagenome")
"""

from __future__ import annotations

import functools
import threading

from model.outputs import Backend, Organism, OutputType

BACKEND_NAMES = ("alphagenome", "spliceai")
_lock = threading.Lock()


def _load_backend(name: str) -> Backend:
    if name == "alphagenome":
        from model.alphagenome_backend import AlphaGenomeBackend

        return AlphaGenomeBackend.from_environment()
    if name == "spliceai":
        from model.spliceai.backend import SpliceAIBackend

        return SpliceAIBackend()
    raise KeyError(f"unknown backend {name!r}; choose one of {', '.join(BACKEND_NAMES)}")


@functools.cache
def _cached_backend(name: str) -> Backend:
    return _load_backend(name)


def get_backend(name: str) -> Backend:
    """The backend called `name` ("alphagenome" or "spliceai"), loaded once per process."""
    if name not in BACKEND_NAMES:
        raise KeyError(f"unknown backend {name!r}; choose one of {', '.join(BACKEND_NAMES)}")
    with _lock:
        return _cached_backend(name)


def available_backends() -> list[dict[str, object]]:
    """One entry per backend: name, provenance, output types, weights_trained, licence, and
    `unavailable_reason` (None when the backend loaded; then `available` is True)."""
    entries = []
    for name in BACKEND_NAMES:
        entry: dict[str, object] = {"name": name, "available": False, "unavailable_reason": None}
        try:
            backend = get_backend(name)
        except Exception as error:  # report any load failure to the UI
            entry.update(
                provenance=None,
                output_types=[],
                weights_trained=False,
                licence=None,
                unavailable_reason=f"{type(error).__name__}: {error}",
            )
        else:
            entry.update(
                available=True,
                provenance=backend.provenance,
                output_types=sorted(o.name for o in backend.output_types),
                weights_trained=bool(backend.weights_trained),
                licence=backend.licence,
            )
        entries.append(entry)
    return entries


def describe_backends() -> list[dict[str, object]]:
    """`available_backends()` without loading weights where the answer is known up front (the
    packaged SpliceAI ensemble; AlphaGenome with random weights), for processes that only show
    backends, such as the web server. A configured AlphaGenome checkpoint is loaded, since only
    the checkpoint says whether its weights are trained."""
    import os

    from model import alphagenome_backend, demo_assets, metadata
    from model.spliceai import backend as spliceai_backend

    loaded = (
        {entry["name"]: entry for entry in available_backends()}
        if os.environ.get(alphagenome_backend.CHECKPOINT_ENV)
        else {}
    )
    entries: list[dict[str, object]] = []
    for name in BACKEND_NAMES:
        if name in loaded:
            entries.append(loaded[name])
            continue
        if name == "spliceai":
            cls = spliceai_backend.SpliceAIBackend
            entry = _static_entry(name, cls.provenance, cls.output_types, cls.weights_trained, cls.licence)
            try:
                demo_assets.spliceai_weight_paths()
            except demo_assets.MissingSourceError as error:
                entry.update(available=False, unavailable_reason=f"MissingSourceError: {error}")
        else:
            preset_name = os.environ.get(alphagenome_backend.PRESET_ENV) or "tiny"
            entry = _static_entry(
                name,
                alphagenome_backend.random_weights_provenance(preset_name),
                frozenset(OutputType),
                False,
                alphagenome_backend.LICENCE_RANDOM,
            )
            path = metadata.metadata_path(Organism.HOMO_SAPIENS)
            if not path.exists():
                entry.update(
                    available=False,
                    unavailable_reason=f"MetadataNotFoundError: no AlphaGenome track metadata at {path}; "
                    f"set {metadata.METADATA_DIR_ENV}",
                )
        entries.append(entry)
    return entries


def _static_entry(
    name: str, provenance: str, output_types: frozenset[OutputType], weights_trained: bool, licence: str
) -> dict[str, object]:
    return {
        "name": name,
        "available": True,
        "unavailable_reason": None,
        "provenance": provenance,
        "output_types": sorted(o.name for o in output_types),
        "weights_trained": weights_trained,
        "licence": licence,
    }
