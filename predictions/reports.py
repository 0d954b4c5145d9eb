"""Self-contained igv-reports HTML for a variant job, built offline.

igv-reports' templates load igv.js from a CDN; the report is built from a copy of its template
that points at the igv.js this server ships (npm `igv`), and `--standalone` inlines it, so the
HTML opens anywhere with no network.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings

from predictions import downloads
from predictions.gene_bed import gene_bed_path
from predictions.models import Job, Variant

REPORT_NAME = "report.html"
REPORT_VARIANTS = 200  # the top variants by max |score|
CDN_PREFIX = "https://cdn.jsdelivr.net/npm/igv@"
IGV_JS = Path(settings.BASE_DIR) / "frontend" / "node_modules" / "igv" / "dist" / "igv.min.js"


class ReportError(RuntimeError):
    pass


def offline_template(folder: Path) -> Path:
    """igv-reports' variant template with igv.js loaded from the local npm package."""
    spec = importlib.util.find_spec("igv_reports")
    if spec is None or not spec.submodule_search_locations:
        raise ReportError("the igv-reports package is not installed")
    source = Path(next(iter(spec.submodule_search_locations))) / "templates" / "variant_template.html"
    text = source.read_text()
    start = text.find(CDN_PREFIX)
    if start < 0:
        raise ReportError(f"{source} no longer loads igv.js from {CDN_PREFIX}; update predictions/reports.py")
    end = text.find('"', start)
    if not IGV_JS.exists():
        raise ReportError(f"{IGV_JS} is missing: run `npm ci` in frontend/")
    target = folder / "variant_template.html"
    target.write_text(text[:start] + IGV_JS.as_uri() + text[end:])
    return target


def write_report(job: Job) -> Path:
    """Write results/<code>/report.html for the job's top variants; returns its path."""
    assembly = job.assembly
    if assembly is None:
        raise ValueError(f"job {job.code} has no assembly: reports are for variant jobs")
    folder = job.results_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / REPORT_NAME
    top = set(
        job.variants.exclude(status=Variant.Status.REJECTED)
        .order_by("-max_abs_score", "id")
        .values_list("pk", flat=True)[:REPORT_VARIANTS]
    )
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        vcf = work / "variants.vcf"
        with open(vcf, "w") as out:
            out.writelines(downloads.annotated_vcf(job, only=top))
        command = [
            str(Path(sys.executable).parent / "create_report"),
            str(vcf),
            "--fasta",
            assembly.fasta_path,
            "--tracks",
            str(gene_bed_path(assembly, Path(settings.GENOMEAPP_DATA_DIR))),
            "--info-columns",
            "SpliceAI",
            "MAX_ABS_SCORE",
            "--flanking",
            "150",
            "--title",
            f"genomeapp job {job.code}: {job.title}",
            "--template",
            str(offline_template(work)),
            "--standalone",
            "--output",
            str(target),
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=1800)
        if result.returncode != 0:
            raise ReportError(f"create_report failed: {result.stderr.strip()[-2000:]}")
    return target
