"""Result files that genome browsers open: bigWig (pyBigWig) and BED."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pyBigWig


def write_bigwig(
    path: Path,
    chrom_sizes: Mapping[str, int],
    chrom: str,
    start: int,
    values: np.ndarray,
    resolution: int = 1,
) -> Path:
    """Write `values` (float `[N]`, one per `resolution`-bp bin from 0-based `start`) as a bigWig.

    Bins past the contig end are dropped, and so are NaNs; igv.js and UCSC read the result.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    values = np.asarray(values, dtype=np.float64)
    starts = start + np.arange(len(values), dtype=np.int64) * resolution
    length = chrom_sizes[chrom]
    keep = (starts >= 0) & (starts < length) & np.isfinite(values)
    starts, values = starts[keep], values[keep]
    ends = np.minimum(starts + resolution, length)
    with pyBigWig.open(str(path), "w") as bigwig:
        bigwig.addHeader([(chrom, int(length))], maxZooms=4)
        if len(starts):
            bigwig.addEntries(
                [chrom] * len(starts), starts.tolist(), ends=ends.tolist(), values=values.tolist()
            )
    return path


def write_bed(path: Path, rows: Iterable[tuple[str, int, int, str, float, str]]) -> Path:
    """BED6 (chrom, 0-based start, end, name, score, strand), sorted as IGV expects."""
    path.parent.mkdir(parents=True, exist_ok=True)
    ordered = sorted(rows, key=lambda row: (row[0], row[1], row[2]))
    with open(path, "w") as out:
        for chrom, start, end, name, score, strand in ordered:
            out.write(f"{chrom}\t{start}\t{end}\t{name}\t{score:g}\t{strand}\n")
    return path
