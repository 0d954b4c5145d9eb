"""The OpenAPI schema validates and describes the job endpoints; the docs page needs no CDN."""

from __future__ import annotations

import re

import yaml
from drf_spectacular.validation import validate_schema


def test_schema_is_valid_openapi(owner_client):
    response = owner_client.get("/api/v1/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    validate_schema(schema)  # raises on an invalid document
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in (
        "/api/v1/jobs/",
        "/api/v1/jobs/{code}/",
        "/api/v1/jobs/{code}/cancel/",
        "/api/v1/jobs/{code}/scores/",
        "/api/v1/jobs/{code}/tracks/",
        "/api/v1/jobs/{code}/variants/",
        "/api/v1/jobs/{code}/share-links/",
        "/api/v1/jobs/{code}/share-links/{token}/",
        "/api/v1/assemblies/",
        "/api/v1/backends/",
    ):
        assert path in paths, path
    assert "multipart/form-data" in paths["/api/v1/jobs/"]["post"]["requestBody"]["content"]
    score_params = {p["name"] for p in paths["/api/v1/jobs/{code}/scores/"]["get"]["parameters"]}
    assert {"gene", "output_type", "scorer", "min_abs_score"} <= score_params


def test_schema_as_json(owner_client):
    response = owner_client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    validate_schema(response.json())


def test_docs_page_loads_everything_from_this_server(owner_client):
    response = owner_client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert re.findall(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html) == []
    assert re.findall(r"https?://", html) == []
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    # no inline script or style (the Content-Security-Policy): the start-up script is a URL of its own
    assert re.findall(r"<script>|<style", html) == []
    script = owner_client.get("/api/v1/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")
    assert '"/api/v1/schema/"' in script.content.decode()


def test_schema_documents_the_revoke_as_204(owner_client):
    schema = yaml.safe_load(owner_client.get("/api/v1/schema/").content)
    revoke = schema["paths"]["/api/v1/jobs/{code}/share-links/{token}/"]["delete"]
    assert list(revoke["responses"]) == ["204"]
