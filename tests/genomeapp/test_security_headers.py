"""In production mode (GENOMEAPP_PRODUCTION=1, its own process) a page carries every security
header: the Content-Security-Policy, HSTS, X-Frame-Options, Referrer-Policy, nosniff and
Cross-Origin-Opener-Policy; plain HTTP is redirected and cookies are Secure."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.genomeapp.test_settings import PRODUCTION_ENV, ROOT

# Requests a page through Django's whole middleware stack and prints what came back. The hashed
# static-file names of production (collectstatic's manifest) are not what is tested: plain names.
PROBE = """
import json, django, django.conf
django.setup()
from django.test import Client, override_settings
plain_names = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
with override_settings(STORAGES={**django.conf.settings.STORAGES, "staticfiles": plain_names}):
    page = Client().get("/accounts/login/", secure=True, HTTP_HOST="genomes.example.org")
    plain = Client().get("/accounts/login/", HTTP_HOST="genomes.example.org")
print(json.dumps({
    "status": page.status_code, "headers": dict(page.headers),
    "cookies": {name: dict(morsel) for name, morsel in page.cookies.items()},
    "plain": [plain.status_code, plain.headers.get("Location", "")],
}))
"""


def production_response() -> dict:
    controlled = ("DJANGO_", "GENOMEAPP_PRODUCTION", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL")
    env = {k: v for k, v in os.environ.items() if not k.startswith(controlled)}
    env.update(PRODUCTION_ENV, DJANGO_SETTINGS_MODULE="genomeapp.settings")
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_production_page_carries_every_security_header():
    response = production_response()
    assert response["status"] == 200
    headers = {name.lower(): value for name, value in response["headers"].items()}

    policy = dict(
        (directive.split()[0], directive.split()[1:])
        for directive in headers["content-security-policy"].split(";")
        if directive.strip()
    )
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"][0] == "'self'"
    assert all(source.startswith("'sha256-") for source in policy["style-src"][1:])  # igv.js's two
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert "unsafe" not in headers["content-security-policy"]

    assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["cross-origin-opener-policy"] == "same-origin"
    assert response["cookies"]["csrftoken"]["secure"] is True
    assert response["plain"] == [301, "https://genomes.example.org/accounts/login/"]
