"""Refuse an oversized request from its Content-Length, before Django reads the body: a multipart
upload over GENOMEAPP_MAX_UPLOAD_BYTES, or form fields and JSON over DATA_UPLOAD_MAX_MEMORY_SIZE;
and answer Django's own refusals while reading one (too much form data, too many fields or files)
with a message naming the setting, instead of a bare "Bad Request (400)" page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
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


BODY_REFUSALS = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)


def body_refusal(error: Exception) -> tuple[int, str]:
    """The status and message for one of Django's BODY_REFUSALS, naming the setting."""
    if isinstance(error, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return 413, (
            f"the request's form fields or JSON are over {limit:,} bytes, the limit "
            "(DATA_UPLOAD_MAX_MEMORY_SIZE); send a VCF as a file (multipart)"
        )
    name = "FIELDS" if isinstance(error, TooManyFieldsSent) else "FILES"
    limit = getattr(settings, f"DATA_UPLOAD_MAX_NUMBER_{name}")
    return (
        400,
        f"the request has more than {limit:,} {name.lower()}, the limit (DATA_UPLOAD_MAX_NUMBER_{name})",
    )


def reject_oversized(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """413 with a clear message (JSON for API clients) when the request body is over the limit."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST" and (message := too_large(request)):
            return _refusal(request, 413, message)
        try:
            return view(request, *args, **kwargs)
        except BODY_REFUSALS as error:  # raised when the view first reads request.POST
            return _refusal(request, *body_refusal(error))

    return wrapper


def _refusal(request: HttpRequest, status: int, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"vcf_file": [message]}, status=status)
    reason = "Request Entity Too Large" if status == 413 else "Bad Request"
    return HttpResponse(f"{status} {reason}: {message}", status=status, content_type="text/plain")
