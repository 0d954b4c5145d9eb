"""Real GRCh37 chr20 (vt-examples) and SpliceAI's chr20 gene table for the input parsers."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pandas as pd
import pysam
import pytest

from model import demo_assets
from model.annotations import read_spliceai_table
from model.genome import Genome

CHR20_LENGTH = 63_025_520
VCF_HEADER = (
    "##fileformat=VCFv4.2\n"
    "##contig=<ID=20,length=63025520,assembly=GRCh37>\n"
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
)


@pytest.fixture(scope="session")
def genome() -> Genome:
    return Genome(demo_assets.demo_fasta_path())


@pytest.fixture(scope="session")
def gene_table() -> pd.DataFrame:
    path = demo_assets.demo_dir() / "genes.grch37.chr20.txt"
    if not path.exists():
        from predictions.demo_data import _write_chr20_gene_table

        _write_chr20_gene_table(demo_assets.spliceai_annotation_path("grch37"), path)
    return read_spliceai_table(path)


@pytest.fixture(scope="session")
def demo_vcf_path() -> Path:
    """62 real chr20 SNVs (a copy of the demo's example VCF, so that tests need no install step)."""
    return Path(__file__).parent / "data" / "chr20_snvs.vcf"


@pytest.fixture(scope="session")
def common_snps_path() -> Path:
    """7,273 real common chr20 SNPs (bgzip VCF), installed with the demo data."""
    path = demo_assets.demo_dir() / "common_snps.chr20.vcf.gz"
    if not path.exists():
        pytest.fail("demo common SNPs are not installed (make test runs manage.py install_demo_data)")
    return path


def ref_at(genome: Genome, pos: int, length: int = 1) -> str:
    """Reference bases from 1-based `pos`."""
    return genome.fetch("20", pos - 1, pos - 1 + length)


def other_base(base: str) -> str:
    """A base different from `base`."""
    return "C" if base != "C" else "T"


def vcf_line(chrom: str, pos: int, ref: str, alt: str, variant_id: str = ".") -> str:
    return f"{chrom}\t{pos}\t{variant_id}\t{ref}\t{alt}\t.\t.\t.\n"


def gzip_bytes(text: str) -> bytes:
    return gzip.compress(text.encode())


def bgzip_bytes(text: str, tmp_path: Path) -> bytes:
    path = tmp_path / "records.vcf.gz"
    with pysam.BGZFile(str(path), "wb") as handle:
        handle.write(text.encode())
    return path.read_bytes()


class SizedUpload(io.BytesIO):
    """Stands in for Django's UploadedFile: a binary stream with a `size`."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.size = len(data)
