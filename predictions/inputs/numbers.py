"""Whole numbers from text, read one way everywhere (VCF POS, variant text, loci, HTTP Range).

Only ASCII digits count (`str.isdigit` and `\\d` also take "١٢٣" and "²"), at most 18 of them, so
every value fits a 64-bit column and `int()` never sees thousands of digits.
"""

from __future__ import annotations

import re

MAX_DIGITS = 18  # < 2**63: fits Postgres bigint; no genomic coordinate or file offset needs more
_DIGITS = re.compile(rf"[0-9]{{1,{MAX_DIGITS}}}\Z", re.ASCII)
_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+\Z", re.ASCII)  # 1,000,000 (not 1,,0 or 10,00)


def whole_number(text: str, *, thousands: bool = False) -> int | None:
    """`text` as a non-negative int, or None when it is not 1 to 18 ASCII digits.

    With `thousands`, commas grouping the digits in threes are allowed and ignored (`1,000,000`).
    """
    raw = without_thousands(text) if thousands else text
    if not _DIGITS.match(raw):
        return None
    return int(raw)


def without_thousands(text: str) -> str:
    """`text` without its commas when they group digits in threes (`1,000,000`), else unchanged
    (so that `1,,1` is refused as written rather than read as 11)."""
    return text.replace(",", "") if _GROUPED.match(text) else text


def number_problem(text: str, what: str) -> str:
    """The message for text that `whole_number` refused, naming `what` it was meant to be."""
    shown = text if len(text) <= 40 else text[:39] + "…"
    return f"{what} {shown!r} is not a whole number of at most {MAX_DIGITS} ASCII digits"
