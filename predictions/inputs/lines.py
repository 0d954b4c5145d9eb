"""Reading text line by line within bounds: how many lines (of any kind: headers, comments and empty
lines count, as they cost as much to read) and how long one line may be.

A line is read with `readline(limit + 1)`, so a file that is one enormous line (a gzip bomb without
newlines) is refused after `limit` characters instead of being read whole into memory.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Protocol

from predictions.inputs.results import InputTooLargeError


class _LineSource(Protocol):
    def readline(self, size: int = -1, /) -> str: ...


@dataclasses.dataclass(frozen=True)
class LineLimits:
    """`max_lines`: lines of any kind; `max_line_chars`: characters in one line (None: no limit)."""

    max_lines: int | None = None
    max_line_chars: int | None = None


def bounded_lines(text: _LineSource, limits: LineLimits) -> Iterator[tuple[int, str]]:
    """`(line number, text without its newline)`; InputTooLargeError as soon as a bound is crossed."""
    size = limits.max_line_chars + 1 if limits.max_line_chars is not None else -1
    line = 0
    while content := text.readline(size):
        line += 1
        if limits.max_lines is not None and line > limits.max_lines:
            raise InputTooLargeError(
                f"The input has more than {limits.max_lines:,} lines, the limit (GENOMEAPP_MAX_INPUT_LINES; "
                "header, comment and empty lines count too); split it into smaller files.",
                size=None,
                limit=limits.max_lines,
            )
        if content.endswith("\n"):
            content = content[:-1]
        elif limits.max_line_chars is not None and len(content) > limits.max_line_chars:
            raise InputTooLargeError(
                f"Line {line:,} is longer than {limits.max_line_chars:,} characters, the limit "
                "(GENOMEAPP_MAX_LINE_CHARS).",
                size=None,
                limit=limits.max_line_chars,
            )
        yield line, content
