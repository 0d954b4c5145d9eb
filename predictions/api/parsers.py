"""Request bodies within bounds: JSON no deeper than GENOMEAPP_MAX_JSON_DEPTH, and a 413 (not
Django's bare 400 page) for bodies over DATA_UPLOAD_MAX_MEMORY_SIZE or with too many fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from predictions.upload_limits import BODY_REFUSALS, body_refusal


def deeper_than(value: Any, limit: int) -> bool:
    """Whether `value` (parsed JSON) nests lists and objects more than `limit` levels (`[]` is 1)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser, refusing bodies nested deeper than GENOMEAPP_MAX_JSON_DEPTH with a 400.

    Python's decoder recurses once per level and raises RecursionError (a 500) near 1,000 levels;
    the limit is checked on the parsed value, and a RecursionError is the same refusal.
    """

    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        limit = settings.GENOMEAPP_MAX_JSON_DEPTH
        message = (
            f"JSON parse error - nested more than {limit} levels deep, the limit (GENOMEAPP_MAX_JSON_DEPTH)"
        )
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(message) from None
        if deeper_than(data, limit):
            raise ParseError(message)
        return data


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus JSON answers naming the bound for Django's request-size refusals."""
    if isinstance(exc, BODY_REFUSALS):
        code, message = body_refusal(exc)
        return Response({"detail": message}, status=code)
    return drf_exception_handler(exc, context)
