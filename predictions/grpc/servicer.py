"""The seven RPCs of `DnaModelService`, on the generated servicer base class.

Each RPC reads its single request, validates it (`requests`), picks the assembly
(`assemblies`), calls `model.service` inside a `ModelCallGate` slot and streams the
result (`encoding`): a header message, then its tensor chunks, per output or scorer. Any
failure ends the call with a status code and a message; nothing a client sends can take the
server down.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import grpc
import pandas as pd
from alphagenome.protos.v1 import dna_model_service_pb2 as pb
from alphagenome.protos.v1 import dna_model_service_pb2_grpc
from django.db import close_old_connections
from typing_extensions import override

from model.service import (
    MAX_ISM_WIDTH,
    PAS_COLUMNS,
    InvalidRequestError,
    NotProvidedError,
    Organism,
    OutputType,
    PredictionService,
    ScorerError,
    ScorerNotApplicableError,
    ScoringContext,
    check_variant_in,
    provenance_label,
)
from predictions.grpc import assemblies, encoding, requests
from predictions.grpc.errors import InvalidArgumentError, RequestError
from predictions.grpc.limits import ModelCallGate

logger = logging.getLogger("predictions.grpc")
# No polyadenylation-site table is installed: the paQTL scorer then finds no gene to score
# (an empty result, as for a window without sites) instead of failing the whole request.
NO_PAS_SITES = pd.DataFrame({column: pd.Series(dtype=object) for column in PAS_COLUMNS})


def _chunks(wrap: Callable[[Any], Any], chunks: Iterable[Any]) -> Iterator[Any]:
    for chunk in chunks:
        yield wrap(chunk)


@dataclasses.dataclass(frozen=True)
class _PredictionCall:
    """A prediction RPC's parsed common fields and the service that answers it."""

    service: PredictionService
    organism: Organism
    types: list[OutputType]
    terms: list[str] | None


@dataclasses.dataclass(frozen=True)
class _ScoringCall:
    """A scoring RPC's assembly, interval and scoring context, and the service that answers it."""

    service: PredictionService
    organism: Organism
    reference: assemblies.Reference
    interval: Any
    ctx: ScoringContext


