"""The prediction service: the one path from a request to predictions and scores.

Both front doors call this module and nothing below it: the Celery runners (from Job rows)
and the gRPC servicer (from protos). It owns

- routing: which backend answers which output type (`BackendRouter`, trained weights first);
- windows: REF/ALT sequences with the genomic context a backend reads (`model.windows`);
- strands: a `-` window predicted on the reverse complement and mapped back (`model.strand`,
  inside the backend when it `supports_strand`, else here);
- ISM enumeration (`model.scoring.ism.ism_variants`) and scoring (`model.scoring`).

Results are the model layer's own types: a `TrackSet` per output type (a `JunctionSet` in
genomic coordinates for SPLICE_JUNCTIONS) and `ScoreBlock`s. Problems with a request raise
`InvalidRequestError` (naming the field) or `NotProvidedError`.

    service = PredictionService.default()
    tracks = service.predict_interval(genome, Interval("chr20", s, s + 16_384, "-"), [OutputType.DNASE],
                                      Organism.HOMO_SAPIENS)
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from model import windows
from model.constants import (
    DEFAULT_SEQUENCE_LENGTH,
    DEFAULT_SEQUENCE_LENGTH_NAME,
    MAX_ISM_WIDTH,
    SEQUENCE_LENGTHS,
    SEQUENCE_LENGTHS_BY_NAME,
)
from model.errors import InvalidRequestError, NotProvidedError
from model.genome import ContigNotFoundError, Genome, Interval
from model.inference import available_backends, describe_backends, get_backend
from model.motifs import MotifChange, MotifLibrary, motif_changes, variant_windows
from model.outputs import Backend, Organism, OutputType, TrackSet
from model.prediction import BATCH_SIZE, Prediction, Predictions, predict_windows
from model.routing import UNTRAINED_PREFIX, BackendRouter, provenance_label
from model.scoring import engine
from model.scoring.alignment import align_alternate
from model.scoring.engine import PAS_COLUMNS, JunctionSet
from model.scoring.ism import IsmResult, score_ism
from model.scoring.ism import ism_variants as enumerate_substitutions
from model.scoring.masks import GeneIndex
from model.scoring.results import ScoreBlock, merge_stranded_gene_tracks, tidy_scores
from model.scoring.scorers import (
    RECOMMENDED_VARIANT_SCORERS,
    GeneMaskScorer,
    ScorerError,
    ScorerNotApplicableError,
    VariantScorer,
    check_organism,
    from_proto,
    parse_scorer,
)
from model.scoring.variants import Variant
from model.spliceai.scoring import SpliceAIScorer, SpliceVariant, VariantScores
from model.windows import allele_sequences, genome_window

# The model layer's public surface: the Django side imports from here (and `model.assets`) only.
__all__ = [
    "DEFAULT_SEQUENCE_LENGTH",
    "DEFAULT_SEQUENCE_LENGTH_NAME",
    "MAX_ISM_WIDTH",
    "PAS_COLUMNS",
    "RECOMMENDED_VARIANT_SCORERS",
    "SEQUENCE_LENGTHS",
    "SEQUENCE_LENGTHS_BY_NAME",
    "UNTRAINED_PREFIX",
    "ContigNotFoundError",
    "ScorerError",
    "ScorerNotApplicableError",
    "SpliceAIScorer",
    "SpliceVariant",
    "VariantScores",
    "align_alternate",
    "available_backends",
    "check_organism",
    "describe_backends",
    "from_proto",
    "get_backend",
    "Backend",
    "BackendRouter",
    "Genome",
    "GeneIndex",
    "GeneMaskScorer",
    "Interval",
    "InvalidRequestError",
    "IsmResult",
    "JunctionSet",
    "MotifChange",
    "MotifLibrary",
    "NotProvidedError",
    "Organism",
    "OutputType",
    "Prediction",
    "PredictionService",
    "Predictions",
    "ScoreBlock",
    "ScoringContext",
    "TrackSet",
    "Variant",
    "VariantScorer",
    "check_variant_in",
    "variant_motif_changes",
    "parse_scorer",
    "parse_variant_scorer",
    "predict_windows",
    "provenance_label",
    "tidy_scores",
]

logger = logging.getLogger(__name__)


# --- scoring context ---------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ScoringContext:
    """What scoring needs besides the model: genes, an optional quantile background, the merge flag."""

    genes: GeneIndex | None = None
    background: Any = None
    merge_stranded: bool = True
    pas_sites: pd.DataFrame | None = None


def merge_stranded(block: ScoreBlock) -> ScoreBlock:
    """The SDK's `merge_stranded_gene_tracks`, when the block's + and - tracks pair up by name.

    Unpaired stranded tracks (e.g. a truncated tiny-preset head) cannot be merged: the block is
    returned unchanged rather than failing the request.
    """
    tracks = block.tracks
    plus = tracks.loc[tracks["strand"] == "+", "name"].tolist()
    minus = tracks.loc[tracks["strand"] == "-", "name"].tolist()
    if plus != minus:
        return block
    return merge_stranded_gene_tracks(block, validate_tracks=False)


# --- the service -------------------------------------------------------------------------------------------


class PredictionService:
    """Predictions and scores for genomic windows, over the backends of a `BackendRouter`."""

    def __init__(self, router: BackendRouter) -> None:
        self.router = router

    @classmethod
    def default(cls, names: tuple[str, ...] | None = None) -> PredictionService:
        """The process-wide service over `model.inference`'s backends (all that load, or `names`)."""
        return _default_service(names)

    def for_organism(self, organism: Organism) -> PredictionService:
        return PredictionService(self.router.for_organism(organism))

    # --- predictions -----------------------------------------------------------------------------------

    def predict_sequences(
        self,
        sequences: Sequence[str],
        output_types: Sequence[OutputType],
        organism: Organism,
        ontology_terms: Sequence[str] | None = None,
    ) -> list[Predictions]:
        """Bare forward-strand sequences: the sequence is all any model sees (N beyond it)."""
        results: list[Predictions] = [{} for _ in sequences]
        for backend, types in self.router.plan(output_types).values():
            outputs = predict_windows(backend, sequences, types, organism, ontology_terms)
            for result, output in zip(results, outputs, strict=True):
                result.update(output)
        return [{o: r[o] for o in dict.fromkeys(output_types)} for r in results]

    def predict_interval(
        self,
        genome: Genome,
        interval: Interval,
        output_types: Sequence[OutputType],
        organism: Organism,
        ontology_terms: Sequence[str] | None = None,
    ) -> Predictions:
        """Predictions over a genomic interval (its strand as given), with each backend's context."""
        result: Predictions = {}
        for backend, types in self.router.plan(output_types).values():
            sequence = genome_window(genome, interval, backend.context)
            (output,) = predict_windows(
                backend,
                [sequence],
                types,
                organism,
                ontology_terms,
                flank=backend.context,
                strand=interval.strand,
                origin=interval.start,
            )
            result.update(output)
        return {o: result[o] for o in dict.fromkeys(output_types)}

    def predict_variant(
        self,
        genome: Genome,
        interval: Interval,
        variant: Variant,
        output_types: Sequence[OutputType],
        organism: Organism,
        ontology_terms: Sequence[str] | None = None,
    ) -> tuple[Predictions, Predictions]:
        """REF and ALT predictions over `interval` (ALT unaligned, as the SDK returns it)."""
        check_variant_in(variant, interval, "variant")
        ref: Predictions = {}
        alt: Predictions = {}
        for backend, types in self.router.plan(output_types).values():
            pair = allele_sequences(genome, interval, variant, backend.context)
            ref_out, alt_out = predict_windows(
                backend,
                list(pair),
                types,
                organism,
                ontology_terms,
                flank=backend.context,
                strand=interval.strand,
                origin=interval.start,
            )
            ref.update(ref_out)
            alt.update(alt_out)
        order = list(dict.fromkeys(output_types))
        return {o: ref[o] for o in order}, {o: alt[o] for o in order}

    # --- scores ----------------------------------------------------------------------------------------

    def check_scorers(
        self, scorers: Sequence[VariantScorer], organism: Organism, ctx: ScoringContext
    ) -> None:
        """NotProvidedError naming the first scorer that cannot be computed on this server."""
        for scorer in scorers:
            try:
                backend = self.router.backend_for(scorer.requested_output)
            except NotProvidedError:
                raise NotProvidedError(
                    f"variant_scorers: {scorer.name} needs {scorer.requested_output.name}, which no "
                    f"backend on this server provides (available: "
                    f"{', '.join(sorted(o.name for o in self.router.provided))})"
                ) from None
            reason = engine.applicability(scorer, backend, organism, ctx.genes, ctx.pas_sites)
            if reason is not None:
                raise NotProvidedError(f"variant_scorers: {reason}")

    def score_variants(
        self,
        genome: Genome,
        interval: Interval,
        variants: Sequence[Variant],
        scorers: Sequence[VariantScorer],
        organism: Organism,
        ctx: ScoringContext,
        *,
        base_variant: Variant | None = None,
    ) -> list[list[ScoreBlock]]:
        """Scores of each variant in one window under each scorer (request order), one REF pass.

        Scoring uses the unstranded window, as the SDK does. With `base_variant` (ISM's
        `interval_variant`), REF is the window with that variant applied and each of `variants`
        is a substitution on top of it.
        """
        window = Interval(interval.chrom, interval.start, interval.end, ".")
        self.check_scorers(scorers, organism, ctx)
        for i, variant in enumerate(variants):
            single = base_variant is None and len(variants) == 1
            check_variant_in(variant, window, "variant" if single else f"variants[{i}]")
        by_backend = self.router.group([scorer.requested_output for scorer in scorers])
        results: list[list[ScoreBlock | None]] = [[None] * len(scorers) for _ in variants]
        for backend, indices in by_backend:
            chosen = [scorers[i] for i in indices]
            for v, blocks in enumerate(
                self._score_with(backend, genome, window, variants, chosen, organism, ctx, base_variant)
            ):
                for i, block in zip(indices, blocks, strict=True):
                    results[v][i] = block
        return [[block for block in row if block is not None] for row in results]

    def _score_with(
        self,
        backend: Backend,
        genome: Genome,
        window: Interval,
        variants: Sequence[Variant],
        scorers: Sequence[VariantScorer],
        organism: Organism,
        ctx: ScoringContext,
        base_variant: Variant | None,
    ) -> Iterable[list[ScoreBlock]]:
        flank = backend.context
        types = list(dict.fromkeys(s.requested_output for s in scorers))
        base = None
        if base_variant is not None:
            base = allele_sequences(genome, window, base_variant, flank)[1]
        pairs = [allele_sequences(genome, window, v, flank, reference=base) for v in variants]
        # Variants whose stated REF bases agree share one REF pass.
        unique_refs = list(dict.fromkeys(ref for ref, _ in pairs))
        predicted = predict_windows(backend, unique_refs, types, organism, flank=flank, origin=window.start)
        ref_predictions = dict(zip(unique_refs, predicted, strict=True))
        for first in range(0, len(variants), BATCH_SIZE):
            batch = range(first, min(first + BATCH_SIZE, len(variants)))
            alts = predict_windows(
                backend, [pairs[i][1] for i in batch], types, organism, flank=flank, origin=window.start
            )
            for i, alt in zip(batch, alts, strict=True):
                blocks = engine.score_predictions(
                    variants[i],
                    window,
                    ref_predictions[pairs[i][0]],
                    alt,
                    scorers,
                    annotation=ctx.genes,
                    pas_sites=ctx.pas_sites,
                )
                yield [self._finish(block, ctx, backend) for block in blocks]

    @staticmethod
    def _finish(block: ScoreBlock, ctx: ScoringContext, backend: Backend) -> ScoreBlock:
        if ctx.merge_stranded:
            block = merge_stranded(block)
        # Quantiles only against a background built with the model that made these scores.
        if ctx.background is not None and ctx.background.mismatch(backend) is None:
            block.quantiles = ctx.background.transform(block)
        return block

    def score_variant_batch(
        self,
        genome: Genome,
        variants: Sequence[Variant],
        scorers: Sequence[VariantScorer],
        organism: Organism,
        **options: Any,
    ) -> engine.ScoringResult:
        """Score many variants (a VCF) on this service's one backend, windows shared by the planner.

        Keyword options are the scoring engine's (`sequence_length`, `annotation`, `background`,
        `ontology_terms`, `progress`, `on_unsupported`, ...).
        """
        return engine.score_variants(
            self.only_backend(), genome, variants, scorers, organism=organism, **options
        )

    def score_ism(
        self,
        genome: Genome,
        interval: Interval,
        scorers: Sequence[VariantScorer],
        organism: Organism,
        **options: Any,
    ) -> IsmResult:
        """Every substitution in `interval` (at most `MAX_ISM_WIDTH` bp) scored on this service's backend."""
        return score_ism(self.only_backend(), genome, interval, scorers, organism=organism, **options)

    def only_backend(self) -> Backend:
        """The backend of a single-backend service (`PredictionService.default(("spliceai",))`)."""
        if len(self.router.backends) != 1:
            names = ", ".join(b.name for b in self.router.backends)
            raise ValueError(f"this call needs a service over one backend, not {names}")
        return self.router.backends[0]

    def ism_variants(
        self, genome: Genome, interval: Interval, ism_interval: Interval, base_variant: Variant | None = None
    ) -> list[Variant]:
        """Every substitution at each non-N base of `ism_interval` (on the `base_variant` sequence
        if given)."""
        window = Interval(interval.chrom, interval.start, interval.end, ".")
        if base_variant is not None:
            sequence = allele_sequences(genome, window, base_variant)[1]
        else:
            sequence = genome_window(genome, window)
        offset = ism_interval.start - window.start
        target = Interval(interval.chrom, ism_interval.start, ism_interval.end)
        return enumerate_substitutions(target, sequence[offset : offset + ism_interval.width])

    def score_interval(
        self,
        genome: Genome,
        interval: Interval,
        scorers: Sequence[GeneMaskScorer],
        organism: Organism,
        ctx: ScoringContext,
    ) -> list[ScoreBlock]:
        """Gene-mask interval scores, one block per scorer in request order."""
        if ctx.genes is None:
            raise NotProvidedError(
                "interval_scorers: GeneMaskScorer needs a gene annotation; this assembly has none"
            )
        window = Interval(interval.chrom, interval.start, interval.end, ".")
        for i, scorer in enumerate(scorers):
            if scorer.width is not None and scorer.width > window.width:
                raise InvalidRequestError(
                    f"interval_scorers[{i}].width", f"{scorer.width} is wider than the interval"
                )
        by_backend = self.router.group([scorer.requested_output for scorer in scorers])
        blocks: list[ScoreBlock | None] = [None] * len(scorers)
        for backend, indices in by_backend:
            chosen = [scorers[i] for i in indices]
            results = engine.score_interval(
                backend, genome, window, chosen, organism=organism, annotation=ctx.genes
            )
            for i, block in zip(indices, results, strict=True):
                blocks[i] = merge_stranded(block) if ctx.merge_stranded else block
        return [block for block in blocks if block is not None]


