"""The assembly's reference (bgzipped FASTA, .fai, .gzi) and gene BED, served with Range to igv.js.

Reference data is not private: anyone may read it, logged in or not.
"""

from __future__ import annotations

from pathlib import Path

import pytest

BASE = "/assemblies/GRCh37-chr20"


@pytest.fixture
def fasta(demo_assembly) -> Path:
    return Path(demo_assembly.fasta_path)


@pytest.mark.parametrize("suffix", ["", ".fai", ".gzi"])
def test_reference_files_answer_ranges(anonymous_client, fasta, suffix):
    path = Path(f"{fasta}{suffix}")
    size = path.stat().st_size
    response = anonymous_client.get(f"{BASE}/reference/{fasta.name}{suffix}", HTTP_RANGE="bytes=0-15")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 0-15/{size}"
    with open(path, "rb") as handle:
        assert b"".join(response.streaming_content) == handle.read(16)
    assert "max-age=3600" in response["Cache-Control"]


def test_fasta_is_bgzip_and_index_names_chr20(owner_client, fasta):
    head = b"".join(
        owner_client.get(f"{BASE}/reference/{fasta.name}", HTTP_RANGE="bytes=0-3").streaming_content
    )
    assert head[:2] == b"\x1f\x8b"
    fai = b"".join(owner_client.get(f"{BASE}/reference/{fasta.name}.fai").streaming_content).decode()
    assert fai.split("\t")[:2] == ["20", "63025520"]


def test_range_request_in_the_middle_of_the_fasta(anonymous_client, fasta):
    size = fasta.stat().st_size
    start, end = size // 2, size // 2 + 65_535
    response = anonymous_client.get(f"{BASE}/reference/{fasta.name}", HTTP_RANGE=f"bytes={start}-{end}")
    assert response.status_code == 206
    with open(fasta, "rb") as handle:
        handle.seek(start)
        assert b"".join(response.streaming_content) == handle.read(65_536)


def test_range_past_the_end_is_416(anonymous_client, fasta):
    size = fasta.stat().st_size
    response = anonymous_client.get(f"{BASE}/reference/{fasta.name}", HTTP_RANGE=f"bytes={size}-")
    assert response.status_code == 416


@pytest.mark.parametrize(
    "filename", ["genes.grch37.chr20.txt", "demo_variants.vcf", "..%2F..%2Fsettings.py", "20.fa"]
)
def test_only_the_fasta_and_its_indexes_are_served(anonymous_client, demo_assembly, filename):
    assert anonymous_client.get(f"{BASE}/reference/{filename}").status_code == 404


def test_unknown_assembly_is_404(anonymous_client, demo_assembly):
    assert anonymous_client.get("/assemblies/hg38/reference/20.fa.gz").status_code == 404
    assert anonymous_client.get("/assemblies/hg38/genes.bed").status_code == 404


def test_genes_bed_is_bed12_with_snrpb(anonymous_client, demo_assembly):
    response = anonymous_client.get(f"{BASE}/genes.bed")
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode().splitlines()
    snrpb = next(line.split("\t") for line in lines if line.split("\t")[3] == "SNRPB")
    assert len(snrpb) == 12
    assert snrpb[0] == "20" and snrpb[5] == "-"  # SNRPB is on the minus strand
    block_count, sizes, offsets = int(snrpb[9]), snrpb[10].split(","), snrpb[11].split(",")
    assert block_count == len(sizes) == len(offsets) > 1
    assert offsets[0] == "0" and int(snrpb[1]) + int(offsets[-1]) + int(sizes[-1]) == int(snrpb[2])
    starts = [int(line.split("\t")[1]) for line in lines]
    assert starts == sorted(starts)  # igv.js wants a sorted BED
    ranged = anonymous_client.get(f"{BASE}/genes.bed", HTTP_RANGE="bytes=0-9")
    assert ranged.status_code == 206


def test_head_gives_the_fasta_length(anonymous_client, fasta):
    response = anonymous_client.head(f"{BASE}/reference/{fasta.name}")
    assert response.status_code == 200
    assert response["Content-Length"] == str(fasta.stat().st_size)
    assert anonymous_client.head(f"{BASE}/genes.bed").status_code == 200
