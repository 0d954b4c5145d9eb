"""The REST API's exception handler: DRF's, plus JSON answers that name the setting for Django's own
request-body refusals (over DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields or files), which DRF would
leave to Django's bare "Bad Request (400)" page."""

from __future__ import annotations

from typing import Any

from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from predictions.upload_limits import BODY_REFUSALS, body_refusal


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus JSON answers naming the bound for Django's request-size refusals."""
    if isinstance(exc, BODY_REFUSALS):
        code, message = body_refusal(exc)
        return Response({"detail": message}, status=code)
    return drf_exception_handler(exc, context)
