"""`python -m model.spliceai score`: VCF in (plain, gzip, bgzip), SpliceAI INFO out."""

from __future__ import annotations

import gzip
from pathlib import Path

import pysam
import pytest

from model.spliceai import __main__ as cli
from model.spliceai import scoring
from tests.model import spliceai_support as support

VCF_TEXT = """##fileformat=VCFv4.2
##contig=<ID=20,length=63025520>
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO
20\t60\tstart\tN\tA\t.\tPASS\t.
20\t100000\tintergenic\t{intergenic}\tA\t.\tPASS\t.
20\t2443281\tdonor\tC\tA\t.\tPASS\t.
20\t2443282\twrongref\tG\tA\t.\tPASS\t.
"""


def _vcf_text() -> str:
    g = support.genome()
    return VCF_TEXT.replace("{intergenic}", g.fetch("20", 99_999, 100_000))


@pytest.mark.parametrize("compression", ["plain", "gzip", "bgzip"])
def test_cli_annotates_a_vcf(tmp_path: Path, compression: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scoring, "default_ensemble", support.ensemble)
    text = _vcf_text()
    plain = tmp_path / "in.vcf"
    plain.write_text(text)
    if compression == "gzip":
        path = tmp_path / "in.vcf.gz"
        with gzip.open(path, "wt") as handle:
            handle.write(text)
    elif compression == "bgzip":
        path = tmp_path / "in.vcf.bgz"
        pysam.tabix_compress(str(plain), str(path))
    else:
        path = plain
    out = tmp_path / "out.vcf"
    from model.demo_assets import demo_fasta_path

    argv = ["score", "--fasta", str(demo_fasta_path()), "--annotation", "grch37"]
    argv += ["--vcf", str(path), "--out", str(out), "--no-progress", "--jax-cache", "none"]
    assert cli.main(argv) == 0
    with pysam.VariantFile(str(out)) as vcf:
        assert "SpliceAI" in vcf.header.info and "SpliceAI_SKIPPED" in vcf.header.info
        records = {r.id: r for r in vcf}
    assert set(records) == {"start", "intergenic", "donor", "wrongref"}
    assert "SpliceAI" not in records["intergenic"].info  # no gene: left as SpliceAI leaves it
    info = records["donor"].info["SpliceAI"]
    assert len(info) == 1 and info[0].startswith("A|SNRPB|")
    assert float(info[0].split("|")[5]) > 0.5
    assert records["wrongref"].info["SpliceAI_SKIPPED"] == "ref_mismatch"
    assert "SpliceAI" not in records["start"].info  # no gene reaches chr20's first bases


def test_cli_rejects_out_of_range_distance(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(
            ["score", "--fasta", "f", "--vcf", "v", "--out", "o", "--distance", "5000"]
        )
