"""Creating jobs over the API: every kind by JSON, a VCF by multipart; clear 400s and a 413."""

from __future__ import annotations

import gzip

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from predictions.models import Job, Variant

VCF = (
    "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
    "20\t2443281\tSNRPB_donor_GT_broken\tC\tA\t.\t.\t.\n"
    "20\t2443280\tSNRPB_donor_GT_to_GC\tA\tG\t.\t.\t.\n"
    "20\t2443281\twrong_ref\tG\tA\t.\t.\t.\n"
)


@pytest.fixture
def post(owner_api, django_capture_on_commit_callbacks):
    """POST and return (response, number of on-commit callbacks); callbacks never run (no model)."""

    def _post(data, fmt="json"):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = owner_api.post("/api/v1/jobs/", data, format=fmt)
        return response, len(callbacks)

    return _post


def test_variants_as_json_text(post, owner, demo_assembly):
    response, enqueued = post(
        {"mode": "variants", "assembly": "GRCh37-chr20", "variants_text": "chr20:2443281:C>A"}
    )
    assert response.status_code == 201, response.json()
    assert enqueued == 1
    body = response.json()
    job = Job.objects.get(code=body["code"], owner=owner)
    assert (body["kind"], body["status"], body["url"]) == ("variants", "queued", f"/jobs/{job.code}/")
    assert [(v.chrom, v.pos, v.ref, v.alt) for v in job.variants.all()] == [("20", 2443281, "C", "A")]
    assert job.parameters["spliceai"] == {"distance": 50, "mask": False}


def test_default_assembly_is_used_when_none_is_named(post, demo_assembly):
    response, _ = post({"mode": "variants", "variants_text": "20-2443281-C-A"})
    assert response.status_code == 201
    assert response.json()["assembly"] == "GRCh37-chr20"


def test_vcf_by_multipart_keeps_accepted_and_rejected_lines(post, owner, demo_assembly):
    upload = SimpleUploadedFile("snrpb.vcf.gz", gzip.compress(VCF.encode()))
    response, enqueued = post(
        {
            "mode": "vcf",
            "assembly": "GRCh37-chr20",
            "vcf_file": upload,
            "output_types": ["SPLICE_SITES", "RNA_SEQ"],
        },
        fmt="multipart",
    )
    assert response.status_code == 201, response.json()
    assert enqueued == 1
    job = Job.objects.get(owner=owner)
    assert job.variants.filter(status=Variant.Status.ACCEPTED).count() == 2
    rejected = job.variants.get(status=Variant.Status.REJECTED)
    assert rejected.line == 5
    assert job.parameters["input_name"] == "snrpb.vcf.gz"
    assert job.parameters["output_types"] == ["SPLICE_SITES", "RNA_SEQ"]
    assert job.parameters["spliceai"] is not None  # multipart without the flag keeps the default


def test_locus_job(post, demo_assembly):
    response, enqueued = post(
        {"mode": "locus", "locus": "chr20:2,440,001-2,450,000", "sequence_length": "128KB"}
    )
    assert response.status_code == 201 and enqueued == 1
    body = response.json()
    assert body["kind"] == "interval"
    assert body["parameters"]["end"] - body["parameters"]["start"] == 131_072


def test_gene_job(post, demo_assembly):
    response, _ = post({"mode": "gene", "gene": "SNRPB"})
    assert response.status_code == 201
    assert response.json()["title"].startswith("SNRPB")


def test_ism_job(post, demo_assembly):
    response, _ = post({"mode": "ism", "ism_locus": "chr20:2443260-2443300"})
    assert response.status_code == 201
    assert response.json()["kind"] == "ism"


def test_sequence_job_is_stored_without_an_assembly(post, demo_assembly):
    response, enqueued = post({"mode": "sequence", "sequence": "ACGTNACGT"})
    assert response.status_code == 201, response.content
    assert enqueued == 1
    body = response.json()
    assert (body["kind"], body["assembly"]) == ("sequence", None)
    assert body["parameters"]["sequence"] == "ACGTNACGT"


