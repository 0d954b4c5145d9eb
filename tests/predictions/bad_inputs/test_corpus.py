"""Every case of tests/data/bad_inputs/manifest.toml, over the REST API and (for form fields and
uploads) the start form, or as written (raw bodies, headers): the status the manifest names (a 4xx
naming the problem, never a 5xx), within tally.ANSWER_SECONDS, and for a mixed upload the valid
records kept as a job."""

from __future__ import annotations

import gzip
import html
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from predictions.models import Assembly, Job, Variant
from tests.predictions.bad_inputs import tally
from tests.predictions.web import factories

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).resolve().parents[2] / "data" / "bad_inputs"
CASES: list[dict[str, Any]] = tomllib.loads((CORPUS / "manifest.toml").read_text())["case"]
FIELDS = {
    "variants": "variants_text",
    "locus": "locus",
    "gene": "gene",
    "sequence": "sequence",
    "ism": "ism_locus",
}
FORM_DEFAULTS = {"sequence_length": "16KB", "spliceai_distance": "50", "output_types": ["SPLICE_SITES"]}


def _channels(via: str) -> tuple[str, ...]:
    """The REST API and the start form for uploads and fields; raw bodies and headers go as written."""
    if via == "vcf" or via in FIELDS:
        return ("api", "form")
    return ("api",) if via == "json" else ("http",)


CHANNELS = [
    pytest.param(case, channel, id=f"{case['name']}-{channel}")
    for case in CASES
    for channel in _channels(case["via"])
]


def test_manifest_names_every_file() -> None:
    named = {case["file"] for case in CASES if "file" in case}
    present = {str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*") if p.is_file()}
    assert named == present - {"manifest.toml", "make_corpus.py"}
    assert len({case["name"] for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case, channel", CHANNELS)
def test_case(
    case: dict[str, Any],
    channel: str,
    owner: Any,
    owner_api: APIClient,
    client: Client,
    warm_assembly: Assembly,
) -> None:
    client.force_login(owner)
    data = _input(case)
    with tally.case(f"corpus ({channel})"):
        response = _send(case, channel, data, owner_api, client, warm_assembly)
        tally.answered(f"corpus ({channel})", response.status_code)
        expected = 302 if channel == "form" and case["status"] == 201 else case["status"]
        text = _text(response)
        assert response.status_code == expected, text[:2000]
        for words in case["contains"]:
            assert words in text, f"{words!r} not in the answer: {text[:2000]}"
        if case["status"] == 201:
            _check_job(case, _job(response, channel))


def _input(case: dict[str, Any]) -> bytes:
    if "file" in case:
        data = (CORPUS / case["file"]).read_bytes()
        return gzip.decompress(data) if case.get("unwrap") == "gzip" else data
    text: str = case["value"] * case.get("repeat", 1)
    return text.encode("utf-8")


def _send(
    case: dict[str, Any], channel: str, data: bytes, api: APIClient, client: Client, assembly: Assembly
) -> Any:
    via = case["via"]
    if via == "json":
        return api.post("/api/v1/jobs/", data, content_type="application/json")
    if via == "header":
        return _send_header(case, api, client, assembly)
    if via == "raw":
        sender = api if case["path"].startswith("/api/") else client
        return sender.generic("POST", case["path"], data, content_type=case["content_type"])
    if via == "vcf":
        name = case.get("upload_name", Path(case["file"]).name.removesuffix(".gz")).format(pad="x" * 200)
        fields: dict[str, Any] = {"mode": "vcf", "vcf_file": SimpleUploadedFile(name, data)}
    else:
        fields = {"mode": via, FIELDS[via]: data.decode("utf-8")}
    if channel == "api":
        fmt = "multipart" if via == "vcf" else "json"
        return api.post("/api/v1/jobs/", {"assembly": assembly.name, **fields}, format=fmt)
    return client.post("/", {"assembly": assembly.name, **FORM_DEFAULTS, **fields})


def _send_header(case: dict[str, Any], api: APIClient, client: Client, assembly: Assembly) -> Any:
    value = case["value"] * case.get("repeat", 1)
    path = case["path"]
    if "{track_file}" in path:
        job = factories.make_scored_job(
            Job.objects.model._meta.apps.get_model("auth", "User").objects.get(), assembly
        )
        track = job.track_files.first()
        assert track is not None
        path = f"/jobs/{job.code}/files/{track.path.removeprefix(f'results/{job.code}/')}"
    meta = "CONTENT_LENGTH" if case["header"] == "Content-Length" else "HTTP_" + case["header"].upper()
    sender = api if path.startswith("/api/") else client
    return sender.generic(
        case["method"], path, b"", content_type=case.get("content_type", "application/json"), **{meta: value}
    )


def _text(response: Any) -> str:
    if response.streaming:
        return ""
    text = response.content.decode("utf-8", errors="replace")
    if response.get("Content-Type", "").startswith("text/html"):
        text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return text


def _job(response: Any, channel: str) -> Job:
    if channel == "api":
        return Job.objects.get(code=response.json()["code"])
    match = re.fullmatch(r"/jobs/([0-9a-f-]{36})/", response["Location"])
    assert match, response["Location"]
    return Job.objects.get(code=match[1])


def _check_job(case: dict[str, Any], job: Job) -> None:
    variants = job.variants.all()
    accepted = variants.filter(status=Variant.Status.ACCEPTED).count()
    rejected = list(variants.filter(status=Variant.Status.REJECTED).values_list("message", flat=True))
    assert (accepted, len(rejected)) == (case["accepted"], case["rejected"]), rejected
    reasons = " | ".join(rejected)
    for words in case.get("rejections", []):
        assert words in reasons, f"{words!r} not among the rejections: {reasons}"
    notes = " | ".join(job.parameters.get("notes", []))
    for words in case.get("notes", []):
        assert words in notes, f"{words!r} not in the notes: {notes}"
    assert len(job.title) <= Job._meta.get_field("title").max_length  # type: ignore[operator]
