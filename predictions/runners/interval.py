"""Interval jobs: predict every requested output type over the window and write one bigWig per track."""

from __future__ import annotations

import threading
from pathlib import Path

from django.conf import settings

from model.genome import Genome, Interval
from model.inference import available_backends, get_backend, predict_interval
from model.outputs import Organism, OutputType, TrackSet
from predictions.assemblies import genome_for
from predictions.models import Job, TrackFile
from predictions.runners.progress import Progress
from predictions.tracks import write_bigwig

MAX_TRACKS_PER_OUTPUT = 24  # bigWigs per output type; narrow with ontology terms for others


def backend_for(output_type: OutputType) -> str | None:
    """The backend that provides `output_type`: trained weights first (SpliceAI for splice sites)."""
    candidates = [
        b for b in available_backends() if b.get("available") and output_type.name in b["output_types"]
    ]
    candidates.sort(key=lambda b: not b["weights_trained"])
    return str(candidates[0]["name"]) if candidates else None


def plan_outputs(names: list[str]) -> tuple[dict[str, list[OutputType]], list[str]]:
    """Requested output types grouped by backend, and those no backend provides."""
    by_backend: dict[str, list[OutputType]] = {}
    missing = []
    for name in names:
        output_type = OutputType[name]
        backend = backend_for(output_type)
        if backend is None:
            missing.append(name)
        else:
            by_backend.setdefault(backend, []).append(output_type)
    return by_backend, missing


def predict_window(
    backend_name: str, genome: Genome, interval: Interval, outputs: list[OutputType], job: Job
) -> dict:
    backend = get_backend(backend_name)
    if hasattr(backend, "predict_interval"):  # backends that read real flanking context themselves
        return {
            OutputType.SPLICE_SITES: backend.predict_interval(
                genome, interval.chrom, interval.start, interval.end
            )
        }
    organism = Organism[job.assembly.organism] if job.assembly else Organism.HOMO_SAPIENS
    return predict_interval(
        backend, genome, interval, outputs, organism, job.parameters.get("ontology_terms") or None
    )


def write_tracks(
    job: Job, track_set: TrackSet, output_type: OutputType, chrom: str, sizes: dict[str, int], backend: str
) -> int:
    """One bigWig per track (the first MAX_TRACKS_PER_OUTPUT); 2-D outputs are not written as bigWig."""
    if track_set.values.ndim != 2:
        return 0
    folder = job.results_dir() / "tracks" / output_type.name.lower()
    rows = []
    for index, meta in enumerate(track_set.metadata.head(MAX_TRACKS_PER_OUTPUT).itertuples()):
        label = f"{meta.name} ({meta.strand})" if getattr(meta, "strand", ".") in "+-" else str(meta.name)
        path = folder / f"{index:03d}.bw"
        write_bigwig(path, sizes, chrom, track_set.start, track_set.values[:, index], track_set.resolution)
        rows.append(
            TrackFile(
                job=job,
                interval=job.parameters.get("locus", ""),
                output_type=output_type.name,
                track_name=label[:300],
                file_format="bigwig",
                path=str(path.relative_to(Path(settings.MEDIA_ROOT))),
                backend=backend,
                provenance=track_set.provenance,
            )
        )
    TrackFile.objects.bulk_create(rows)
    return len(rows)


def run(job: Job, cancelled: threading.Event) -> None:
    params = job.parameters
    genome = genome_for(job.assembly)
    chrom = genome.resolve_contig(params["chrom"])
    interval = Interval(chrom, int(params["start"]), int(params["end"]))
    by_backend, missing = plan_outputs(params.get("output_types") or ["SPLICE_SITES"])
    if missing:
        Job.objects.filter(pk=job.pk).update(parameters={**params, "unavailable_outputs": missing})
    progress = Progress(job, len(by_backend), cancelled, step="predicting")
    for backend_name, outputs in by_backend.items():
        progress.step(f"{backend_name}: {', '.join(o.name for o in outputs)}")
        predictions = predict_window(backend_name, genome, interval, outputs, job)
        for output_type, track_set in predictions.items():
            write_tracks(job, track_set, output_type, chrom, dict(genome.lengths), backend_name)
        progress.add()
