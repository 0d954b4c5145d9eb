"""Sequence jobs: predict a submitted DNA sequence; the browser shows it as its own reference."""

from __future__ import annotations

import threading

import pysam

from model.inference import get_backend, predict_sequence
from model.outputs import Organism, OutputType
from predictions.models import Job
from predictions.runners.interval import plan_outputs, write_tracks
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
    by_backend, missing = plan_outputs(params.get("output_types") or ["SPLICE_SITES"])
    if missing:
        Job.objects.filter(pk=job.pk).update(parameters={**params, "unavailable_outputs": missing})
    progress = Progress(job, len(by_backend), cancelled, step="predicting")
    for backend_name, outputs in by_backend.items():
        progress.step(f"{backend_name}: {', '.join(o.name for o in outputs)}")
        predictions = predict_sequence(
            get_backend(backend_name),
            sequence,
            outputs,
            Organism.HOMO_SAPIENS,
            params.get("ontology_terms") or None,
        )
        for output_type, track_set in predictions.items():
            write_tracks(
                job, track_set, OutputType(output_type), CONTIG, {CONTIG: len(sequence)}, backend_name
            )
        progress.add()
