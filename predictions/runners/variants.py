"""Variant jobs: score every accepted variant with the chosen backends, write browser tracks."""

from __future__ import annotations

import threading
from collections.abc import Iterable

import pandas as pd
from django.db import transaction
from django.db.models import Max
from django.db.models.functions import Abs

from model.service import Genome, SpliceAIScorer, SpliceVariant, VariantScores
from predictions.assemblies import genes_for, genome_for
from predictions.models import Job, Score, Variant
from predictions.runners import alphagenome_scores, motifs, splice_tracks
from predictions.runners.progress import Progress

SPLICEAI_CHUNK = 16
DELTA_NAMES = ("DS_AG", "DS_AL", "DS_DG", "DS_DL")
RESUMES = True  # a re-queued job keeps the scores and tracks it stored (see `pipeline.run`)


def run(job: Job, cancelled: threading.Event) -> None:
    """Score, scan motifs, summarise, write tracks; a re-queued job skips the variants it already
    scored or scanned."""
    params = job.parameters
    # SKIPPED: SpliceAI skipped it in an earlier attempt of this job; the other scorers still run
    scorable = (Variant.Status.ACCEPTED, Variant.Status.SKIPPED)
    variants = list(job.variants.filter(status__in=scorable).order_by("id"))
    assembly = job.require_assembly()
    genome, genes = genome_for(assembly), genes_for(assembly)
    browser_tracks = min(len(variants), int(params.get("browser_variants", 25)))
    use_spliceai = params.get("spliceai") is not None
    alphagenome = params.get("alphagenome_scorers") or []
    scorers = int(use_spliceai) + int(bool(alphagenome)) + 1  # + 1: the motif scan
    total = len(variants) * scorers + browser_tracks * int(use_spliceai)
    progress = Progress(job, total, cancelled, step="scoring")

    if use_spliceai:
        progress.step("SpliceAI scores")
        score_with_spliceai(job, variants, genome, genes, params["spliceai"], progress)
    if alphagenome:
        progress.step("AlphaGenome scores")
        with progress.timing("model"):
            alphagenome_scores.score(job, variants, genome, genes, params, progress)
    progress.step("motif gains and losses")
    with progress.timing("motifs"):
        motifs.annotate(job, variants, genome, progress)
    summarise_variants(job, genes)
    if use_spliceai and browser_tracks:
        progress.step("browser tracks")
        top = job.variants.filter(status=Variant.Status.ACCEPTED).order_by("-max_abs_score", "id")
        splice_tracks.write_variant_tracks(job, list(top[:browser_tracks]), genome, genes, progress)
    progress.save_timings()


def score_with_spliceai(
    job: Job,
    variants: list[Variant],
    genome: Genome,
    genes: pd.DataFrame,
    options: dict,
    progress: Progress,
) -> None:
    """SpliceAI delta scores per (variant, gene), exactly as SpliceAI's own VCF annotation.

    Variants that have rows from this scorer (or were skipped by it) in an earlier attempt are
    counted done and not scored again: each stored batch holds whole variants, in one INSERT.
    """
    distance, mask = int(options.get("distance", 50)), bool(options.get("mask"))
    scorer_name = f"SpliceAI(distance={distance}{', mask' if mask else ''})"
    done = set(Score.objects.filter(job=job, scorer=scorer_name).values_list("variant_id", flat=True))
    done |= {v.pk for v in variants if v.status == Variant.Status.SKIPPED}
    todo = [v for v in variants if v.pk not in done]
    progress.add(len(variants) - len(todo))  # before the model loads: a resumed job shows its progress
    scorer = SpliceAIScorer(genome, annotation=genes, distance=distance, mask=mask)
    records = (SpliceVariant(v.chrom, v.pos, v.ref, (v.alt,), v.variant_id or None) for v in todo)
    scored = scorer.score(records, chunk_size=SPLICEAI_CHUNK)
    batch: list[Score] = []
    pending = 0  # variants scored since the last store
    # Progress counts stored variants: what a worker killed now would not have to score again.
    for variant, result in zip(todo, progress.timed(scored, "model"), strict=True):
        batch.extend(_spliceai_rows(job, variant, result, scorer_name))
        pending += 1
        if result.skipped:
            Variant.objects.filter(pk=variant.pk).update(
                status=Variant.Status.SKIPPED, message=result.skipped
            )
        if pending >= SPLICEAI_CHUNK:
            Score.objects.bulk_create(batch)
            progress.add(pending)
            batch, pending = [], 0
    Score.objects.bulk_create(batch)
    progress.add(pending)


