"""Hypothesis strategies for what scientists and scripts send: VCF lines, loci, gene names,
sequences and REST API JSON, from plausible to hostile (other scripts' digits, 5,000-digit and
past-64-bit numbers, control characters, over-long names, deep nesting)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

# Real GRCh37 chr20 variants (REF matches the demo reference), planted among hostile lines:
# each must be accepted whatever surrounds it.
VALID_RECORDS = (
    ("20", 2443281, "C", "A"),
    ("20", 2443280, "A", "G"),
    ("20", 2450001, "A", "G"),
)

# Any text Postgres can store except through a 400 (NUL included: the code must refuse it).
hostile_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40
) | st.sampled_from(["\x00", "\x1b[31m", "\u202e", "\ufeff", "\r", "\t", "a\x07b", "٢٤٤٣", "²", "x" * 300])

whole_numbers_as_text = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.integers(min_value=0, max_value=10**9).map(lambda n: f"{n:,}"),
    st.text(alphabet=st.characters(categories=["Nd"]), min_size=1, max_size=20),  # every script's digits
    st.text(alphabet="0123456789,.-+e ", min_size=1, max_size=25),
    st.sampled_from(["9" * 5000, "9223372036854775808", "18446744073709551616", "0", "-1", "1e9", "NaN"]),
)

contigs = st.sampled_from(["20", "chr20", "CHR20", "1", "chrM", "", "c" * 100]) | hostile_text
alleles = (
    st.text(alphabet="ACGTNacgtn", min_size=1, max_size=12)
    | st.sampled_from([".", "*", "<DEL>", "-", "A[20:1[", "", "A" * 2000])
    | hostile_text
)


@st.composite
def vcf_records(draw: st.DrawFn) -> str:
    """One VCF data line, any of its first five columns hostile."""
    alts = draw(st.lists(alleles, min_size=1, max_size=3))
    fields = [
        draw(contigs),
        draw(whole_numbers_as_text),
        draw(hostile_text | st.just(".")),
        draw(alleles),
        ",".join(alts),
        *draw(st.lists(hostile_text, max_size=4)),
    ]
    return "\t".join(fields)


compact_variants = st.builds(
    lambda chrom, pos, ref, alt, sep: (
        sep.join([chrom, pos, ref, alt]) if sep != ":>" else f"{chrom}:{pos}:{ref}>{alt}"
    ),
    contigs,
    whole_numbers_as_text,
    alleles,
    alleles,
    st.sampled_from([":>", "-", "_", ":", " "]),
)
other_lines = hostile_text | st.sampled_from(
    [
        "",
        "#",
        "##contig=<ID=20,length=٦٣>",
        "##contig=<ID=20,length=" + "9" * 5000 + ">",
        "rs12345",
        "BRCA1:c.68_69del",
    ]
)
vcf_lines = st.lists(vcf_records() | compact_variants | other_lines, max_size=25)


@st.composite
def loci(draw: st.DrawFn) -> str:
    """`chr20:1,000-2,000` in every spelling, with hostile numbers and separators."""
    start, end = draw(whole_numbers_as_text), draw(whole_numbers_as_text)
    dash = draw(st.sampled_from(["-", "..", "–", "—", "−", ":", " - ", ""]))
    form = draw(st.integers(0, 3))
    chrom = draw(contigs)
    return [chrom, f"{chrom}:{start}", f"{chrom}:{start}{dash}{end}", draw(hostile_text)][form]


gene_names = (
    st.sampled_from(["SNRPB", "snrpb", "ENSG00000125835", "ENSG00000125835.18", "SNRP", "S", ""])
    | st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=150)
    | st.builds(lambda s, n: s * n, st.sampled_from(["SNRPB", "A", "ENSG0"]), st.integers(1, 60))
)

sequences = st.text(alphabet="ACGTNacgtn \n\t", max_size=200) | st.builds(
    lambda body, extra: body + extra, st.text(alphabet="ACGT", max_size=100), hostile_text
)

json_scalars = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | hostile_text
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(hostile_text, inner, max_size=4),
    max_leaves=12,
)


VALID_BODIES: tuple[dict[str, Any], ...] = (
    {"mode": "variants", "variants_text": "20:2443281:C>A"},
    {"mode": "locus", "locus": "20:2,443,000-2,444,000"},
    {"mode": "gene", "gene": "SNRPB"},
    {"mode": "sequence", "sequence": "ACGT" * 10},
    {"mode": "ism", "ism_locus": "20:2443270-2443290"},
)


@st.composite
def job_bodies(draw: st.DrawFn) -> dict[str, Any]:
    """A POST /api/v1/jobs/ body: the real field names with hostile or well-formed values."""
    plausible = {
        "mode": st.sampled_from(["variants", "vcf", "locus", "gene", "sequence", "ism", "other"]),
        "assembly": st.sampled_from(["GRCh37-chr20", "GRCh38", ""]) | hostile_text,
        "variants_text": vcf_lines.map("\n".join),
        "locus": loci(),
        "gene": gene_names,
        "sequence": sequences,
        "ism_locus": loci(),
        "sequence_length": st.sampled_from(["16KB", "1MB", "2KB", ""]),
        "output_types": st.lists(st.sampled_from(["SPLICE_SITES", "ATAC", "NOPE"]), max_size=3),
        "ontology_terms": st.lists(
            st.sampled_from(["UBERON:0002048", "CL:1", "x"]) | hostile_text, max_size=3
        ),
        "spliceai": st.booleans(),
        "spliceai_distance": st.integers(-10, 10**20) | whole_numbers_as_text,
        "spliceai_mask": st.booleans(),
        "alphagenome_scorers": st.lists(hostile_text, max_size=2),
    }
    # a valid body of each mode, then up to three fields replaced: every field is tried alone too
    body = dict(draw(st.sampled_from(VALID_BODIES)))
    for name in draw(st.lists(st.sampled_from(list(plausible)), max_size=3, unique=True)):
        body[name] = (
            draw(plausible[name] | json_values) if draw(st.integers(0, 4)) == 0 else draw(plausible[name])
        )
    return body
