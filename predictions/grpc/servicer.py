"""The seven RPCs of `DnaModelService`, on the generated servicer base class.

Each RPC reads its single request, validates it (`requests`), picks the assembly
(`assemblies`), calls `model.service` inside a `ModelCallGate` slot and streams the
result (`encoding`): a header message, then its tensor chunks, per output or scorer. Any
failure ends the call with a status code and a message; nothing a client sends can take the
server down.
"""

from __future__ import annotations

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

from model.errors import InvalidRequestError, NotProvidedError
from model.outputs import Organism, OutputType
from model.scoring.engine import PAS_COLUMNS
from model.scoring.scorers import ScorerError, ScorerNotApplicableError
from model.service import PredictionService, ScoringContext, check_variant_in, provenance_label
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
        except InvalidRequestError as error:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(error))
        except NotProvidedError as error:
            context.abort(grpc.StatusCode.UNIMPLEMENTED, str(error))
        except (ScorerError, ScorerNotApplicableError) as error:
            code = grpc.StatusCode.UNIMPLEMENTED if isinstance(error, ScorerNotApplicableError) else None
            context.abort(code or grpc.StatusCode.INVALID_ARGUMENT, f"variant_scorers: {error}")
        except Exception as error:  # noqa: BLE001 - a bug must end one call, never the server
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
        header: Callable[[Any], Any],
        chunk: Callable[[Any], Any],
    ) -> Iterator[Any]:
        for output_type, prediction in predictions.items():
            provenance = provenance_label(service.router.backend_for(output_type))
            output, chunks = encoding.prediction_output(output_type, prediction, interval, provenance)
            yield header(output)
            yield from _chunks(chunk, chunks)

    # --- predictions ----------------------------------------------------------------------------------

    @override
    def PredictSequence(
        self, request_iterator: Iterator[Any], context: grpc.ServicerContext
    ) -> Iterator[Any]:
        def body() -> Iterator[Any]:
            request = requests.single_request(request_iterator, "PredictSequenceRequest")
            sequence = requests.sequence(request.sequence)
            organism, types, terms = self._common(request)
            service = self._service(organism)
            service.router.plan(types)
            with self.gate.slot():
                (result,) = service.predict_sequences([sequence], types, organism, terms)
            # interval left unset: the client fills in the caller's own `interval=` argument
            yield from self._outputs(
                service,
                result,
                None,
                lambda o: pb.PredictSequenceResponse(output=o),
                lambda c: pb.PredictSequenceResponse(tensor_chunk=c),
            )

        return self._run(context, body)

    @override
    def PredictInterval(
        self, request_iterator: Iterator[Any], context: grpc.ServicerContext
    ) -> Iterator[Any]:
        def body() -> Iterator[Any]:
            request = requests.single_request(request_iterator, "PredictIntervalRequest")
            organism, types, terms = self._common(request)
            service = self._service(organism)
            service.router.plan(types)
            reference = self._reference(context, organism)
            interval = requests.interval(
                request.interval if request.HasField("interval") else None, reference.genome
            )
            with self.gate.slot():
                result = service.predict_interval(reference.genome, interval, types, organism, terms)
            yield from self._outputs(
                service,
                result,
                interval,
                lambda o: pb.PredictIntervalResponse(output=o),
                lambda c: pb.PredictIntervalResponse(tensor_chunk=c),
            )

        return self._run(context, body)

    @override
    def PredictVariant(self, request_iterator: Iterator[Any], context: grpc.ServicerContext) -> Iterator[Any]:
        def body() -> Iterator[Any]:
            request = requests.single_request(request_iterator, "PredictVariantRequest")
            organism, types, terms = self._common(request)
            service = self._service(organism)
            service.router.plan(types)
            reference = self._reference(context, organism)
            interval = requests.interval(
                request.interval if request.HasField("interval") else None, reference.genome
            )
            variant = requests.variant(
                request.variant if request.HasField("variant") else None, reference.genome
            )
            requests.same_contig(variant, interval, "variant.chromosome")
            with self.gate.slot():
                ref, alt = service.predict_variant(
                    reference.genome, interval, variant, types, organism, terms
                )
            chunk = lambda c: pb.PredictVariantResponse(tensor_chunk=c)  # noqa: E731
            yield from self._outputs(
                service, ref, interval, lambda o: pb.PredictVariantResponse(reference_output=o), chunk
            )
            yield from self._outputs(
                service, alt, interval, lambda o: pb.PredictVariantResponse(alternate_output=o), chunk
            )

        return self._run(context, body)

    @staticmethod
    def _common(request: Any) -> tuple[Organism, list[OutputType], list[str] | None]:
        requests.model_version(request.model_version)
        organism = requests.organism(request.organism)
        return (
            organism,
            requests.output_types(request.requested_outputs),
            requests.ontology_terms(request.ontology_terms),
        )

    # --- scores ---------------------------------------------------------------------------------------

    def _scoring(self, reference: assemblies.Reference, merge: bool) -> ScoringContext:
        return ScoringContext(
            genes=reference.genes,
            background=reference.background,
            merge_stranded=merge,
            pas_sites=NO_PAS_SITES,
        )

    def _variant_outputs(
        self, service: PredictionService, blocks: Sequence[Any], wrap: type
    ) -> Iterator[Any]:
        for block in blocks:
            provenance = provenance_label(service.router.backend_for(block.scorer.requested_output))
            output, chunks = encoding.variant_score_output(block, provenance)
            yield wrap(output=output)
            yield from _chunks(lambda c: wrap(tensor_chunk=c), chunks)

    @override
    def ScoreVariant(self, request_iterator: Iterator[Any], context: grpc.ServicerContext) -> Iterator[Any]:
        def body() -> Iterator[Any]:
            request = requests.single_request(request_iterator, "ScoreVariantRequest")
            requests.model_version(request.model_version)
            organism = requests.organism(request.organism)
            scorers = requests.variant_scorers(request.variant_scorers, organism)
            service = self._service(organism)
            reference = self._reference(context, organism)
            interval = requests.interval(
                request.interval if request.HasField("interval") else None, reference.genome
            )
            variant = requests.variant(
                request.variant if request.HasField("variant") else None, reference.genome
            )
            requests.same_contig(variant, interval, "variant.chromosome")
            ctx = self._scoring(reference, request.merge_stranded_gene_tracks)
            with self.gate.slot():
                (blocks,) = service.score_variants(
                    reference.genome, interval, [variant], scorers, organism, ctx
                )
            yield from self._variant_outputs(service, blocks, pb.ScoreVariantResponse)

        return self._run(context, body)

    @override
    def ScoreIsmVariant(
        self, request_iterator: Iterator[Any], context: grpc.ServicerContext
    ) -> Iterator[Any]:
        def body() -> Iterator[Any]:
            request = requests.single_request(request_iterator, "ScoreIsmVariantRequest")
            requests.model_version(request.model_version)
            organism = requests.organism(request.organism)
            scorers = requests.variant_scorers(request.variant_scorers, organism)
            service = self._service(organism)
            reference = self._reference(context, organism)
            genome = reference.genome
            interval = requests.interval(request.interval if request.HasField("interval") else None, genome)
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
            variants = service.ism_variants(genome, interval, ism, base)
            ctx = self._scoring(reference, request.merge_stranded_gene_tracks)
            with self.gate.slot():
                per_variant = service.score_variants(
                    genome, interval, variants, scorers, organism, ctx, base_variant=base
                )
            for blocks in per_variant:
                yield from self._variant_outputs(service, blocks, pb.ScoreIsmVariantResponse)

        return self._run(context, body)

    @staticmethod
    def _check_ism(interval: Any, ism: Any) -> None:
        requests.same_contig(ism, interval, "ism_interval.chromosome")
        if ism.strand == "-":
            raise InvalidArgumentError("ism_interval.strand", "must not be negative")
        if ism.width > requests.MAX_ISM_WIDTH:
            raise InvalidArgumentError(
                "ism_interval", f"at most {requests.MAX_ISM_WIDTH} bp per request, got {ism.width}"
            )
        if ism.start < interval.start or ism.end > interval.end:
            raise InvalidArgumentError("ism_interval", "must lie inside interval")

    @override
    def ScoreInterval(self, request_iterator: Iterator[Any], context: grpc.ServicerContext) -> Iterator[Any]:
        def body() -> Iterator[Any]:
            request = requests.single_request(request_iterator, "ScoreIntervalRequest")
            requests.model_version(request.model_version)
            organism = requests.organism(request.organism)
            scorers = requests.interval_scorers(request.interval_scorers)
            service = self._service(organism)
            for i, scorer in enumerate(scorers):
                try:
                    service.router.backend_for(scorer.requested_output)
                except NotProvidedError as error:
                    raise NotProvidedError(f"interval_scorers[{i}]: {error}") from None
            reference = self._reference(context, organism)
            interval = requests.interval(
                request.interval if request.HasField("interval") else None, reference.genome
            )
            ctx = self._scoring(reference, request.merge_stranded_gene_tracks)
            with self.gate.slot():
                blocks = service.score_interval(reference.genome, interval, scorers, organism, ctx)
            for block in blocks:
                provenance = provenance_label(service.router.backend_for(block.scorer.requested_output))
                output, chunks = encoding.interval_score_output(block, provenance)
                yield pb.ScoreIntervalResponse(output=output)
                yield from _chunks(lambda c: pb.ScoreIntervalResponse(tensor_chunk=c), chunks)

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