def parse_variant_scorer(text: str) -> VariantScorer:
    """A variant scorer by its SDK name or text form; ValueError for an interval scorer."""
    scorer = parse_scorer(text)
    if isinstance(scorer, GeneMaskScorer):
        raise ValueError(f"{text} is an interval scorer, not a variant scorer")
    return scorer


def check_variant_in(variant: Variant, window: Interval, field: str) -> None:
    """InvalidRequestError naming `field` unless the variant lies inside `window`."""
    try:
        windows.check_variant_in(variant, window)
    except ValueError as error:
        raise InvalidRequestError(field, str(error)) from None


@functools.cache
def variant_motif_changes(
    genome: Genome, chrom: str, pos: int, ref: str, alt: str, library: MotifLibrary | None = None
) -> list[MotifChange]:
    """Transcription-factor motifs a variant creates or destroys (JASPAR CORE vertebrates by default,
    p ≤ 1e-4 on one allele and not the other, ≥ 10-fold change; see `model.motifs`)."""
    library = library or MotifLibrary.jaspar()
    return motif_changes(library, variant_windows(genome, chrom, pos, ref, alt, library.max_width - 1))


def _default_service(names: tuple[str, ...] | None) -> PredictionService:
    from model import inference

    if names is not None:
        return PredictionService(BackendRouter([inference.get_backend(name) for name in names]))
    entries = inference.available_backends()
    for entry in entries:
        if not entry["available"]:
            logger.warning("backend %s is not served: %s", entry["name"], entry["unavailable_reason"])
    backends = [inference.get_backend(str(entry["name"])) for entry in entries if entry["available"]]
    if not backends:
        reasons = "; ".join(f"{entry['name']}: {entry['unavailable_reason']}" for entry in entries)
        raise RuntimeError(f"no model backend could be loaded ({reasons})")
    return PredictionService(BackendRouter(backends))