def _spliceai_rows(job: Job, variant: Variant, result: VariantScores, scorer_name: str) -> Iterable[Score]:
    for gene in result.scores:
        if gene.ds_ag is None:
            continue
        deltas = (gene.ds_ag, gene.ds_al, gene.ds_dg, gene.ds_dl)
        offsets = (gene.dp_ag, gene.dp_al, gene.dp_dg, gene.dp_dl)
        for name, delta, offset in zip(DELTA_NAMES, deltas, offsets, strict=True):
            if delta is None:  # all four are set together (`ds_ag` checked above)
                continue
            yield Score(
                job=job,
                variant=variant,
                scorer=scorer_name,
                output_type="SPLICE_SITES",
                track_name=name,
                track_strand=gene.strand,
                gene_id=gene.gene,
                gene_name=gene.gene,
                raw_score=float(delta),
                offset=offset,
                backend="spliceai",
            )


def summarise_variants(job: Job, genes: pd.DataFrame | None = None) -> None:
    """Store each variant's largest |score| (and |quantile score|), for the table, and the gene it
    falls in. Scores from random weights are left out: they never rank a variant (None when a
    variant has no other score).

    The gene comes from the annotation (`genes`, default the job's assembly's), never from which
    scorers ran: among genes overlapping the variant, the one its scores name with the largest
    |score|, else the first by name. Its strand decides the strand of the variant's browser tracks.
    """
    trained = Score.objects.filter(job=job, trained=True)
    top = (
        trained.values("variant_id")
        .annotate(best=Max(Abs("raw_score")), best_quantile=Max(Abs("quantile_score")))
        .values_list("variant_id", "best", "best_quantile")
    )
    best, best_quantile = {}, {}
    for variant_id, value, quantile in top:  # one grouped query for both
        best[variant_id] = value
        best_quantile[variant_id] = quantile
    gene_scores: dict[tuple[int, str], float] = {}
    for variant_id, gene_name, score in (
        trained.exclude(gene_name="").values_list("variant_id", "gene_name", "raw_score")
    ).iterator():
        key = (variant_id, gene_name)
        gene_scores[key] = max(gene_scores.get(key, 0.0), abs(score))
    table = genes_for(job.require_assembly()) if genes is None else genes
    with transaction.atomic():
        for variant in job.variants.filter(pk__in=Score.objects.filter(job=job).values("variant_id")):
            overlapping = sorted(genes_at(table, variant.chrom, variant.pos))
            variant.max_abs_score = best.get(variant.pk)
            variant.max_abs_quantile = best_quantile.get(variant.pk)
            variant.top_gene = max(
                overlapping, key=lambda g: gene_scores.get((variant.pk, g), -1.0), default=""
            )
            variant.save(update_fields=["max_abs_score", "max_abs_quantile", "top_gene"])


def genes_at(genes: pd.DataFrame, chrom: str, position: int) -> set[str]:
    """Names of the genes whose span holds 1-based `position` (contig spelled with or without chr)."""
    if genes.empty:
        return set()
    key = _contig_key(chrom)
    on_contig = genes[genes["chrom"].astype(str).map(_contig_key) == key]
    inside = on_contig[(on_contig["start"] < position) & (on_contig["end"] >= position)]
    return set(inside["gene_name"].astype(str))


def _contig_key(name: str) -> str:
    lowered = name.lower()
    return lowered[3:] if lowered.startswith("chr") else lowered
