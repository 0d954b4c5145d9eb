"""NUL and control characters in paths, query parameters and form fields get a 400 that names the
field, never a 500: Postgres refuses NUL in text where SQLite quietly stores it, so CI runs these on
Postgres."""

from __future__ import annotations

import pytest

from tests.predictions.web import factories

pytestmark = pytest.mark.django_db

HOSTILE = ["\x00", "SNRPB\x00", "\x1b[31m", "a\x07b"]


@pytest.fixture
def job(owner, demo_assembly):
    return factories.make_scored_job(owner, demo_assembly)


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize(
    "url, field",
    [
        ("/jobs/", "status"),
        ("/jobs/{code}/", "gene"),
        ("/jobs/{code}/", "tissue"),
        ("/jobs/{code}/", "min_score"),
        ("/api/v1/jobs/", "status"),
        ("/api/v1/jobs/", "kind"),
        ("/api/v1/jobs/{code}/variants/", "gene"),
        ("/assemblies/GRCh37-chr20/genes", "q"),
    ],
)
def test_query_parameters(owner_client, job, url, field, value):
    response = owner_client.get(url.format(code=job.code), {field: value})
    assert response.status_code == 400, response.content[:300]
    assert field.encode() in response.content


@pytest.mark.parametrize(
    "path", ["/s/\x00abc/", "/s/abc%00/", "/jobs/%00/", "/assemblies/GRCh37-chr20/genes%00"]
)
def test_paths(owner_client, path):
    assert owner_client.get(path).status_code in (400, 404)


@pytest.mark.parametrize("field, value", [("variants_text", "20:2443281:C>A\x00"), ("gene", "SNRPB\x00")])
def test_form_fields(owner_client, demo_assembly, field, value):
    mode = "variants" if field == "variants_text" else field
    data = {
        "assembly": demo_assembly.pk,
        "mode": mode,
        field: value,
        "sequence_length": "16KB",
        "spliceai_distance": 50,
        "output_types": ["SPLICE_SITES"],
    }
    response = owner_client.post("/", data)
    assert response.status_code == 400
    assert b"Null characters are not allowed" in response.content
