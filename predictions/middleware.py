"""Requests whose path or query parameters hold NUL or other control characters end in a 400 that
names the part, before any view or query runs: Postgres refuses NUL in text (a 500 before), and no
gene, status, token or locus legitimately contains a control character."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

# C0 controls and DEL; tab, newline and carriage return are left to the fields that accept text.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def control_character_problem(request: HttpRequest) -> str | None:
    """What is wrong with the request's path or query string, or None."""
    if CONTROL_CHARACTERS.search(request.path):
        return "the URL path contains a NUL or control character"
    for name, values in request.GET.lists():
        if CONTROL_CHARACTERS.search(name):
            return "a query parameter name contains a NUL or control character"
        if any(CONTROL_CHARACTERS.search(value) for value in values):
            return f"query parameter '{name}' contains a NUL or control character"
    return None


class RejectControlCharacters:
    """Django middleware: see the module docstring. API paths get JSON (`{"detail": ...}`), as DRF does."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problem = control_character_problem(request)
        if problem is None:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": problem}, status=400)
        return HttpResponseBadRequest(f"Bad request: {problem}.", content_type="text/plain; charset=utf-8")
