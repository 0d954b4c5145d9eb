"""Hostile gRPC request fields (what `predictions/grpc/requests.py` turns into domain values): every
one is a value or an InvalidArgumentError naming its field (INVALID_ARGUMENT), never another
exception (INTERNAL). Proto numbers are typed (int64), so strings are where size can grow."""

from __future__ import annotations

import functools

from alphagenome.protos.v1 import dna_model_pb2
from hypothesis import given, settings
from hypothesis import strategies as st

from model import demo_assets
from model.service import SEQUENCE_LENGTHS, Genome
from predictions.grpc import requests
from predictions.grpc.errors import InvalidArgumentError
from tests.predictions.bad_inputs import strategies, tally

INT64 = st.integers(-(2**63), 2**63 - 1) | st.sampled_from(
    [0, 1, -1, 2**63 - 1, -(2**63), 63_025_520, 63_025_521]
)
FUZZ = settings(max_examples=1000, derandomize=True, database=None, deadline=None)


@functools.cache
def demo_genome() -> Genome:
    return Genome(demo_assets.demo_fasta_path())


@FUZZ
@given(
    chromosome=strategies.contigs,
    position=INT64,
    reference=strategies.alleles,
    alternate=strategies.alleles,
)
def test_variants(chromosome: str, position: int, reference: str, alternate: str) -> None:
    message = dna_model_pb2.Variant(
        chromosome=chromosome, position=position, reference_bases=reference, alternate_bases=alternate
    )
    with tally.case("hypothesis: gRPC variants (parser)"):
        try:
            requests.variant(message, demo_genome())
        except InvalidArgumentError as error:
            assert error.message.startswith("variant"), error.message


@FUZZ
@given(chromosome=strategies.contigs, start=INT64, end=INT64, strand=st.integers(-5, 5))
def test_intervals(chromosome: str, start: int, end: int, strand: int) -> None:
    message = dna_model_pb2.Interval(chromosome=chromosome, start=start, end=end, strand=strand % 4)
    with tally.case("hypothesis: gRPC intervals (parser)"):
        try:
            requests.interval(message, demo_genome())
        except InvalidArgumentError as error:
            assert error.message.startswith("interval"), error.message


def test_alleles_longer_than_the_longest_window_are_refused() -> None:
    longest = max(SEQUENCE_LENGTHS)
    message = dna_model_pb2.Variant(
        chromosome="chr20", position=2443281, reference_bases="C", alternate_bases="A" * (longest + 1)
    )
    with tally.case("corpus (gRPC)"):
        try:
            requests.variant(message, demo_genome())
        except InvalidArgumentError as error:
            assert error.message.startswith("variant.alternate_bases") and f"{longest:,}" in error.message
        else:
            raise AssertionError("a 1 Mb + 1 allele was accepted")
