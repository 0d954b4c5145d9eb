"""VCF uploads: plain, gzip or bgzip (told apart by their bytes, not their names).

The file is decompressed as a stream and read line by line, so that every problem names its
line (line numbers count lines of the decompressed text, headers included, as `zcat | sed -n`
does). A whole-file htslib parse is not used: it stops at the first bad record and cannot
keep the good ones. Headers are optional; Windows and old Mac line endings, a UTF-8 byte
order mark and UTF-16 text are accepted; lines that are not VCF columns may use the compact
variant formats.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Iterator
from typing import BinaryIO, Protocol

from model.service import Genome
from predictions.inputs.records import parse_lines
from predictions.inputs.results import (
    EmptyInputError,
    InputTooLargeError,
    ParseResult,
    UnsupportedFormatError,
)

GZIP_MAGIC = b"\x1f\x8b"
DECOMPRESSED_SIZE_FACTOR = 20  # default cap on decompressed bytes, as a multiple of max_bytes
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

    Returns:
      ParseResult with accepted variants and rejections, each naming its line.

    Raises:
      InputTooLargeError: `data` is over `max_bytes`, or decompresses to more than allowed (413).
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
    return parse_lines(
        _numbered_lines(data, compression, cap),
        genome,
        max_variants,
        result=result,
        empty_message="The file has no variant records, only headers or comments.",
        max_listed_rejections=max_listed_rejections,
    )


def parse_vcf_file(
    fileobj: BinaryIO | _Readable,
    genome: Genome,
    max_variants: int,
    max_bytes: int,
    *,
    max_decompressed_bytes: int | None = None,
    max_listed_rejections: int | None = None,
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
    )


def _numbered_lines(data: bytes, compression: str, cap: int) -> Iterator[tuple[int, str]]:
    """`(line number, text)` of the decompressed input, with universal newlines."""
    raw: io.RawIOBase = _CappedReader(
        gzip.GzipFile(fileobj=io.BytesIO(data)) if compression != "plain" else io.BytesIO(data), cap
    )
    text = io.TextIOWrapper(io.BufferedReader(raw), encoding="utf-8-sig", errors="replace", newline=None)
    line = 0
    try:
        for line, content in enumerate(text, start=1):
            if line == 1 and compression != "plain":
                _refuse_other_formats(content.encode("utf-8", errors="replace"))
            yield line, content.rstrip("\n")
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:
        raise UnsupportedFormatError(
            f"The {compression} stream is damaged or truncated after line {line:,} ({error}); "
            "upload the file again, or check it with `gzip -t`."
        ) from error


class _CappedReader(io.RawIOBase):
    """A readable stream that raises InputTooLargeError beyond `cap` bytes."""

    def __init__(self, inner: BinaryIO | io.BytesIO | gzip.GzipFile, cap: int) -> None:
        self.inner = inner
        self.cap = cap
        self.total = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        chunk = self.inner.read(len(buffer))
        self.total += len(chunk)
        if self.total > self.cap:
            raise InputTooLargeError(
                f"The file decompresses to more than {_size(self.cap)}, over the limit.",
                size=None,
                limit=self.cap,
            )
        buffer[: len(chunk)] = chunk
        return len(chunk)


def _refuse_other_formats(head: bytes) -> None:
    for magic, description in _OTHER_FORMATS:
        if head.startswith(magic):
            raise UnsupportedFormatError(f"This is {description}. Upload a VCF: plain text, gzip or bgzip.")


def _size(n: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("kB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"
