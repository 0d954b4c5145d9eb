"""Variants typed or pasted as text, one per line (see `formats.py` for what is understood).

Blank lines and lines starting with `#` are ignored; a pasted VCF, header included, works too.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from model.service import Genome
from predictions.inputs.records import parse_lines
from predictions.inputs.results import InputTooLargeError, ParseResult


def parse_variant_text(
    text: str,
    genome: Genome,
    max_variants: int,
    *,
    max_bytes: int | None = None,
    max_listed_rejections: int | None = None,
) -> ParseResult:
    """Validate variants given as text against `genome`.

    Args:
      text: one variant per line: `chr20:1234:A>C`, `chr20-1234-A-C`, `20_1234_A_C_b37`,
        `chr20 1234 A C` or VCF columns.
      genome: the assembly's reference.
      max_variants: the per-job limit on accepted, distinct variants.
      max_bytes: a size limit on the UTF-8 text, or None.
      max_listed_rejections: rejections listed line by line (default `max(max_variants, 1000)`);
        further ones are only counted.

    Raises:
      InputTooLargeError: the text is over `max_bytes`.
      EmptyInputError, NoVariantsError, TooManyVariantsError, InputError: see `parse_lines`.
    """
    if max_bytes is not None:
        size = len(text.encode("utf-8"))
        if size > max_bytes:
            raise InputTooLargeError(
                f"The text is {size:,} bytes, over the limit of {max_bytes:,} bytes; upload a VCF instead.",
                size=size,
                limit=max_bytes,
            )
    return parse_lines(
        _numbered_lines(text),
        genome,
        max_variants,
        empty_message="No variants were entered.",
        max_listed_rejections=max_listed_rejections,
    )


def _numbered_lines(text: str) -> Iterator[tuple[int, str]]:
    for line, content in enumerate(io.StringIO(text.lstrip("\ufeff"), newline=None), start=1):
        yield line, content.rstrip("\n")
