"""Negative-strand predictions, for every output type, judged by the official code itself.

1. The AlphaGenome backend's `-` prediction equals DeepMind's own post-processing
   (`alphagenome_research.model.augmentation.reverse_complement_output_type`, from the unmodified
   wheel in third_party/) applied to the raw prediction on the reverse complement.
2. The service's generic path (a backend without strand support) gives the same predictions as
   the native one, so both routes follow the official semantics.
3. A strand-complete model (SpliceAI predicts both strands' tracks) gives identical predictions
   for an interval on `+` and on `-`.
"""

import dataclasses

import jax.numpy as jnp
import numpy as np
import pysam
import pytest
from alphagenome.models import dna_output
from alphagenome_research.model import augmentation

from model.alphagenome_backend import AlphaGenomeBackend
from model.genome import Genome, Interval, reverse_complement
from model.outputs import JunctionTrackSet, Organism, OutputType
from model.service import BackendRouter, PredictionService
from model.strand import strand_reindexing

L = 16384
ALL = sorted(OutputType, key=lambda o: o.value)


@pytest.fixture(scope="module")
def backend():
    return AlphaGenomeBackend.random("tiny", seed=3)


@pytest.fixture(scope="module")
def sequence():
    return "".join(np.random.default_rng(11).choice(list("ACGT"), L))


@pytest.fixture(scope="module")
def genome(tmp_path_factory, sequence):
    path = tmp_path_factory.mktemp("strand") / "toy.fa"
    body = "N" * 50 + sequence + "ACGT" * 40
    path.write_text(">chr9\n" + "\n".join(body[i : i + 60] for i in range(0, len(body), 60)) + "\n")
    pysam.faidx(str(path))
    return Genome(path)


def _official(output_type, raw, backend):
    """DeepMind's reverse-complement mapping of one raw prediction (batch of one)."""
    frame = backend.track_metadata(output_type, Organism.HOMO_SAPIENS)
    reindex = jnp.asarray(strand_reindexing(frame, output_type))
    official_type = dna_output.OutputType[output_type.name]
    if output_type is OutputType.SPLICE_JUNCTIONS:
        predictions = {
            "predictions": jnp.asarray(raw.values[None]),
            "splice_site_positions": jnp.asarray(raw.splice_site_positions[None]),
        }
        out = augmentation.reverse_complement_output_type(
            predictions, output_type=official_type, strand_reindexing=reindex, sequence_length=L
        )
        return np.asarray(out["predictions"][0]), np.asarray(out["splice_site_positions"][0])
    out = augmentation.reverse_complement_output_type(
        jnp.asarray(raw.values[None]),
        output_type=official_type,
        strand_reindexing=None if output_type is OutputType.CONTACT_MAPS else reindex,
        sequence_length=L,
    )
    return np.asarray(out[0]), None


@pytest.fixture(scope="module")
def minus_and_raw(backend, sequence):
    """All outputs of the `-` strand prediction, and of the plain prediction on the reverse complement."""
    (minus,) = backend.predict([sequence], ALL, strands=["-"])
    (raw,) = backend.predict([reverse_complement(sequence)], ALL)
    return minus, raw


@pytest.mark.parametrize("output_type", ALL, ids=lambda o: o.name)
def test_backend_negative_strand_equals_the_official_post_processing(backend, minus_and_raw, output_type):
    ours, raw = (outputs[output_type] for outputs in minus_and_raw)
    values, positions = _official(output_type, raw, backend)
    np.testing.assert_allclose(ours.values, values, rtol=1e-5, atol=1e-6, err_msg=output_type.name)
    if output_type is OutputType.SPLICE_JUNCTIONS:
        np.testing.assert_array_equal(ours.splice_site_positions, positions)
    if output_type is OutputType.DNASE:  # the one-base cut-site shift is really there
        assert np.all(ours.values[0] == 0)


