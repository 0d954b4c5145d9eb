"""SpliceAI-10k as a `model.outputs.Backend`: SPLICE_SITES tracks per base and strand.

Tracks, in column order: acceptor `+`, donor `+`, acceptor `-`, donor `-`; values are the
five-model ensemble's probabilities at 1 bp resolution. `-` strand tracks come from the
reverse complement, flipped back so row `i` is always forward-strand base `i`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from model.genome import Genome, reverse_complement
from model.outputs import TRACK_METADATA_COLUMNS, Organism, OutputType, TrackSet
from model.spliceai.ensemble import FLANK, LICENCE, PROVENANCE, SpliceAIEnsemble, default_ensemble
from model.strand import reverse_complement_values

_TRACKS = (("acceptor", "+"), ("donor", "+"), ("acceptor", "-"), ("donor", "-"))
_CLASS_INDEX = {"acceptor": 1, "donor": 2}


class SpliceAIBackend:
    """Real splice-site predictions from the packaged SpliceAI-10k weights (CC BY-NC 4.0).

    The ensemble loads on first use, once per process, and is shared by every instance.
    """

    name = "spliceai"
    provenance = PROVENANCE
    weights_trained = True
    licence = LICENCE
    output_types = frozenset({OutputType.SPLICE_SITES})
    context = FLANK  # bases of context the model reads on each side of a predicted base
    # Both strands' tracks are always predicted (the `-` ones on the reverse complement), so a
    # `-` window mapped back is the `+` window: strands need no handling here.
    supports_strand = True

    def __init__(self) -> None:
        self._ensemble: SpliceAIEnsemble | None = None

    @property
    def config(self) -> dict[str, object]:
        """What determines predictions besides the weights."""
        return {"context": self.context, "models": 5, "resolution": 1}

    @property
    def ensemble(self) -> SpliceAIEnsemble:
        if self._ensemble is None:
            self._ensemble = default_ensemble()
        return self._ensemble

    def track_metadata(
        self, output_type: OutputType, organism: Organism = Organism.HOMO_SAPIENS
    ) -> pd.DataFrame:
        """Four SPLICE_SITES tracks (acceptor/donor × `+`/`-`); empty for other output types."""
        if output_type is not OutputType.SPLICE_SITES:
            return pd.DataFrame(columns=list(TRACK_METADATA_COLUMNS))
        _check_organism(organism)
        return pd.DataFrame(
            {
                "name": [name for name, _ in _TRACKS],
                "strand": [strand for _, strand in _TRACKS],
                "ontology_curie": [None] * len(_TRACKS),
                "biosample_name": ["tissue-agnostic"] * len(_TRACKS),
                "assay_title": ["SpliceAI-10k splice-site probability"] * len(_TRACKS),
            }
        )

    def predict(
        self,
        sequences: Sequence[str],
        output_types: Sequence[OutputType],
        organism: Organism = Organism.HOMO_SAPIENS,
        ontology_terms: Sequence[str] | None = None,
        *,
        strands: Sequence[str] | None = None,
        flank: int = 0,
    ) -> list[dict[OutputType, TrackSet]]:
        """Tracks `[L - 2 * flank, 4]` per sequence.

        The first and last `flank` bases (at most `context`) are context only; beyond them the
        model sees N. SpliceAI is not tissue-specific, so `ontology_terms` does not filter its
        tracks; `strands` changes nothing (both strands are always predicted).
        """
        _check_organism(organism)
        if not 0 <= flank <= self.context:
            raise ValueError(f"flank must be within [0, {self.context}], got {flank}")
        if OutputType.SPLICE_SITES not in output_types:
            return [{} for _ in sequences]
        pad = "N" * (self.context - flank)
        forward = [pad + s.upper() + pad for s in sequences]
        reverse = [reverse_complement(w) for w in forward]
        windows = forward + reverse
        if windows and len(windows[0]) > self.ensemble.tile + 2 * self.context:
            probs = [self.ensemble.predict_sequence(w) for w in windows]  # tiled: long intervals
        else:
            probs = self.ensemble.predict_windows(windows)
        n = len(sequences)
        return [
            {OutputType.SPLICE_SITES: self._trackset(probs[i], _forward_order(probs[n + i]), start=0)}
            for i in range(n)
        ]

    def predict_interval(self, genome: Genome, chrom: str, start: int, end: int) -> TrackSet:
        """Tracks `[end - start, 4]` for `[start, end)` (0-based) with the genome's real context.

        One tiled pass per strand covers the whole interval however long, so a REF track over a
        cluster of variants costs one prediction.
        """
        plus = self.ensemble.predict_region(genome, chrom, start, end, "+")
        minus = self.ensemble.predict_region(genome, chrom, start, end, "-")
        return self._trackset(plus, minus, start=start)

    def _trackset(self, plus: np.ndarray, minus: np.ndarray, start: int) -> TrackSet:
        columns = [(plus if strand == "+" else minus)[:, _CLASS_INDEX[name]] for name, strand in _TRACKS]
        return TrackSet(
            values=np.stack(columns, axis=-1).astype(np.float32),
            resolution=1,
            metadata=self.track_metadata(OutputType.SPLICE_SITES),
            start=start,
            provenance=self.provenance,
        )


def _forward_order(probabilities: np.ndarray) -> np.ndarray:
    """Per-base class probabilities `[L, 3]` of a reverse complement, in forward base order."""
    return reverse_complement_values(OutputType.SPLICE_SITES, probabilities, None)


def _check_organism(organism: Organism) -> None:
    if organism is not Organism.HOMO_SAPIENS:
        raise ValueError(f"SpliceAI-10k was trained on human sequence only, not {organism.name}")
