"""An assembly's transcripts as BED12 for igv.js, written once next to the data."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from predictions.assemblies import genes_for
from predictions.models import Assembly


def gene_bed_path(assembly: Assembly, data_dir: Path) -> Path:
    path = data_dir / "gene-tracks" / f"{assembly.name}.bed"
    source = Path(assembly.annotation_path) if assembly.annotation_path else None
    if path.exists() and (source is None or path.stat().st_mtime >= source.stat().st_mtime):
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    genes = genes_for(assembly).sort_values(["chrom", "start"])
    # a name of its own, so two first requests at once cannot interleave their writes
    temporary = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
    with open(temporary, "w") as out:
        for row in genes.itertuples():
            starts = [int(s) for s in row.exon_starts]
            ends = [int(e) for e in row.exon_ends]
            sizes = ",".join(str(e - s) for s, e in zip(starts, ends, strict=True))
            offsets = ",".join(str(s - row.start) for s in starts)
            out.write(
                f"{row.chrom}\t{row.start}\t{row.end}\t{row.gene_name}\t0\t{row.strand}\t{row.start}\t{row.end}"
                f"\t0\t{len(starts)}\t{sizes}\t{offsets}\n"
            )
    temporary.replace(path)
    return path
