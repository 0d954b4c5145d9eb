"""The one call into a backend: batching, strands, flanks, junctions in genomic coordinates."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from model.genome import reverse_complement
from model.junctions import JunctionSet, junctions_from_prediction
from model.outputs import Backend, JunctionTrackSet, Organism, OutputType, TrackSet
from model.strand import mirror_splice_sites, reverse_complement_values, strand_reindexing

Prediction = TrackSet | JunctionSet
Predictions = dict[OutputType, Prediction]
BATCH_SIZE = 4  # sequences per backend call: ISM never holds more than a few windows of tracks


def predict_windows(
    backend: Backend,
    sequences: Sequence[str],
    output_types: Sequence[OutputType],
    organism: Organism,
    ontology_terms: Sequence[str] | None = None,
    *,
    flank: int = 0,
    strand: str = "+",
    origin: int | Sequence[int] = 0,
    batch_size: int = BATCH_SIZE,
) -> list[Predictions]:
    """Predictions of `backend` for same-length forward-strand windows, on forward coordinates.

    Args:
      sequences: each a window plus `flank` bases of context at both ends.
      strand: `-` predicts the reverse-complement strand, as the official `predict_interval`
        does for a negative-strand interval; outputs come back on forward coordinates.
      origin: genomic 0-based start of the window (without flank), for `TrackSet.start` and
        junction coordinates; one per sequence when they differ.

    Returns:
      per sequence, output type → `TrackSet` (`JunctionSet` for SPLICE_JUNCTIONS).
    """
    types = [o for o in dict.fromkeys(output_types) if o in backend.output_types]
    origins = [origin] * len(sequences) if isinstance(origin, int) else list(origin)
    results: list[Predictions] = []
    for first in range(0, len(sequences), batch_size):
        chunk = list(sequences[first : first + batch_size])
        if not types:
            outputs: list[dict[OutputType, TrackSet]] = [{} for _ in chunk]
        elif backend.supports_strand or strand != "-":
            outputs = backend.predict(
                chunk, types, organism, ontology_terms, strands=[strand] * len(chunk), flank=flank
            )
        else:
            reverse = backend.predict(
                [reverse_complement(s) for s in chunk], types, organism, ontology_terms, flank=flank
            )
            width = len(chunk[0]) - 2 * flank
            outputs = [{o: _forward_strand(o, t, width) for o, t in out.items()} for out in reverse]
        for output, start in zip(outputs, origins[first : first + batch_size], strict=True):
            results.append({o: _as_prediction(output[o], backend, start) for o in types})
    return results


def _forward_strand(output_type: OutputType, track_set: TrackSet, width: int) -> TrackSet:
    """A reverse-complement prediction (of a `width` bp window) of a backend without strand
    support, mapped back onto forward coordinates."""
    reindex = strand_reindexing(track_set.metadata, output_type)
    values = reverse_complement_values(output_type, track_set.values, reindex)
    changes: dict[str, Any] = {"values": values}
    positions = getattr(track_set, "splice_site_positions", None)
    if positions is not None:
        changes["splice_site_positions"] = mirror_splice_sites(positions, width)
    return dataclasses.replace(track_set, **changes)


def _as_prediction(value: Any, backend: Backend, origin: int) -> Prediction:
    """A backend output as a `Prediction`: a `TrackSet`, or junctions (`junctions_from_prediction` input)."""
    if isinstance(value, JunctionTrackSet) or not isinstance(value, TrackSet):
        return junctions_from_prediction(value, origin)
    return dataclasses.replace(value, start=origin, provenance=value.provenance or backend.provenance)
