"""The inference surface and the AlphaGenome backend (tiny preset, random weights, CPU)."""

import numpy as np
import pandas as pd
import pysam
import pytest

from model import inference
from model.alphagenome_backend import AlphaGenomeBackend
from model.genome import Genome, Interval, reverse_complement
from model.outputs import Backend, JunctionTrackSet, Organism, OutputType, TrackSet
from model.service import BackendRouter, PredictionService
from model.strand import strand_reindexing

L = 16384
ALL = list(OutputType)


@pytest.fixture(scope="module")
def backend():
    return AlphaGenomeBackend.random("tiny", seed=0)


@pytest.fixture(scope="module")
def sequence():
    rng = np.random.default_rng(7)
    return "".join(rng.choice(list("ACGT"), L))


@pytest.fixture(scope="module")
def forward(backend, sequence):
    return backend.predict([sequence], ALL)[0]


def test_random_weights_are_labelled(backend):
    assert isinstance(backend, Backend)
    assert backend.weights_trained is False
    assert "random untrained weights" in backend.provenance
    assert backend.output_types == frozenset(OutputType)


def test_get_backend_is_cached_and_defaults_to_random(monkeypatch):
    monkeypatch.delenv("GENOMEAPP_ALPHAGENOME_CHECKPOINT", raising=False)
    inference._cached_backend.cache_clear()
    first = inference.get_backend("alphagenome")
    assert inference.get_backend("alphagenome") is first
    assert first.weights_trained is False
    with pytest.raises(KeyError):
        inference.get_backend("enformer")


def test_available_backends_report(monkeypatch):
    def broken():
        raise RuntimeError("weights not installed")

    monkeypatch.setattr(
        inference, "_cached_backend", lambda name: broken() if name == "spliceai" else real(name)
    )
    real = inference._load_backend
    entries = {e["name"]: e for e in inference.available_backends()}
    assert set(entries) == {"alphagenome", "spliceai"}
    ag = entries["alphagenome"]
    assert ag["available"] and ag["weights_trained"] is False and ag["unavailable_reason"] is None
    assert "SPLICE_JUNCTIONS" in ag["output_types"] and "random" in ag["provenance"]
    assert entries["spliceai"]["available"] is False
    assert "weights not installed" in entries["spliceai"]["unavailable_reason"]


