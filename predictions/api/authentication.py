"""API-key authentication for scripts: `Authorization: Bearer <key>` or `X-Api-Key: <key>`."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from predictions.models import ApiKey


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiKey] | None:
        raw_key = request.headers.get("X-Api-Key", "")
        header = request.headers.get("Authorization", "")
        if not raw_key and header.startswith(f"{self.keyword} "):
            raw_key = header[len(self.keyword) + 1 :].strip()
        if not raw_key:
            return None
        key = ApiKey.objects.authenticate(raw_key)
        if key is None:
            raise exceptions.AuthenticationFailed("invalid or revoked API key")
        return key.user, key

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """Describes API-key authentication in the OpenAPI schema (bearer token)."""

    target_class = "predictions.api.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key from `manage.py create_api_key` (or send it as `X-Api-Key`).",
        }
