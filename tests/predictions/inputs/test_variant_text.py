"""Variants typed or pasted as text, one per line."""

from __future__ import annotations

import pytest

from predictions.inputs import (
    EmptyInputError,
    InputTooLargeError,
    NoVariantsError,
    RejectionCode,
    TooManyVariantsError,
    parse_variant_text,
)
from tests.predictions.inputs.conftest import ref_at

DONOR = 2_443_280  # SNRPB donor, reference A


@pytest.mark.parametrize(
    "text",
    [
        "chr20:2443280:A>G",
        "20:2443280:A>G",
        "chr20:2,443,280:A>G",
        "20:2443280:A:G",
        "chr20-2443280-A-G",
        "20_2443280_A_G_b37",
        "20_2443280_A_G",
        "chr20_2443280_A_G_GRCh37",
        "chr20:2443280 A G",
        "chr20:2443280 A>G",
        "chr20 2443280 A G",
        "20\t2443280\trs1\tA\tG",
        "20 2443280 . a g . PASS .",
        "  chr20:2443280:a>g  ",
    ],
)
def test_every_format_gives_the_same_variant(genome, text):
    result = parse_variant_text(text, genome, 10)
    assert [(v.chrom, v.pos, v.ref, v.alt, v.line) for v in result.accepted] == [("20", DONOR, "A", "G", 1)]


def test_blank_lines_and_comments_are_skipped_and_lines_numbered(genome):
    text = "# my variants\n\nchr20:2443280:A>G\n   \n# SNRPB\nchr20-2443281-C-A\n"
    result = parse_variant_text(text, genome, 10)
    assert [(str(v), v.line) for v in result.accepted] == [("20:2443280:A>G", 3), ("20:2443281:C>A", 6)]
    assert result.records == 2 and result.input_format == "text"


def test_windows_line_endings_in_pasted_text(genome):
    result = parse_variant_text("chr20:2443280:A>G\r\nchr20:2443281:C>A\r\n", genome, 10)
    assert [v.alt for v in result.accepted] == ["G", "A"]


def test_multiallelic_text_is_split(genome):
    result = parse_variant_text("chr20:2443280:A>G,C,T", genome, 10)
    assert [(v.alt, v.alt_index) for v in result.accepted] == [("G", 1), ("C", 2), ("T", 3)]


@pytest.mark.parametrize(
    ("text", "code", "phrase"),
    [
        ("rs6081362", RejectionCode.SYNTAX, "rsID"),
        ("NC_000020.10:g.2443280A>G", RejectionCode.SYNTAX, "HGVS"),
        ("hello world", RejectionCode.SYNTAX, "expected chr20:1234:A>C"),
        ("chr20:2443280:C>G", RejectionCode.REF_MISMATCH, "REF C does not match the reference, which has A"),
        ("chrX:2443280:A>G", RejectionCode.CONTIG, "CHROM 'chrX'"),
        ("chr20:2443280:A>A", RejectionCode.REF_EQUALS_ALT, "same as REF"),
        ("chr20:2443280:A><DEL>", RejectionCode.SYMBOLIC, "<DEL>"),
        ("chr20:2443280:A>R", RejectionCode.BASES, "'R'"),
        ("chr20:99999999:A>G", RejectionCode.POSITION, "beyond the end"),
    ],
)
def test_bad_lines_are_rejected_with_a_reason(genome, text, code, phrase):
    result = parse_variant_text(f"{text}\nchr20:2443281:C>A", genome, 10)
    assert [str(v) for v in result.accepted] == ["20:2443281:C>A"]
    (rejection,) = result.rejected
    assert (rejection.line, rejection.code, rejection.text) == (1, code, text)
    assert phrase in rejection.reason


def test_rejected_rows_carry_what_could_be_read(genome):
    with pytest.raises(NoVariantsError) as raised:
        parse_variant_text("chr20:2443280:C>G", genome, 10)
    rejection = raised.value.result.rejected[0]
    assert (rejection.chrom, rejection.pos, rejection.ref, rejection.alt) == ("chr20", DONOR, "C", "G")
    assert str(raised.value).startswith("None of the 1 record could be used: line 1: REF C does not match")


def test_indels_typed_without_anchor_context_are_normalised(genome):
    reference = ref_at(genome, 2_171_400, 8)  # ...TAAT...: an A run to shift through
    text = "chr20:2171404:A>AA"
    variant = parse_variant_text(text, genome, 10).accepted[0]
    assert (variant.pos, variant.ref, variant.alt) == (2_171_402, "T", "TA")
    assert variant.normalised_from == "chr20:2171404:A>AA"
    assert reference[2:5] == "TAA"


def test_empty_text_is_a_clear_error(genome):
    for text in ("", "\n  \n", "# only a comment\n"):
        with pytest.raises(EmptyInputError, match="No variants were entered"):
            parse_variant_text(text, genome, 10)


def test_text_limits(genome):
    lines = "\n".join(f"chr20:{DONOR}:A>{alt}" for alt in "CGT")
    with pytest.raises(TooManyVariantsError) as raised:
        parse_variant_text(lines, genome, 2)
    assert (raised.value.limit, raised.value.count) == (2, 3)
    with pytest.raises(InputTooLargeError) as too_large:
        parse_variant_text(lines, genome, 10, max_bytes=20)
    assert too_large.value.status_code == 413
