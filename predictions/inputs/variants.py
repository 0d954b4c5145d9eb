"""Variants typed or pasted as text, one per line (see `formats.py` for what is understood).

Blank lines and lines starting with `#` are ignored; a pasted VCF, header included, works too.
"""

from __future__ import annotations

import io

from model.service import Genome
from predictions.inputs.lines import LineLimits, bounded_lines
from predictions.inputs.records import parse_lines
from predictions.inputs.results import InputTooLargeError, ParseResult


def parse_variant_text(
    text: str,
    genome: Genome,
    max_variants: int,
    *,
    max_bytes: int | None = None,
    max_listed_rejections: int | None = None,
    max_lines: int | None = None,
    max_line_chars: int | None = None,
    max_records: int | None = None,
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
      max_lines: the limit on lines of any kind (empty and comment lines count), or None.
      max_line_chars: the limit on one line's characters, or None.
      max_records: the limit on variant records read (each ALT allele counts once), or None.

    Raises:
      InputTooLargeError: the text is over `max_bytes`, has too many lines, too long a line or too
        many records.
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
        bounded_lines(
            io.StringIO(text.lstrip("\ufeff"), newline=None), LineLimits(max_lines, max_line_chars)
        ),
        genome,
        max_variants,
        empty_message="No variants were entered.",
        max_listed_rejections=max_listed_rejections,
        max_records=max_records,
    )
