"""VCF uploads: plain, gzip or bgzip (told apart by their bytes, not their names).

The file is decompressed as a stream and read line by line, so that every problem names its
line (line numbers count lines of the decompressed text, headers included, as `zcat | sed -n`
does). A whole-file htslib parse is not used: it stops at the first bad record and cannot
keep the good ones. Headers are optional; Windows and old Mac line endings, a UTF-8 byte
order mark and UTF-16 text are accepted; lines that are not VCF columns may use the compact
variant formats.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator
from typing import Any, BinaryIO, Protocol

from model.service import Genome
from predictions.inputs.lines import LineLimits, bounded_lines
from predictions.inputs.records import parse_lines
from predictions.inputs.results import (
    EmptyInputError,
    InputTooLargeError,
    ParseResult,
    UnsupportedFormatError,
)

GZIP_MAGIC = b"\x1f\x8b"
DECOMPRESSED_SIZE_FACTOR = 20  # default cap on decompressed bytes, as a multiple of max_bytes
# A bgzip file has one member per block of at most 64 kB of text: 256 MB of text is about 4,100.
DEFAULT_MAX_GZIP_MEMBERS = 100_000
_GZIP_CHUNK = 16 * 1024  # compressed bytes handed to zlib at a time
_OTHER_FORMATS = (
    (b"BCF", "a BCF file (binary VCF): convert it with `bcftools view -Ov -o file.vcf`"),
    (b"PK\x03\x04", "a zip archive: upload the .vcf or .vcf.gz inside it"),
    (b"BZh", "bzip2-compressed: recompress it with gzip or bgzip"),
    (b"\xfd7zXZ\x00", "xz-compressed: recompress it with gzip or bgzip"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed: recompress it with gzip or bgzip"),
    (b"BAM\x01", "a BAM file (aligned reads), not a VCF"),
)


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


def detect_compression(data: bytes) -> str:
    """`bgzip`, `gzip` or `plain`, from the first bytes; other known formats raise.

    BGZF is gzip with an extra field `BC` in every block header (SAM/BAM spec §4.1).

    Raises:
      UnsupportedFormatError: BCF, zip, bzip2, xz, zstd or BAM.
    """
    if data[:2] == GZIP_MAGIC:
        has_extra = len(data) >= 14 and data[3] & 0x04
        return "bgzip" if has_extra and data[12:14] == b"BC" else "gzip"
    _refuse_other_formats(data)
    return "plain"


def parse_vcf_bytes(
    data: bytes,
    genome: Genome,
    max_variants: int,
    max_bytes: int,
    *,
    max_decompressed_bytes: int | None = None,
    max_listed_rejections: int | None = None,
    max_lines: int | None = None,
    max_line_chars: int | None = None,
    max_gzip_members: int = DEFAULT_MAX_GZIP_MEMBERS,
    max_records: int | None = None,
) -> ParseResult:
    """Validate an uploaded VCF (or variant list) against `genome`.

    Args:
      data: the uploaded bytes, plain text, gzip or bgzip.
      genome: the assembly's reference.
      max_variants: the per-job limit on accepted, distinct variants.
      max_bytes: the upload size limit.
      max_decompressed_bytes: the limit on decompressed text (default 20 × `max_bytes`), a
        guard against gzip bombs.
      max_listed_rejections: rejections listed line by line (default `max(max_variants, 1000)`);
        further ones are only counted.
      max_lines: the limit on lines of any kind (headers and empty lines count), or None.
      max_line_chars: the limit on one line's characters, or None.
      max_gzip_members: the limit on gzip members (a bgzip file is one per 64 kB block).
      max_records: the limit on variant records read (each ALT allele counts once), or None.

    Returns:
      ParseResult with accepted variants and rejections, each naming its line.

    Raises:
      InputTooLargeError: `data` is over `max_bytes`, decompresses to more than allowed, or has
        too many lines, too long a line, too many gzip members or records (413). Reading stops there.
      UnsupportedFormatError: not text (BCF, zip, binary) or a damaged gzip stream.
      EmptyInputError, NoVariantsError, TooManyVariantsError, InputError: see `parse_lines`.
    """
    if len(data) > max_bytes:
        raise InputTooLargeError(
            f"The file is {_size(len(data))}, over the upload limit of {_size(max_bytes)}.",
            size=len(data),
            limit=max_bytes,
        )
    if not data.strip():
        raise EmptyInputError("The file is empty.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # "Unicode text" as Excel saves it
        data = data.decode("utf-16", errors="replace").encode("utf-8")
    compression = detect_compression(data)
    cap = (
        max_decompressed_bytes if max_decompressed_bytes is not None else DECOMPRESSED_SIZE_FACTOR * max_bytes
    )
    result = ParseResult(compression=compression)
    if compression != "plain":
        result.notes.append(f"Read as a {compression}-compressed file.")
    limits = LineLimits(max_lines, max_line_chars)
    return parse_lines(
        _numbered_lines(data, compression, cap, limits, max_gzip_members),
        genome,
        max_variants,
        result=result,
        empty_message="The file has no variant records, only headers or comments.",
        max_listed_rejections=max_listed_rejections,
        max_records=max_records,
    )


def parse_vcf_file(
    fileobj: BinaryIO | _Readable,
    genome: Genome,
    max_variants: int,
    max_bytes: int,
    *,
    max_decompressed_bytes: int | None = None,
    max_listed_rejections: int | None = None,
    max_lines: int | None = None,
    max_line_chars: int | None = None,
    max_gzip_members: int = DEFAULT_MAX_GZIP_MEMBERS,
    max_records: int | None = None,
) -> ParseResult:
    """`parse_vcf_bytes` on a binary file object (a Django `UploadedFile` works).

    At most `max_bytes + 1` bytes are read; a `size` attribute over the limit is refused
    before reading anything.
    """
    size = getattr(fileobj, "size", None)
    if isinstance(size, int) and size > max_bytes:
        raise InputTooLargeError(
            f"The file is {_size(size)}, over the upload limit of {_size(max_bytes)}.",
            size=size,
            limit=max_bytes,
        )
    data = fileobj.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputTooLargeError(
            f"The file is over the upload limit of {_size(max_bytes)}.", size=None, limit=max_bytes
        )
    return parse_vcf_bytes(
        data,
        genome,
        max_variants,
        max_bytes,
        max_decompressed_bytes=max_decompressed_bytes,
        max_listed_rejections=max_listed_rejections,
        max_lines=max_lines,
        max_line_chars=max_line_chars,
        max_gzip_members=max_gzip_members,
        max_records=max_records,
    )


def _numbered_lines(
    data: bytes, compression: str, cap: int, limits: LineLimits, max_members: int
) -> Iterator[tuple[int, str]]:
    """`(line number, text)` of the decompressed input, with universal newlines, read as a stream:
    no more than one line (at most `limits.max_line_chars`) is held at a time."""
    inner: io.RawIOBase | io.BytesIO = (
        _GzipMembers(data, max_members) if compression != "plain" else io.BytesIO(data)
    )
    raw = _CappedReader(inner, cap)
    text = io.TextIOWrapper(io.BufferedReader(raw), encoding="utf-8-sig", errors="replace", newline=None)
    line = 0
    try:
        for line, content in bounded_lines(text, limits):
            if line == 1 and compression != "plain":
                _refuse_other_formats(content.encode("utf-8", errors="replace"))
            yield line, content
    except (EOFError, zlib.error) as error:
        raise UnsupportedFormatError(
            f"The {compression} stream is damaged or truncated after line {line:,} ({error}); "
            "upload the file again, or check it with `gzip -t`."
        ) from error


class _GzipMembers(io.RawIOBase):
    """The members of a gzip or bgzip file one after another, as `zcat` reads them, decompressed
    as they are read (never more than the caller's buffer at a time); refuses more than
    `max_members` members, so that a file of millions of empty members cannot keep a worker busy."""

    def __init__(self, data: bytes, max_members: int) -> None:
        self.data = memoryview(data)
        self.offset = 0
        self.members = 0
        self.max_members = max_members
        self.decompressor: Any = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while True:
            if self.decompressor is None:
                if self.offset >= len(self.data):
                    return 0
                self.members += 1
                if self.members > self.max_members:
                    raise InputTooLargeError(
                        f"The file has more than {self.max_members:,} gzip members (blocks), the limit "
                        "(GENOMEAPP_MAX_GZIP_MEMBERS); recompress it with `bgzip` or `gzip`.",
                        size=None,
                        limit=self.max_members,
                    )
                self.decompressor = zlib.decompressobj(wbits=31)
            decompressor = self.decompressor
            if decompressor.unconsumed_tail:
                chunk: bytes | memoryview = decompressor.unconsumed_tail
            else:
                chunk = self.data[self.offset : self.offset + _GZIP_CHUNK]
                self.offset += len(chunk)
            out = decompressor.decompress(chunk, len(buffer))
            if decompressor.eof:
                self.offset -= len(decompressor.unused_data)  # the next member starts there
                self.decompressor = None
            elif not out and not decompressor.unconsumed_tail and self.offset >= len(self.data):
                raise EOFError("the file ended before the end of its last gzip member")
            if out:
                buffer[: len(out)] = out
                return len(out)


class _CappedReader(io.RawIOBase):
    """A readable stream that raises InputTooLargeError beyond `cap` bytes."""

    def __init__(self, inner: io.RawIOBase | io.BytesIO, cap: int) -> None:
        self.inner = inner
        self.cap = cap
        self.total = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        size = self.inner.readinto(buffer)
        self.total += size or 0
        if self.total > self.cap:
            raise InputTooLargeError(
                f"The file decompresses to more than {_size(self.cap)}, the limit "
                "(GENOMEAPP_MAX_DECOMPRESSED_BYTES); split it into smaller files.",
                size=None,
                limit=self.cap,
            )
        return size or 0


def _refuse_other_formats(head: bytes) -> None:
    for magic, description in _OTHER_FORMATS:
        if head.startswith(magic):
            raise UnsupportedFormatError(f"This is {description}. Upload a VCF: plain text, gzip or bgzip.")


def _size(n: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("kB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"
