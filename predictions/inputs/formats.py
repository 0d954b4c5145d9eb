"""Reading one input line as a variant record, before anything is checked against the reference.

Understood, one per line:
  - `chr20:1234:A>C` and `20:1234:A:C` (a comma in the position is allowed: `chr20:1,234:A>C`);
  - gnomAD style `chr20-1234-A-C`;
  - GTEx style `20_1234_A_C_b37` (the build suffix is optional);
  - whitespace-separated `chr20:1234 A C`, `chr20 1234 A C` and VCF columns
    `CHROM POS ID REF ALT ...` (tab-separated, or spaces when the line has no tab).
Multi-allelic ALTs (`A>C,G`) are split later, in `records.py`.
"""

from __future__ import annotations

import dataclasses
import functools
import re

from predictions import field_limits
from predictions.inputs.numbers import without_thousands

EXPECTED_FORMATS = (
    "expected chr20:1234:A>C, chr20-1234-A-C, 20_1234_A_C_b37 or VCF columns CHROM POS ID REF ALT"
)
_SOURCE_TEXT_LIMIT = field_limits.SOURCE_TEXT
VARIANT_ID_LIMIT = field_limits.VARIANT_ID  # longer IDs (some callers join many) are cut, with a trailing …

_COMPACT_FORMATS = (
    # chr20:1234:A>C (the ALT may be symbolic, <DEL>, so that it can be named when rejected)
    re.compile(r"^(?P<chrom>[^:\s]+):(?P<pos>\d[\d,]*):(?P<ref>[^:>\s]+)>(?P<alt>\S+)$"),
    # 20:1234:A:C
    re.compile(r"^(?P<chrom>[^:\s]+):(?P<pos>\d[\d,]*):(?P<ref>[^:>\s]+):(?P<alt>[^:\s]+)$"),
    # 20_1234_A_C_b37 (GTEx, Open Targets)
    re.compile(
        r"^(?P<chrom>[^_\s]+)_(?P<pos>\d+)_(?P<ref>[^_\s]+)_(?P<alt>[^_\s]+)"
        r"(?:_(?P<build>b3[78]|hg19|hg38|grch3[78]))?$",
        re.IGNORECASE,
    ),
    # chr20-1234-A-C (gnomAD)
    re.compile(r"^(?P<chrom>\S+?)-(?P<pos>\d+)-(?P<ref>[^-\s]+)-(?P<alt>[^-\s]+)$"),
)
_CHROM_POS = re.compile(r"^(?P<chrom>[^:\s]+):(?P<pos>\d[\d,]*)$")
_RSID = re.compile(r"^rs\d+$", re.IGNORECASE)
_HGVS = re.compile(r":[cgmnpr]\.", re.IGNORECASE)

_HEADER_NAMES = {
    "CHROM": "chrom",
    "CHR": "chrom",
    "CHROMOSOME": "chrom",
    "CONTIG": "chrom",
    "POS": "pos",
    "POSITION": "pos",
    "ID": "id",
    "REF": "ref",
    "ALT": "alt",
}


@dataclasses.dataclass(frozen=True)
class RawRecord:
    """A line split into fields, as written (not yet validated)."""

    chrom: str
    pos: str
    variant_id: str
    ref: str
    alt: str  # may hold several alleles separated by commas
    source_text: str
    vcf_columns: bool  # read as VCF columns (tab- or space-separated) rather than a compact form


@dataclasses.dataclass(frozen=True)
class ColumnMap:
    """Where CHROM, POS, ID, REF and ALT are, from a `#CHROM` header line (`id` may be absent)."""

    chrom: int
    pos: int
    ref: int
    alt: int
    id: int | None
    header_line: int

    @functools.cached_property
    def width(self) -> int:
        """Fields a data line needs to hold every mapped column."""
        return 1 + max(i for i in (self.chrom, self.pos, self.ref, self.alt, self.id) if i is not None)


def is_header_line(text: str) -> bool:
    """A `#CHROM ...` column header (also `#chr`, `#chromosome`), not a comment."""
    first = text.lstrip("#").split(None, 1)[0] if text.lstrip("#").strip() else ""
    return (
        text.startswith("#") and not text.startswith("##") and first.upper() in {"CHROM", "CHR", "CHROMOSOME"}
    )


