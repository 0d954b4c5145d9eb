"""The start page: each input mode creates a job (enqueued on commit, not run here); errors name the field."""

from __future__ import annotations

import gzip

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import escape

from predictions.models import Job, Variant

# Real chr20 (GRCh37) alleles: the SNRPB exon-2 donor, as in the demo VCF.
SNRPB_DONOR = "20\t2443281\tSNRPB_donor_GT_broken\tC\tA\t.\t.\t.\n"
VCF_TEXT = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n" + SNRPB_DONOR


def form_data(mode: str, **fields: object) -> dict[str, object]:
    return {
        "assembly": "GRCh37-chr20",
        "mode": mode,
        "sequence_length": "16KB",
        "output_types": ["SPLICE_SITES"],
        "spliceai": "on",
        "spliceai_distance": "50",
        **fields,
    }


def test_anonymous_visitor_is_sent_to_log_in(anonymous_client, demo_assembly):
    response = anonymous_client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/")


def test_owner_sees_the_form_with_the_demo_assembly_preselected(owner_client, demo_assembly):
    response = owner_client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="mode"' in html and 'name="vcf_file"' in html
    assert '<option value="GRCh37-chr20" selected>' in html
    assert 'enctype="multipart/form-data"' in html


def test_variants_as_text_create_a_queued_job_and_enqueue_it_on_commit(
    owner_client, owner, demo_assembly, django_capture_on_commit_callbacks
):
    text = "chr20:2443281:C>A\n20-2443280-A-G\n20_2443281_C_T_b37\nchr20:2443281:G>A\n"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = owner_client.post("/", form_data("variants", variants_text=text))
    job = Job.objects.get(owner=owner)
    assert response.status_code == 302
    assert response["Location"] == f"/jobs/{job.code}/"
    assert len(callbacks) == 1
    assert (job.kind, job.status, job.assembly) == (Job.Kind.VARIANTS, Job.QUEUED, demo_assembly)
    accepted = job.variants.filter(status=Variant.Status.ACCEPTED).order_by("line")
    assert [(v.chrom, v.pos, v.ref, v.alt) for v in accepted] == [
        ("20", 2443281, "C", "A"),
        ("20", 2443280, "A", "G"),
        ("20", 2443281, "C", "T"),
    ]
    rejected = job.variants.get(status=Variant.Status.REJECTED)
    assert rejected.line == 4 and "G" in rejected.message and "C" in rejected.message  # both alleles shown
    assert job.progress_total == 3
    assert job.parameters["spliceai"] == {"distance": 50, "mask": False}
    assert job.parameters["sequence_length"] == 16_384


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_vcf_upload_creates_a_job_named_after_the_file(
    owner_client, owner, demo_assembly, django_capture_on_commit_callbacks, compress
):
    payload = gzip.compress(VCF_TEXT.encode()) if compress else VCF_TEXT.encode()
    upload = SimpleUploadedFile("mine.vcf.gz" if compress else "mine.vcf", payload)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = owner_client.post("/", form_data("vcf", vcf_file=upload))
    assert response.status_code == 302
    job = Job.objects.get(owner=owner)
    assert len(callbacks) == 1
    variant = job.variants.get()
    assert (variant.pos, variant.ref, variant.alt, variant.variant_id) == (
        2443281,
        "C",
        "A",
        "SNRPB_donor_GT_broken",
    )
    assert job.parameters["input_name"] == upload.name


