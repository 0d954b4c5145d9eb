"""The scoring engine: variants in, REF/ALT forward passes through any backend, scores out.

`score_variants` is the one entry point the web app's Celery task and the gRPC server call:
the planner (`model.scoring.planner`) groups variants into windows, shares one REF pass per
window and batches sequences through `Backend.predict`; each scorer's family
(`model.scoring.families`) turns a variant's REF and ALT predictions into a `ScoreBlock`;
the blocks come back as a `ScoringResult` with forward-pass counts. `score_predictions`
scores predictions made elsewhere; `score_interval` (`model.scoring.interval`) computes
interval gene-mask scores.

A scorer that cannot be computed here (the backend lacks its output type, no annotation,
no polyadenylation sites, wrong organism) raises `ScorerNotApplicableError` naming the
reason, or, with `on_unsupported="skip"`, is listed in `ScoringResult.skipped`; it never
produces numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeAlias, Unpack, runtime_checkable

import numpy as np
import pandas as pd

from model.genome import Interval, SequenceSource
from model.junctions import JunctionSet, junctions_from_prediction
from model.outputs import Backend, Organism
from model.scoring.annotation_cache import as_gene_index
from model.scoring.families import (
    Predictions,
    ScorerContext,
    VariantPredictions,
    VariantScorerFamily,
    family_for,
)
from model.scoring.interval import score_interval
from model.scoring.masks import GeneIndex
from model.scoring.options import OptionKeywords, ScoringOptions, resolve_options
from model.scoring.pas_sites import PAS_COLUMNS, prepare_pas_sites
from model.scoring.planner import PassLedger, WindowPlan, plan_windows, predict_passes, scheduled_passes
from model.scoring.results import ScoreBlock, ScoringResult
from model.scoring.scorers import (
    GeneMaskScorer,
    ScorerNotApplicableError,
    VariantScorer,
    from_sdk,
    get_recommended_scorers,
)
from model.scoring.variants import Variant, as_variant

Annotation: TypeAlias = GeneIndex | pd.DataFrame | str | Path | None
ProgressCallback = Callable[[int, int], None]

# Names callers import from here, defined in the modules named for what they do.
__all__ = [
    "PAS_COLUMNS",
    "JunctionSet",
    "Predictions",
    "ScorerNotApplicableError",
    "ScoringOptions",
    "ScoringResult",
    "WindowPlan",
    "applicability",
    "as_gene_index",
    "junctions_from_prediction",
    "plan_windows",
    "score_interval",
    "score_predictions",
    "score_variants",
]


@runtime_checkable  # jaxtyping + beartype check it in tests/model
class QuantileSource(Protocol):
    """What the engine needs from a quantile background (see `model.scoring.quantiles`)."""

    def transform(self, block: ScoreBlock) -> np.ndarray | None: ...


def applicability(
    scorer: VariantScorer,
    backend: Backend,
    organism: Organism,
    genes: GeneIndex | None,
    pas_sites: pd.DataFrame | None,
) -> str | None:
    """None when `scorer` can be computed here, else the reason it cannot."""
    return family_for(scorer).applicability(backend, organism, ScorerContext(genes, pas_sites))


def _score_blocks(
    families: Sequence[VariantScorerFamily[Any]],
    variant: Variant,
    window: Interval,
    ref: Predictions,
    alt: Predictions,
    context: ScorerContext,
    background: QuantileSource | None,
    merge_stranded: bool,
) -> list[ScoreBlock]:
    blocks = []
    for family in families:
        block = family.finalise(
            family.score(VariantPredictions(variant, window, ref, alt), context),
            merge_stranded=merge_stranded,
        )
        if background is not None:
            block.quantiles = background.transform(block)
        blocks.append(block)
    return blocks


def score_predictions(
    variant: Variant,
    window: Interval,
    ref: Predictions,
    alt: Predictions,
    scorers: Sequence[VariantScorer],
    *,
    annotation: Annotation = None,
    pas_sites: pd.DataFrame | None = None,
    background: QuantileSource | None = None,
    merge_stranded: bool = False,
) -> list[ScoreBlock]:
    """Score one variant from its REF and ALT predictions over `window` (no model calls).

    Args:
      variant: the variant; it must lie inside `window`.
      window: the genomic window both predictions cover.
      ref, alt: output type → `TrackSet` (`values [B, T]`, contact maps `[P, P, T]`) or, for
        SPLICE_JUNCTIONS, a `JunctionSet` or AlphaGenome-layout junction output.
      scorers: variant scorers; each must have its output in `ref` and `alt`.

    Returns:
      one `ScoreBlock` per scorer.
    """
    context = ScorerContext(as_gene_index(annotation), prepare_pas_sites(pas_sites))
    families = [family_for(scorer) for scorer in scorers]
    return _score_blocks(families, variant, window, ref, alt, context, background, merge_stranded)


def _applicable_families(
    scorers: Sequence[VariantScorer],
    backend: Backend,
    organism: Organism,
    context: ScorerContext,
    options: ScoringOptions,
) -> tuple[list[VariantScorerFamily[Any]], dict[str, str]]:
    """Families of the scorers that apply, and scorer name → reason for those that do not."""
    families, skipped = [], {}
    for scorer in scorers:
        family = family_for(scorer)
        reason = family.applicability(backend, organism, context)
        if reason is None:
            families.append(family)
        elif options.on_unsupported == "raise":
            raise ScorerNotApplicableError(reason)
        else:
            skipped[scorer.name] = reason
    return families, skipped


def score_variants(
    backend: Backend,
    genome: SequenceSource,
    variants: Iterable[Variant | str | Any],
    scorers: Sequence[VariantScorer | Any] | None = None,
    *,
    options: ScoringOptions | None = None,
    organism: Organism = Organism.HOMO_SAPIENS,
    annotation: Annotation = None,
    pas_sites: pd.DataFrame | None = None,
    background: QuantileSource | None = None,
    progress: ProgressCallback | None = None,
    **option_keywords: Unpack[OptionKeywords],
) -> ScoringResult:
    """Score a batch of variants with `backend` (the entry point for the web app and gRPC server).

    Args:
      backend: any `model.outputs.Backend` (AlphaGenome Flax, SpliceAI, ...).
      genome: the reference; REF alleles that differ from it are inserted into a REF window of
        their own (as the SDK does), costing one extra REF pass.
      variants: `Variant`s, strings (`chr20:1234:A>C`, ...), tuples or SDK `genome.Variant`s.
      scorers: our or SDK scorer objects; None = the recommended scorers for `organism`.
      options: windows, batching and what to do with scorers that do not apply; keyword
        arguments named like its fields (`sequence_length=`, `share_ref=`, ...) override it
        or, without it, make it.
      annotation: transcript table, `GeneIndex` or annotation path (gene scorers need it).
      pas_sites: polyadenylation sites (`chrom, position, strand, gene_id`) for the paQTL scorer.
      background: quantile background; without it blocks have no quantiles (never invented).
      progress: called as `progress(done, total)` after each variant is scored.

    Returns:
      `ScoringResult` with blocks in variant order and forward-pass counts.
    """
    options = resolve_options(options, option_keywords)
    batch = [as_variant(v) for v in variants]
    chosen = [from_sdk(s) for s in (scorers if scorers is not None else get_recommended_scorers(organism))]
    if any(isinstance(s, GeneMaskScorer) for s in chosen):
        raise TypeError("GeneMaskScorer is an interval scorer: use score_interval")
    context = ScorerContext(as_gene_index(annotation), prepare_pas_sites(pas_sites))
    families, skipped = _applicable_families(chosen, backend, organism, context, options)
    output_types = list(dict.fromkeys(f.scorer.requested_output for f in families))
    plans = plan_windows(
        batch, options.sequence_length, share=options.share_windows, max_offset=options.max_offset
    )
    blocks: list[list[ScoreBlock]] = [[] for _ in batch]
    ledger = PassLedger.for_variants(len(batch))
    done = 0
    for passes in scheduled_passes(
        genome,
        batch,
        plans,
        share_ref=options.share_ref,
        batch_size=options.batch_size,
        flank=backend.context,
    ):
        outputs = predict_passes(
            backend, passes, output_types, organism, options.ontology_terms, options.batch_size
        )
        for i, window, ref, alt in ledger.record(passes, outputs):
            blocks[i] = _score_blocks(
                families, batch[i], window, ref, alt, context, background, options.merge_stranded
            )
            done += 1
            if progress is not None:
                progress(done, len(batch))
    return ScoringResult(
        variants=batch,
        variant_blocks=blocks,
        windows=plans,
        ref_passes=ledger.ref,
        alt_passes=ledger.alt,
        per_variant_passes=ledger.per_variant,
        skipped=skipped,
        backend=backend.name,
        provenance=backend.provenance,
        weights_trained=bool(backend.weights_trained),
    )
