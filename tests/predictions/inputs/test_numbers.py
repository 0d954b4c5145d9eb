"""One strict reading of whole numbers: ASCII digits only, at most 18 of them; everywhere a number
is read (VCF POS, variant text, loci) the refusal names the field and keeps the valid records."""

from __future__ import annotations

import pytest

from predictions.inputs import LocusError, parse_locus, parse_vcf_bytes
from predictions.inputs.numbers import MAX_DIGITS, whole_number

HUGE = "9" * 5000  # int() of this raises ValueError in Python 3.11 (the 4,300-digit limit)


@pytest.mark.parametrize(
    "text, thousands, expected",
    [
        ("2443281", False, 2443281),
        ("2,443,281", True, 2443281),
        ("2,443,281", False, None),
        ("9" * MAX_DIGITS, False, int("9" * MAX_DIGITS)),
        ("9" * (MAX_DIGITS + 1), False, None),
        (HUGE, False, None),
        ("١٢٣", False, None),  # Arabic-Indic digits: str.isdigit() and \d accept them
        ("²", False, None),
        ("", False, None),
        ("-5", False, None),
        (",5", True, None),
    ],
)
def test_whole_number(text, thousands, expected):
    assert whole_number(text, thousands=thousands) == expected


@pytest.mark.parametrize("locus", [f"chr20:{HUGE}", "chr20:١٢٣-٤٥٦", "chr20:1-" + "9" * 19])
def test_locus_numbers_are_refused_with_a_message(genome, locus):
    with pytest.raises(LocusError, match="not a whole number of at most 18 ASCII digits"):
        parse_locus(locus, genome)


def test_vcf_positions_that_are_not_ascii_numbers_are_rejected_and_the_rest_kept(genome):
    valid = genome.fetch("20", 2_443_280, 2_443_281)
    text = (
        "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
        f"20\t2443281\tgood\t{valid}\t{'A' if valid != 'A' else 'C'}\t.\t.\t.\n"
        "20\t١٢٣\tarabic\tA\tC\t.\t.\t.\n"
        f"20\t{HUGE}\thuge\tA\tC\t.\t.\t.\n"
    )
    result = parse_vcf_bytes(text.encode(), genome, 100, 1 << 20)
    assert [v.pos for v in result.accepted] == [2_443_281]
    reasons = [r.reason for r in result.rejected]
    assert len(reasons) == 2 and all("POS" in r and "ASCII digits" in r for r in reasons), reasons