def test_locus_creates_an_interval_job_with_a_centred_window(
    owner_client, owner, demo_assembly, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = owner_client.post("/", form_data("locus", locus="chr20:2,440,001-2,450,000"))
    assert response.status_code == 302
    job = Job.objects.get(owner=owner)
    assert len(callbacks) == 1
    assert job.kind == Job.Kind.INTERVAL
    params = job.parameters
    assert params["end"] - params["start"] == 16_384
    assert (params["start"] + params["end"]) // 2 == (2_440_000 + 2_450_000) // 2
    assert params["locus"] == "20:2440001-2450000"


def test_gene_creates_an_interval_job_over_the_gene(
    owner_client, owner, demo_assembly, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = owner_client.post("/", form_data("gene", gene="snrpb", sequence_length="128KB"))
    assert response.status_code == 302
    job = Job.objects.get(owner=owner)
    assert len(callbacks) == 1
    assert job.kind == Job.Kind.INTERVAL and job.title.startswith("SNRPB")
    assert job.parameters["end"] - job.parameters["start"] == 131_072


def test_sequence_creates_a_sequence_job(
    owner_client, owner, demo_assembly, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = owner_client.post("/", form_data("sequence", sequence="acgt acgt\nNNAC"))
    assert response.status_code == 302
    job = Job.objects.get(owner=owner)
    assert len(callbacks) == 1
    assert (job.kind, job.assembly) == (Job.Kind.SEQUENCE, None)
    assert job.parameters["sequence"] == "ACGTACGTNNAC"


def test_ism_creates_an_ism_job(owner_client, owner, demo_assembly, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = owner_client.post("/", form_data("ism", ism_locus="chr20:2443260-2443300"))
    assert response.status_code == 302
    job = Job.objects.get(owner=owner)
    assert len(callbacks) == 1
    assert job.kind == Job.Kind.ISM
    assert (job.parameters["start"], job.parameters["end"]) == (2443259, 2443300)


@pytest.mark.parametrize(
    ("fields", "field", "fragment"),
    [
        ({"mode": "variants", "variants_text": "not a variant\n"}, "variants_text", "line 1: "),
        ({"mode": "variants", "variants_text": ""}, "variants_text", ""),
        ({"mode": "vcf"}, "vcf_file", "choose a VCF file"),
        ({"mode": "locus", "locus": "chr99:1-100"}, "locus", "chr99"),
        ({"mode": "locus", "locus": "chr20:500-100"}, "locus", ""),
        ({"mode": "gene", "gene": "NOSUCHGENE"}, "gene", "NOSUCHGENE"),
        ({"mode": "sequence", "sequence": "ACGTXZ"}, "sequence", "X, Z"),
        ({"mode": "ism", "ism_locus": "chr20:2443000-2444000"}, "ism_locus", "at most 200 bp"),
        (
            {"mode": "variants", "variants_text": "chr20:2443281:C>A", "ontology_terms": "lung"},
            "ontology_terms",
            "lung",
        ),
        (
            {"mode": "variants", "variants_text": "chr20:2443281:C>A", "spliceai_distance": "9000"},
            "spliceai_distance",
            "",
        ),
    ],
    ids=[
        "bad-variant-line",
        "no-variants",
        "vcf-missing",
        "unknown-contig",
        "start-after-end",
        "unknown-gene",
        "non-ACGTN",
        "ism-too-wide",
        "ontology-not-a-curie",
        "distance-out-of-range",
    ],
)
def test_invalid_input_is_shown_on_its_field_and_creates_no_job(
    owner_client, demo_assembly, fields, field, fragment
):
    data = form_data(fields.pop("mode"), **fields)
    response = owner_client.post("/", data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors, errors
    assert fragment in " ".join(errors[field])
    assert Job.objects.count() == 0
    assert escape(errors[field][0]) in response.content.decode()  # shown on the page, not only in the form


def test_oversize_upload_is_refused_with_413_and_the_limit(owner_client, demo_assembly, settings):
    settings.GENOMEAPP_MAX_UPLOAD_BYTES = 2048
    upload = SimpleUploadedFile("big.vcf", (VCF_TEXT + SNRPB_DONOR * 200).encode())
    response = owner_client.post("/", form_data("vcf", vcf_file=upload))
    assert response.status_code == 413
    message = " ".join(response.context["form"].errors["vcf_file"])
    assert "big.vcf" in message and "2,048" in message
    assert Job.objects.count() == 0


def test_gzip_that_inflates_past_the_limit_is_refused_with_413(owner_client, demo_assembly, settings):
    settings.GENOMEAPP_MAX_UPLOAD_BYTES = 4096
    settings.GENOMEAPP_MAX_DECOMPRESSED_BYTES = 80 * 1024
    payload = gzip.compress((VCF_TEXT + "##pad\n" * 40_000).encode())  # 240 kB of text
    assert len(payload) < 4096
    response = owner_client.post("/", form_data("vcf", vcf_file=SimpleUploadedFile("bomb.vcf.gz", payload)))
    assert response.status_code == 413
    assert "vcf_file" in response.context["form"].errors
    assert Job.objects.count() == 0


def test_more_variants_than_the_job_limit_is_refused(owner_client, demo_assembly, settings):
    settings.GENOMEAPP_MAX_VARIANTS_PER_JOB = 2
    text = "chr20:2443281:C>A\nchr20:2443281:C>G\nchr20:2443281:C>T\n"
    response = owner_client.post("/", form_data("variants", variants_text=text))
    assert response.status_code == 400
    assert "2" in " ".join(response.context["form"].errors["variants_text"])
    assert Job.objects.count() == 0


def test_without_any_assembly_the_page_says_how_to_add_one(owner_client):
    response = owner_client.get("/")
    assert response.status_code == 200
    assert "No assembly is registered" in response.content.decode()


def test_body_announced_over_the_limit_is_refused_before_reading(owner_client, demo_assembly, settings):
    settings.GENOMEAPP_MAX_UPLOAD_BYTES = 2048
    response = owner_client.post("/", form_data("vcf"), CONTENT_LENGTH=str(50 * 1024 * 1024))
    assert response.status_code == 413
    assert "the limit is 2,048 bytes" in response.content.decode()
    assert Job.objects.count() == 0