def test_every_output_type_shape_and_metadata(backend, forward):
    expected = {
        OutputType.ATAC: (L, 8),
        OutputType.CHIP_TF: (L // 128, 8),
        OutputType.SPLICE_SITES: (L, 4),
        OutputType.CONTACT_MAPS: (L // 2048, L // 2048, 4),
        OutputType.SPLICE_JUNCTIONS: (32, 32, 8),
        OutputType.PROCAP: (L, 4),
    }
    for output_type, track_set in forward.items():
        assert isinstance(track_set, TrackSet)
        assert track_set.values.shape[-1] == len(track_set.metadata)
        assert not track_set.metadata["padding"].any()
        assert "random untrained" in track_set.provenance
        if output_type in expected:
            assert track_set.values.shape == expected[output_type]
        pd.testing.assert_frame_equal(
            track_set.metadata.reset_index(drop=True),
            backend.track_metadata(output_type, Organism.HOMO_SAPIENS),
        )
    assert isinstance(forward[OutputType.SPLICE_JUNCTIONS], JunctionTrackSet)
    assert forward[OutputType.SPLICE_JUNCTIONS].splice_site_positions.shape == (4, 32)
    np.testing.assert_allclose(forward[OutputType.SPLICE_SITES].values.sum(-1) <= 1.0 + 1e-6, True)


def test_ontology_filter_selects_columns(backend, sequence, forward):
    full = forward[OutputType.DNASE]
    curie = full.metadata["ontology_curie"].iloc[2]
    service = PredictionService(BackendRouter([backend]))
    (filtered,) = service.predict_sequences([sequence], [OutputType.DNASE], Organism.HOMO_SAPIENS, [curie])
    track_set = filtered[OutputType.DNASE]
    keep = np.flatnonzero(full.metadata["ontology_curie"] == curie)
    assert list(filtered) == [OutputType.DNASE]
    np.testing.assert_allclose(track_set.values, full.values[:, keep], rtol=1e-4, atol=1e-5)


def test_negative_strand_matches_official_post_processing(backend, sequence):
    """Model on the reverse complement, then flip, swap +/- tracks, shift DNase, mirror junctions."""
    minus = backend.predict([sequence], ALL, strands=["-"])[0]
    rc = backend.predict([reverse_complement(sequence)], ALL)[0]
    for output_type in ALL:
        ours, raw = minus[output_type], rc[output_type]
        full_meta = backend._full_metadata(output_type, Organism.HOMO_SAPIENS)
        if output_type is OutputType.SPLICE_JUNCTIONS:
            t = raw.values.shape[-1] // 2
            np.testing.assert_allclose(
                ours.values, np.concatenate([raw.values[..., t:], raw.values[..., :t]], -1)
            )
            p = raw.splice_site_positions
            np.testing.assert_array_equal(
                ours.splice_site_positions, np.where(p < 0, -1, L - 1 - p)[[2, 3, 0, 1]]
            )
            continue
        if output_type is OutputType.CONTACT_MAPS:
            np.testing.assert_allclose(ours.values, raw.values[::-1, ::-1], rtol=1e-5, atol=1e-6)
            continue
        reindex = strand_reindexing(full_meta, output_type)
        rows = ours.metadata["track_index"].to_numpy()
        partner = [int(np.flatnonzero(raw.metadata["track_index"].to_numpy() == reindex[r])[0]) for r in rows]
        expected = raw.values[::-1][:, partner]
        if output_type is OutputType.DNASE:
            expected = np.roll(expected, 1, axis=0)
            expected[0] = 0
        np.testing.assert_allclose(ours.values, expected, rtol=1e-4, atol=1e-5, err_msg=output_type.name)


@pytest.fixture(scope="module")
def genome(tmp_path_factory, sequence):
    path = tmp_path_factory.mktemp("genome") / "toy.fa"
    body = "N" * 100 + sequence + "ACGT" * 50
    path.write_text(">chr7\n" + "\n".join(body[i : i + 60] for i in range(0, len(body), 60)) + "\n")
    pysam.faidx(str(path))
    return Genome(path)


def _interval(backend, genome, interval):
    service = PredictionService(BackendRouter([backend]))
    return service.predict_interval(
        genome, interval, sorted(backend.output_types, key=lambda o: o.value), Organism.HOMO_SAPIENS
    )


def test_predict_interval_uses_forward_window_and_strand(backend, genome, sequence, forward):
    plus = _interval(backend, genome, Interval("7", 100, 100 + L, "+"))
    assert plus[OutputType.ATAC].start == 100
    np.testing.assert_allclose(plus[OutputType.ATAC].values, forward[OutputType.ATAC].values, rtol=1e-5)
    minus = _interval(backend, genome, Interval("chr7", 100, 100 + L, "-"))
    direct = backend.predict([sequence], ALL, strands=["-"])[0]
    np.testing.assert_allclose(minus[OutputType.CAGE].values, direct[OutputType.CAGE].values, rtol=1e-5)


class _PlusOnlyBackend:
    """A backend without native strand handling: the generic fallback flips its outputs."""

    name = "toy"
    provenance = "toy"
    weights_trained = False
    licence = "test"
    output_types = frozenset({OutputType.RNA_SEQ})
    supports_strand = False
    context = 0
    config: dict[str, object] = {}

    def track_metadata(self, output_type, organism):
        return pd.DataFrame({"name": ["a+", "a-"], "strand": ["+", "-"]})

    def predict(
        self,
        sequences,
        output_types,
        organism=Organism.HOMO_SAPIENS,
        ontology_terms=None,
        *,
        strands=None,
        flank=0,
    ):
        values = np.stack([np.arange(len(sequences[0])), -np.arange(len(sequences[0]))], -1).astype(
            np.float32
        )
        meta = self.track_metadata(None, organism)
        return [{OutputType.RNA_SEQ: TrackSet(values, 1, meta)} for _ in sequences]


def test_generic_negative_strand_fallback(genome):
    out = _interval(_PlusOnlyBackend(), genome, Interval("chr7", 0, 8, "-"))
    values = out[OutputType.RNA_SEQ].values
    np.testing.assert_array_equal(values[:, 0], -np.arange(8)[::-1])
    np.testing.assert_array_equal(values[:, 1], np.arange(8)[::-1])


def test_checkpoint_from_environment(monkeypatch, tmp_path, backend):
    from model import checkpoints

    checkpoints.save(tmp_path / "ck", backend.model, provenance="random (seed 0)", weights_trained=False)
    monkeypatch.setenv("GENOMEAPP_ALPHAGENOME_CHECKPOINT", str(tmp_path / "ck"))
    loaded = AlphaGenomeBackend.from_environment()
    assert loaded.weights_trained is False and "random (seed 0)" in loaded.provenance


def test_rejects_bad_lengths(backend):
    with pytest.raises(ValueError, match="multiple of 2048"):
        backend.predict(["ACGT" * 100], [OutputType.ATAC])
    with pytest.raises(ValueError, match="one length"):
        backend.predict(["A" * 2048, "A" * 4096], [OutputType.ATAC])
