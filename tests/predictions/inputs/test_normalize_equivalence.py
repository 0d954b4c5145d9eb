"""left_normalize computes vt's one-base-at-a-time loop in bulk (so that long alleles and indels in
long repeats or N runs cost milliseconds); it must give exactly what the loop gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from predictions.inputs.normalize import MAX_SLIDE, RepeatTooLongError, left_normalize


class StringReference:
    """A contig held in a string, read through ReferenceReader's interface (1-based positions)."""

    def __init__(self, sequence: str) -> None:
        self.sequence = sequence

    def base(self, pos: int) -> str:
        return self.sequence[pos - 1]

    def bases(self, first: int, last: int) -> str:
        return self.sequence[first - 1 : last]


def vt_loop(reader: StringReference, pos: int, ref: str, alt: str) -> tuple[int, str, str] | None:
    """Tan, Abecasis & Kang 2015, Algorithm 1, one base at a time (the code left_normalize replaced);
    None where left_normalize refuses: more than MAX_SLIDE steps after the first extension."""
    extensions = 0
    while ref[-1] == alt[-1]:
        if min(len(ref), len(alt)) == 1 and pos == 1:
            break
        if extensions == MAX_SLIDE + 1:
            return None
        ref, alt = ref[:-1], alt[:-1]
        if not ref or not alt:
            anchor = reader.base(pos - 1)
            ref, alt, pos = anchor + ref, anchor + alt, pos - 1
            extensions += 1
    leading = 0
    limit = min(len(ref), len(alt)) - 1
    while leading < limit and ref[leading] == alt[leading]:
        leading += 1
    return pos + leading, ref[leading:], alt[leading:]


@st.composite
def variants(draw: st.DrawFn) -> tuple[str, int, str, str]:
    unit = draw(st.text(alphabet="ACN", min_size=1, max_size=4))  # few letters: long repeats
    sequence = draw(st.text(alphabet="ACGN", max_size=30)) + unit * draw(st.integers(1, 600))
    sequence += draw(st.text(alphabet="ACGN", max_size=30))
    start = draw(st.integers(1, len(sequence)))
    end = draw(st.integers(start, min(len(sequence), start + 600)))
    ref = sequence[start - 1 : end]
    alt = draw(
        st.text(alphabet="ACGN", min_size=1, max_size=8)
        | st.builds(lambda n, k: ref[:k] + unit * n, st.integers(0, 50), st.integers(1, len(ref)))
        | st.builds(lambda k: ref[:k], st.integers(1, len(ref)))
    )
    return sequence, start, ref, alt


@settings(max_examples=1500, derandomize=True, database=None, deadline=None)
@given(variants())
def test_bulk_equals_vt_loop(variant: tuple[str, int, str, str]) -> None:
    sequence, pos, ref, alt = variant
    if ref == alt:
        return
    reader = StringReference(sequence)
    try:
        normalised: tuple[int, str, str] | None = left_normalize(reader, pos, ref, alt)  # type: ignore[arg-type]
    except RepeatTooLongError:
        normalised = None
    assert normalised == vt_loop(reader, pos, ref, alt)
