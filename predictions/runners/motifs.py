"""Motif gains and losses for a job's variants: JASPAR CORE vertebrates scanned on REF and ALT.

Stored on each variant as `motif_changes` (a list, [] when nothing changed, None when not
scanned), strongest change first. A re-queued job skips the variants it already scanned.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from model.service import Genome, MotifChange, MotifLibrary, variant_motif_changes
from predictions.models import Job, Variant
from predictions.runners.progress import Progress

BATCH = 500


def motif_source(library: MotifLibrary) -> str:
    """What the scan used and cannot see, for the job page, API and downloads."""
    return (
        f"{library.source} ({len(library.motifs)} matrices; MOODS scan; a site is a hit at "
        f"p ≤ {library.pvalue:g} and a change needs ≥ 10× in p between alleles; "
        f"{len(library.unreachable)} matrices too short to reach p {library.pvalue:g} are never called)"
    )


def as_record(change: MotifChange) -> dict[str, object]:
    record = dataclasses.asdict(change)
    for key in ("ref_score", "alt_score"):
        if record[key] is not None:
            record[key] = round(float(record[key]), 3)  # type: ignore[arg-type]
    for key in ("ref_pvalue", "alt_pvalue"):
        record[key] = float(f"{record[key]:.3g}")
    return record


def annotate(job: Job, variants: Sequence[Variant], genome: Genome, progress: Progress) -> None:
    """Scan every variant not scanned yet; counts one progress unit per variant."""
    library = MotifLibrary.jaspar()
    Job.objects.filter(pk=job.pk).update(parameters={**job.parameters, "motifs": motif_source(library)})
    job.parameters["motifs"] = motif_source(library)
    done = set(
        Variant.objects.filter(pk__in=[v.pk for v in variants], motif_changes__isnull=False).values_list(
            "pk", flat=True
        )
    )
    progress.add(len(done))
    batch: list[Variant] = []
    for variant in variants:
        if variant.pk in done:
            continue
        changes = variant_motif_changes(genome, variant.chrom, variant.pos, variant.ref, variant.alt, library)
        variant.motif_changes = [as_record(c) for c in changes]
        batch.append(variant)
        if len(batch) >= BATCH:
            Variant.objects.bulk_update(batch, ["motif_changes"])
            progress.add(len(batch))
            batch = []
    Variant.objects.bulk_update(batch, ["motif_changes"])
    progress.add(len(batch))


def summary(changes: list[dict[str, object]] | None, limit: int = 3) -> str:
    """e.g. "gain GATA1::TAL1 (MA0140.3, +); loss CTCF (MA0139.2, −) +4 more"; "" for none."""
    if not changes:
        return ""
    shown = [f"{c['effect']} {c['name']} ({c['matrix_id']}, {c['strand']})" for c in changes[:limit]]
    more = f" +{len(changes) - limit} more" if len(changes) > limit else ""
    return "; ".join(shown) + more
