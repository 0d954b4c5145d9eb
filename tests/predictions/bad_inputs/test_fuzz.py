"""Generated hostile input (hypothesis, derandomized: the same examples in every run): parsers
answer with a result or an InputError, never anything else; over HTTP (Postgres) every answer is
201 or a 4xx naming the problem; valid records planted among hostile lines are always kept.

Example counts are set so that this file takes well under a minute on one core; `tally` counts
them (printed at the end of the run).
"""

from __future__ import annotations

import functools
import gzip
import io
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from model import demo_assets
from model.service import Genome
from predictions import inputs
from predictions.assemblies import gene_index_for, genome_for
from predictions.inputs.formats import is_header_line
from predictions.models import Assembly, Job, Variant
from tests.predictions.bad_inputs import strategies, tally

FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,  # tally.case bounds each answer instead
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
LIMITS: dict[str, Any] = {
    "max_lines": 500_000,
    "max_line_chars": 1 << 20,
    "max_decompressed_bytes": 256 << 20,
}


@functools.cache
def demo_genome() -> Genome:
    return Genome(demo_assets.demo_fasta_path())


def planted_upload(lines: list[str], positions: list[int]) -> tuple[str, set[tuple[str, int, str, str]]]:
    """The lines with VALID_RECORDS inserted at `positions`, and the keys that must be accepted
    (none when a hostile line could legitimately change how the rest is read: a NUL refuses the
    whole file as binary, a `#CHROM` header line redefines the columns)."""
    text_lines = list(lines)
    for (chrom, pos, ref, alt), at in zip(strategies.VALID_RECORDS, positions, strict=True):
        text_lines.insert(min(at, len(text_lines)), f"{chrom}\t{pos}\tplanted\t{ref}\t{alt}")
    text = "\n".join(text_lines) + "\n"
    read_as = [line.strip() for line in io.StringIO(text, newline=None)]
    changes_reading = "\x00" in text or any(
        is_header_line(line) or is_header_line("#" + line) for line in read_as if line
    )
    return text, set() if changes_reading else set(strategies.VALID_RECORDS)


@settings(FUZZ, max_examples=1500)
@given(
    lines=strategies.vcf_lines,
    positions=st.lists(st.integers(0, 30), min_size=3, max_size=3),
    compression=st.sampled_from(["plain", "gzip"]),
)
def test_vcf_lines_keep_valid_records(lines: list[str], positions: list[int], compression: str) -> None:
    text, must_keep = planted_upload(lines, positions)
    data = text.encode("utf-8")
    with tally.case("hypothesis: VCF lines (parser)"):
        try:
            result = inputs.parse_vcf_bytes(
                gzip.compress(data) if compression == "gzip" else data,
                demo_genome(),
                10_000,
                50 << 20,
                **LIMITS,
            )
        except inputs.InputError as error:
            assert str(error) and error.status_code in (400, 413)
            assert not must_keep, f"the planted valid records were lost: {error}"
        else:
            accepted = {(v.chrom, v.pos, v.ref, v.alt) for v in result.accepted}
            assert must_keep <= accepted, result.rejected[:5]
            for variant in result.accepted:  # what is accepted matches the reference
                assert demo_genome().fetch(variant.chrom, variant.start, variant.end) == variant.ref


@settings(FUZZ, max_examples=1500)
@given(text=strategies.loci())
def test_loci(text: str) -> None:
    with tally.case("hypothesis: loci (parser)"):
        try:
            interval = inputs.parse_locus(text, demo_genome())
        except inputs.LocusError as error:
            assert str(error)
        else:
            assert 0 <= interval.start < interval.end <= demo_genome().lengths[interval.chrom]


@pytest.mark.django_db
@settings(FUZZ, max_examples=1000)
@given(name=strategies.gene_names)
def test_gene_names(name: str, warm_assembly: Assembly) -> None:
    index = gene_index_for(warm_assembly)
    with tally.case("hypothesis: gene names (parser)"):
        try:
            inputs.resolve_locus_or_gene(name, genome_for(warm_assembly), index)
        except inputs.LocusError as error:
            assert str(error)


