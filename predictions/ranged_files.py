"""Serve files with HTTP Range support (igv.js reads bigWig, FASTA and indexes by byte range)."""

from __future__ import annotations

import mimetypes
import os
import re
from collections.abc import Iterator
from pathlib import Path

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import http_date

from predictions.inputs.numbers import whole_number

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_CHUNK = 64 * 1024


def safe_join(root: Path, relative: str) -> Path:
    """`root / relative`, refusing anything that escapes `root` and hidden names (a file still being
    written is a hidden `.<name>.<random>.partial` until it is renamed into place)."""
    if any(part.startswith(".") for part in Path(relative).parts):
        raise Http404("no such file")
    root = root.resolve()
    path = (root / relative).resolve()
    if root != path and root not in path.parents:
        raise Http404("no such file")
    return path


def _read(path: Path, start: int, length: int) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        handle.seek(start)
        while length > 0:
            chunk = handle.read(min(_CHUNK, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk


def ranged_file_response(request: HttpRequest, path: Path, filename: str | None = None) -> HttpResponseBase:
    """200 with the whole file, 206 with one byte range, 416 when the range is unsatisfiable.

    Multiple ranges in one request are answered with the whole file (allowed by RFC 9110).
    """
    if not path.is_file():
        raise Http404("no such file")
    size = path.stat().st_size
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    match = _RANGE.match(request.headers.get("Range", "").strip())
    if match and (match.group(1) or match.group(2)):
        first, last = whole_number(match.group(1)), whole_number(match.group(2))
        if match.group(1):
            start = first if first is not None else size  # past 18 digits: beyond any file
            end = min(last, size - 1) if last is not None else size - 1
        else:  # suffix range: the last N bytes
            start = max(0, size - last) if last is not None else 0
            end = size - 1
        if start >= size or end < start:
            # the reason in the body: a position past 18 digits, or not ASCII digits, reads as beyond the end
            shown = match.group(0) if len(match.group(0)) <= 60 else match.group(0)[:59] + "…"
            response: HttpResponseBase = HttpResponse(
                f"Range {shown!r} is not satisfiable: the file has {size:,} bytes, and positions are "
                "whole numbers of at most 18 ASCII digits.",
                status=416,
                content_type="text/plain; charset=utf-8",
            )
            response["Content-Range"] = f"bytes */{size}"
            return response
        response = StreamingHttpResponse(
            _read(path, start, end - start + 1), status=206, content_type=content_type
        )
        response["Content-Length"] = str(end - start + 1)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    else:
        response = FileResponse(open(path, "rb"), content_type=content_type)  # noqa: SIM115 - closed by Django
        response["Content-Length"] = str(size)
    response["Accept-Ranges"] = "bytes"
    response["Last-Modified"] = http_date(os.path.getmtime(path))
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
