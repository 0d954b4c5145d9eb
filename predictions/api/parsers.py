"""JSON request bodies no deeper than GENOMEAPP_MAX_JSON_DEPTH.

No import of `rest_framework.views` here: it reads DEFAULT_PARSER_CLASSES, which names this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


def deeper_than(value: Any, limit: int) -> bool:
    """Whether `value` (parsed JSON) nests lists and objects more than `limit` levels (`[]` is 1).

    Level by level, in comprehensions: a million small objects (4 MB of JSON) take a quarter of a
    second (a stack of (item, depth) pairs took two seconds).
    """
    level = [value] if isinstance(value, dict | list) else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        level = [
            child
            for item in level
            for child in (item.values() if isinstance(item, dict) else item)
            if isinstance(child, dict | list)
        ]
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
