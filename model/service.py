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
import threading
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from model import windows
from model.errors import InvalidRequestError, NotProvidedError
from model.genome import Genome, Interval, reverse_complement
from model.outputs import Backend, JunctionTrackSet, Organism, OutputType, TrackSet
from model.scoring import engine
from model.scoring.engine import JunctionSet, junctions_from_prediction
from model.scoring.ism import MAX_ISM_WIDTH, IsmResult, score_ism
from model.scoring.ism import ism_variants as enumerate_substitutions
from model.scoring.masks import GeneIndex
from model.scoring.results import ScoreBlock, merge_stranded_gene_tracks, tidy_scores
from model.scoring.scorers import GeneMaskScorer, VariantScorer, parse_scorer
from model.scoring.variants import Variant
from model.strand import mirror_splice_sites, reverse_complement_values, strand_reindexing
from model.windows import allele_sequences, genome_window

# The model layer's public surface: the Django side imports from here (and `model.assets`) only.
__all__ = [
    "MAX_ISM_WIDTH",
    "Backend",
    "BackendRouter",
    "Genome",
    "GeneIndex",
    "GeneMaskScorer",
    "Interval",
    "InvalidRequestError",
    "IsmResult",
    "JunctionSet",
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
    "parse_scorer",
    "predict_windows",
    "provenance_label",
    "tidy_scores",
]

logger = logging.getLogger(__name__)
Prediction = TrackSet | JunctionSet
Predictions = dict[OutputType, Prediction]
BATCH_SIZE = 4  # sequences per backend call: ISM never holds more than a few windows of tracks
UNTRAINED_LABEL = "RANDOM UNTRAINED WEIGHTS: not biology"


def provenance_label(backend: Backend) -> str:
    """`genomeapp <backend>: <provenance>`, with an explicit warning when the weights are untrained."""
    text = f"genomeapp {backend.name}: {backend.provenance}".strip()
    if not backend.weights_trained and UNTRAINED_LABEL.lower() not in text.lower():
        text += f" ({UNTRAINED_LABEL})"
    return text


# --- routing -----------------------------------------------------------------------------------------------


class BackendRouter:
    """Maps each output type to the first backend that provides it, trained weights first."""

    def __init__(self, backends: Sequence[Backend]) -> None:
        ranked = sorted(enumerate(backends), key=lambda pair: (not pair[1].weights_trained, pair[0]))
        self.backends = [backend for _, backend in ranked]
        self._by_output: dict[OutputType, Backend] = {}
        for backend in self.backends:
            for output_type in backend.output_types:
                self._by_output.setdefault(output_type, backend)
        self._per_organism: dict[Organism, BackendRouter] = {}
        self._lock = threading.Lock()

    def for_organism(self, organism: Organism) -> BackendRouter:
        """The router restricted to backends that can predict for `organism` (SpliceAI: human only)."""
        with self._lock:
            if organism not in self._per_organism:
                self._per_organism[organism] = BackendRouter(
                    [b for b in self.backends if _knows(b, organism)]
                )
            return self._per_organism[organism]

    @property
    def provided(self) -> frozenset[OutputType]:
        return frozenset(self._by_output)

    def backend_for(self, output_type: OutputType) -> Backend:
        backend = self._by_output.get(output_type)
        if backend is None:
            raise NotProvidedError(self._missing_message([output_type]))
        return backend

    def plan(self, output_types: Iterable[OutputType]) -> dict[str, tuple[Backend, list[OutputType]]]:
        """backend name → (backend, its output types in request order); NotProvidedError if any is missing."""
        wanted = list(dict.fromkeys(output_types))
        missing = [o for o in wanted if o not in self._by_output]
        if missing:
            raise NotProvidedError(self._missing_message(missing))
        plan: dict[str, tuple[Backend, list[OutputType]]] = {}
        for output_type in wanted:
            backend = self._by_output[output_type]
            plan.setdefault(backend.name, (backend, []))[1].append(output_type)
        return plan

    def unprovided(self, output_types: Iterable[OutputType]) -> list[OutputType]:
        """The output types no backend here provides, in request order."""
        return [o for o in dict.fromkeys(output_types) if o not in self._by_output]

    def _missing_message(self, missing: Sequence[OutputType]) -> str:
        names = ", ".join(o.name for o in missing)
        have = ", ".join(sorted(o.name for o in self.provided)) or "nothing"
        return f"requested_outputs: no backend on this server provides {names} (available: {have})"