def test_scoring_options_are_stored(post, demo_assembly):
    response, _ = post(
        {
            "mode": "variants",
            "variants_text": "chr20:2443281:C>A",
            "spliceai_distance": 500,
            "spliceai_mask": True,
            "ontology_terms": ["UBERON:0002048"],
        }
    )
    params = response.json()["parameters"]
    assert params["spliceai"] == {"distance": 500, "mask": True}
    assert params["ontology_terms"] == ["UBERON:0002048"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"mode": "nonsense"}, "mode"),
        ({"mode": "variants", "assembly": "hg38", "variants_text": "chr20:2443281:C>A"}, "assembly"),
        ({"mode": "variants", "variants_text": "chr20:2443281:G>A"}, "variants_text"),
        ({"mode": "vcf"}, "vcf_file"),
        ({"mode": "locus", "locus": "chr20:0-0"}, "locus"),
        ({"mode": "gene", "gene": "NOSUCHGENE"}, "gene"),
        ({"mode": "sequence", "sequence": "ACGU"}, "sequence"),
        ({"mode": "ism", "ism_locus": "chr20:2443000-2444000"}, "ism_locus"),
        ({"mode": "locus", "locus": "chr20:1-100", "sequence_length": "2MB"}, "sequence_length"),
        ({"mode": "locus", "locus": "chr20:1-100", "output_types": ["EVERYTHING"]}, "output_types"),
        ({"mode": "locus", "locus": "chr20:1-100", "ontology_terms": ["lung"]}, "ontology_terms"),
    ],
)
def test_bad_input_is_400_naming_the_field(post, demo_assembly, data, field):
    response, enqueued = post(data)
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert enqueued == 0
    assert Job.objects.count() == 0


def test_all_rejected_lines_are_listed_with_their_reasons(post, demo_assembly):
    response, _ = post({"mode": "variants", "variants_text": "chr20:2443281:G>A\nchr20:2443281:C>C\n"})
    assert response.status_code == 400
    messages = response.json()["variants_text"]
    assert messages[1].startswith("line 1: ") and messages[2].startswith("line 2: ")


def test_oversize_upload_is_413_with_a_clear_message(owner_api, demo_assembly, settings):
    settings.GENOMEAPP_MAX_UPLOAD_BYTES = 2048
    upload = SimpleUploadedFile("big.vcf", (VCF * 40).encode())
    response = owner_api.post("/api/v1/jobs/", {"mode": "vcf", "vcf_file": upload}, format="multipart")
    assert response.status_code == 413
    assert response.json() == {"vcf_file": [f"big.vcf is {len(VCF * 40):,} bytes; the limit is 2,048"]}
    assert Job.objects.count() == 0


def test_gzip_that_inflates_past_the_limit_is_413(owner_api, demo_assembly, settings):
    settings.GENOMEAPP_MAX_UPLOAD_BYTES = 4096
    settings.GENOMEAPP_MAX_DECOMPRESSED_BYTES = 80 * 1024
    payload = gzip.compress((VCF + "##pad\n" * 40_000).encode())
    upload = SimpleUploadedFile("bomb.vcf.gz", payload)
    response = owner_api.post("/api/v1/jobs/", {"mode": "vcf", "vcf_file": upload}, format="multipart")
    assert response.status_code == 413
    assert "GENOMEAPP_MAX_DECOMPRESSED_BYTES" in response.json()["vcf_file"][0]


def test_too_many_variants_is_400(post, demo_assembly, settings):
    settings.GENOMEAPP_MAX_VARIANTS_PER_JOB = 1
    response, _ = post({"mode": "variants", "variants_text": "chr20:2443281:C>A\nchr20:2443280:A>G\n"})
    assert response.status_code == 400
    assert "variants_text" in response.json()


def test_body_announced_over_the_limit_is_413_before_reading(owner_api, demo_assembly, settings):
    settings.GENOMEAPP_MAX_UPLOAD_BYTES = 2048
    response = owner_api.post(
        "/api/v1/jobs/", {"mode": "vcf"}, format="multipart", CONTENT_LENGTH=str(50 * 1024 * 1024)
    )
    assert response.status_code == 413
    assert "the limit is 2,048 bytes" in response.json()["vcf_file"][0]
    assert Job.objects.count() == 0


def test_anonymous_oversize_post_is_still_401(anonymous_api, demo_assembly, settings):
    settings.GENOMEAPP_MAX_UPLOAD_BYTES = 2048
    response = anonymous_api.post(
        "/api/v1/jobs/", {"mode": "vcf"}, format="multipart", CONTENT_LENGTH="99999999"
    )
    assert response.status_code == 401
