"""What the igv.js browser of a job page needs: the local reference, gene track and result files.

The page's JS (frontend/static/genomeapp/js/track-configs.js) turns this into igv track configs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db.models import F
from django.urls import reverse

from predictions.access import JobAccess
from predictions.models import Assembly, Job, TrackFile, Variant

BROWSER_VARIANTS = 200  # variants listed in the browser's variant track and menu


def reference_config(assembly: Assembly) -> dict[str, Any]:
    """igv `reference` for an assembly served by this app (never a remote genome)."""
    fasta = Path(assembly.fasta_path)
    base = reverse("assembly-file", args=[assembly.name, fasta.name])
    config: dict[str, Any] = {
        "id": assembly.name,
        "name": assembly.description or assembly.name,
        "fastaURL": base,
        "indexURL": base + ".fai",
    }
    if fasta.suffix == ".gz":
        config["compressedIndexURL"] = base + ".gzi"
    return config


def browser_config(access: JobAccess) -> dict[str, Any]:
    job = access.job
    config: dict[str, Any] = {"tracks": [], "variants": [], "locus": job.parameters.get("locus", "")}
    if job.assembly is not None:
        config["reference"] = reference_config(job.assembly)
        config["genesURL"] = reverse("assembly-genes-bed", args=[job.assembly.name])
    elif job.kind == Job.Kind.SEQUENCE:
        config["reference"] = {
            "id": "sequence",
            "name": "submitted sequence",
            "fastaURL": access.url("files/sequence.fa"),
            "indexURL": access.url("files/sequence.fa.fai"),
        }
    variants = (
        job.variants.exclude(status=Variant.Status.REJECTED)
        .order_by(F("max_abs_score").desc(nulls_last=True), "id")  # unscored last on Postgres too
        .values("pk", "chrom", "pos", "ref", "alt", "variant_id", "top_gene", "max_abs_score")[
            :BROWSER_VARIANTS
        ]
    )
    config["variants"] = [
        {
            "key": row["pk"],
            "chrom": row["chrom"],
            "pos": row["pos"],
            "ref": row["ref"],
            "alt": row["alt"],
            "name": row["variant_id"] or f"{row['chrom']}:{row['pos']}:{row['ref']}>{row['alt']}",
            "gene": row["top_gene"],
            "score": row["max_abs_score"],
        }
        for row in variants
    ]
    if config["variants"]:
        config["variantsURL"] = access.url("variants.bed")
        if job.variants.filter(motif_changes__isnull=False).exists():
            config["motifsURL"] = access.url("motifs.bed")
    results_root = f"results/{job.code}/"
    for track in TrackFile.objects.filter(job=job).order_by(
        "variant_id", "output_type", "track_name", "allele"
    ):
        relative = track.path.removeprefix(results_root)
        config["tracks"].append(
            {
                "url": access.url(f"files/{relative}"),
                "name": track.track_name,
                "outputType": track.output_type,
                "allele": track.allele,
                "variant": track.variant_id,
                "format": track.file_format,
                "backend": track.backend,
                "provenance": track.provenance,
            }
        )
    return config
