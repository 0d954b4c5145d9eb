"""The model surface for the rest of the project (Django views, Celery tasks, the gRPC server).

Nothing else in `model/` should be imported from outside it. Backends are loaded once per
process (`get_backend` is cached) and predict batches of same-length windows with jit-compiled
functions on whatever device JAX finds (CPU or GPU, unchanged).

    from model import inference
    backend = inference.get_backend("alphagenome")
    tracks = inference.predict_interval("alphagenome", genome, Interval("chr20", s, s + 16384, "-"),
                                        [OutputType.DNASE], ontology_terms=["UBERON:0002048"])
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Sequence

import numpy as np
import pandas as pd

from model.genome import Genome, Interval, reverse_complement
from model.outputs import Backend, Organism, OutputType, TrackSet

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
        except Exception as error:  # noqa: BLE001 - report any load failure to the UI
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
                licence=getattr(backend, "licence", None),
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


def _resolve(backend: Backend | str) -> Backend:
    return get_backend(backend) if isinstance(backend, str) else backend


def _supports_strand(backend: Backend) -> bool:
    return (
        bool(getattr(backend, "supports_strand", False))
        and "strands" in inspect.signature(backend.predict).parameters
    )


def predict_sequences(
    backend: Backend | str,
    sequences: Sequence[str],
    output_types: Sequence[OutputType],
    organism: Organism = Organism.HOMO_SAPIENS,
    ontology_terms: Sequence[str] | None = None,
) -> list[dict[OutputType, TrackSet]]:
    """Predict bare forward-strand sequences (one `TrackSet` per requested output type the
    backend provides; other types are skipped)."""
    backend = _resolve(backend)
    wanted = [o for o in dict.fromkeys(output_types) if o in backend.output_types]
    return backend.predict(list(sequences), wanted, organism=organism, ontology_terms=ontology_terms)


def predict_sequence(
    backend: Backend | str,
    sequence: str,
    output_types: Sequence[OutputType],
    organism: Organism = Organism.HOMO_SAPIENS,
    ontology_terms: Sequence[str] | None = None,
) -> dict[OutputType, TrackSet]:
    """Single-sequence form of `predict_sequences`."""
    return predict_sequences(backend, [sequence], output_types, organism, ontology_terms)[0]


def predict_intervals(
    backend: Backend | str,
    genome: Genome,
    intervals: Sequence[Interval],
    output_types: Sequence[OutputType],
    organism: Organism = Organism.HOMO_SAPIENS,
    ontology_terms: Sequence[str] | None = None,
) -> list[dict[OutputType, TrackSet]]:
    """Predict genomic windows (all the same width); `-` strand windows are predicted on the
    reverse complement and mapped back to forward-strand coordinates, as the official SDK does.
    `TrackSet.start` is the window start."""
    backend = _resolve(backend)
    wanted = [o for o in dict.fromkeys(output_types) if o in backend.output_types]
    if getattr(backend, "context", 0) and hasattr(backend, "predict_interval"):
        # The model looks beyond the window (SpliceAI: 5 kb each side): give it the genome's real
        # flanks rather than N. Its tracks cover both strands in forward coordinates, so the
        # interval's strand changes nothing.
        return [
            {OutputType.SPLICE_SITES: backend.predict_interval(genome, i.chrom, i.start, i.end)}
            if OutputType.SPLICE_SITES in wanted
            else {}
            for i in intervals
        ]
    sequences = [genome.fetch(i.chrom, i.start, i.end) for i in intervals]
    strands = [i.strand for i in intervals]
    starts = [i.start for i in intervals]
    if _supports_strand(backend):
        return backend.predict(
            sequences,
            wanted,
            organism=organism,
            ontology_terms=ontology_terms,
            strands=strands,
            starts=starts,
        )
    results = []
    for sequence, strand, start in zip(sequences, strands, starts, strict=True):
        if strand == "-":
            raw = backend.predict([reverse_complement(sequence)], wanted, organism, ontology_terms)[0]
            results.append({o: _flip_track_set(t, o, start) for o, t in raw.items()})
        else:
            raw = backend.predict([sequence], wanted, organism, ontology_terms)[0]
            results.append({o: _with_start(t, start) for o, t in raw.items()})
    return results


def predict_interval(
    backend: Backend | str,
    genome: Genome,
    interval: Interval,
    output_types: Sequence[OutputType],
    organism: Organism = Organism.HOMO_SAPIENS,
    ontology_terms: Sequence[str] | None = None,
) -> dict[OutputType, TrackSet]:
    """Single-window form of `predict_intervals`."""
    return predict_intervals(backend, genome, [interval], output_types, organism, ontology_terms)[0]


def _with_start(track_set: TrackSet, start: int) -> TrackSet:
    return TrackSet(track_set.values, track_set.resolution, track_set.metadata, start, track_set.provenance)


def _flip_track_set(track_set: TrackSet, output_type: OutputType, start: int) -> TrackSet:
    """Generic reverse-complement mapping for backends without native strand handling:
    flip positions and swap +/- tracks that come in pairs (i-th + with i-th -)."""
    values = (
        track_set.values[::-1, ::-1] if output_type is OutputType.CONTACT_MAPS else track_set.values[::-1]
    )
    strands = track_set.metadata["strand"].to_numpy() if "strand" in track_set.metadata else None
    if strands is not None:
        order = np.arange(len(strands))
        plus, minus = np.flatnonzero(strands == "+"), np.flatnonzero(strands == "-")
        if len(plus) == len(minus):
            order[plus], order[minus] = minus, plus
            values = values[..., order]
    if output_type is OutputType.DNASE:
        values = np.roll(values, 1, axis=0)
        values[0] = 0.0
    return TrackSet(
        np.ascontiguousarray(values), track_set.resolution, track_set.metadata, start, track_set.provenance
    )


def track_metadata(backend: Backend | str, output_type: OutputType, organism: Organism) -> pd.DataFrame:
    """Tracks a backend returns for `output_type` (before any ontology filter)."""
    return _resolve(backend).track_metadata(output_type, organism)
