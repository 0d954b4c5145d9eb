"""SpliceAI splice-site probability tracks around variants (REF, ALT, ALT−REF) as bigWigs."""

from __future__ import annotations

import numpy as np
import pandas as pd
from django.conf import settings

from model.genome import Genome, reverse_complement
from model.scoring.alignment import align_alternate
from model.spliceai.ensemble import SpliceAIEnsemble, default_ensemble
from predictions.models import Job, TrackFile, Variant
from predictions.runners.progress import Progress
from predictions.tracks import write_bigwig

BROWSER_HALF_WIDTH = 1000  # bp each side of a variant with browser tracks
SPLICE_CLASSES = {"acceptor": 1, "donor": 2}  # SpliceAI's output columns: neither, acceptor, donor
PROVENANCE = "SpliceAI-10k (Illumina), ensemble of 5"


def allele_probabilities(
    ensemble: SpliceAIEnsemble, genome: Genome, variant: Variant, strand: str, half_width: int
) -> tuple[int, np.ndarray, np.ndarray]:
    """REF and ALT splice-site probabilities `[2 * half_width + len(REF), 3]` around `variant`.

    ALT is aligned onto REF coordinates (inserted bases summarised by max, deleted bases 0), so
    ALT − REF lines up base for base. Returns the 0-based window start too.
    """
    start = variant.pos - 1 - half_width
    end = variant.pos - 1 + len(variant.ref) + half_width
    flank = ensemble.flank
    deleted = max(0, len(variant.ref) - len(variant.alt))
    context = genome.fetch(variant.chrom, start - flank, end + flank + deleted)
    offset = half_width + flank  # the variant's first REF base in `context`
    ref_sequence = context[: len(context) - deleted]
    alt_sequence = context[:offset] + variant.alt + context[offset + len(variant.ref) :]
    alt_sequence = alt_sequence[: len(ref_sequence)]
    alt_sequence += "N" * (len(ref_sequence) - len(alt_sequence))
    if strand == "-":
        ref_out, alt_out = ensemble.predict_windows(
            [reverse_complement(ref_sequence), reverse_complement(alt_sequence)]
        )
        ref_out, alt_out = ref_out[::-1], alt_out[::-1]
    else:
        ref_out, alt_out = ensemble.predict_windows([ref_sequence, alt_sequence])
    alt_aligned = align_alternate(alt_out, half_width, len(variant.ref), len(variant.alt))
    return start, ref_out, alt_aligned


def write_variant_tracks(
    job: Job, variants: list[Variant], genome: Genome, genes: pd.DataFrame, progress: Progress
) -> None:
    """For each variant, acceptor and donor probability tracks on its top gene's strand."""
    ensemble = default_ensemble()
    strands = _gene_strands(genes)
    sizes = {name: length for name, length in genome.lengths.items()}
    folder = job.results_dir() / "variants"
    for variant in variants:
        strand = strands.get(variant.top_gene, "+")
        with progress.timing("model"):
            start, ref, alt = allele_probabilities(ensemble, genome, variant, strand, BROWSER_HALF_WIDTH)
        rows = []
        for label, column in SPLICE_CLASSES.items():
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
                        provenance=PROVENANCE,
                    )
                )
        TrackFile.objects.bulk_create(rows)
        progress.add()


def _gene_strands(genes: pd.DataFrame) -> dict[str, str]:
    return dict(zip(genes["gene_name"], genes["strand"], strict=True)) if len(genes) else {}
