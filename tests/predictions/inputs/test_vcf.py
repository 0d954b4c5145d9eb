"""VCF uploads: every case in issue 6's "Inputs that must be handled", on real chr20 sequence."""

from __future__ import annotations

import gzip
import random

import pytest

from predictions.inputs import (
    EmptyInputError,
    InputError,
    InputTooLargeError,
    NoVariantsError,
    RejectionCode,
    TooManyVariantsError,
    UnsupportedFormatError,
    detect_compression,
    parse_vcf_bytes,
    parse_vcf_file,
)
from tests.predictions.inputs.conftest import (
    CHR20_LENGTH,
    VCF_HEADER,
    SizedUpload,
    bgzip_bytes,
    gzip_bytes,
    other_base,
    ref_at,
    vcf_line,
)

MB = 1 << 20
LIMIT = 10_000
HEADER_LINES = VCF_HEADER.count("\n")


def parse(text: str, genome, *, max_variants: int = LIMIT):
    return parse_vcf_bytes(text.encode(), genome, max_variants, MB)


def only_rejection(result):
    assert len(result.rejected) == 1, result.rejected
    return result.rejected[0]


def test_demo_vcf_is_accepted_whole(genome, demo_vcf_path):
    result = parse_vcf_bytes(demo_vcf_path.read_bytes(), genome, LIMIT, MB)
    assert result.rejected == []
    assert len(result.accepted) == result.records == 62
    assert result.input_format == "vcf" and result.compression == "plain"
    donor = next(v for v in result.accepted if v.variant_id == "SNRPB_donor_GT_to_GC")
    assert (donor.chrom, donor.pos, donor.ref, donor.alt, donor.line) == ("20", 2443280, "A", "G", 7)


def test_plain_gzip_and_bgzip_are_told_apart_by_their_bytes(genome, demo_vcf_path, tmp_path):
    text = demo_vcf_path.read_text()
    plain = parse_vcf_bytes(text.encode(), genome, LIMIT, MB)
    for data, kind in ((gzip_bytes(text), "gzip"), (bgzip_bytes(text, tmp_path), "bgzip")):
        assert detect_compression(data) == kind
        result = parse_vcf_bytes(data, genome, LIMIT, MB)
        assert result.compression == kind
        assert result.accepted == plain.accepted  # same variants, same line numbers


def test_real_indels_are_normalised_like_vt_and_line_numbers_count_headers(genome):
    from model.demo_assets import demo_indel_vcf_source

    result = parse_vcf_bytes(demo_indel_vcf_source().read_bytes(), genome, LIMIT, MB)
    assert result.records == 194
    assert len(result.accepted) + len(result.duplicates) == 194 and result.errors == []
    shifted = next(v for v in result.accepted if v.normalised_from == "20:421808:A>ACCA")
    assert (shifted.pos, shifted.ref, shifted.alt) == (421805, "T", "TCCA")  # vt's 01_OUT
    with gzip.open(demo_indel_vcf_source(), "rt") as handle:
        lines = handle.read().splitlines()
    assert lines[shifted.line - 1].startswith("20\t421808\t")


def test_contig_aliases_take_the_reference_spelling(genome):
    pos = 2443280
    text = VCF_HEADER + vcf_line("chr20", pos, ref_at(genome, pos), "G")
    variant = parse(text, genome).accepted[0]
    assert variant.chrom == "20" and variant.normalised_from is None
    assert any("chr20 → 20" in note for note in parse(text, genome).notes)


def test_unknown_contig_is_rejected_by_name_and_others_kept(genome):
    pos = 2443280
    text = VCF_HEADER + vcf_line("chr21", pos, "A", "G") + vcf_line("20", pos, ref_at(genome, pos), "G")
    result = parse(text, genome)
    rejection = only_rejection(result)
    assert rejection.code is RejectionCode.CONTIG and rejection.line == HEADER_LINES + 1
    assert "CHROM 'chr21'" in rejection.reason and "20" in rejection.reason
    assert len(result.accepted) == 1


def test_ref_mismatch_names_the_line_and_both_alleles(genome):
    pos = 31_659_196
    reference = ref_at(genome, pos, 3)
    wrong = other_base(reference[0]) + reference[1:]
    text = VCF_HEADER + vcf_line("20", pos, wrong, "A")
    with pytest.raises(NoVariantsError) as raised:
        parse(text, genome)
    rejection = only_rejection(raised.value.result)
    assert rejection.code is RejectionCode.REF_MISMATCH
    assert rejection.line == HEADER_LINES + 1
    assert f"REF {wrong}" in rejection.reason and f"has {reference} at 20:31,659,196" in rejection.reason
    assert str(rejection).startswith(f"line {HEADER_LINES + 1}: REF")


