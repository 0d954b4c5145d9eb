"""A job's motif gains and losses as BED9 for igv.js: one feature per changed site."""

from __future__ import annotations

import math
from collections.abc import Iterator

from predictions.models import Job, Variant

GAIN_RGB = "0,130,60"  # green: created by ALT
LOSS_RGB = "200,30,30"  # red: destroyed by ALT


def motif_bed_lines(job: Job) -> Iterator[str]:
    """BED9 rows sorted by position: name "gain:GATA1::TAL1(MA0140.3)@rs123", score 0..1000 from the fold."""
    rows = (
        job.variants.filter(status=Variant.Status.ACCEPTED, motif_changes__isnull=False)
        .order_by("chrom", "pos")
        .only("chrom", "pos", "ref", "alt", "variant_id", "motif_changes")
    )
    for variant in rows:
        label = variant.variant_id or f"{variant.pos}:{variant.ref}>{variant.alt}"
        for change in variant.motif_changes or []:
            low, high = sorted((float(change["ref_pvalue"]), float(change["alt_pvalue"])))
            fold = high / max(low, 1e-300)
            score = min(1000, int(100 * math.log10(max(fold, 1.0))))
            rgb = GAIN_RGB if change["effect"] == "gain" else LOSS_RGB
            start, end = int(change["start"]) - 1, int(change["end"])
            # igv.js splits BED rows on any whitespace: a name must have none
            name = f"{change['effect']}:{change['name']}({change['matrix_id']})@{label}".replace(" ", "_")
            fields = (variant.chrom, start, end, name, score, change["strand"], start, end, rgb)
            yield "\t".join(map(str, fields)) + "\n"
