"""AlphaGenome variant scorers (the SDK's names) through the scoring engine, stored as Score rows."""

from __future__ import annotations

import math

import pandas as pd

from model.service import (
    DEFAULT_SEQUENCE_LENGTH,
    UNTRAINED_PREFIX,
    Genome,
    Organism,
    PredictionService,
    parse_variant_scorer,
    tidy_scores,
)
from model.service import Variant as ModelVariant
from predictions.models import Job, Score, Variant
from predictions.quantile_backgrounds import background_for
from predictions.runners.progress import Progress


def score(
    job: Job, variants: list[Variant], genome: Genome, genes: pd.DataFrame, params: dict, progress: Progress
) -> None:
    # A re-queued job scores these again (the scoring engine runs the batch as one): forget rows an
    # earlier attempt stored. Only SpliceAI's VCF scores ("SpliceAI(...)") are kept and resumed.
    Score.objects.filter(job=job).exclude(scorer__startswith="SpliceAI(").delete()
    assembly = job.require_assembly()
    service = PredictionService.default(("alphagenome",))
    trained = service.only_backend().weights_trained
    background, quantile_note = background_for(assembly, service.only_backend())
    scorers = [parse_variant_scorer(name) for name in params["alphagenome_scorers"]]
    by_key = {(v.chrom, v.pos, v.ref, v.alt): v for v in variants}
    result = service.score_variant_batch(
        genome,
        [ModelVariant(v.chrom, v.pos, v.ref, v.alt, name=v.variant_id) for v in variants],
        scorers,
        Organism[assembly.organism],
        sequence_length=int(params.get("sequence_length", DEFAULT_SEQUENCE_LENGTH)),
        annotation=genes,
        background=background,
        ontology_terms=params.get("ontology_terms") or None,
        progress=progress.counter(),
        on_unsupported="skip",
    )
    notes = {}
    if result.skipped:
        notes["skipped_scorers"] = "; ".join(f"{name}: {reason}" for name, reason in result.skipped.items())
    if quantile_note:
        notes["quantile_note"] = quantile_note
    if notes:
        job.parameters = {**job.parameters, **notes}
        Job.objects.filter(pk=job.pk).update(parameters=job.parameters)
    rows: list[Score] = []
    for block in result.blocks:
        assert block.variant is not None  # variant scorers' blocks always name their variant
        variant = by_key[(block.variant.chrom, block.variant.position, block.variant.ref, block.variant.alt)]
        for record in tidy_scores([block]).to_dict("records"):
            rows.append(score_row(job, variant, record, result.backend, trained))
        if len(rows) >= 5000:
            Score.objects.bulk_create(rows)
            rows = []
    Score.objects.bulk_create(rows)


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def score_row(job: Job, variant: Variant, record: dict, backend: str, trained: bool) -> Score:
    """One tidy-score record as a row; a score from random weights says so in its track name."""
    quantile = record.get("quantile_score")
    track_name = _text(record.get("track_name"))
    if not trained:
        track_name = UNTRAINED_PREFIX + track_name
    return Score(
        job=job,
        variant=variant,
        scorer=_text(record.get("variant_scorer")),
        output_type=_text(record.get("output_type")),
        track_name=track_name[:300],
        track_strand=_text(record.get("track_strand"))[:1],
        ontology_curie=_text(record.get("ontology_curie"))[:64],
        biosample_name=_text(record.get("biosample_name"))[:200],
        gene_id=_text(record.get("gene_id"))[:64],
        gene_name=_text(record.get("gene_name"))[:100],
        raw_score=float(record["raw_score"]),
        quantile_score=None if quantile is None or math.isnan(quantile) else float(quantile),
        backend=backend,
        trained=trained,
    )