def test_multiallelic_sites_are_split_keeping_the_line(genome):
    pos = 5_924_018
    ref = ref_at(genome, pos)
    alts = [b for b in "ACGT" if b != ref]
    text = VCF_HEADER + vcf_line("20", pos, ref, ",".join(alts), "rs_multi")
    result = parse(text, genome)
    assert [(v.alt, v.alt_index, v.line, v.variant_id) for v in result.accepted] == [
        (alt, i, HEADER_LINES + 1, "rs_multi") for i, alt in enumerate(alts, start=1)
    ]
    assert any("split into 3 variants" in note for note in result.notes)


def test_multiallelic_indels_are_trimmed_per_allele(genome):
    pos = 3_635_158  # vt: 20:3635159 T>TT normalises to 3635158 A>AT; the reference reads A T T ...
    ref = ref_at(genome, pos, 2)
    result = parse(VCF_HEADER + vcf_line("20", pos, ref, f"{ref}T,{ref[0]}"), genome)
    spelled = [(v.pos, v.ref, v.alt, v.alt_index) for v in result.accepted]
    assert spelled[0][3] == 1 and spelled[1][3] == 2
    for variant in result.accepted:
        assert variant.ref[0] == variant.alt[0] and min(len(variant.ref), len(variant.alt)) == 1


@pytest.mark.parametrize(
    ("alt", "named"),
    [
        ("<DEL>", "<DEL>"),
        ("<INS:ME:ALU>", "<INS:ME:ALU>"),
        ("<NON_REF>", "<NON_REF>"),
        ("*", "'*'"),
        ("G]17:198982]", "breakend"),
        ("]13:123456]G", "breakend"),
        ("G[17:198983[", "breakend"),
        (".G", "breakend"),
        ("G.", "breakend"),
    ],
)
def test_symbolic_and_structural_alleles_are_rejected_and_named(genome, alt, named):
    pos = 18_365_313
    ref = ref_at(genome, pos)
    snv = other_base(ref)
    result = parse(VCF_HEADER + vcf_line("20", pos, ref, f"{snv},{alt}"), genome)
    assert [v.alt for v in result.accepted] == [snv]  # the sequence allele of the record survives
    rejection = only_rejection(result)
    assert rejection.code is RejectionCode.SYMBOLIC and named in rejection.reason
    assert rejection.alt == alt and "allele 2 of 2" in rejection.reason


@pytest.mark.parametrize(("field", "bad"), [("ALT", "R"), ("ALT", "AXG"), ("REF", "Y"), ("ALT", "-")])
def test_non_acgtn_bases_are_rejected(genome, field, bad):
    pos = 23_805_000
    ref = ref_at(genome, pos)
    good = vcf_line("20", pos + 10, ref_at(genome, pos + 10), other_base(ref_at(genome, pos + 10)))
    line = vcf_line("20", pos, bad, "A") if field == "REF" else vcf_line("20", pos, ref, bad)
    result = parse(VCF_HEADER + line + good, genome)
    rejection = only_rejection(result)
    assert rejection.code is RejectionCode.BASES and rejection.reason.startswith(field)
    assert len(result.accepted) == 1


def test_n_is_a_valid_base_and_lowercase_is_read(genome):
    pos = 30_232_377
    ref = ref_at(genome, pos)
    result = parse(VCF_HEADER + vcf_line("20", pos, ref.lower(), "n"), genome)
    assert (result.accepted[0].ref, result.accepted[0].alt) == (ref, "N")


def test_duplicates_are_kept_once_and_reported(genome):
    pos = 2_171_402  # vt example: 2171402 T>TA and 2171404 A>AA are the same insertion
    exact = vcf_line("20", 2_443_281, ref_at(genome, 2_443_281), "A")
    text = (
        VCF_HEADER
        + vcf_line("20", pos, ref_at(genome, pos), ref_at(genome, pos) + "A")
        + exact
        + vcf_line("20", 2_171_404, "A", "AA")
        + exact
    )
    result = parse(text, genome)
    assert [str(v) for v in result.accepted] == ["20:2171402:T>TA", "20:2443281:C>A"]
    duplicate_lines = [(r.line, r.code) for r in result.rejected]
    assert duplicate_lines == [
        (HEADER_LINES + 3, RejectionCode.DUPLICATE),
        (HEADER_LINES + 4, RejectionCode.DUPLICATE),
    ]
    assert f"repeats line {HEADER_LINES + 1} after left-normalisation" in result.rejected[0].reason
    assert result.errors == [] and "2 duplicates kept once" in result.summary()


