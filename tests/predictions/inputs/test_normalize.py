"""Left-normalisation: vt's own expected output on real chr20 indels, and properties."""

from __future__ import annotations

import gzip

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from model.demo_assets import VT_EXAMPLES_REF, demo_indel_vcf_source
from predictions.inputs import normalize_variant
from predictions.inputs.normalize import ReferenceReader, RepeatTooLongError, left_normalize

VT_OUTPUT = VT_EXAMPLES_REF.parent / "normalize" / "01_OUT.vcf.gz"


def _records(path) -> list[tuple[str, int, str, str]]:
    with gzip.open(path, "rt") as handle:
        rows = [line.split("\t") for line in handle if not line.startswith("#")]
    return [(row[0], int(row[1]), row[3], row[4]) for row in rows]


def test_matches_vt_normalize_on_194_real_indels(genome):
    inputs, expected = _records(demo_indel_vcf_source()), _records(VT_OUTPUT)
    assert len(inputs) == len(expected) == 194
    got = [(chrom, *normalize_variant(genome, chrom, pos, ref, alt)) for chrom, pos, ref, alt in inputs]
    assert got == expected
    assert sum(a != b for a, b in zip(inputs, expected, strict=True)) == 80  # vt's "left aligned: 80"


@pytest.mark.parametrize(
    ("variant", "expected"),
    [
        ((2_443_280, "A", "G"), (2_443_280, "A", "G")),  # an SNV is left alone
        ((2_443_279, "TAC", "TGC"), (2_443_280, "A", "G")),  # padded SNV trimmed both sides
        ((2_443_278, "TTACC", "TTC"), (2_443_279, "TAC", "T")),  # right-trimmed, then one anchor
    ],
)
def test_trimming(genome, variant, expected):
    pos, ref, alt = variant
    assert genome.fetch("20", pos - 1, pos - 1 + len(ref)) == ref
    assert normalize_variant(genome, "chr20", pos, ref, alt) == expected


def test_an_event_at_position_1_keeps_its_anchor_after(genome):
    reference = genome.fetch("20", 0, 3)  # NNN
    assert normalize_variant(genome, "20", 1, reference[:2], reference[:1]) == (1, "NN", "N")


# Positions of real indels (many in repeats) and random positions, with small edits around them.
_INDEL_POSITIONS = [pos for _, pos, _, _ in _records(demo_indel_vcf_source())]


@st.composite
def variants(draw: st.DrawFn) -> tuple[int, int, int, str]:
    """(pos, ref_length, seed offset, alt) describing an edit of the reference at pos."""
    if draw(st.booleans()):
        pos = draw(st.sampled_from(_INDEL_POSITIONS)) + draw(st.integers(-6, 6))
    else:
        pos = draw(st.integers(60_001, 62_900_000))
    ref_length = draw(st.integers(1, 8))
    kind = draw(st.sampled_from(["duplicate", "delete", "random"]))
    return (
        pos,
        ref_length,
        draw(st.integers(0, 7)),
        kind + ":" + draw(st.text("ACGT", min_size=0, max_size=6)),
    )


def _apply(reference: str, offset: int, ref: str, alt: str) -> str:
    assert reference[offset : offset + len(ref)] == ref
    return reference[:offset] + alt + reference[offset + len(ref) :]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(variants())
def test_normalisation_is_idempotent_and_keeps_the_alt_haplotype(genome, drawn):
    pos, ref_length, cut, recipe = drawn
    kind, _, extra = recipe.partition(":")
    ref = genome.fetch("20", pos - 1, pos - 1 + ref_length)
    context = genome.fetch("20", pos - 1, pos - 1 + 24)
    if kind == "duplicate":  # a tandem copy of what follows: shifts through repeats
        alt = ref + context[ref_length : ref_length + 1 + cut % 4]
    elif kind == "delete":
        alt = ref[: max(1, ref_length - 1 - cut)]
    else:
        alt = ref[: cut % ref_length] + extra + ref[cut % ref_length :][1:]
    assume(alt and alt != ref)

    reader = ReferenceReader(genome, "20")
    try:
        new_pos, new_ref, new_alt = left_normalize(reader, pos, ref, alt)
    except RepeatTooLongError:  # inside chr20's runs of N: refused, not slid megabases
        assert set(ref + alt) == {"N"} or "N" in context
        return
    assert left_normalize(reader, new_pos, new_ref, new_alt) == (new_pos, new_ref, new_alt)
    assert genome.fetch("20", new_pos - 1, new_pos - 1 + len(new_ref)) == new_ref
    # parsimony: no shared last base, and a shared first base only as the one anchor
    assert new_ref[-1] != new_alt[-1]
    assert new_ref[0] != new_alt[0] or min(len(new_ref), len(new_alt)) == 1

    start = new_pos - 1 - 10
    end = max(pos - 1 + len(ref), new_pos - 1 + len(new_ref)) + 10
    reference = genome.fetch("20", start, end)
    assert _apply(reference, new_pos - 1 - start, new_ref, new_alt) == _apply(
        reference, pos - 1 - start, ref, alt
    )
