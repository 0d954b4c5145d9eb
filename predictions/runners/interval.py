"""Interval jobs: predict every requested output type over the window and write a file per track."""

from __future__ import annotations

import threading
from pathlib import Path

from django.conf import settings

from model.service import (
    UNTRAINED_PREFIX,
    Backend,
    Interval,
    JunctionSet,
    Organism,
    OutputType,
    Prediction,
    PredictionService,
)
from predictions.assemblies import genome_for
from predictions.models import Job, TrackFile
from predictions.runners.progress import Progress
from predictions.tracks import write_bigwig, write_heatmap_png, write_junctions_bed

MAX_TRACKS_PER_OUTPUT = 24  # bigWigs per output type; narrow with ontology terms for others


def requested_outputs(job: Job) -> list[OutputType]:
    return [OutputType[name] for name in job.parameters.get("output_types") or ["SPLICE_SITES"]]


def note_unavailable(job: Job, service: PredictionService, outputs: list[OutputType]) -> list[OutputType]:
    """Record the requested outputs no backend provides on the job; return the others."""
    missing = service.router.unprovided(outputs)
    if missing:
        job.parameters = {**job.parameters, "unavailable_outputs": [o.name for o in missing]}
        Job.objects.filter(pk=job.pk).update(parameters=job.parameters)
    return [o for o in outputs if o not in missing]


def _track_file(
    job: Job, output_type: OutputType, label: str, path: Path, file_format: str, backend: str, provenance: str
) -> TrackFile:
    return TrackFile(
        job=job,
        interval=job.parameters.get("locus", ""),
        output_type=output_type.name,
        track_name=label[:300],
        file_format=file_format,
        path=str(path.relative_to(Path(settings.MEDIA_ROOT))),
        backend=backend,
        provenance=provenance,
    )


def write_tracks(
    job: Job,
    prediction: Prediction,
    output_type: OutputType,
    chrom: str,
    sizes: dict[str, int],
    backend: Backend,
) -> int:
    """Files for the first MAX_TRACKS_PER_OUTPUT tracks: bigWig for 1-D tracks, BED junctions for
    SPLICE_JUNCTIONS, PNG heatmaps for CONTACT_MAPS (igv.js cannot draw those from our files)."""
    folder = job.results_dir() / "tracks" / output_type.name.lower()
    rows = []
    if isinstance(prediction, JunctionSet):
        for index, meta in enumerate(prediction.metadata.head(MAX_TRACKS_PER_OUTPUT).itertuples()):
            path = folder / f"{index:03d}.junctions.bed"
            write_junctions_bed(
                path,
                chrom,
                prediction.starts,
                prediction.ends,
                prediction.strands,
                prediction.values[:, index],
            )
            label = _labelled(str(meta.name), backend)
            rows.append(
                _track_file(job, output_type, label, path, "junctions", backend.name, backend.provenance)
            )
        TrackFile.objects.bulk_create(rows)
        return len(rows)
    for index, meta in enumerate(prediction.metadata.head(MAX_TRACKS_PER_OUTPUT).itertuples()):
        strand = getattr(meta, "strand", ".")
        label = _labelled(f"{meta.name} ({strand})" if strand in ("+", "-") else str(meta.name), backend)
        if prediction.values.ndim == 3:
            path = folder / f"{index:03d}.png"
            write_heatmap_png(path, prediction.values[:, :, index], f"{output_type.name} {meta.name}")
            file_format = "png"
        else:
            path = folder / f"{index:03d}.bw"
            write_bigwig(
                path, sizes, chrom, prediction.start, prediction.values[:, index], prediction.resolution
            )
            file_format = "bigwig"
        rows.append(
            _track_file(job, output_type, label, path, file_format, backend.name, prediction.provenance)
        )
    TrackFile.objects.bulk_create(rows)
    return len(rows)


def _labelled(name: str, backend: Backend) -> str:
    return name if backend.weights_trained else UNTRAINED_PREFIX + name


def run(job: Job, cancelled: threading.Event) -> None:
    params = job.parameters
    assembly = job.require_assembly()
    genome = genome_for(assembly)
    chrom = genome.resolve_contig(params["chrom"])
    interval = Interval(chrom, int(params["start"]), int(params["end"]))
    organism = Organism[assembly.organism]
    service = PredictionService.default().for_organism(organism)
    plan = service.router.plan(note_unavailable(job, service, requested_outputs(job)))
    progress = Progress(job, len(plan), cancelled, step="predicting")
    for backend, outputs in plan.values():
        progress.step(f"{backend.name}: {', '.join(o.name for o in outputs)}")
        predictions = service.predict_interval(
            genome, interval, outputs, organism, params.get("ontology_terms") or None
        )
        for output_type, prediction in predictions.items():
            write_tracks(job, prediction, output_type, chrom, dict(genome.lengths), backend)
        progress.add()
