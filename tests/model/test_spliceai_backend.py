"""SpliceAIBackend honours model.outputs.Backend and predicts real splice sites on both strands."""

from __future__ import annotations

import numpy as np
import pytest

from model.outputs import TRACK_METADATA_COLUMNS, Backend, Organism, OutputType
from model.spliceai.backend import SpliceAIBackend
from tests.model import spliceai_support as support


def test_backend_contract_and_licence() -> None:
    backend = SpliceAIBackend()
    assert isinstance(backend, Backend)
    assert backend.output_types == frozenset({OutputType.SPLICE_SITES})
    assert backend.provenance == "SpliceAI-10k (Illumina), ensemble of 5"
    assert backend.weights_trained is True
    assert "CC BY-NC 4.0" in backend.licence and "non-commercial" in backend.licence
    meta = backend.track_metadata(OutputType.SPLICE_SITES, Organism.HOMO_SAPIENS)
    assert tuple(meta.columns[: len(TRACK_METADATA_COLUMNS)]) == TRACK_METADATA_COLUMNS
    assert list(zip(meta["name"], meta["strand"], strict=True)) == [
        ("acceptor", "+"),
        ("donor", "+"),
        ("acceptor", "-"),
        ("donor", "-"),
    ]
    assert meta["ontology_curie"].isna().all()
    assert backend.track_metadata(OutputType.RNA_SEQ, Organism.HOMO_SAPIENS).empty
    with pytest.raises(ValueError):
        backend.track_metadata(OutputType.SPLICE_SITES, Organism.MUS_MUSCULUS)


def test_predict_sequences_on_both_strands() -> None:
    """A + strand sequence and its reverse complement give mirrored tracks."""
    backend = SpliceAIBackend()
    backend._ensemble = support.ensemble()
    g = support.genome()
    sequence = g.fetch("20", 327_785 - 1000, 327_785 + 1000)  # NRSN2's first donor at index 1000
    from model.genome import reverse_complement

    out = backend.predict([sequence, reverse_complement(sequence)], [OutputType.SPLICE_SITES])
    forward, reverse = (o[OutputType.SPLICE_SITES] for o in out)
    assert forward.values.shape == (2000, 4) and forward.resolution == 1
    assert forward.provenance == backend.provenance
    assert int(np.argmax(forward.values[:, 1])) == 1000  # donor +
    np.testing.assert_allclose(reverse.values[::-1, 2:], forward.values[:, :2], atol=1e-5)
    assert backend.predict([sequence], [OutputType.RNA_SEQ]) == [{}]


def test_predict_interval_marks_annotated_sites_of_a_minus_strand_gene() -> None:
    backend = SpliceAIBackend()
    backend._ensemble = support.ensemble()
    gene = support.gene("SNRPB")
    start, end = 2_443_000, 2_445_000
    tracks = backend.predict_interval(support.genome(), "chr20", start, end)
    assert tracks.start == start and tracks.values.shape == (end - start, 4)
    donors_minus = tracks.values[:, 3]
    acceptors_minus = tracks.values[:, 2]
    in_window = [s for s in gene["exon_starts"] if start <= s < end]
    assert all(donors_minus[s - start] > 0.9 for s in in_window)
    in_window = [e - 1 for e in gene["exon_ends"] if start <= e - 1 < end]
    assert all(acceptors_minus[p - start] > 0.9 for p in in_window)
    assert tracks.values[:, :2].max() < 0.5  # nothing on the + strand here
