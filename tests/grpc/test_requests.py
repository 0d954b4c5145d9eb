"""Request validation: INVALID_ARGUMENT messages start with the field's name."""

from __future__ import annotations

import pytest
from alphagenome.models import variant_scorers
from alphagenome.protos.v1 import dna_model_pb2

from model.outputs import Organism, OutputType
from predictions.grpc import requests
from predictions.grpc.errors import InvalidArgumentError, UnimplementedError


class FakeGenome:
    lengths = {"20": 63_025_520}

    def contig_length(self, name: str) -> int:
        from model.genome import ContigNotFoundError

        bare = name.removeprefix("chr")
        if bare not in self.lengths:
            raise ContigNotFoundError(f"contig {name!r} is not in the test genome")
        return self.lengths[bare]


def interval(
    chrom: str = "chr20", start: int = 0, end: int = 16384, strand: int = 0
) -> dna_model_pb2.Interval:
    return dna_model_pb2.Interval(chromosome=chrom, start=start, end=end, strand=strand)


@pytest.mark.parametrize(
    ("message", "field"),
    [
        (interval("chrUn"), "interval.chromosome"),
        (interval(end=100), "interval width"),
        (interval(start=100, end=50), "interval"),
        (interval(start=70_000_000, end=70_016_384), "interval"),
    ],
)
def test_bad_intervals_name_the_field(message, field):
    with pytest.raises(InvalidArgumentError) as raised:
        requests.interval(message, FakeGenome())
    assert raised.value.message.startswith(field)


def test_intervals_keep_the_callers_contig_name_and_strand():
    parsed = requests.interval(interval("20", strand=dna_model_pb2.STRAND_NEGATIVE), FakeGenome())
    assert (parsed.chrom, parsed.start, parsed.end, parsed.strand) == ("20", 0, 16384, "-")
    # an interval may run past a contig end (N-padded), like the SDK's FastaExtractor
    assert requests.interval(interval(start=-100, end=16284), FakeGenome()).start == -100


def test_sequences_outputs_and_ontologies():
    assert requests.sequence("acgt" * 4095 + "nnnn").endswith("ACGTNNNN")
    with pytest.raises(InvalidArgumentError, match="^sequence: only A, C, G, T and N"):
        requests.sequence("X" * 16384)
    assert requests.output_types([1, 7, 1]) == [OutputType.ATAC, OutputType.SPLICE_SITES]
    terms = [
        dna_model_pb2.OntologyTerm(ontology_type=2, id=1157),
        dna_model_pb2.OntologyTerm(ontology_type=3, id=84),
    ]
    assert requests.ontology_terms(terms) == ["UBERON:0001157", "CL:0000084"]
    assert requests.ontology_terms([]) is None
    assert requests.organism(0) is Organism.HOMO_SAPIENS


def test_model_versions():
    requests.model_version("")
    requests.model_version("ALL_FOLDS")
    with pytest.raises(UnimplementedError, match="FOLD_2"):
        requests.model_version("FOLD_2")
    with pytest.raises(InvalidArgumentError, match="^model_version"):
        requests.model_version("latest")


def test_scorers_from_the_wire_with_sdk_names():
    sdk = variant_scorers.RECOMMENDED_VARIANT_SCORERS
    parsed = requests.variant_scorers([s.to_proto() for s in sdk.values()], Organism.HOMO_SAPIENS)
    assert [p.name for p in parsed] == [s.name for s in sdk.values()]
    with pytest.raises(InvalidArgumentError, match=r"^variant_scorers\[0\]"):
        requests.variant_scorers([sdk["POLYADENYLATION"].to_proto()], Organism.MUS_MUSCULUS)
    with pytest.raises(InvalidArgumentError, match="^variant_scorers: duplicate"):
        requests.variant_scorers([sdk["ATAC"].to_proto()] * 2, Organism.HOMO_SAPIENS)
    bad = sdk["ATAC"].to_proto()
    bad.center_mask.width = 7
    with pytest.raises(InvalidArgumentError, match=r"^variant_scorers\[0\]: .*width"):
        requests.variant_scorers([bad], Organism.HOMO_SAPIENS)
