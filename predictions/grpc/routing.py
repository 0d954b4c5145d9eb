"""Which backend answers each output type, and how a prediction says who made it.

Each output type goes to the first backend that provides it, trained weights before random
ones (so on the demo SpliceAI's trained weights answer SPLICE_SITES and the Flax AlphaGenome
model the rest). Output types that no backend provides are refused with UNIMPLEMENTED.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Iterable, Sequence

from model.outputs import Backend, Organism, OutputType
from predictions.grpc.errors import UnimplementedError

logger = logging.getLogger("predictions.grpc")
UNTRAINED_LABEL = "RANDOM UNTRAINED WEIGHTS: not biology"


def provenance_label(backend: Backend) -> str:
    """`backend: provenance`, with an explicit warning when the weights are untrained."""
    text = f"genomeapp {backend.name}: {backend.provenance}".strip()
    if not backend.weights_trained and UNTRAINED_LABEL.lower() not in text.lower():
        text += f" ({UNTRAINED_LABEL})"
    return text


class BackendRouter:
    """Maps output types to backends (see module docstring)."""

    def __init__(self, backends: Sequence[Backend]) -> None:
        ranked = sorted(enumerate(backends), key=lambda pair: (not pair[1].weights_trained, pair[0]))
        self.backends = [backend for _, backend in ranked]
        self._by_output: dict[OutputType, Backend] = {}
        for backend in self.backends:
            for output_type in backend.output_types:
                self._by_output.setdefault(output_type, backend)
        self._per_organism: dict[Organism, BackendRouter] = {}
        self._lock = threading.Lock()

    def for_organism(self, organism: Organism) -> BackendRouter:
        """The router restricted to backends that can predict for `organism` (SpliceAI: human only)."""
        with self._lock:
            if organism not in self._per_organism:
                self._per_organism[organism] = BackendRouter(
                    [b for b in self.backends if _supports(b, organism)]
                )
            return self._per_organism[organism]

    @property
    def provided(self) -> frozenset[OutputType]:
        return frozenset(self._by_output)

    def backend_for(self, output_type: OutputType) -> Backend:
        backend = self._by_output.get(output_type)
        if backend is None:
            raise UnimplementedError(self._missing_message([output_type]))
        return backend

    def plan(self, output_types: Iterable[OutputType]) -> dict[str, tuple[Backend, list[OutputType]]]:
        """backend name → (backend, its output types in request order); UNIMPLEMENTED if any is missing."""
        wanted = list(dict.fromkeys(output_types))
        missing = [o for o in wanted if o not in self._by_output]
        if missing:
            raise UnimplementedError(self._missing_message(missing))
        plan: dict[str, tuple[Backend, list[OutputType]]] = {}
        for output_type in wanted:
            backend = self._by_output[output_type]
            plan.setdefault(backend.name, (backend, []))[1].append(output_type)
        return plan

    def _missing_message(self, missing: Sequence[OutputType]) -> str:
        names = ", ".join(o.name for o in missing)
        have = ", ".join(sorted(o.name for o in self.provided)) or "nothing"
        return f"requested_outputs: no backend on this server provides {names} (available: {have})"


def _supports(backend: Backend, organism: Organism) -> bool:
    """Whether `backend` knows `organism` (backends raise ValueError for organisms they lack)."""
    try:
        for output_type in backend.output_types:
            backend.track_metadata(output_type, organism)
    except ValueError:
        return False
    return True


@functools.cache
def default_router(names: tuple[str, ...] | None = None) -> BackendRouter:
    """The process-wide router over `model.inference`'s backends (all that load, or `names`), loaded once."""
    from model import inference

    if names is not None:
        return BackendRouter([inference.get_backend(name) for name in names])
    entries = inference.available_backends()
    for entry in entries:
        if not entry["available"]:
            logger.warning("backend %s is not served: %s", entry["name"], entry["unavailable_reason"])
    backends = [inference.get_backend(str(entry["name"])) for entry in entries if entry["available"]]
    if not backends:
        reasons = "; ".join(f"{entry['name']}: {entry['unavailable_reason']}" for entry in entries)
        raise RuntimeError(f"no model backend could be loaded ({reasons})")
    return BackendRouter(backends)
