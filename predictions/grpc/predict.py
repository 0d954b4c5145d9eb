"""Predictions and scores for one request, Django-free: the code the gRPC API and the web API share.

Every function takes a `BackendRouter` (which backend answers which output type), the
reference `Genome` and forward-strand `model.genome.Interval`s whose `chrom` is spelled as
the caller spelled it (the genome resolves `20`/`chr20`). Results are the model layer's own
types: `TrackSet` per output type (a `JunctionSet` for SPLICE_JUNCTIONS) and `ScoreBlock`s.

Negative-strand intervals follow `alphagenome_research`: the reverse-complemented sequence is
predicted and the predictions are flipped back onto the forward strand with `+`/`-` tracks
swapped; scoring uses the unstranded interval.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from model.genome import Genome, Interval, reverse_complement
from model.outputs import Organism, OutputType, TrackSet
from model.scoring.engine import (
    JunctionSet,
    applicability,
    junctions_from_prediction,
    score_predictions,
)
from model.scoring.engine import score_interval as engine_score_interval
from model.scoring.masks import GeneIndex
from model.scoring.results import ScoreBlock, merge_stranded_gene_tracks
from model.scoring.scorers import GeneMaskScorer, VariantScorer
from model.scoring.variants import Variant
from predictions.grpc.errors import InvalidArgumentError, UnimplementedError
from predictions.grpc.routing import BackendRouter

Prediction = TrackSet | JunctionSet
Predictions = dict[OutputType, Prediction]
BATCH_SIZE = 4  # sequences per backend call in ISM


# --- raw predictions ---------------------------------------------------------------------------------------


def predict_sequences(
    router: BackendRouter,
    sequences: Sequence[str],
    output_types: Sequence[OutputType],
    organism: Organism,
    ontology_terms: Sequence[str] | None = None,
    *,
    strand: str = "+",
    origin: int = 0,
) -> list[Predictions]:
    """Forward-strand sequences (all on `strand`, starting at genomic `origin`) → predictions.

    Each backend predicts the output types it answers, in batches; a `-` strand is predicted
    on the reverse complement and mapped back (natively by backends that support strands).
    Junction outputs become `JunctionSet`s in genomic coordinates.
    """
    results: list[Predictions] = [{} for _ in sequences]
    for backend, types in router.plan(output_types).values():
        native = bool(getattr(backend, "supports_strand", False))
        for first in range(0, len(sequences), BATCH_SIZE):
            chunk = list(sequences[first : first + BATCH_SIZE])
            if native:
                outputs = backend.predict(
                    chunk,
                    types,
                    organism,
                    ontology_terms,
                    strands=[strand] * len(chunk),
                    starts=[origin] * len(chunk),
                )
            elif strand == "-":
                flipped = backend.predict(
                    [reverse_complement(s) for s in chunk], types, organism, ontology_terms
                )
                outputs = [{o: flip_track_set(t, origin) for o, t in out.items()} for out in flipped]
            else:
                outputs = backend.predict(chunk, types, organism, ontology_terms)
            for result, output in zip(results[first : first + BATCH_SIZE], outputs, strict=True):
                for output_type in types:
                    result[output_type] = as_prediction(output[output_type], backend, origin)
    return results


def as_prediction(value: TrackSet, backend: Any, origin: int) -> Prediction:
    """A backend's output as a `TrackSet` with provenance, or a `JunctionSet` for junction heads."""
    if getattr(value, "splice_site_positions", None) is not None or not isinstance(value, TrackSet):
        return junctions_from_prediction(value, origin)
    if not value.provenance:
        value = dataclasses.replace(value, provenance=backend.provenance)
    return value


def predict_interval(
    router: BackendRouter,
    genome: Genome,
    interval: Interval,
    output_types: Sequence[OutputType],
    organism: Organism,
    ontology_terms: Sequence[str] | None = None,
) -> Predictions:
    """Predictions over a genomic interval through `model.inference.predict_interval`, per backend.

    The web API calls this too, so both paths return identical values for the same interval.
    """
    from model import inference

    result: Predictions = {}
    for backend, types in router.plan(output_types).values():
        outputs = inference.predict_interval(backend, genome, interval, types, organism, ontology_terms)
        for output_type in types:
            result[output_type] = as_prediction(outputs[output_type], backend, interval.start)
    return result


