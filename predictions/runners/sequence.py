"""Sequence jobs: predict a submitted DNA sequence; the browser shows it as its own reference."""

from __future__ import annotations

import threading

import pysam

from model.service import Organism, PredictionService
from predictions.models import Job
from predictions.runners.interval import note_unavailable, requested_outputs, write_tracks
from predictions.runners.progress import Progress

CONTIG = "sequence"


def run(job: Job, cancelled: threading.Event) -> None:
    params = job.parameters
    sequence = params["sequence"]
    folder = job.results_dir()
    folder.mkdir(parents=True, exist_ok=True)
    fasta = folder / "sequence.fa"
    with open(fasta, "w") as out:
        out.write(f">{CONTIG}\n")
        for start in range(0, len(sequence), 80):
            out.write(sequence[start : start + 80] + "\n")
    pysam.faidx(str(fasta))
    organism = Organism.HOMO_SAPIENS
    service = PredictionService.default().for_organism(organism)
    plan = service.router.plan(note_unavailable(job, service, requested_outputs(job)))
    progress = Progress(job, len(plan), cancelled, step="predicting")
    for backend, outputs in plan.values():
        progress.step(f"{backend.name}: {', '.join(o.name for o in outputs)}")
        (predictions,) = service.predict_sequences(
            [sequence], outputs, organism, params.get("ontology_terms") or None
        )
        for output_type, prediction in predictions.items():
            write_tracks(job, prediction, output_type, CONTIG, {CONTIG: len(sequence)}, backend)
        progress.add()