def test_positions_beyond_the_contig_end_are_rejected(genome):
    text = (
        VCF_HEADER
        + vcf_line("20", CHR20_LENGTH + 1, "N", "A")
        + vcf_line("20", CHR20_LENGTH, "NN", "A")
        + vcf_line("20", 0, "N", "A")
        + vcf_line("20", 2_443_280, "A", "G")
    )
    result = parse(text, genome)
    reasons = [(r.line - HEADER_LINES, r.code) for r in result.rejected]
    assert reasons == [(1, RejectionCode.POSITION), (2, RejectionCode.POSITION), (3, RejectionCode.POSITION)]
    assert "beyond the end of contig 20 (63,025,520 bp)" in result.rejected[0].reason
    assert "runs past the end" in result.rejected[1].reason
    assert len(result.accepted) == 1


def test_variants_near_contig_ends_are_accepted_and_windows_pad_with_n(genome):
    first_base = 60_001  # chr20 starts with 60 kb of N
    last_base = CHR20_LENGTH
    text = (
        VCF_HEADER
        + vcf_line("20", first_base, ref_at(genome, first_base), other_base(ref_at(genome, first_base)))
        + vcf_line("20", last_base, ref_at(genome, last_base), "A")
        + vcf_line("20", 1, ref_at(genome, 1, 2), "N")  # a deletion at position 1 keeps its anchor after
    )
    result = parse(text, genome)
    assert result.rejected == []
    assert [v.pos for v in result.accepted] == [first_base, last_base, 1]
    window = genome.fetch("20", last_base - 1 - 524_288, last_base - 1 + 524_288)
    assert len(window) == 1_048_576 and window.endswith("N" * 524_287)


def test_unsorted_records_are_all_read_in_input_order(genome, demo_vcf_path):
    records = [
        line for line in demo_vcf_path.read_text().splitlines(keepends=True) if not line.startswith("#")
    ]
    random.Random(20).shuffle(records)
    result = parse(VCF_HEADER + "".join(records), genome)
    assert len(result.accepted) == 62 and result.rejected == []
    assert [v.variant_id for v in result.accepted] == [line.split("\t")[2] for line in records]
    assert any("not sorted" in note for note in result.notes)


def test_missing_header_is_read_as_vcf_columns(genome, demo_vcf_path):
    records = "".join(line for line in demo_vcf_path.read_text().splitlines(True) if not line.startswith("#"))
    result = parse(records, genome)
    assert len(result.accepted) == 62 and result.accepted[0].line == 1
    assert result.input_format == "vcf" and any("No #CHROM header" in note for note in result.notes)


def test_windows_line_endings_in_plain_and_gzip_files(genome, demo_vcf_path):
    crlf = demo_vcf_path.read_text().replace("\n", "\r\n")
    for data in (crlf.encode(), gzip_bytes(crlf), b"\xef\xbb\xbf" + crlf.encode()):
        result = parse_vcf_bytes(data, genome, LIMIT, MB)
        assert len(result.accepted) == 62 and result.rejected == []
        assert all("\r" not in v.source_text and "\r" not in v.alt for v in result.accepted)


def test_old_mac_line_endings(genome, demo_vcf_path):
    result = parse_vcf_bytes(demo_vcf_path.read_text().replace("\n", "\r").encode(), genome, LIMIT, MB)
    assert len(result.accepted) == 62


@pytest.mark.parametrize("data", [b"", b"\n\n  \r\n", VCF_HEADER.encode(), gzip_bytes("")])
def test_empty_files_are_a_clear_error(genome, data):
    with pytest.raises(EmptyInputError) as raised:
        parse_vcf_bytes(data, genome, LIMIT, MB)
    assert raised.value.status_code == 400
    assert "empty" in str(raised.value) or "no variant records" in str(raised.value)


def test_a_file_over_the_size_limit_is_413(genome, demo_vcf_path):
    data = demo_vcf_path.read_bytes()
    with pytest.raises(InputTooLargeError) as raised:
        parse_vcf_bytes(data, genome, LIMIT, max_bytes=1024)
    assert raised.value.status_code == 413 and raised.value.limit == 1024
    assert "over the upload limit of 1.0 kB" in str(raised.value)
    with pytest.raises(InputTooLargeError):
        parse_vcf_file(SizedUpload(data), genome, LIMIT, max_bytes=1024)
    unsized = SizedUpload(data)
    del unsized.size
    with pytest.raises(InputTooLargeError):
        parse_vcf_file(unsized, genome, LIMIT, max_bytes=1024)
    assert len(parse_vcf_file(SizedUpload(data), genome, LIMIT, max_bytes=len(data)).accepted) == 62


