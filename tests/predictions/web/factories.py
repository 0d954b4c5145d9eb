"""Result rows and files for page tests, written directly: no model runs in these tests.

A scored job looks like what the SpliceAI runner leaves behind: accepted variants with
DS_AG/DS_AL/DS_DG/DS_DL scores and offsets, one rejected input line, one variant the model
skipped, and a real bigWig (pyBigWig) under the job's results folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from predictions.models import Assembly, Job, Score, ShareLink, TrackFile, Variant
from predictions.tracks import write_bigwig

SPLICEAI_SCORER = "SpliceAI(distance=50)"
BIGWIG_RELATIVE = "variants/v_ACCEPTOR_DELTA.bw"


def make_job(owner: Any, assembly: Assembly | None, **fields: Any) -> Job:
    defaults: dict[str, Any] = {
        "kind": Job.Kind.VARIANTS,
        "title": "test job",
        "status": Job.SUCCEEDED,
        "parameters": {"locus": "chr20:2443281-2443281", "notes": []},
    }
    return Job.objects.create(owner=owner, assembly=assembly, **{**defaults, **fields})


def add_variant(job: Job, chrom: str, pos: int, ref: str, alt: str, **fields: Any) -> Variant:
    return Variant.objects.create(job=job, chrom=chrom, pos=pos, ref=ref, alt=alt, **fields)


def add_spliceai_scores(
    variant: Variant, gene: str, deltas: tuple[float, float, float, float], offsets: tuple[int, int, int, int]
) -> list[Score]:
    """Four SpliceAI rows for one (variant, gene), as predictions.runners.variants stores them."""
    rows = [
        Score.objects.create(
            job=variant.job,
            variant=variant,
            scorer=SPLICEAI_SCORER,
            output_type="SPLICE_SITES",
            track_name=name,
            track_strand="+",
            gene_id=gene,
            gene_name=gene,
            raw_score=delta,
            offset=offset,
            backend="spliceai",
        )
        for name, delta, offset in zip(("DS_AG", "DS_AL", "DS_DG", "DS_DL"), deltas, offsets, strict=True)
    ]
    variant.max_abs_score = max(abs(d) for d in deltas)
    variant.top_gene = gene
    variant.save(update_fields=["max_abs_score", "top_gene"])
    return rows


def add_track_score(variant: Variant, output_type: str, biosample: str, curie: str, value: float) -> Score:
    return Score.objects.create(
        job=variant.job,
        variant=variant,
        scorer=f"CenterMaskScorer({output_type})",
        output_type=output_type,
        track_name=f"{biosample} {output_type}",
        track_strand=".",
        ontology_curie=curie,
        biosample_name=biosample,
        gene_id="",
        gene_name="",
        raw_score=value,
        backend="alphagenome",
    )


def write_track(job: Job, variant: Variant | None = None, relative: str = BIGWIG_RELATIVE) -> TrackFile:
    """A real 1 kb bigWig on chr20 (values 0..0.999), registered as a TrackFile."""
    path = job.results_dir() / relative
    write_bigwig(path, {"20": 63_025_520}, "20", 2_442_780, np.arange(1000) / 1000.0)
    return TrackFile.objects.create(
        job=job,
        variant=variant,
        output_type="SPLICE_SITES",
        track_name="Acceptor (+)",
        allele=TrackFile.Allele.DELTA,
        file_format="bigwig",
        path=f"results/{job.code}/{relative}",
        backend="spliceai",
        provenance="test weights",
    )


def make_scored_job(owner: Any, assembly: Assembly | None) -> Job:
    """A finished SpliceAI variants job: two scored SNRPB variants, one rejected line, one skipped."""
    job = make_job(owner, assembly, title="SNRPB variants", progress_done=3, progress_total=3)
    strong = add_variant(job, "20", 2443281, "C", "A", variant_id="rs_strong", line=2)
    weak = add_variant(job, "20", 2443000, "G", "T", variant_id="", line=3)
    add_spliceai_scores(strong, "SNRPB", (0.01, 0.02, 0.0, 0.87), (3, -12, 40, 1))
    add_spliceai_scores(weak, "SNRPB", (0.05, 0.0, 0.0, 0.0), (7, 0, 0, 0))
    add_variant(
        job,
        "20",
        10,
        "A",
        "<DEL>",
        line=4,
        status=Variant.Status.REJECTED,
        message="symbolic ALT <DEL> is not supported",
    )
    add_variant(
        job,
        "20",
        63_025_000,
        "T",
        "C",
        line=5,
        status=Variant.Status.SKIPPED,
        message="no gene within the annotation",
    )
    write_track(job, strong)
    return job


def share(job: Job) -> ShareLink:
    return ShareLink.objects.create(job=job, created_by=job.owner)


def results_file(job: Job, relative: str = BIGWIG_RELATIVE) -> Path:
    return job.results_dir() / relative


# What model.inference.describe_backends() returns on the demo install (the real call imports JAX;
# page tests use this copy of its output to stay fast).
BACKENDS = [
    {
        "name": "alphagenome",
        "available": True,
        "output_types": ["ATAC", "CAGE", "DNASE", "RNA_SEQ", "SPLICE_SITES", "SPLICE_JUNCTIONS"],
        "provenance": "AlphaGenome architecture (Flax port, tiny preset) with random untrained weights "
        "(seed 0) - not biological predictions",
        "weights_trained": False,
        "licence": "code Apache-2.0; random weights (no weights licence)",
        "unavailable_reason": None,
    },
    {
        "name": "spliceai",
        "available": True,
        "output_types": ["SPLICE_SITES"],
        "provenance": "SpliceAI-10k (Illumina), ensemble of 5",
        "weights_trained": True,
        "licence": "SpliceAI-10k weights © Illumina, CC BY-NC 4.0: academic and non-commercial use only; "
        "other use requires a commercial licence from Illumina.",
        "unavailable_reason": None,
    },
]


def stub_backends(monkeypatch: object) -> None:
    for module in ("predictions.views.submit", "predictions.views.about", "predictions.api.views"):
        monkeypatch.setattr(f"{module}.describe_backends", lambda: BACKENDS)  # type: ignore[attr-defined]
