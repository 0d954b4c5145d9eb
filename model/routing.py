"""Which backend answers which output type, and how a prediction says who made it.

Each output type goes to the first backend that provides it, trained weights before random
ones (so on the demo SpliceAI's trained weights answer SPLICE_SITES and the Flax AlphaGenome
model the rest). Output types that no backend provides raise `NotProvidedError`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence

from model.errors import NotProvidedError
from model.outputs import Backend, Organism, OutputType

UNTRAINED_LABEL = "RANDOM UNTRAINED WEIGHTS: not biology"
UNTRAINED_PREFIX = "UNTRAINED · "  # on every track name and score label from random weights, where it is read


def provenance_label(backend: Backend) -> str:
    """`genomeapp <backend>: <provenance>`, with an explicit warning when the weights are untrained."""
    text = f"genomeapp {backend.name}: {backend.provenance}".strip()
    if not backend.weights_trained and UNTRAINED_LABEL.lower() not in text.lower():
        text += f" ({UNTRAINED_LABEL})"
    return text


# --- routing -----------------------------------------------------------------------------------------------


class BackendRouter:
    """Maps each output type to the first backend that provides it, trained weights first."""

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
                    [b for b in self.backends if _knows(b, organism)]
                )
            return self._per_organism[organism]

    @property
    def provided(self) -> frozenset[OutputType]:
        return frozenset(self._by_output)

    def backend_for(self, output_type: OutputType) -> Backend:
        backend = self._by_output.get(output_type)
        if backend is None:
            raise NotProvidedError(self._missing_message([output_type]))
        return backend

    def plan(self, output_types: Iterable[OutputType]) -> dict[str, tuple[Backend, list[OutputType]]]:
        """backend name → (backend, its output types in request order); NotProvidedError if any is missing."""
        wanted = list(dict.fromkeys(output_types))
        missing = [o for o in wanted if o not in self._by_output]
        if missing:
            raise NotProvidedError(self._missing_message(missing))
        plan: dict[str, tuple[Backend, list[OutputType]]] = {}
        for output_type in wanted:
            backend = self._by_output[output_type]
            plan.setdefault(backend.name, (backend, []))[1].append(output_type)
        return plan

    def group(self, output_types: Sequence[OutputType]) -> list[tuple[Backend, list[int]]]:
        """Indices into `output_types` grouped by the backend that answers each, first-seen order."""
        groups: dict[str, tuple[Backend, list[int]]] = {}
        for i, output_type in enumerate(output_types):
            backend = self.backend_for(output_type)
            groups.setdefault(backend.name, (backend, []))[1].append(i)
        return list(groups.values())

    def unprovided(self, output_types: Iterable[OutputType]) -> list[OutputType]:
        """The output types no backend here provides, in request order."""
        return [o for o in dict.fromkeys(output_types) if o not in self._by_output]

    def _missing_message(self, missing: Sequence[OutputType]) -> str:
        names = ", ".join(o.name for o in missing)
        have = ", ".join(sorted(o.name for o in self.provided)) or "nothing"
        return f"requested_outputs: no backend on this server provides {names} (available: {have})"


def _knows(backend: Backend, organism: Organism) -> bool:
    """Whether `backend` knows `organism` (backends raise ValueError for organisms they lack)."""
    try:
        for output_type in backend.output_types:
            backend.track_metadata(output_type, organism)
    except ValueError:
        return False
    return True