@pytest.mark.django_db
@settings(FUZZ, max_examples=300)
@given(
    lines=strategies.vcf_lines,
    positions=st.lists(st.integers(0, 30), min_size=3, max_size=3),
    compression=st.sampled_from(["plain", "gzip"]),
)
def test_vcf_uploads_over_http(
    lines: list[str], positions: list[int], compression: str, owner_api: APIClient, warm_assembly: Assembly
) -> None:
    text, must_keep = planted_upload(lines, positions)
    data = text.encode("utf-8")
    upload = SimpleUploadedFile("fuzz.vcf", gzip.compress(data) if compression == "gzip" else data)
    with tally.case("hypothesis: VCF uploads (HTTP, Postgres)"):
        response = owner_api.post("/api/v1/jobs/", {"mode": "vcf", "vcf_file": upload}, format="multipart")
        tally.answered("hypothesis: VCF uploads (HTTP, Postgres)", response.status_code)
        assert response.status_code in (201, 400, 413), response.content[:500]
        if response.status_code != 201:
            assert response.json()["vcf_file"][0], response.content[:500]
            assert not must_keep, response.content[:500]
            return
        job = Job.objects.get(code=response.json()["code"])
        kept = set(
            job.variants.filter(status=Variant.Status.ACCEPTED).values_list("chrom", "pos", "ref", "alt")
        )
        assert must_keep <= kept


@pytest.mark.django_db
@settings(FUZZ, max_examples=150)
@given(sequence=strategies.sequences)
def test_sequences_over_http(sequence: str, owner_api: APIClient, warm_assembly: Assembly) -> None:
    with tally.case("hypothesis: sequences (HTTP, Postgres)"):
        response = owner_api.post("/api/v1/jobs/", {"mode": "sequence", "sequence": sequence}, format="json")
        tally.answered("hypothesis: sequences (HTTP, Postgres)", response.status_code)
        assert response.status_code in (201, 400), response.content[:500]
        if response.status_code == 400:
            assert response.json()["sequence"][0]


@pytest.mark.django_db
@settings(FUZZ, max_examples=600)
@given(body=strategies.job_bodies())
def test_job_bodies_over_http(body: dict[str, Any], owner_api: APIClient, warm_assembly: Assembly) -> None:
    with tally.case("hypothesis: API JSON bodies (HTTP, Postgres)"):
        raw = json.dumps(body, ensure_ascii=False, allow_nan=True)
        response = owner_api.post("/api/v1/jobs/", raw.encode("utf-8"), content_type="application/json")
        tally.answered("hypothesis: API JSON bodies (HTTP, Postgres)", response.status_code)
        assert response.status_code in (201, 400, 413), response.content[:500]
        if response.status_code != 201:
            problems = response.json()
            assert isinstance(problems, dict) and problems, problems  # {field: [why]} or {"detail": why}


@pytest.mark.django_db
@settings(FUZZ, max_examples=100)
@given(depth=st.integers(1, 5000), opener=st.sampled_from(["[", '{"a":']))
def test_json_nesting_over_http(
    depth: int, opener: str, owner_api: APIClient, warm_assembly: Assembly
) -> None:
    inner = "[" * depth + "]" * depth if opener == "[" else opener * depth + "1" + "}" * depth
    body = '{"mode": "variants", "variants_text": "20:2443281:C>A", "x": ' + inner + "}"
    with tally.case("hypothesis: JSON nesting (HTTP, Postgres)"):
        response = owner_api.post("/api/v1/jobs/", body.encode(), content_type="application/json")
        tally.answered("hypothesis: JSON nesting (HTTP, Postgres)", response.status_code)
        if depth + 1 > 32:
            assert response.status_code == 400, response.content[:300]
            assert "GENOMEAPP_MAX_JSON_DEPTH" in response.json()["detail"]
        else:
            assert response.status_code == 201, response.content[:300]


@pytest.mark.django_db
@settings(FUZZ, max_examples=200)
@given(body=strategies.job_bodies())
def test_start_form_over_http(
    body: dict[str, Any], owner: Any, client: Client, warm_assembly: Assembly
) -> None:
    client.force_login(owner)
    form = {"sequence_length": "16KB", "spliceai_distance": "50", "output_types": ["SPLICE_SITES"]}
    for name, value in body.items():  # as a browser sends them: strings, lists as repeated fields
        form[name] = [_form_text(v) for v in value] if isinstance(value, list) else _form_text(value)
    form.setdefault("assembly", warm_assembly.name)
    with tally.case("hypothesis: start form (HTTP, Postgres)"):
        response = client.post("/", form)
        tally.answered("hypothesis: start form (HTTP, Postgres)", response.status_code)
        assert response.status_code in (302, 400, 413), response.content[:500]
        if response.status_code == 400:
            assert b"errorlist" in response.content or b"Bad Request:" in response.content


def _form_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)
