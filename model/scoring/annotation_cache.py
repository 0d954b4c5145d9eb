"""Gene annotations as `GeneIndex`es, read once per file per process.

Building a `GeneIndex` from a GENCODE GTF takes seconds; scoring calls it per request, so an
annotation given as a path is read once and the index kept (a few files at most).
"""

from __future__ import annotations

import functools
from pathlib import Path

import pandas as pd

from model.scoring.masks import GeneIndex


@functools.lru_cache(maxsize=8)
def _index_for_path(path: str) -> GeneIndex:
    from model.annotations import read_annotation

    return GeneIndex(read_annotation(path))


def as_gene_index(annotation: GeneIndex | pd.DataFrame | str | Path | None) -> GeneIndex | None:
    """A `GeneIndex` from an index, a transcript table (GENE_COLUMNS) or an annotation file.

    Files are cached by resolved path; None stays None (gene scorers then do not apply).
    """
    if annotation is None or isinstance(annotation, GeneIndex):
        return annotation
    if isinstance(annotation, pd.DataFrame):
        return GeneIndex(annotation)
    return _index_for_path(str(Path(annotation).resolve()))
