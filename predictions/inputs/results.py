"""What the input parsers return, and the errors they raise for a whole submission.

Per-record problems never raise: they become `Rejection`s next to the accepted variants, so
that accepted records are never lost because others were rejected. Exceptions are kept for
problems with the submission as a whole (too large, empty, nothing valid, over the per-job
limit); each carries `status_code` so a view can answer with it directly.
"""

from __future__ import annotations

import collections
import dataclasses
import enum


class InputError(ValueError):
    """A submission that cannot become a job; `str(error)` is a message for the scientist."""

    status_code = 400


class InputTooLargeError(InputError):
    """The upload (or its decompressed content) is over the byte limit: answer HTTP 413."""

    status_code = 413

    def __init__(self, message: str, *, size: int | None, limit: int) -> None:
        super().__init__(message)
        self.size = size
        self.limit = limit


class EmptyInputError(InputError):
    """The file or text holds no variant records at all (empty, or only headers and comments)."""


class UnsupportedFormatError(InputError):
    """Not a text VCF or variant list: BCF, zip, bzip2, a binary file, a truncated gzip stream."""


class NoVariantsError(InputError):
    """Records were read but every one was rejected; `result` holds the per-line reasons."""

    def __init__(self, message: str, *, result: ParseResult) -> None:
        super().__init__(message)
        self.result = result


class TooManyVariantsError(InputError):
    """More valid variants than the per-job limit: the whole submission is refused.

    `count` is the number of variant alleles in the input (each ALT of a multi-allelic record
    counts once); `count_is_lower_bound` is True when reading stopped before the end.
    """

    def __init__(self, message: str, *, limit: int, count: int, count_is_lower_bound: bool) -> None:
        super().__init__(message)
        self.limit = limit
        self.count = count
        self.count_is_lower_bound = count_is_lower_bound


class RejectionCode(enum.StrEnum):
    """Why a record (or one ALT allele of it) was not accepted; stable, machine-readable."""

    SYNTAX = "syntax"  # not a VCF record or a known variant format
    CONTIG = "unknown_contig"
    POSITION = "bad_position"  # not a number, below 1, beyond the contig end
    REF_MISMATCH = "ref_mismatch"
    BASES = "invalid_bases"  # not A, C, G, T or N
    SYMBOLIC = "symbolic_allele"  # <DEL>, *, breakends
    NO_ALT = "no_alt"  # ALT is '.' or empty
    REF_EQUALS_ALT = "ref_equals_alt"
    DUPLICATE = "duplicate"  # same variant as an earlier line after normalisation; scored once
    LONG_REPEAT = "long_repeat"  # an indel that normalisation would slide > 1,000 bp (satellites, N runs)


@dataclasses.dataclass(frozen=True)
class ParsedVariant:
    """One accepted variant: a single ALT allele, validated and left-normalised.

    Attributes:
      chrom: the contig in the reference's own spelling (`20` for an input `chr20`).
      pos: 1-based position of the first REF base, after normalisation (VCF convention).
      ref, alt: uppercase `ACGTN` alleles; indels keep one VCF anchor base before the event
        (after it only for an event at position 1).
      variant_id: the VCF ID column, `''` when it was `.` or absent (cut to 200 characters).
      line: 1-based line number in the input (decompressed text for gzip files).
      source_text: the input line (VCF: its first 8 columns), for display.
      normalised_from: `chrom:pos:REF>ALT` as written in the input when normalisation moved or
        trimmed the variant, else None (a contig renamed from `chr20` to `20` does not count).
      alt_index: which ALT of the record this is, 1-based (2 for the second allele of `A,G`).
    """

    chrom: str
    pos: int
    ref: str
    alt: str
    variant_id: str
    line: int
    source_text: str
    normalised_from: str | None = None
    alt_index: int = 1

    @property
    def start(self) -> int:
        """0-based start of the REF allele."""
        return self.pos - 1

    @property
    def end(self) -> int:
        """0-based exclusive end of the REF allele."""
        return self.pos - 1 + len(self.ref)

    @property
    def key(self) -> tuple[str, int, str, str]:
        """Identity after normalisation, used to find duplicates."""
        return (self.chrom, self.pos, self.ref, self.alt)

    def __str__(self) -> str:
        return f"{self.chrom}:{self.pos}:{self.ref}>{self.alt}"


@dataclasses.dataclass(frozen=True)
class Rejection:
    """One input line (or one ALT allele of it) that was not accepted, and why.

    `chrom`, `pos`, `ref` and `alt` are filled in as far as the line could be read (input
    spelling), so that a view can store the rejected record next to the accepted ones.
    """

    line: int
    text: str
    reason: str
    code: RejectionCode
    chrom: str | None = None
    pos: int | None = None
    ref: str | None = None
    alt: str | None = None

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclasses.dataclass
class ParseResult:
    """Accepted variants in input order, rejections in input order, and file-level notes.

    Attributes:
      accepted: one entry per accepted, distinct ALT allele.
      rejected: rejected records and alleles, including duplicates (code DUPLICATE).
      notes: sentences about the input as a whole (compression, header, normalisation,
        splitting, duplicates, contig-length mismatches) for the job page.
      input_format: `vcf` when a `#CHROM` header or tab-separated VCF columns were seen,
        else `text`.
      compression: `plain`, `gzip` or `bgzip`.
      records: data lines read (headers, comments and blank lines excluded).
      rejection_counts: rejections by code, listed or not.
      unlisted_rejections: rejections beyond the listing limit, counted but not in `rejected`.
    """

    accepted: list[ParsedVariant] = dataclasses.field(default_factory=list)
    rejected: list[Rejection] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)
    input_format: str = "text"
    compression: str = "plain"
    records: int = 0
    rejection_counts: collections.Counter[RejectionCode] = dataclasses.field(
        default_factory=collections.Counter
    )
    unlisted_rejections: int = 0

    @property
    def duplicates(self) -> list[Rejection]:
        return [r for r in self.rejected if r.code is RejectionCode.DUPLICATE]

    @property
    def errors(self) -> list[Rejection]:
        """Rejections other than duplicates: the lines a scientist has to fix."""
        return [r for r in self.rejected if r.code is not RejectionCode.DUPLICATE]

    def summary(self) -> str:
        """One sentence for the top of the job page."""
        parts = [f"{len(self.accepted):,} variant{'s' if len(self.accepted) != 1 else ''} accepted"]
        parts.append(f"from {self.records:,} record{'s' if self.records != 1 else ''}")
        text = " ".join(parts)
        duplicates = self.rejection_counts[RejectionCode.DUPLICATE]
        errors = sum(self.rejection_counts.values()) - duplicates
        if errors:
            text += f"; {errors:,} rejected"
        if duplicates:
            text += f"; {duplicates:,} duplicate{'s' if duplicates != 1 else ''} kept once"
        return text
