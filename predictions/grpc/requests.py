"""Request messages → validated domain values; every problem is INVALID_ARGUMENT naming its field.

Checks mirror the official client's own validation (so other clients get the same answers)
plus what only the server can know: the contig exists in the chosen assembly and the
interval lies on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from alphagenome.protos.v1 import dna_model_pb2

from model.service import (
    SEQUENCE_LENGTHS,
    ContigNotFoundError,
    GeneMaskScorer,
    Genome,
    Interval,
    Organism,
    OutputType,
    ScorerError,
    ScorerNotApplicableError,
    Variant,
    VariantScorer,
    check_organism,
    from_proto,
)
from predictions.grpc.errors import InvalidArgumentError, UnimplementedError

MAX_SCORERS = 20
SERVED_MODEL_VERSIONS = ("", "ALL_FOLDS")
KNOWN_MODEL_VERSIONS = ("ALL_FOLDS", "FOLD_0", "FOLD_1", "FOLD_2", "FOLD_3")
_STRANDS = {
    dna_model_pb2.STRAND_POSITIVE: "+",
    dna_model_pb2.STRAND_NEGATIVE: "-",
    dna_model_pb2.STRAND_UNSTRANDED: ".",
    dna_model_pb2.STRAND_UNSPECIFIED: ".",
}
_ONTOLOGY_PREFIX = {1: "CLO", 2: "UBERON", 3: "CL", 4: "EFO", 5: "NTR"}


def single_request(request_iterator: Iterable[Any], kind: str) -> Any:
    """The one request message of a streaming call (the official client always sends exactly one)."""
    request = next(iter(request_iterator), None)
    if request is None:
        raise InvalidArgumentError("request", f"expected one {kind} message, the stream was empty")
    return request


def organism(value: int, field: str = "organism") -> Organism:
    if value == 0:
        return Organism.HOMO_SAPIENS  # proto3 default: the client always sets it, others may not
    try:
        return Organism(value)
    except ValueError:
        raise InvalidArgumentError(
            field, f"unknown organism {value}; use HOMO_SAPIENS or MUS_MUSCULUS"
        ) from None


def model_version(value: str, field: str = "model_version") -> None:
    """Accept the default model; name the folds we do not serve instead of pretending to."""
    if value in SERVED_MODEL_VERSIONS:
        return
    if value in KNOWN_MODEL_VERSIONS:
        raise UnimplementedError(
            f"{field}: {value} is not served here; this server has one set of weights per backend "
            "(request ALL_FOLDS or leave model_version unset)"
        )
    raise InvalidArgumentError(
        field, f"unknown model version {value!r}; known: {', '.join(KNOWN_MODEL_VERSIONS)}"
    )


def output_types(values: Sequence[int], field: str = "requested_outputs") -> list[OutputType]:
    if not values:
        raise InvalidArgumentError(field, "request at least one output type")
    result = []
    for i, value in enumerate(values):
        try:
            result.append(OutputType(value))
        except ValueError:
            raise InvalidArgumentError(f"{field}[{i}]", f"unknown output type {value}") from None
    return list(dict.fromkeys(result))


def ontology_terms(terms: Sequence[Any], field: str = "ontology_terms") -> list[str] | None:
    """CURIEs such as `UBERON:0001157`; an empty list means every ontology (None)."""
    if not terms:
        return None
    curies = []
    for i, term in enumerate(terms):
        prefix = _ONTOLOGY_PREFIX.get(term.ontology_type)
        if prefix is None or term.id < 0:
            raise InvalidArgumentError(
                f"{field}[{i}]", f"invalid ontology term ({term.ontology_type}, {term.id})"
            )
        curies.append(f"{prefix}:{term.id:07d}")
    return list(dict.fromkeys(curies))


def sequence(value: str, field: str = "sequence") -> str:
    text = value.upper()
    invalid = set(text) - set("ACGTN")
    if invalid:
        raise InvalidArgumentError(
            field, f"only A, C, G, T and N are allowed, found {''.join(sorted(invalid))!r}"
        )
    _check_length(len(text), field)
    return text


def _check_length(width: int, field: str) -> None:
    if width not in SEQUENCE_LENGTHS:
        raise InvalidArgumentError(
            field,
            f"length {width} is not supported; use one of {', '.join(map(str, SEQUENCE_LENGTHS))}",
        )


def _contig(genome: Genome, name: str, field: str) -> int:
    if not name:
        raise InvalidArgumentError(f"{field}.chromosome", "is empty")
    try:
        return genome.contig_length(name)
    except ContigNotFoundError as error:
        raise InvalidArgumentError(f"{field}.chromosome", str(error)) from None


def interval(
    message: Any, genome: Genome, field: str = "interval", *, sequence_length: bool = True
) -> Interval:
    """A forward-coordinate interval on a contig of `genome`; the name is kept as the caller spelled it."""
    if message is None or not message.chromosome:
        raise InvalidArgumentError(field, "is required (chromosome, start, end)")
    length = _contig(genome, message.chromosome, field)
    if message.end <= message.start:
        raise InvalidArgumentError(field, f"end {message.end} must be greater than start {message.start}")
    if message.start >= length or message.end <= 0:
        raise InvalidArgumentError(
            field, f"{message.start}-{message.end} does not overlap {message.chromosome} (0-{length})"
        )
    if sequence_length:
        _check_length(message.end - message.start, f"{field} width")
    return Interval(message.chromosome, message.start, message.end, _STRANDS.get(message.strand, "."))


def variant(message: Any, genome: Genome, field: str = "variant") -> Variant:
    if message is None or not message.chromosome:
        raise InvalidArgumentError(
            field, "is required (chromosome, position, reference_bases, alternate_bases)"
        )
    _contig(genome, message.chromosome, field)
    if message.position < 1:
        raise InvalidArgumentError(f"{field}.position", f"must be >= 1 (1-based), got {message.position}")
    longest = max(SEQUENCE_LENGTHS)
    for name in ("reference_bases", "alternate_bases"):
        # numbers in protos are typed (int64), but allele strings are as long as the 16 MB request
        if (size := len(getattr(message, name))) > longest:
            raise InvalidArgumentError(
                f"{field}.{name}", f"is {size:,} bases; at most {longest:,} (the longest window)"
            )
    try:
        return Variant(message.chromosome, message.position, message.reference_bases, message.alternate_bases)
    except ValueError as error:
        raise InvalidArgumentError(field, str(error)) from None


def same_contig(inner: Variant | Interval, outer: Interval, field: str) -> None:
    if inner.chrom != outer.chrom:
        raise InvalidArgumentError(field, f"is on {inner.chrom} but the interval is on {outer.chrom}")


def variant_scorers(
    messages: Sequence[Any], organism_: Organism, field: str = "variant_scorers"
) -> list[VariantScorer]:
    scorers = _scorers(messages, field)
    for i, scorer in enumerate(scorers):
        if isinstance(scorer, GeneMaskScorer):
            raise InvalidArgumentError(f"{field}[{i}]", "GeneMaskScorer is an interval scorer")
        try:
            check_organism(scorer, organism_)
        except ScorerNotApplicableError as error:
            raise InvalidArgumentError(f"{field}[{i}]", str(error)) from None
    return scorers  # type: ignore[return-value]


def interval_scorers(messages: Sequence[Any], field: str = "interval_scorers") -> list[GeneMaskScorer]:
    scorers = _scorers(messages, field)
    for i, scorer in enumerate(scorers):
        if not isinstance(scorer, GeneMaskScorer):
            raise InvalidArgumentError(f"{field}[{i}]", f"{scorer.name} is not an interval scorer")
    return scorers  # type: ignore[return-value]


def _scorers(messages: Sequence[Any], field: str) -> list[Any]:
    if not messages:
        raise InvalidArgumentError(field, "request at least one scorer")
    if len(messages) > MAX_SCORERS:
        raise InvalidArgumentError(field, f"at most {MAX_SCORERS} scorers per request, got {len(messages)}")
    scorers = []
    for i, message in enumerate(messages):
        try:
            scorers.append(from_proto(message))
        except (ScorerError, ValueError, KeyError) as error:
            raise InvalidArgumentError(f"{field}[{i}]", str(error)) from None
    if len(set(scorers)) != len(scorers):
        raise InvalidArgumentError(field, "duplicate scorers")
    return scorers