def test_a_gzip_bomb_is_stopped_by_the_decompressed_limit(genome):
    bomb = gzip.compress(VCF_HEADER.encode() + b"##" + b"x" * (8 * MB) + b"\n")
    assert len(bomb) < 64 * 1024
    with pytest.raises(InputTooLargeError) as raised:
        parse_vcf_bytes(bomb, genome, LIMIT, max_bytes=64 * 1024)
    assert "decompresses to more than" in str(raised.value) and raised.value.status_code == 413


def test_more_variants_than_the_job_limit_refuses_the_submission(genome, demo_vcf_path):
    data = demo_vcf_path.read_bytes()
    with pytest.raises(TooManyVariantsError) as raised:
        parse_vcf_bytes(data, genome, 50, MB)
    error = raised.value
    assert (error.limit, error.count, error.count_is_lower_bound) == (50, 62, False)
    assert "62 variants" in str(error) and "limit of 50 per job" in str(error)
    assert len(parse_vcf_bytes(data, genome, 62, MB).accepted) == 62  # exactly at the limit is fine


def test_rejected_records_never_cost_accepted_ones(genome, demo_vcf_path):
    good = [line for line in demo_vcf_path.read_text().splitlines(True) if not line.startswith("#")]
    pos = 9_390_035
    bad = [
        vcf_line("20", pos, other_base(ref_at(genome, pos)), "A"),  # REF mismatch
        vcf_line("chrUn", 5, "A", "G"),
        vcf_line("20", pos, ref_at(genome, pos), "<DUP>"),
        vcf_line("20", pos, ref_at(genome, pos), ref_at(genome, pos)),  # REF == ALT
        vcf_line("20", pos, ref_at(genome, pos), "."),
        vcf_line("20", CHR20_LENGTH + 10, "A", "G"),
        "20\tnot_a_number\t.\tA\tG\t.\t.\t.\n",
        "this line is not a record\n",
        good[0],  # a duplicate
    ]
    mixed = [item for pair in zip(good, bad * 7, strict=False) for item in pair] + good[len(bad) * 7 :]
    result = parse(VCF_HEADER + "".join(mixed), genome)
    assert len(result.accepted) == 62
    assert {r.code for r in result.rejected} == {
        RejectionCode.REF_MISMATCH,
        RejectionCode.CONTIG,
        RejectionCode.SYMBOLIC,
        RejectionCode.REF_EQUALS_ALT,
        RejectionCode.NO_ALT,
        RejectionCode.POSITION,
        RejectionCode.SYNTAX,
        RejectionCode.DUPLICATE,
    }
    for rejection in result.rejected:
        assert mixed[rejection.line - HEADER_LINES - 1].rstrip("\n").startswith(rejection.text.split("\t")[0])


