"""Refuse an oversized upload from its Content-Length, before Django reads the body."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

# Form fields and multipart framing around the file.
ENVELOPE_BYTES = 1024 * 1024


def too_large(request: HttpRequest) -> str | None:
    """The message for a body that exceeds GENOMEAPP_MAX_UPLOAD_BYTES, or None."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    limit = settings.GENOMEAPP_MAX_UPLOAD_BYTES
    if length > limit + ENVELOPE_BYTES:
        return f"the upload is {length:,} bytes; the limit is {limit:,} bytes (GENOMEAPP_MAX_UPLOAD_BYTES)"
    return None


def reject_oversized(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """413 with a clear message (JSON for API clients) when the request body is over the limit."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST" and (message := too_large(request)):
            if request.path.startswith("/api/"):
                return JsonResponse({"vcf_file": [message]}, status=413)
            return HttpResponse(
                f"413 Request Entity Too Large: {message}", status=413, content_type="text/plain"
            )
        return view(request, *args, **kwargs)

    return wrapper
