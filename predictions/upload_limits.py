"""Refuse an oversized request from its Content-Length, before Django reads the body: a multipart
upload over GENOMEAPP_MAX_UPLOAD_BYTES, or form fields and JSON over DATA_UPLOAD_MAX_MEMORY_SIZE."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from predictions.inputs.numbers import MAX_DIGITS, whole_number

# Form fields and multipart framing around the file.
ENVELOPE_BYTES = 1024 * 1024


def too_large(request: HttpRequest) -> str | None:
    """The message for a body over its limit, or None.

    Content-Length is read as `predictions.inputs.numbers` reads every number: a header that is
    not 1 to 18 ASCII digits is left to Django, which reads it as an empty body.
    """
    raw = (request.META.get("CONTENT_LENGTH") or "0").strip()
    length = whole_number(raw)
    if length is None:
        if not (raw.isascii() and raw.isdigit()):
            return None
        length = 10**MAX_DIGITS  # more than 18 digits: more than any limit
    shown = f"{length:,}" if len(raw) <= MAX_DIGITS else f"a {len(raw):,}-digit number of"
    if request.content_type == "multipart/form-data":
        limit = settings.GENOMEAPP_MAX_UPLOAD_BYTES
        if length > limit + ENVELOPE_BYTES:
            return f"the upload is {shown} bytes; the limit is {limit:,} bytes (GENOMEAPP_MAX_UPLOAD_BYTES)"
        return None
    body_limit: int | None = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if body_limit is not None and length > body_limit:
        return (
            f"the request body is {shown} bytes; the limit for form fields and JSON is {body_limit:,} "
            "bytes (DATA_UPLOAD_MAX_MEMORY_SIZE): send a VCF as a file (multipart)"
        )
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
