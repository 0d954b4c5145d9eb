"""Hostile-input tests: the corpus in tests/data/bad_inputs/ and generated cases (hypothesis,
schemathesis), each answered with a 4xx that names the problem, in bounded time. Run them on
Postgres (as CI does): SQLite accepts text that Postgres refuses."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from predictions.assemblies import gene_index_for, genome_for
from predictions.models import ApiKey, Assembly
from tests.predictions.bad_inputs import tally
from tests.predictions.web.fixtures import _isolated  # noqa: F401 - results under a temporary MEDIA_ROOT


@pytest.fixture(autouse=True)
def _no_job_rate_limit(settings: Any) -> None:
    """The corpus posts hundreds of jobs a minute as one user; the rate limit has tests of its own."""
    settings.GENOMEAPP_JOB_RATE_LIMIT_PER_MINUTE = 1_000_000


@pytest.fixture
def warm_assembly(demo_assembly: Assembly) -> Assembly:
    """The demo assembly with its genome and gene index loaded, so that no case pays for loading."""
    genome_for(demo_assembly)
    gene_index_for(demo_assembly)
    return demo_assembly


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if tally.TRIED:
        terminalreporter.section("bad inputs: tried and passed")
        for line in tally.summary():
            terminalreporter.write_line(line)


@pytest.fixture
def owner_api(owner: Any) -> APIClient:
    """The owner's REST client, by API key (as scripts use it)."""
    _, raw_key = ApiKey.issue(owner, "bad inputs")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    return api