def read_header(text: str, line: int) -> ColumnMap | str:
    """The column map of a `#CHROM` header line, or why it cannot be used."""
    names = [name.strip().upper() for name in _split_fields(text.lstrip("#"), 1_000_000)]
    found: dict[str, int] = {}
    for index, name in enumerate(names):
        key = _HEADER_NAMES.get(name)
        if key is not None and key not in found:
            found[key] = index
    missing = [name for name in ("CHROM", "POS", "REF", "ALT") if name.lower() not in found]
    if missing:
        return (
            f"the header line has no {', '.join(missing)} column{'s' if len(missing) > 1 else ''} "
            f"(columns: {' '.join(names[:10])}); a VCF header reads #CHROM POS ID REF ALT QUAL FILTER INFO"
        )
    return ColumnMap(found["chrom"], found["pos"], found["ref"], found["alt"], found.get("id"), line)


def read_record(text: str, columns: ColumnMap | None) -> RawRecord | str:
    """Split a data line into a RawRecord, or return why it is not a variant record.

    Args:
      text: the line without its line ending and surrounding whitespace.
      columns: the column map of a `#CHROM` header seen earlier, or None.
    """
    fields = _split_fields(text, max(9, columns.width + 1) if columns is not None else 9)
    if columns is not None and len(fields) >= columns.width:
        return _from_columns(fields, columns)
    if len(fields) == 1:
        return _from_compact(text)
    if columns is not None:
        return (
            f"expected {columns.width} columns as in the header on line {columns.header_line}, "
            f"found {len(fields)}"
        )
    if len(fields) == 2 and ">" in fields[1]:  # chr20:1234 A>C
        ref, _, alt = fields[1].partition(">")
        return _from_chrom_pos(fields[0], ref, alt, text)
    if len(fields) == 3:  # chr20:1234 A C
        return _from_chrom_pos(fields[0], fields[1], fields[2], text)
    if len(fields) == 4:  # chr20 1234 A C
        return RawRecord(fields[0], fields[1], "", fields[2], fields[3], _source_text(fields), True)
    if len(fields) >= 5:
        return _from_columns(fields, ColumnMap(0, 1, 3, 4, 2, 0))
    return f"cannot read a variant from {_quote(text)}: {EXPECTED_FORMATS}"


def _split_fields(text: str, max_fields: int = 9) -> list[str]:
    """Tab-separated fields (whitespace when the line has no tab); at most `max_fields`.

    Sample columns are never needed, so they are left joined in the last field: a line of a
    VCF with thousands of genotypes costs no more to read than a sites-only one.
    """
    if "\t" in text:
        return [field.strip() for field in text.split("\t", max_fields - 1)]
    return text.split(None, max_fields - 1)


def _from_columns(fields: list[str], columns: ColumnMap) -> RawRecord:
    variant_id = fields[columns.id] if columns.id is not None else ""
    return RawRecord(
        chrom=fields[columns.chrom],
        pos=fields[columns.pos],
        variant_id=_variant_id(variant_id),
        ref=fields[columns.ref],
        alt=fields[columns.alt],
        source_text=_source_text(fields[:8]),
        vcf_columns=True,
    )


def _from_compact(text: str) -> RawRecord | str:
    for pattern in _COMPACT_FORMATS:
        match = pattern.match(text)
        if match:
            return RawRecord(
                match["chrom"], without_thousands(match["pos"]), "", match["ref"], match["alt"], text, False
            )
    if _RSID.match(text):
        return (
            f"{text} is an rsID; an rsID does not say which allele to score, so give the variant as "
            "chr20:1234:A>C"
        )
    if _HGVS.search(text):
        return f"HGVS notation ({_quote(text)}) is not supported: {EXPECTED_FORMATS}"
    return f"cannot read a variant from {_quote(text)}: {EXPECTED_FORMATS}"


def _from_chrom_pos(chrom_pos: str, ref: str, alt: str, text: str) -> RawRecord | str:
    match = _CHROM_POS.match(chrom_pos)
    if not match:
        return f"cannot read a variant from {_quote(text)}: {EXPECTED_FORMATS}"
    return RawRecord(
        match["chrom"], without_thousands(match["pos"]), "", ref, alt, _source_text([text]), False
    )


def _variant_id(text: str) -> str:
    if text == ".":
        return ""
    return text if len(text) <= VARIANT_ID_LIMIT else text[: VARIANT_ID_LIMIT - 1] + "…"


def _source_text(fields: list[str]) -> str:
    text = "\t".join(fields)
    return text if len(text) <= _SOURCE_TEXT_LIMIT else text[: _SOURCE_TEXT_LIMIT - 1] + "…"


def _quote(text: str, width: int = 60) -> str:
    return repr(text if len(text) <= width else text[: width - 1] + "…")
