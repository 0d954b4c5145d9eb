"""Interval jobs: predict every requested output type over the window and write a file per track."""

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
from predictions.tracks import write_bigwig, write_heatmap_png, write_junctions_bed

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
) -> dict[OutputType, TrackSet]:
    """The same call the gRPC server makes (`model.inference.predict_interval`), so both agree."""
    organism = Organism[job.assembly.organism] if job.assembly else Organism.HOMO_SAPIENS
    return predict_interval(
        get_backend(backend_name),
        genome,
        interval,
        outputs,
        organism,
        job.parameters.get("ontology_terms") or None,
    )


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
    job: Job, track_set: TrackSet, output_type: OutputType, chrom: str, sizes: dict[str, int], backend: str
) -> int:
    """Files for the first MAX_TRACKS_PER_OUTPUT tracks: bigWig for 1-D tracks, BED junctions for
    SPLICE_JUNCTIONS, PNG heatmaps for CONTACT_MAPS (igv.js cannot draw those from our files)."""
    folder = job.results_dir() / "tracks" / output_type.name.lower()
    tracks = list(track_set.metadata.head(MAX_TRACKS_PER_OUTPUT).itertuples())
    rows = []
    for index, meta in enumerate(tracks):
        strand = getattr(meta, "strand", ".")
        label = f"{meta.name} ({strand})" if strand in ("+", "-") else str(meta.name)
        if output_type is OutputType.SPLICE_JUNCTIONS:
            path = folder / f"{index:03d}.junctions.bed"
            positions = getattr(track_set, "splice_site_positions", None)
            write_junctions_bed(path, chrom, track_set.start, track_set.values, positions, index, strand)
            file_format = "junctions"
        elif track_set.values.ndim == 3:
            path = folder / f"{index:03d}.png"
            write_heatmap_png(path, track_set.values[:, :, index], f"{output_type.name} {meta.name}")
            file_format = "png"
        else:
            path = folder / f"{index:03d}.bw"
            write_bigwig(
                path, sizes, chrom, track_set.start, track_set.values[:, index], track_set.resolution
            )
            file_format = "bigwig"
        rows.append(_track_file(job, output_type, label, path, file_format, backend, track_set.provenance))
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