def flip_track_set(track_set: TrackSet, origin: int) -> TrackSet:
    """Tracks predicted on a reverse complement, put back on the forward strand (+/- tracks swapped)."""
    values = np.asarray(track_set.values)
    values = values[::-1, ::-1] if values.ndim == 3 else values[::-1]
    metadata = track_set.metadata.reset_index(drop=True)
    swapped = metadata["strand"].map({"+": "-", "-": "+"}).fillna(metadata["strand"])
    order = _restore_order(metadata, swapped)
    return dataclasses.replace(
        track_set,
        values=np.ascontiguousarray(values[..., order]),
        metadata=metadata.assign(strand=swapped).iloc[order].reset_index(drop=True),
        start=origin,
    )


def _restore_order(metadata: pd.DataFrame, swapped: pd.Series) -> np.ndarray:
    """Column order that puts the strand-swapped tracks back in the original (name, strand) order."""
    original = list(zip(metadata["name"], metadata["strand"], strict=True))
    position = {key: i for i, key in enumerate(zip(metadata["name"], swapped, strict=True))}
    if set(position) != set(original):
        return np.arange(len(metadata))
    return np.array([position[key] for key in original], dtype=np.int64)


# --- variants ----------------------------------------------------------------------------------------------


def check_variant_in(variant: Variant, interval: Interval, field: str = "variant") -> None:
    if variant.start < interval.start or variant.end > interval.end:
        raise InvalidArgumentError(
            field,
            f"{variant} lies outside the interval {interval.chrom}:{interval.start}-{interval.end} "
            "(0-based, half-open)",
        )


def allele_sequences(genome: Genome, interval: Interval, variant: Variant) -> tuple[str, str]:
    """REF and ALT forward sequences of `interval` (REF bases as the variant states them).

    ALT is left-anchored: an insertion pushes the rest right and is cropped at the end, a
    deletion pulls bases from beyond the interval's end (as the scoring engine and the SDK do).
    """
    forward = genome.fetch(interval.chrom, interval.start, interval.end)
    offset = variant.start - interval.start
    reference = forward[:offset] + variant.ref + forward[offset + len(variant.ref) :]
    deleted = max(len(variant.ref) - len(variant.alt), 0)
    tail = genome.fetch(interval.chrom, interval.end, interval.end + deleted) if deleted else ""
    alternate = (reference[:offset] + variant.alt + reference[offset + len(variant.ref) :] + tail)[
        : interval.width
    ]
    return reference, alternate


def predict_variant(
    router: BackendRouter,
    genome: Genome,
    interval: Interval,
    variant: Variant,
    output_types: Sequence[OutputType],
    organism: Organism,
    ontology_terms: Sequence[str] | None = None,
) -> tuple[Predictions, Predictions]:
    """REF and ALT predictions over `interval` (ALT unaligned, as the SDK returns it)."""
    check_variant_in(variant, interval)
    reference, alternate = allele_sequences(genome, interval, variant)
    ref, alt = predict_sequences(
        router,
        [reference, alternate],
        output_types,
        organism,
        ontology_terms,
        strand=interval.strand,
        origin=interval.start,
    )
    return ref, alt


# --- scores ------------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ScoringContext:
    """What scoring needs besides the model: genes, an optional quantile background, the merge flag."""

    genes: GeneIndex | None = None
    background: Any = None
    merge_stranded: bool = True
    pas_sites: pd.DataFrame | None = None


def _check_scorers(
    router: BackendRouter, scorers: Sequence[VariantScorer], organism: Organism, ctx: ScoringContext
) -> None:
    for scorer in scorers:
        try:
            backend = router.backend_for(scorer.requested_output)
        except UnimplementedError:
            raise UnimplementedError(
                f"variant_scorers: {scorer.name} needs {scorer.requested_output.name}, which no backend "
                f"on this server provides (available: {', '.join(sorted(o.name for o in router.provided))})"
            ) from None
        reason = applicability(scorer, backend, organism, ctx.genes, ctx.pas_sites)
        if reason is not None:
            raise UnimplementedError(f"variant_scorers: {reason}")


