"""SpliceAI splice-site probability tracks around variants (REF, ALT, ALT−REF) as bigWigs."""

from __future__ import annotations

import numpy as np
import pandas as pd
from django.conf import settings

from model.service import (
    Genome,
    Interval,
    Organism,
    OutputType,
    PredictionService,
    TrackSet,
    align_alternate,
)
from model.service import Variant as ModelVariant
from predictions.models import Job, TrackFile, Variant
from predictions.runners.progress import Progress
from predictions.tracks import write_bigwig

BROWSER_HALF_WIDTH = 1000  # bp each side of a variant with browser tracks
SPLICE_CLASSES = ("acceptor", "donor")


def allele_probabilities(
    service: PredictionService, genome: Genome, variant: Variant, strand: str, half_width: int
) -> tuple[int, np.ndarray, np.ndarray, str]:
    """REF and ALT acceptor/donor probabilities `[2 * half_width + len(REF), 2]` on `strand`.

    ALT is aligned onto REF coordinates (inserted bases summarised by max, deleted bases 0), so
    ALT − REF lines up base for base. Returns the 0-based window start and the provenance too.
    """
    start = variant.pos - 1 - half_width
    window = Interval(variant.chrom, start, variant.pos - 1 + len(variant.ref) + half_width)
    allele = ModelVariant(variant.chrom, variant.pos, variant.ref, variant.alt)
    ref, alt = service.predict_variant(
        genome, window, allele, [OutputType.SPLICE_SITES], Organism.HOMO_SAPIENS
    )
    ref_tracks, alt_tracks = ref[OutputType.SPLICE_SITES], alt[OutputType.SPLICE_SITES]
    assert isinstance(ref_tracks, TrackSet) and isinstance(alt_tracks, TrackSet)  # splice sites are tracks
    meta = ref_tracks.metadata
    columns = [
        int(np.flatnonzero((meta["name"] == name) & (meta["strand"] == strand))[0]) for name in SPLICE_CLASSES
    ]
    alt_aligned = align_alternate(
        alt_tracks.values[:, columns], half_width, len(variant.ref), len(variant.alt)
    )
    return start, ref_tracks.values[:, columns], alt_aligned, ref_tracks.provenance


def write_variant_tracks(
    job: Job, variants: list[Variant], genome: Genome, genes: pd.DataFrame, progress: Progress
) -> None:
    """For each variant, acceptor and donor probability tracks on its top gene's strand."""
    service = PredictionService.default(("spliceai",))
    strands = _gene_strands(genes)
    sizes = {name: length for name, length in genome.lengths.items()}
    folder = job.results_dir() / "variants"
    # a re-queued job keeps the tracks it wrote: each variant's rows are stored together, after its files
    written = set(job.track_files.filter(variant__in=variants).values_list("variant_id", flat=True))
    for variant in variants:
        if variant.pk in written:
            progress.add()
            continue
        strand = strands.get(variant.top_gene, "+")
        with progress.timing("model"):
            start, ref, alt, provenance = allele_probabilities(
                service, genome, variant, strand, BROWSER_HALF_WIDTH
            )
        rows = []
        for column, label in enumerate(SPLICE_CLASSES):
            for allele, values in (
                ("REF", ref[:, column]),
                ("ALT", alt[:, column]),
                ("DELTA", alt[:, column] - ref[:, column]),
            ):
                name = f"{label} ({strand})"
                path = folder / f"v{variant.pk}_{label}_{allele}.bw"
                write_bigwig(path, sizes, genome.resolve_contig(variant.chrom), start, values)
                rows.append(
                    TrackFile(
                        job=job,
                        variant=variant,
                        output_type="SPLICE_SITES",
                        track_name=name,
                        allele=allele,
                        file_format="bigwig",
                        path=str(path.relative_to(settings.MEDIA_ROOT)),
                        backend="spliceai",
                        provenance=provenance,
                    )
                )
        TrackFile.objects.bulk_create(rows)
        progress.add()


def _gene_strands(genes: pd.DataFrame) -> dict[str, str]:
    return dict(zip(genes["gene_name"], genes["strand"], strict=True)) if len(genes) else {}