def _knows(backend: Backend, organism: Organism) -> bool:
    """Whether `backend` knows `organism` (backends raise ValueError for organisms they lack)."""
    try:
        for output_type in backend.output_types:
            backend.track_metadata(output_type, organism)
    except ValueError:
        return False
    return True


# --- the one call into a backend ---------------------------------------------------------------------------


def predict_windows(
    backend: Backend,
    sequences: Sequence[str],
    output_types: Sequence[OutputType],
    organism: Organism,
    ontology_terms: Sequence[str] | None = None,
    *,
    flank: int = 0,
    strand: str = "+",
    origin: int = 0,
    batch_size: int = BATCH_SIZE,
) -> list[Predictions]:
    """Predictions of `backend` for same-length forward-strand windows, on forward coordinates.

    Args:
      sequences: each a window plus `flank` bases of context at both ends.
      strand: `-` predicts the reverse-complement strand, as the official `predict_interval`
        does for a negative-strand interval; outputs come back on forward coordinates.
      origin: genomic 0-based start of the window (without flank), for `TrackSet.start` and
        junction coordinates.

    Returns:
      per sequence, output type → `TrackSet` (`JunctionSet` for SPLICE_JUNCTIONS).
    """
    types = [o for o in dict.fromkeys(output_types) if o in backend.output_types]
    results: list[Predictions] = []
    for first in range(0, len(sequences), batch_size):
        chunk = list(sequences[first : first + batch_size])
        if not types:
            outputs: list[dict[OutputType, TrackSet]] = [{} for _ in chunk]
        elif backend.supports_strand or strand != "-":
            outputs = backend.predict(
                chunk, types, organism, ontology_terms, strands=[strand] * len(chunk), flank=flank
            )
        else:
            reverse = backend.predict(
                [reverse_complement(s) for s in chunk], types, organism, ontology_terms, flank=flank
            )
            width = len(chunk[0]) - 2 * flank
            outputs = [{o: _forward_strand(o, t, width) for o, t in out.items()} for out in reverse]
        for output in outputs:
            results.append({o: _as_prediction(output[o], backend, origin) for o in types})
    return results


def _forward_strand(output_type: OutputType, track_set: TrackSet, width: int) -> TrackSet:
    """A reverse-complement prediction (of a `width` bp window) of a backend without strand
    support, mapped back onto forward coordinates."""
    reindex = strand_reindexing(track_set.metadata, output_type)
    values = reverse_complement_values(output_type, track_set.values, reindex)
    changes: dict[str, Any] = {"values": values}
    positions = getattr(track_set, "splice_site_positions", None)
    if positions is not None:
        changes["splice_site_positions"] = mirror_splice_sites(positions, width)
    return dataclasses.replace(track_set, **changes)


def _as_prediction(value: TrackSet, backend: Backend, origin: int) -> Prediction:
    if isinstance(value, JunctionTrackSet) or not isinstance(value, TrackSet):
        return junctions_from_prediction(value, origin)
    return dataclasses.replace(value, start=origin, provenance=value.provenance or backend.provenance)


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
        by_backend: dict[str, tuple[Backend, list[int]]] = {}
        for i, scorer in enumerate(scorers):
            backend = self.router.backend_for(scorer.requested_output)
            by_backend.setdefault(backend.name, (backend, []))[1].append(i)
        results: list[list[ScoreBlock | None]] = [[None] * len(scorers) for _ in variants]
        for backend, indices in by_backend.values():
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
        by_backend: dict[str, tuple[Backend, list[int]]] = {}
        for i, scorer in enumerate(scorers):
            backend = self.router.backend_for(scorer.requested_output)
            by_backend.setdefault(backend.name, (backend, []))[1].append(i)
        blocks: list[ScoreBlock | None] = [None] * len(scorers)
        for backend, indices in by_backend.values():
            chosen = [scorers[i] for i in indices]
            results = engine.score_interval(
                backend, genome, window, chosen, organism=organism, annotation=ctx.genes
            )
            for i, block in zip(indices, results, strict=True):
                blocks[i] = merge_stranded(block) if ctx.merge_stranded else block
        return [block for block in blocks if block is not None]


def check_variant_in(variant: Variant, window: Interval, field: str) -> None:
    """InvalidRequestError naming `field` unless the variant lies inside `window`."""
    try:
        windows.check_variant_in(variant, window)
    except ValueError as error:
        raise InvalidRequestError(field, str(error)) from None


@functools.cache
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