def score_variant(
    router: BackendRouter,
    genome: Genome,
    interval: Interval,
    variants: Sequence[Variant],
    scorers: Sequence[VariantScorer],
    organism: Organism,
    ctx: ScoringContext,
    *,
    base_variant: Variant | None = None,
) -> list[list[ScoreBlock]]:
    """Scores of each variant under each scorer (request order), one REF pass for all variants.

    With `base_variant` (ISM's `interval_variant`), REF is the interval with that variant
    applied and each of `variants` is a substitution on top of it.
    """
    window = Interval(interval.chrom, interval.start, interval.end, ".")
    _check_scorers(router, scorers, organism, ctx)
    for i, variant in enumerate(variants):
        check_variant_in(
            variant, window, "variant" if base_variant is None and len(variants) == 1 else f"variants[{i}]"
        )
    output_types = list(dict.fromkeys(s.requested_output for s in scorers))
    if base_variant is not None:
        _, reference = allele_sequences(genome, window, base_variant)
    else:
        reference = genome.fetch(window.chrom, window.start, window.end)
    # REF is the reference with each variant's stated REF bases (the SDK's behaviour when they
    # differ from the genome); variants with the same REF window share one pass.
    refs = [_with_ref(reference, window, variant) for variant in variants]
    unique_refs = list(dict.fromkeys(refs))
    ref_predictions = dict(
        zip(
            unique_refs,
            predict_sequences(router, unique_refs, output_types, organism, origin=window.start),
            strict=True,
        )
    )
    results = []
    # ALT passes in small batches, scored right away: ISM never holds 30 windows of tracks at once
    for first in range(0, len(variants), BATCH_SIZE):
        batch = range(first, min(first + BATCH_SIZE, len(variants)))
        alts = [_substitute(genome, window, refs[i], variants[i]) for i in batch]
        for i, alt in zip(
            batch, predict_sequences(router, alts, output_types, organism, origin=window.start), strict=True
        ):
            blocks = score_predictions(
                variants[i],
                window,
                ref_predictions[refs[i]],
                alt,
                scorers,
                annotation=ctx.genes,
                pas_sites=ctx.pas_sites,
            )
            results.append([_finish(block, ctx, router) for block in blocks])
    return results


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


def _finish(block: ScoreBlock, ctx: ScoringContext, router: BackendRouter) -> ScoreBlock:
    if ctx.merge_stranded:
        block = merge_stranded(block)
    # Quantiles only against a background built with the model that made these scores.
    backend = router.backend_for(block.scorer.requested_output)
    if ctx.background is not None and ctx.background.mismatch(backend) is None:
        block.quantiles = ctx.background.transform(block)
    return block


def _with_ref(reference: str, window: Interval, variant: Variant) -> str:
    offset = variant.start - window.start
    return reference[:offset] + variant.ref + reference[offset + len(variant.ref) :]


def _substitute(genome: Genome, window: Interval, reference: str, variant: Variant) -> str:
    offset = variant.start - window.start
    deleted = max(len(variant.ref) - len(variant.alt), 0)
    tail = genome.fetch(window.chrom, window.end, window.end + deleted) if deleted else ""
    return (reference[:offset] + variant.alt + reference[offset + len(variant.ref) :] + tail)[: window.width]


def ism_variants(
    genome: Genome, interval: Interval, ism_interval: Interval, base_variant: Variant | None = None
) -> list[Variant]:
    """Every substitution at each non-N base of `ism_interval` (on the `base_variant` sequence if given)."""
    window = Interval(interval.chrom, interval.start, interval.end, ".")
    if base_variant is not None:
        _, sequence = allele_sequences(genome, window, base_variant)
    else:
        sequence = genome.fetch(window.chrom, window.start, window.end)
    variants = []
    for position in range(ism_interval.start, ism_interval.end):
        base = sequence[position - window.start]
        if base not in "ACGT":
            continue
        variants += [Variant(interval.chrom, position + 1, base, alt) for alt in "ACGT" if alt != base]
    return variants


def score_interval(
    router: BackendRouter,
    genome: Genome,
    interval: Interval,
    scorers: Sequence[GeneMaskScorer],
    organism: Organism,
    ctx: ScoringContext,
) -> list[ScoreBlock]:
    """Gene-mask interval scores (the scoring engine's), one block per scorer in request order."""
    if ctx.genes is None:
        raise UnimplementedError(
            "interval_scorers: GeneMaskScorer needs a gene annotation; this assembly has none"
        )
    window = Interval(interval.chrom, interval.start, interval.end, ".")
    for i, scorer in enumerate(scorers):
        if scorer.width is not None and scorer.width > window.width:
            raise InvalidArgumentError(
                f"interval_scorers[{i}].width", f"{scorer.width} is wider than the interval"
            )
    by_backend: dict[str, list[int]] = {}
    for i, scorer in enumerate(scorers):
        by_backend.setdefault(router.backend_for(scorer.requested_output).name, []).append(i)
    blocks: list[ScoreBlock | None] = [None] * len(scorers)
    for indices in by_backend.values():
        backend = router.backend_for(scorers[indices[0]].requested_output)
        chosen = [scorers[i] for i in indices]
        results = engine_score_interval(
            backend, genome, window, chosen, organism=organism, annotation=ctx.genes
        )
        for i, block in zip(indices, results, strict=True):
            blocks[i] = merge_stranded(block) if ctx.merge_stranded else block
    return [block for block in blocks if block is not None]