@dataclasses.dataclass
class _WithoutStrandSupport:
    """The AlphaGenome backend seen as a backend that ignores strands: the service flips."""

    inner: AlphaGenomeBackend
    supports_strand = False

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def predict(self, sequences, output_types, organism=Organism.HOMO_SAPIENS, ontology_terms=None, **_):
        outputs = self.inner.predict(sequences, output_types, organism, ontology_terms)
        # a plain TrackSet for junctions too: the service must mirror the site positions itself
        return [{o: _plain(t) for o, t in out.items()} for out in outputs]


def _plain(track_set):
    if isinstance(track_set, JunctionTrackSet):
        return JunctionTrackSet(**{f.name: getattr(track_set, f.name) for f in dataclasses.fields(track_set)})
    return track_set


def _same(left, right, name):
    if hasattr(left, "starts"):  # JunctionSet: genomic coordinates
        order_l = np.lexsort((left.strands, left.ends, left.starts))
        order_r = np.lexsort((right.strands, right.ends, right.starts))
        np.testing.assert_array_equal(left.starts[order_l], right.starts[order_r])
        np.testing.assert_array_equal(left.ends[order_l], right.ends[order_r])
        np.testing.assert_array_equal(left.strands[order_l], right.strands[order_r])
        np.testing.assert_allclose(left.values[order_l], right.values[order_r], rtol=1e-5, atol=1e-6)
        return
    assert left.start == right.start
    np.testing.assert_allclose(left.values, right.values, rtol=1e-5, atol=1e-6, err_msg=name)


def test_service_generic_flip_equals_the_native_one_for_every_output_type(backend, genome):
    interval = Interval("chr9", 50, 50 + L, "-")
    native = PredictionService(BackendRouter([backend])).predict_interval(
        genome, interval, ALL, Organism.HOMO_SAPIENS
    )
    generic = PredictionService(BackendRouter([_WithoutStrandSupport(backend)])).predict_interval(
        genome, interval, ALL, Organism.HOMO_SAPIENS
    )
    assert list(native) == list(generic) == ALL
    for output_type in ALL:
        _same(native[output_type], generic[output_type], output_type.name)


def test_negative_strand_differs_from_positive(backend, genome):
    """The check is sharp: this random model is not strand-symmetric, so `-` really is a flip."""
    service = PredictionService(BackendRouter([backend]))
    plus = service.predict_interval(
        genome, Interval("chr9", 50, 50 + L, "+"), [OutputType.DNASE], Organism.HOMO_SAPIENS
    )
    minus = service.predict_interval(
        genome, Interval("chr9", 50, 50 + L, "-"), [OutputType.DNASE], Organism.HOMO_SAPIENS
    )
    assert not np.allclose(plus[OutputType.DNASE].values, minus[OutputType.DNASE].values, rtol=1e-3)


def test_strand_complete_model_predicts_the_same_on_both_strands():
    """SpliceAI predicts both strands' splice sites, so a `-` interval mapped back is the `+` one."""
    from model.spliceai.backend import SpliceAIBackend
    from tests.model import spliceai_support

    demo_genome = spliceai_support.genome()

    service = PredictionService(BackendRouter([SpliceAIBackend()]))
    start = 2_440_000  # SNRPB, a minus-strand gene, with real context from the genome
    plus = service.predict_interval(
        demo_genome,
        Interval("chr20", start, start + 4096, "+"),
        [OutputType.SPLICE_SITES],
        Organism.HOMO_SAPIENS,
    )[OutputType.SPLICE_SITES]
    minus = service.predict_interval(
        demo_genome,
        Interval("chr20", start, start + 4096, "-"),
        [OutputType.SPLICE_SITES],
        Organism.HOMO_SAPIENS,
    )[OutputType.SPLICE_SITES]
    np.testing.assert_allclose(plus.values, minus.values, rtol=1e-5, atol=1e-6)
    assert plus.values.max() > 0.5  # SNRPB's real splice sites are in this window