class DnaModelService(dna_model_service_pb2_grpc.DnaModelServiceServicer):
    """AlphaGenome-compatible servicer over genomeapp's backends and assemblies."""

    def __init__(self, service: Callable[[], PredictionService], gate: ModelCallGate) -> None:
        self.service_factory = service
        self.gate = gate

    # --- plumbing -------------------------------------------------------------------------------------

    def _run(self, context: grpc.ServicerContext, body: Callable[[], Iterator[Any]]) -> Iterator[Any]:
        """Stream `body()`, turning every failure into a status code (never an unhandled error)."""
        method = body.__qualname__.split(".")[1]
        began = time.monotonic()
        try:
            close_old_connections()
            yield from body()
            logger.info("%s OK in %.2f s", method, time.monotonic() - began)
        except RequestError as error:
            logger.info(
                "%s %s in %.2f s: %s", method, error.code.name, time.monotonic() - began, error.message
            )
            context.abort(error.code, error.message)
        except (ScorerError, ScorerNotApplicableError) as error:
            code = grpc.StatusCode.UNIMPLEMENTED if isinstance(error, ScorerNotApplicableError) else None
            context.abort(code or grpc.StatusCode.INVALID_ARGUMENT, f"variant_scorers: {error}")
        except InvalidRequestError as error:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(error))
        except NotProvidedError as error:
            context.abort(grpc.StatusCode.UNIMPLEMENTED, str(error))
        except Exception as error:  # a bug must end one call, never the server
            logger.exception("%s failed", method)
            context.abort(
                grpc.StatusCode.INTERNAL, f"internal error ({type(error).__name__}); see the server log"
            )

    def _service(self, organism: Organism) -> PredictionService:
        return self.service_factory().for_organism(organism)

    def _reference(self, context: grpc.ServicerContext, organism: Organism) -> assemblies.Reference:
        return assemblies.resolve(dict(context.invocation_metadata()), organism)

    @staticmethod
    def _outputs(
        service: PredictionService,
        predictions: dict[OutputType, Any],
        interval: Any,
        response: Callable[..., Any],
        field: str = "output",
    ) -> Iterator[Any]:
        """Per output type: a `response(field=header)` message, then its `response(tensor_chunk=...)`s."""
        for output_type, prediction in predictions.items():
            provenance = provenance_label(service.router.backend_for(output_type))
            output, chunks = encoding.prediction_output(output_type, prediction, interval, provenance)
            yield response(**{field: output})
            yield from _chunks(lambda c: response(tensor_chunk=c), chunks)

    def _prediction_call(self, request: Any) -> _PredictionCall:
        """The preamble every prediction RPC shares: version, organism, outputs, ontology terms."""
        organism = self._organism(request)
        call = _PredictionCall(
            self._service(organism),
            organism,
            requests.output_types(request.requested_outputs),
            requests.ontology_terms(request.ontology_terms),
        )
        call.service.router.plan(call.types)  # UNIMPLEMENTED before any work if an output is not served
        return call

    def _located(
        self, context: grpc.ServicerContext, organism: Organism, request: Any
    ) -> tuple[assemblies.Reference, Any]:
        """The caller's assembly and the request's `interval` on it."""
        reference = self._reference(context, organism)
        field = request.interval if request.HasField("interval") else None
        return reference, requests.interval(field, reference.genome)

    # --- predictions ----------------------------------------------------------------------------------

    @override
    def PredictSequence(
        self, request_iterator: Iterator[Any], context: grpc.ServicerContext
    ) -> Iterator[Any]:
        def body() -> Iterator[Any]:
            request = requests.single_request(request_iterator, "PredictSequenceRequest")
            sequence = requests.sequence(request.sequence)
            call = self._prediction_call(request)
            with self.gate.slot():
                (result,) = call.service.predict_sequences([sequence], call.types, call.organism, call.terms)
            # interval left unset: the client fills in the caller's own `interval=` argument
            yield from self._outputs(call.service, result, None, pb.PredictSequenceResponse)

        return self._run(context, body)

    @override
    def PredictInterval(
        self, request_iterator: Iterator[Any], context: grpc.ServicerContext
    ) -> Iterator[Any]:
        def body() -> Iterator[Any]:
            request = requests.single_request(request_iterator, "PredictIntervalRequest")
            call = self._prediction_call(request)
            reference, interval = self._located(context, call.organism, request)
            with self.gate.slot():
                result = call.service.predict_interval(
                    reference.genome, interval, call.types, call.organism, call.terms
                )
            yield from self._outputs(call.service, result, interval, pb.PredictIntervalResponse)

        return self._run(context, body)

    @override
    def PredictVariant(self, request_iterator: Iterator[Any], context: grpc.ServicerContext) -> Iterator[Any]:
        def body() -> Iterator[Any]:
            request = requests.single_request(request_iterator, "PredictVariantRequest")
            call = self._prediction_call(request)
            reference, interval = self._located(context, call.organism, request)
            variant = requests.variant(
                request.variant if request.HasField("variant") else None, reference.genome
            )
            requests.same_contig(variant, interval, "variant.chromosome")
            with self.gate.slot():
                ref, alt = call.service.predict_variant(
                    reference.genome, interval, variant, call.types, call.organism, call.terms
                )
            response = pb.PredictVariantResponse
            yield from self._outputs(call.service, ref, interval, response, "reference_output")
            yield from self._outputs(call.service, alt, interval, response, "alternate_output")

        return self._run(context, body)

    # --- scores ---------------------------------------------------------------------------------------

    def _scoring(self, reference: assemblies.Reference, merge: bool) -> ScoringContext:
        return ScoringContext(
            genes=reference.genes,
            background=reference.background,
            merge_stranded=merge,
            pas_sites=NO_PAS_SITES,
        )

    @staticmethod
    def _score_outputs(
        service: PredictionService,
        blocks: Sequence[Any],
        response: Callable[..., Any],
        encode: Callable[[Any, str], tuple[Any, Iterable[Any]]] = encoding.variant_score_output,
    ) -> Iterator[Any]:
        """Per score block: a `response(output=header)` message, then its tensor chunks."""
        for block in blocks:
            provenance = provenance_label(service.router.backend_for(block.scorer.requested_output))
            output, chunks = encode(block, provenance)
            yield response(output=output)
            yield from _chunks(lambda c: response(tensor_chunk=c), chunks)

    @staticmethod
    def _organism(request: Any) -> Organism:
        requests.model_version(request.model_version)
        return requests.organism(request.organism)

    def _scoring_call(self, request: Any, context: grpc.ServicerContext, organism: Organism) -> _ScoringCall:
        """The preamble every scoring RPC shares once its scorers are parsed."""
        reference, interval = self._located(context, organism, request)
        return _ScoringCall(
            self._service(organism),
            organism,
            reference,
            interval,
            self._scoring(reference, request.merge_stranded_gene_tracks),
        )

    @override
    def ScoreVariant(self, request_iterator: Iterator[Any], context: grpc.ServicerContext) -> Iterator[Any]:
        def body() -> Iterator[Any]:
            request = requests.single_request(request_iterator, "ScoreVariantRequest")
            organism = self._organism(request)
            scorers = requests.variant_scorers(request.variant_scorers, organism)
            call = self._scoring_call(request, context, organism)
            variant = requests.variant(
                request.variant if request.HasField("variant") else None, call.reference.genome
            )
            requests.same_contig(variant, call.interval, "variant.chromosome")
            with self.gate.slot():
                (blocks,) = call.service.score_variants(
                    call.reference.genome, call.interval, [variant], scorers, organism, call.ctx
                )
            yield from self._score_outputs(call.service, blocks, pb.ScoreVariantResponse)

        return self._run(context, body)

    @override
    def ScoreIsmVariant(
        self, request_iterator: Iterator[Any], context: grpc.ServicerContext
    ) -> Iterator[Any]:
        def body() -> Iterator[Any]:
            request = requests.single_request(request_iterator, "ScoreIsmVariantRequest")
            organism = self._organism(request)
            scorers = requests.variant_scorers(request.variant_scorers, organism)
            call = self._scoring_call(request, context, organism)
            genome, interval = call.reference.genome, call.interval
            ism = requests.interval(
                request.ism_interval if request.HasField("ism_interval") else None,
                genome,
                "ism_interval",
                sequence_length=False,
            )
            self._check_ism(interval, ism)
            base = None
            if request.HasField("interval_variant"):
                base = requests.variant(request.interval_variant, genome, "interval_variant")
                requests.same_contig(base, interval, "interval_variant.chromosome")
                check_variant_in(base, interval, "interval_variant")
                if len(base.ref) != len(base.alt):
                    raise InvalidArgumentError(
                        "interval_variant", "only substitutions (no indels) are supported"
                    )
            variants = call.service.ism_variants(genome, interval, ism, base)
            with self.gate.slot():
                per_variant = call.service.score_variants(
                    genome, interval, variants, scorers, organism, call.ctx, base_variant=base
                )
            for blocks in per_variant:
                yield from self._score_outputs(call.service, blocks, pb.ScoreIsmVariantResponse)

        return self._run(context, body)

    @staticmethod
    def _check_ism(interval: Any, ism: Any) -> None:
        requests.same_contig(ism, interval, "ism_interval.chromosome")
        if ism.strand == "-":
            raise InvalidArgumentError("ism_interval.strand", "must not be negative")
        if ism.width > MAX_ISM_WIDTH:
            raise InvalidArgumentError(
                "ism_interval", f"at most {MAX_ISM_WIDTH} bp per request, got {ism.width}"
            )
        if ism.start < interval.start or ism.end > interval.end:
            raise InvalidArgumentError("ism_interval", "must lie inside interval")

    @override
    def ScoreInterval(self, request_iterator: Iterator[Any], context: grpc.ServicerContext) -> Iterator[Any]:
        def body() -> Iterator[Any]:
            request = requests.single_request(request_iterator, "ScoreIntervalRequest")
            organism = self._organism(request)
            scorers = requests.interval_scorers(request.interval_scorers)
            service = self._service(organism)
            for i, scorer in enumerate(scorers):
                try:
                    service.router.backend_for(scorer.requested_output)
                except NotProvidedError as error:
                    raise NotProvidedError(f"interval_scorers[{i}]: {error}") from None
            call = self._scoring_call(request, context, organism)
            with self.gate.slot():
                blocks = call.service.score_interval(
                    call.reference.genome, call.interval, scorers, organism, call.ctx
                )
            yield from self._score_outputs(
                call.service, blocks, pb.ScoreIntervalResponse, encoding.interval_score_output
            )

        return self._run(context, body)

    # --- metadata -------------------------------------------------------------------------------------

    @override
    def GetMetadata(self, request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        def body() -> Iterator[Any]:
            organism = requests.organism(request.organism)
            service = self._service(organism)
            for output_type in sorted(service.router.provided, key=lambda o: o.value):
                backend = service.router.backend_for(output_type)
                frame = backend.track_metadata(output_type, organism)
                output = encoding.metadata_output(output_type, frame, provenance_label(backend))
                yield pb.MetadataResponse(output_metadata=[output])

        return self._run(context, body)
