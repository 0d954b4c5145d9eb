"""Result files (with HTTP Range), downloads, the variant BED, and assembly reference files."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_safe

from predictions import downloads, front_proxy
from predictions.access import job_access
from predictions.assemblies import genes_for
from predictions.gene_bed import gene_bed_path
from predictions.models import Assembly, Variant
from predictions.motif_bed import motif_bed_lines
from predictions.ranged_files import ranged_file_response, safe_join


@require_safe  # igv.js sends HEAD for a file's length after a 416
@front_proxy.answers_front_proxy
def job_file(
    request: HttpRequest, path: str, code: uuid.UUID | None = None, token: str | None = None
) -> HttpResponseBase:
    """A result file of a job, by byte range; behind nginx, only the authorisation (see front_proxy)."""
    job = job_access(request, code, token).job
    file_path = safe_join(job.results_dir(), path)
    if front_proxy.is_authorisation_request(request):
        return front_proxy.authorised(file_path)
    return ranged_file_response(request, file_path)


@require_GET
def variants_bed(
    request: HttpRequest, code: uuid.UUID | None = None, token: str | None = None
) -> HttpResponse:
    job = job_access(request, code, token).job
    rows = job.variants.exclude(status=Variant.Status.REJECTED).order_by("chrom", "pos")
    lines = [
        f"{v.chrom}\t{v.pos - 1}\t{v.pos - 1 + len(v.ref)}\t{v.variant_id or f'{v.ref}>{v.alt}'}\t0\t.\n"
        for v in rows.only("chrom", "pos", "ref", "alt", "variant_id")
    ]
    return HttpResponse("".join(lines), content_type="text/plain")


@require_GET
def motifs_bed(request: HttpRequest, code: uuid.UUID | None = None, token: str | None = None) -> HttpResponse:
    """The job's motif gains (green) and losses (red) as BED9 for igv.js."""
    job = job_access(request, code, token).job
    return HttpResponse("".join(motif_bed_lines(job)), content_type="text/plain")


@require_GET
def download(
    request: HttpRequest, name: str, code: uuid.UUID | None = None, token: str | None = None
) -> HttpResponseBase:
    job = job_access(request, code, token).job
    makers = {
        "scores.tsv": (downloads.tidy_tsv, "text/tab-separated-values"),
        "variants.vcf": (downloads.annotated_vcf, "text/plain"),
        "motifs.tsv": (downloads.motifs_tsv, "text/tab-separated-values"),
    }
    if name == "report.html":
        return ranged_file_response(
            request, job.results_dir() / "report.html", filename=f"genomeapp-{job.code}-report.html"
        )
    if name not in makers:
        raise Http404("no such download")
    maker, content_type = makers[name]
    response = StreamingHttpResponse(maker(job), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="genomeapp-{job.code}-{name}"'
    return response


@require_safe  # igv.js sends HEAD for a file's length after a 416
@cache_control(max_age=3600)
def assembly_file(request: HttpRequest, name: str, filename: str) -> HttpResponseBase:
    """The assembly's FASTA and its .fai/.gzi: reference data, readable without logging in."""
    assembly = get_object_or_404(Assembly, name=name)
    fasta = Path(assembly.fasta_path)
    allowed = {
        fasta.name: fasta,
        f"{fasta.name}.fai": Path(f"{fasta}.fai"),
        f"{fasta.name}.gzi": Path(f"{fasta}.gzi"),
    }
    if filename not in allowed:
        raise Http404("no such reference file")
    return ranged_file_response(request, allowed[filename])


@require_safe  # igv.js sends HEAD for a file's length after a 416
@cache_control(max_age=3600)
def assembly_genes_bed(request: HttpRequest, name: str) -> HttpResponseBase:
    assembly = get_object_or_404(Assembly, name=name)
    return ranged_file_response(request, gene_bed_path(assembly, Path(settings.GENOMEAPP_DATA_DIR)))


@require_GET
def gene_suggestions(request: HttpRequest, name: str) -> JsonResponse:
    """Gene names starting with `q` (case-insensitive), for the start page's autocomplete."""
    assembly = get_object_or_404(Assembly, name=name)
    prefix = request.GET.get("q", "").strip().upper()
    genes = genes_for(assembly)
    if not prefix or genes.empty:
        return JsonResponse({"genes": []})
    hits = genes[genes["gene_name"].str.upper().str.startswith(prefix)].head(15)
    return JsonResponse(
        {
            "genes": [
                {
                    "name": row.gene_name,
                    "locus": f"{row.chrom}:{row.start + 1}-{row.end}",
                    "strand": row.strand,
                }
                for row in hits.itertuples()
            ]
        }
    )
