"""Motif gains and losses stored per variant, shown in the API, the BED track and the downloads."""

from __future__ import annotations

import threading

import pytest

from model.service import MotifLibrary, variant_motif_changes
from predictions.assemblies import genome_for
from predictions.models import Job, Variant
from predictions.motif_bed import GAIN_RGB, LOSS_RGB, motif_bed_lines
from predictions.runners import motifs
from predictions.runners.progress import Progress
from tests.predictions.web.factories import add_variant, make_job

pytestmark = pytest.mark.django_db

# chr20:3,000,021 G>A destroys a ZNF281 (MA1630.3) site, among others; 3,000,000 is a plain SNV
CHANGING = ("20", 3_000_021, "G", "A")


def _annotate(job, variants) -> Progress:
    progress = Progress(job, len(variants), threading.Event())
    motifs.annotate(job, variants, genome_for(job.require_assembly()), progress)
    return progress


def test_each_variant_stores_what_the_scan_finds(owner, demo_assembly):
    job = make_job(owner, demo_assembly, status=Job.RUNNING)
    genome = genome_for(demo_assembly)
    ref = genome.fetch("20", CHANGING[1] - 1, CHANGING[1])
    assert ref == CHANGING[2]
    changing = add_variant(job, *CHANGING)
    deletion = add_variant(
        job,
        "20",
        3_000_100,
        genome.fetch("20", 3_000_099, 3_000_102),
        genome.fetch("20", 3_000_099, 3_000_100),
    )

    progress = _annotate(job, [changing, deletion])

    assert progress.done == 2
    for variant in (changing, deletion):
        variant.refresh_from_db()
        expected = variant_motif_changes(genome, variant.chrom, variant.pos, variant.ref, variant.alt)
        assert [motifs.as_record(c) for c in expected] == variant.motif_changes
    assert {"effect": "loss", "matrix_id": "MA1630.3", "name": "ZNF281", "strand": "+"}.items() <= next(
        c for c in changing.motif_changes if c["matrix_id"] == "MA1630.3"
    ).items()
    job.refresh_from_db()
    assert "JASPAR2024 CORE vertebrates" in job.parameters["motifs"]
    assert f"{len(MotifLibrary.jaspar().unreachable)} matrices too short" in job.parameters["motifs"]


def test_a_requeued_job_skips_variants_already_scanned(owner, demo_assembly):
    job = make_job(owner, demo_assembly, status=Job.RUNNING)
    scanned = add_variant(job, *CHANGING, motif_changes=[])  # stored by an earlier attempt
    fresh = add_variant(job, *CHANGING)  # the same SNV, not yet scanned

    progress = _annotate(job, [scanned, fresh])

    scanned.refresh_from_db()
    fresh.refresh_from_db()
    assert scanned.motif_changes == []  # not scanned again
    assert fresh.motif_changes  # scanned
    assert progress.done == 2


def test_bed_track_has_one_coloured_feature_per_change(owner, demo_assembly):
    job = make_job(owner, demo_assembly, status=Job.RUNNING)
    variant = add_variant(job, *CHANGING, variant_id="rs_test")
    _annotate(job, [variant])
    variant.refresh_from_db()

    lines = list(motif_bed_lines(job))

    assert len(lines) == len(variant.motif_changes) > 0
    fields = lines[0].rstrip("\n").split("\t")
    first = variant.motif_changes[0]
    assert fields[:3] == ["20", str(first["start"] - 1), str(first["end"])]
    assert fields[3] == f"{first['effect']}:{first['name']}({first['matrix_id']})@rs_test"
    assert all(len(line.split()) == 9 for line in lines)  # igv.js splits on any whitespace
    assert fields[5] == first["strand"]
    assert fields[8] == (GAIN_RGB if first["effect"] == "gain" else LOSS_RGB)


def test_summary_names_the_strongest_changes():
    changes = [{"effect": "gain", "name": f"TF{i}", "matrix_id": f"MA{i}", "strand": "+"} for i in range(5)]
    assert motifs.summary(changes) == "gain TF0 (MA0, +); gain TF1 (MA1, +); gain TF2 (MA2, +) +2 more"
    assert motifs.summary([]) == motifs.summary(None) == ""


def test_unscanned_variants_have_none(owner, demo_assembly):
    job = make_job(owner, demo_assembly, status=Job.RUNNING)
    assert add_variant(job, *CHANGING).motif_changes is None
    assert Variant.objects.filter(job=job, motif_changes__isnull=True).count() == 1


@pytest.fixture
def scanned_job(owner, demo_assembly):
    job = make_job(owner, demo_assembly, status=Job.RUNNING)
    variant = add_variant(job, *CHANGING, variant_id="rs_test")
    _annotate(job, [variant])
    Job.objects.filter(pk=job.pk).update(status=Job.SUCCEEDED)
    job.refresh_from_db()
    variant.refresh_from_db()
    return job, variant


def test_owner_and_share_link_see_the_motif_track_an_outsider_gets_404(client, owner, outsider, scanned_job):
    job, variant = scanned_job
    client.force_login(owner)
    response = client.get(f"/jobs/{job.code}/motifs.bed")
    assert response.status_code == 200
    assert response.content.decode().count("\n") == len(variant.motif_changes)
    token = job.share_links.create(created_by=owner).token
    client.logout()
    assert client.get(f"/s/{token}/motifs.bed").content == response.content
    client.force_login(outsider)
    assert client.get(f"/jobs/{job.code}/motifs.bed").status_code == 404


def test_api_tsv_vcf_and_page_carry_the_changes(client, owner, scanned_job):
    job, variant = scanned_job
    client.force_login(owner)
    first = variant.motif_changes[0]

    body = client.get(f"/api/v1/jobs/{job.code}/variants/").json()
    assert body["results"][0]["motif_changes"] == variant.motif_changes

    tsv = b"".join(client.get(f"/jobs/{job.code}/download/motifs.tsv").streaming_content).decode()
    lines = tsv.splitlines()
    assert lines[0].startswith("# motifs: JASPAR2024 CORE vertebrates")
    assert lines[1].split("\t")[:4] == ["variant_id", "effect", "factor", "matrix_id"]
    assert len(lines) == 2 + len(variant.motif_changes)
    assert lines[2].split("\t")[:5] == [
        "20:3000021:G>A",
        first["effect"],
        first["name"],
        first["matrix_id"],
        first["strand"],
    ]

    vcf = b"".join(client.get(f"/jobs/{job.code}/download/variants.vcf").streaming_content).decode()
    assert "##INFO=<ID=MOTIFS," in vcf
    record = next(line for line in vcf.splitlines() if line.startswith("20\t3000021"))
    motifs_field = next(f for f in record.split("\t")[7].split(";") if f.startswith("MOTIFS="))
    assert len(motifs_field.split(",")) == len(variant.motif_changes)
    assert motifs_field.removeprefix("MOTIFS=").split(",")[0].split("|")[:4] == [
        first["effect"],
        first["name"],
        first["matrix_id"],
        first["strand"],
    ]

    page = client.get(f"/jobs/{job.code}/").content.decode()
    assert f"{first['effect']} {first['name']}" in page
    assert "Motifs: JASPAR2024 CORE vertebrates" in page
    assert 'href="/jobs/' in page and "download/motifs.tsv" in page
