"""schemathesis against the OpenAPI schema drf-spectacular serves (/api/v1/schema/): cases valid
and invalid by the schema for every operation, sent through Django's test client on Postgres as
the owner (real job codes and share-link tokens half the time, so the views do more than 404).
Every answer must be below 500, a 4xx must say why, and each must come within tally.ANSWER_SECONDS.
"""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient
from schemathesis import GenerationMode

from predictions.models import Assembly, ShareLink
from tests.predictions.bad_inputs import tally
from tests.predictions.web import factories

pytestmark = pytest.mark.django_db
EXAMPLES_PER_OPERATION = 80


@functools.cache
def api_schema() -> Any:
    """The schema as /api/v1/schema/ serves it (built in-process: no request, no database)."""
    return schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))


OPERATIONS = [result.ok() for result in api_schema().get_all_operations()]


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.label for op in OPERATIONS])
def test_operation(operation: Any, owner: Any, owner_api: APIClient, warm_assembly: Assembly) -> None:
    job = factories.make_scored_job(owner, warm_assembly)
    link = ShareLink.objects.create(job=job, created_by=owner)
    real = {"code": str(job.code), "token": link.token, "name": warm_assembly.name}
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)
    )

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases, use_real=st.booleans())
    def check(case: Any, use_real: bool) -> None:
        if use_real and case.path_parameters:
            for name in case.path_parameters:
                if name in real:
                    case.path_parameters[name] = real[name]
        with tally.case("schemathesis: OpenAPI operations (HTTP, Postgres)"):
            response = _send(owner_api, case)
            tally.answered("schemathesis: OpenAPI operations (HTTP, Postgres)", response.status_code)
            assert response.status_code < 500, (case.as_curl_command(), response.content[:500])
            if 400 <= response.status_code < 500 and response.status_code != 405:
                assert response.content.strip(), case.as_curl_command()

    check()


def _send(api: APIClient, case: Any) -> Any:
    """The case as a request through the Django test client (its body and headers prepared as
    `requests` would send them)."""
    kwargs = case.as_transport_kwargs(base_url="http://testserver")
    allowed = ("method", "url", "headers", "params", "data", "json", "files", "cookies")
    prepared = requests.Request(**{k: v for k, v in kwargs.items() if k in allowed}).prepare()
    url = urlsplit(prepared.url or "")
    path = url.path + (f"?{url.query}" if url.query else "")
    headers = {
        k: v for k, v in prepared.headers.items() if k.lower() not in ("content-type", "content-length")
    }
    extra = {
        "HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items() if k.lower() != "authorization"
    }
    body = prepared.body or b""
    return api.generic(
        prepared.method or "GET",
        path,
        body.encode() if isinstance(body, str) else body,
        content_type=prepared.headers.get("Content-Type", "application/octet-stream"),
        **extra,
    )
