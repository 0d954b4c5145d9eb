"""ISM jobs: score every substitution in a ≤ 200 bp interval; store scores and a logo matrix."""

from __future__ import annotations

import json
import threading

import numpy as np

from model.service import (
    DEFAULT_SEQUENCE_LENGTH,
    Interval,
    Organism,
    PredictionService,
    parse_variant_scorer,
    tidy_scores,
)
from predictions.assemblies import genes_for, genome_for
from predictions.models import Job, Score, Variant
from predictions.runners.alphagenome_scores import score_row
from predictions.runners.progress import Progress
from predictions.runners.variants import summarise_variants

SPLICEAI_ISM_WINDOW = 2048  # SpliceAI adds its own 5 kb of context each side; a larger window only costs time


def ism_window(backend_name: str, requested: int) -> int:
    """The scoring window: SpliceAI's receptive field is fixed, so its window stays small."""
    return min(requested, SPLICEAI_ISM_WINDOW) if backend_name == "spliceai" else requested


def run(job: Job, cancelled: threading.Event) -> None:
    params = job.parameters
    assembly = job.require_assembly()
    genome = genome_for(assembly)
    interval = Interval(genome.resolve_contig(params["chrom"]), int(params["start"]), int(params["end"]))
    scorers = [parse_variant_scorer(name) for name in params.get("ism_scorers") or ["SPLICE_SITES"]]
    backend_name = params.get("ism_backend", "spliceai")
    progress = Progress(job, interval.width * 3, cancelled, step=f"ISM with {backend_name}")
    service = PredictionService.default((backend_name,))
    trained = service.only_backend().weights_trained
    result = service.score_ism(
        genome,
        interval,
        scorers,
        Organism[assembly.organism],
        sequence_length=ism_window(backend_name, int(params.get("sequence_length", DEFAULT_SEQUENCE_LENGTH))),
        annotation=genes_for(assembly),
        progress=progress.counter(),
        on_unsupported="skip",
    )
    rows = {
        (v.chrom, v.position, v.ref, v.alt): Variant(
            job=job,
            chrom=v.chrom,
            pos=v.position,
            ref=v.ref,
            alt=v.alt,
            line=None,
            status=Variant.Status.ACCEPTED,
        )
        for v in result.variants
    }
    Variant.objects.bulk_create(rows.values(), batch_size=2000)
    saved = {(v.chrom, v.pos, v.ref, v.alt): v for v in job.variants.all()}
    scores: list[Score] = []
    for block in result.scores.blocks:
        assert block.variant is not None  # variant scorers' blocks always name their variant
        variant = saved[(block.variant.chrom, block.variant.position, block.variant.ref, block.variant.alt)]
        scores.extend(
            score_row(job, variant, record, backend_name, trained)
            for record in tidy_scores([block]).to_dict("records")
        )
    Score.objects.bulk_create(scores, batch_size=5000)
    summarise_variants(job)
    matrices = {
        str(scorer): np.nan_to_num(result.matrix(scorer), nan=0.0).round(6).tolist()
        for scorer in scorers
        if str(scorer) not in result.scores.skipped
    }
    folder = job.results_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ism.json").write_text(
        json.dumps(
            {
                "interval": str(interval),
                "sequence": result.sequence,
                "start": interval.start,
                "matrices": matrices,
                "trained": trained,
            }
        )
    )
