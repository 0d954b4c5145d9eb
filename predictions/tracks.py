"""Result files that genome browsers open: bigWig (pyBigWig) and BED.

Each is written under a temporary name in its folder and renamed into place when complete, so a
full disk or a killed worker never leaves a half-written file under the name the job serves.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pyBigWig


@contextmanager
def written_atomically(path: Path) -> Iterator[Path]:
    """A temporary path beside `path` to write to; renamed to `path` if the block succeeds,
    deleted if it raises (e.g. ENOSPC)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.partial")
    try:
        yield partial
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


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
    values = np.asarray(values, dtype=np.float64)
    starts = start + np.arange(len(values), dtype=np.int64) * resolution
    length = chrom_sizes[chrom]
    keep = (starts >= 0) & (starts < length) & np.isfinite(values)
    starts, values = starts[keep], values[keep]
    ends = np.minimum(starts + resolution, length)
    # libBigWig loops forever when a write fails (a full disk): write in local scratch space,
    # then copy, where a full MEDIA_ROOT raises ENOSPC
    with tempfile.TemporaryDirectory(prefix="genomeapp-bigwig-") as scratch:
        local = Path(scratch) / "track.bw"
        with pyBigWig.open(str(local), "w") as bigwig:
            bigwig.addHeader([(chrom, int(length))], maxZooms=4)
            if len(starts):
                bigwig.addEntries(
                    [chrom] * len(starts), starts.tolist(), ends=ends.tolist(), values=values.tolist()
                )
        with written_atomically(path) as partial:
            shutil.copyfile(local, partial)
    return path


def write_bed(path: Path, rows: Iterable[tuple[str, int, int, str, float, str]]) -> Path:
    """BED6 (chrom, 0-based start, end, name, score, strand), sorted as IGV expects."""
    ordered = sorted(rows, key=lambda row: (row[0], row[1], row[2]))
    with written_atomically(path) as partial, open(partial, "w") as out:
        for chrom, start, end, name, score, strand in ordered:
            out.write(f"{chrom}\t{start}\t{end}\t{name}\t{score:g}\t{strand}\n")
    return path


JUNCTION_COLOURS = {"+": "rgb(31,111,235)", "-": "rgb(200,60,40)"}


def write_junctions_bed(
    path: Path, chrom: str, starts: np.ndarray, ends: np.ndarray, strands: np.ndarray, counts: np.ndarray
) -> int:
    """Predicted junctions of one tissue as BED for igv.js's `junction` track, one row per junction
    with a count above 1% of the strongest.

    `starts`/`ends` `[J]` are genomic 0-based intron bounds (a `model.service` JunctionSet's),
    `counts` `[J]` the predicted counts. igv.js draws an arc per row from the attributes in the
    name column (`key=value;...`, as for STAR junctions): `uniquely_mapped` (the count, rounded,
    which its filters read), `line_width` (1 to 6 by count relative to the strongest), `color` by
    strand (no `label`: a number on every arc hides the arcs); `predicted_count` keeps the
    unrounded value for the popup.
    """
    strongest = float(np.nanmax(counts)) if counts.size else 0.0
    threshold = max(strongest * 0.01, 1e-6)
    rows = []
    for start, end, strand, count in zip(starts, ends, strands, counts, strict=True):
        if not count >= threshold or end - start < 1:
            continue
        attributes = {
            "uniquely_mapped": int(round(float(count))),
            "multi_mapped": 0,
            "line_width": f"{1 + 5 * float(count) / strongest:.2f}",
            "color": JUNCTION_COLOURS.get(str(strand), "rgb(90,90,90)"),
            "predicted_count": f"{float(count):.6g}",
        }
        name = ";".join(f"{key}={value}" for key, value in attributes.items())
        rows.append((chrom, int(start), int(end), name, float(count), str(strand)))
    write_bed(path, rows)
    return len(rows)


def write_heatmap_png(path: Path, matrix: np.ndarray, title: str) -> Path:
    """A contact map `[P, P]` as a PNG heatmap (igv.js cannot draw contact maps from our files)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(4, 4), dpi=100)
    limit = float(np.nanmax(np.abs(matrix))) or 1.0
    image = axis.imshow(matrix, cmap="RdBu_r", vmin=-limit, vmax=limit)
    axis.set_title(title, fontsize=8)
    figure.colorbar(image, ax=axis, shrink=0.8)
    figure.tight_layout()
    with written_atomically(path) as partial:
        figure.savefig(partial, format="png")
    plt.close(figure)
    return path