def test_a_damaged_gzip_stream_is_refused(genome, demo_vcf_path):
    data = gzip_bytes(demo_vcf_path.read_text())
    with pytest.raises(UnsupportedFormatError, match="damaged or truncated"):
        parse_vcf_bytes(data[: len(data) // 2], genome, LIMIT, MB)


@pytest.mark.parametrize(
    ("data", "named"),
    [
        (b"BCF\x02\x02rest", "BCF"),
        (gzip.compress(b"BCF\x02\x02rest"), "BCF"),
        (b"PK\x03\x04zip", "zip"),
        (b"BZh91AY&SY", "bzip2"),
        (b"\x00\x01\x02binary\n", "binary"),
    ],
)
def test_other_formats_are_refused_with_a_reason(genome, data, named):
    with pytest.raises(UnsupportedFormatError, match=named):
        parse_vcf_bytes(data, genome, LIMIT, MB)


def test_a_header_without_ref_or_alt_is_an_error(genome):
    with pytest.raises(InputError, match="no REF, ALT columns"):
        parse("#CHROM\tPOS\tID\tQUAL\n20\t100\t.\t.\n", genome)


def test_header_columns_in_another_order_are_followed(genome):
    pos = 2_443_280
    text = f"#chrom\tpos\tref\talt\n20\t{pos}\t{ref_at(genome, pos)}\tG\n"
    assert str(parse(text, genome).accepted[0]) == "20:2443280:A>G"


def test_a_header_for_another_assembly_is_noted(genome):
    pos = 2_443_280
    text = "##contig=<ID=chr20,length=64444167>\n" + vcf_line("chr20", pos, ref_at(genome, pos), "G")
    notes = parse(text, genome).notes
    assert any("64,444,167 bp" in note and "another assembly" in note for note in notes)


def test_lines_of_the_compact_formats_are_read_from_a_file_too(genome):
    result = parse(VCF_HEADER + "chr20:2443280:A>G\n20_2443281_C_A_b37\n", genome)
    assert [str(v) for v in result.accepted] == ["20:2443280:A>G", "20:2443281:C>A"]


def test_the_limit_count_is_a_lower_bound_when_the_decompressed_cap_stops_counting(genome, demo_vcf_path):
    records = [line for line in demo_vcf_path.read_text().splitlines(True) if not line.startswith("#")]
    data = gzip_bytes(VCF_HEADER + "".join(records * 40))  # 2,480 records, about 80 kB of text
    with pytest.raises(TooManyVariantsError) as raised:
        parse_vcf_bytes(data, genome, 5, MB, max_decompressed_bytes=20_000)
    error = raised.value
    assert error.count_is_lower_bound and 5 < error.count < 2_480
    assert f"at least {error.count:,} variants" in str(error)


def test_thousands_of_real_snps_parse(genome, common_snps_path):
    # How fast is a benchmark's question (bench/), not a timed unit test's: this one fails under load.
    result = parse_vcf_bytes(common_snps_path.read_bytes(), genome, LIMIT, MB)
    assert len(result.accepted) == result.records == 7_273 and result.compression == "bgzip"


def test_utf16_text_from_excel_is_read(genome, demo_vcf_path):
    data = demo_vcf_path.read_text().encode("utf-16")
    assert len(parse_vcf_bytes(data, genome, LIMIT, MB).accepted) == 62


def test_a_django_upload_is_read(genome, demo_vcf_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("variants.txt", gzip_bytes(demo_vcf_path.read_text()))  # name says nothing
    result = parse_vcf_file(upload, genome, LIMIT, MB)
    assert result.compression == "gzip" and len(result.accepted) == 62


def test_long_ids_are_cut(genome):
    pos = 2_443_280
    result = parse(vcf_line("20", pos, "A", "G", ";".join(f"rs{i}" for i in range(100))), genome)
    assert len(result.accepted[0].variant_id) == 200 and result.accepted[0].variant_id.endswith("…")


def test_a_header_without_its_hash_is_still_a_header(genome, demo_vcf_path):
    records = [line for line in demo_vcf_path.read_text().splitlines(True) if not line.startswith("#")]
    result = parse("CHROM\tPOS\tID\tREF\tALT\n" + "".join(records), genome)
    assert len(result.accepted) == 62 and result.rejected == []


def test_a_file_for_another_assembly_is_recognised(genome, demo_vcf_path):
    records = [line.split("\t") for line in demo_vcf_path.read_text().splitlines(True) if line[0] != "#"]
    shifted = "".join("\t".join([f[0], str(int(f[1]) + 1), *f[2:]]) for f in records)
    try:
        notes = parse(shifted, genome).notes
    except NoVariantsError as error:
        notes = error.result.notes
    assert any("probably made for another assembly" in note for note in notes)


def test_a_whole_genome_vcf_on_a_chr20_assembly_keeps_chr20_and_caps_the_listing(genome, demo_vcf_path):
    records = [line for line in demo_vcf_path.read_text().splitlines(True) if not line.startswith("#")]
    elsewhere = [line.replace("20\t", f"{chrom}\t", 1) for chrom in ("1", "2", "X") for line in records]
    result = parse(VCF_HEADER + "".join(elsewhere[:100] + records + elsewhere[100:]), genome)
    assert len(result.accepted) == 62
    rejected = len(elsewhere)
    assert len(result.rejected) == 1_000 if rejected > 1_000 else len(result.rejected) == rejected
    counted = parse_vcf_bytes(
        (VCF_HEADER + "".join(elsewhere + records)).encode(), genome, LIMIT, MB, max_listed_rejections=50
    )
    assert len(counted.rejected) == 50 and counted.unlisted_rejections == rejected - 50
    assert counted.rejection_counts[RejectionCode.CONTIG] == rejected
    assert f"{rejected:,} rejected" in counted.summary()
    assert any(
        f"{rejected - 50:,} more rejected lines are counted but not listed" in n for n in counted.notes
    )
    assert any("1 (62), 2 (62), X (62)" in note for note in counted.notes)
