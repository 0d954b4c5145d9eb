"""Writes the hostile-input corpus next to this file: small files, and the compressed ones
(gzip bombs) stored gzipped once more (`unwrap = "gzip"` in manifest.toml), so that a 1 GiB bomb
costs a few kB in git. Run it again after changing a case: `.venv/bin/python
tests/data/bad_inputs/make_corpus.py`; its output is deterministic (gzip mtime 0).

What each case must get (status, words in the answer, records kept) is in manifest.toml, which
this script does not write.
"""

from __future__ import annotations

import gzip
import io
import json
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEADER = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
# Real GRCh37 chr20 variants (REF matches the demo reference): SNRPB's donor and a neighbour.
VALID = ["20\t2443281\tsnrpb_donor\tC\tA\t.\t.\t.", "20\t2443280\tsnrpb_gt_gc\tA\tG\t.\t.\t."]


def gz(data: bytes, level: int = 9) -> bytes:
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=level, mtime=0) as handle:
        handle.write(data)
    return buffer.getvalue()


def gz_stream(chunk: bytes, times: int) -> bytes:
    """One gzip member of `chunk` repeated `times` times, compressed without holding it whole."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [compressor.compress(chunk) for _ in range(times)]
    return b"".join(parts) + compressor.flush()


def bgzf_eof_block() -> bytes:
    """The empty BGZF block that ends every bgzip file (SAM/BAM spec §4.1.2)."""
    return bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")


def write(name: str, data: bytes | str) -> None:
    path = HERE / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


def vcf(*lines: str) -> str:
    return HEADER + "".join(line + "\n" for line in lines)


def main() -> None:
    # numbers the code does not expect
    write("vcf/pos_arabic_indic_mixed.vcf", vcf("20\t٢٤٤٣٢٨١\tarabic\tC\tA\t.\t.\t.", *VALID))
    write("vcf/pos_arabic_indic_only.vcf", vcf("20\t٢٤٤٣٢٨١\tarabic\tC\tA\t.\t.\t."))
    write("vcf/pos_fullwidth_digits.vcf", vcf("20\t２４４３２８１\t.\tC\tA\t.\t.\t."))
    write("vcf/pos_superscript_two.vcf", vcf("20\t²\t.\tC\tA\t.\t.\t."))
    write("vcf/pos_5000_digits.vcf", vcf("20\t" + "9" * 5000 + "\t.\tC\tA\t.\t.\t."))
    write("vcf/pos_past_int64.vcf", vcf("20\t9223372036854775808\t.\tC\tA\t.\t.\t."))
    write("vcf/pos_18_digits_past_contig.vcf", vcf("20\t999999999999999999\t.\tC\tA\t.\t.\t."))
    write("vcf/pos_negative_and_zero.vcf", vcf("20\t-5\t.\tC\tA\t.\t.\t.", "20\t0\t.\tC\tA\t.\t.\t.", *VALID))
    write(
        "vcf/contig_length_5000_digits.vcf",
        "##fileformat=VCFv4.2\n##contig=<ID=20,length=" + "9" * 5000 + ">\n" + vcf(*VALID).split("\n", 1)[1],
    )
    write(
        "vcf/contig_length_arabic_indic.vcf",
        "##fileformat=VCFv4.2\n##contig=<ID=20,length=٦٣٠٢٥٥٢٠>\n" + vcf(*VALID).split("\n", 1)[1],
    )
    write("text/compact_pos_arabic_indic.txt", "chr20:٢٤٤٣٢٨١:C>A\n")
    write("text/compact_pos_5000_digits.txt", "chr20:" + "9" * 5000 + ":C>A\n")
    # NUL and control characters
    write("vcf/nul_in_record.vcf", vcf("20\t2443281\t.\tC\tA\x00\t.\t.\t.", *VALID))
    write(
        "vcf/control_characters_mixed.vcf",
        vcf("2\x1b[31m0\t2443281\t.\tC\tA\t.\t.\t.", "20\t2443281\ta\x07b\tC\tA\t.\t.\t."),
    )
    write(
        "vcf/del_and_escape_in_alt.vcf",
        vcf("20\t2443281\t.\tC\tA\x7f\t.\t.\t.", "20\t2443281\t.\tC\t\x1bA\t.\t.\t."),
    )
    # over-long names reaching fixed-width columns
    write("vcf/chrom_1000_characters.vcf", vcf("c" * 1000 + "\t2443281\t.\tC\tA\t.\t.\t.", *VALID))
    write("vcf/id_10000_characters.vcf", vcf("20\t2443281\t" + "i" * 10_000 + "\tC\tA\t.\t.\t."))
    write(
        "vcf/ref_alt_100kb.vcf.gz",
        gz(vcf("20\t2443281\t.\tC\t" + "A" * 100_000 + "\t.\t.\t.", VALID[1]).encode()),
    )
    # compressed inputs sized to make the server work for minutes
    write("vcf/line_2mib_no_newline.vcf.gz", gz(b"20\t2443281\t.\tC\t" + b"A" * (2 << 20)))
    write("bombs/gzip_1gib_newlines.vcf.gz.gz", gz(gz_stream(b"\n" * (1 << 20), 1024)))
    write("bombs/gzip_1gib_one_line.vcf.gz.gz", gz(gz_stream(b"A" * (1 << 20), 1024)))
    comment = b"##" + b"x" * 1_000_000 + b"\n"
    write("bombs/gzip_300mb_long_comments.vcf.gz.gz", gz(gz_stream(comment, 300)))
    write("bombs/gzip_16_members_1gb.vcf.gz.gz", gz(gz(comment * 64) * 16))
    write(
        "bombs/bgzip_150000_empty_members.vcf.gz.gz",
        gz(bgzf_eof_block() * 150_000 + gz(vcf(*VALID).encode())),
    )
    alts = b"20\t2443281\t.\tC\t" + b",".join([b"A"] * 400_000) + b"\n"  # one ALT, 400,000 times
    write("bombs/alleles_2m_duplicate_alts.vcf.gz.gz", gz(gz(HEADER.encode() + alts * 5)))
    write("vcf/header_lines_600000.vcf.gz", gz(b"##x=1\n" * 600_000 + vcf(*VALID).encode()))
    write("vcf/empty_lines_600000.vcf.gz", gz(b"\n" * 600_000 + vcf(*VALID).encode()))
    write("vcf/truncated.vcf.gz", gz(vcf(*VALID * 500).encode())[:-40])
    write("vcf/trailing_garbage.vcf.gz", gz(vcf(*VALID).encode()) + b"\x00garbage")
    write("vcf/zip_archive.vcf", b"PK\x03\x04" + b"\x00" * 60)
    write("vcf/bcf_binary.vcf", b"BCF\x02\x02" + bytes(range(256)))
    # mixed uploads: the valid records are kept, the others listed with their reason
    write(
        "vcf/mixed_valid_and_invalid.vcf",
        vcf(
            VALID[0],
            "20\t2443281\tdup\tC\tA\t.\t.\t.",  # duplicate of line 3
            "20\t2443281\twrong_ref\tG\tA\t.\t.\t.",
            "20\t2443281\tbad_base\tC\tZ\t.\t.\t.",
            "20\t2443281\tsymbolic\tC\t<DEL>\t.\t.\t.",
            "1\t2443281\tunknown_contig\tC\tA\t.\t.\t.",
            "20\tPOS\tnot_a_number\tC\tA\t.\t.\t.",
            "this is not a record",
            "",
            VALID[1],
        ),
    )
    # GRCh37 chr20 is N from 26,319,570 to 29,419,569 (1-based): an N inserted there slides left
    # 3 Mb when normalised, and a 400 kb REF of N with its first base changed shares a 400 kb suffix
    n_run = [f"20\t{26_400_000 + 1000 * i}\tn_ins_{i}\tN\tNN" for i in range(2000)]
    write("vcf/n_run_insertions_2000.vcf.gz", gz(vcf(*n_run).encode()))
    long_subs = [
        f"20\t{26_400_000 + 500_000 * i}\tlong_sub_{i}\t{'N' * 400_000}\tA{'N' * 399_999}" for i in range(5)
    ]
    write("vcf/n_run_substitutions_400kb.vcf.gz", gz(vcf(*long_subs).encode()))
    write("text/gnomad_style_backtracking.txt.gz", gz(("a-1" * 30_000 + "-\n" + "20-2443281-C-A\n").encode()))
    write("text/colon_runs.txt.gz", gz(("20:1:" + "A:" * 30_000 + "\n20:2443281:C>A\n").encode()))
    # API JSON bodies
    ok = {"mode": "variants", "assembly": "GRCh37-chr20", "variants_text": "20:2443281:C>A"}
    bodies = {
        "distance_arabic_indic": {**ok, "spliceai_distance": "٥٠"},
        "distance_float": {**ok, "spliceai_distance": 50.5},
        "distance_boolean": {**ok, "spliceai_distance": True},
        "distance_past_int64": {**ok, "spliceai_distance": 2**64},
        "assembly_nul": {**ok, "assembly": "GRCh37\x00"},
        "assembly_1000_characters": {**ok, "assembly": "a" * 1000},
        "ontology_terms_1000": {**ok, "ontology_terms": ["UBERON:0002048"] * 1000},
        "ontology_term_200_characters": {**ok, "ontology_terms": ["UBERON:" + "1" * 200]},
        "output_types_100": {**ok, "output_types": ["ATAC"] * 100},
        "variants_text_nul": {**ok, "variants_text": "20:2443281:C>A\x00"},
        "gene_1000_characters": {"mode": "gene", "gene": "SNRPB" * 200},
        "locus_control_characters": {"mode": "locus", "locus": "20:2,443,281\x1b[2J"},
        "sequence_rna": {"mode": "sequence", "sequence": "ACGUACGU"},
        "mode_object": {"mode": {"mode": "variants"}},
        "not_an_object": [ok],
    }
    for name, body in bodies.items():
        write(f"json/{name}.json", json.dumps(body, ensure_ascii=False))
    write(
        "json/distance_5000_digits.json",
        '{"mode": "variants", "variants_text": "20:2443281:C>A", "spliceai_distance": ' + "9" * 5000 + "}",
    )
    write(
        "json/distance_nan.json",
        '{"mode": "variants", "variants_text": "20:2443281:C>A", "spliceai_distance": NaN}',
    )
    write("json/lone_surrogate.json", '{"mode": "variants", "variants_text": "20:2443281:C>A\\ud800"}')
    write("json/nested_40_levels.json", '{"mode": "variants", "x": ' + "[" * 40 + "]" * 40 + "}")
    lines = {
        **ok,
        "variants_text": "#\n" * 600_000 + "20:2443281:C>A",
    }  # comment lines (both fields strip blanks)
    write("json/variants_text_600000_lines.json.gz", gz(json.dumps(lines).encode()))
    many = {"mode": "locus", "locus": "20:2443281"}
    write(
        "json/ontology_terms_600000.json.gz",
        gz(json.dumps({**many, "ontology_terms": ["x"] * 600_000}).encode()),
    )
    write(
        "json/scorers_1000000_objects.json.gz",
        gz(json.dumps({**many, "alphagenome_scorers": [{}] * 1_000_000}).encode()),
    )
    write("json/nested_100000_levels.json.gz", gz(b"[" * 100_000 + b"]" * 100_000))
    write("json/body_6mib.json.gz", gz(json.dumps({**ok, "variants_text": "#" * (6 << 20)}).encode()))


if __name__ == "__main__":
    main()
