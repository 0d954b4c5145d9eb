"""Track metadata of the AlphaGenome heads, parsed from the official textprotos.

The official `OutputMetadataResponse_ORGANISM_*.textproto` files (Apache-2.0, from
google-deepmind/alphagenome_research) are data, read from a configured folder:
`GENOMEAPP_ALPHAGENOME_METADATA_DIR`, else `alphagenome-metadata/` in the data folder
(`GENOMEAPP_DATA_DIR`, default `var/data`), where `scripts/setup.sh` extracts them from the wheel in
`third_party/`. They are parsed with the `alphagenome` SDK's own message classes and
`construct_output_metadata`, so the frames carry the SDK's columns (`name`, `strand`,
`Assay title`, `ontology_curie`, `biosample_name`, `biosample_type`, ..., `nonzero_mean`);
we add `assay_title` (copy of `Assay title`), `padding` and `track_index`.

Row order is the head's channel order: real tracks first, then "padding" rows up to the padded
head width (identical for human and mouse).
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import numpy as np
import pandas as pd

from model.demo_assets import data_dir
from model.outputs import TRACK_METADATA_COLUMNS, Organism, OutputType

METADATA_DIR_ENV = "GENOMEAPP_ALPHAGENOME_METADATA_DIR"
METADATA_DIR_NAME = "alphagenome-metadata"  # inside the data folder

ORGANISM_INDEX: dict[Organism, int] = {Organism.HOMO_SAPIENS: 0, Organism.MUS_MUSCULUS: 1}

# Field names of the SDK's OutputMetadata dataclass.
_FIELD_FOR_OUTPUT: dict[OutputType, str] = {
    OutputType.ATAC: "atac",
    OutputType.CAGE: "cage",
    OutputType.DNASE: "dnase",
    OutputType.RNA_SEQ: "rna_seq",
    OutputType.CHIP_HISTONE: "chip_histone",
    OutputType.CHIP_TF: "chip_tf",
    OutputType.SPLICE_SITES: "splice_sites",
    OutputType.SPLICE_SITE_USAGE: "splice_site_usage",
    OutputType.SPLICE_JUNCTIONS: "splice_junctions",
    OutputType.CONTACT_MAPS: "contact_maps",
    OutputType.PROCAP: "procap",
}


class MetadataNotFoundError(FileNotFoundError):
    """The official metadata textprotos are not where the configuration says."""


def metadata_dir() -> Path:
    """Folder holding `OutputMetadataResponse_ORGANISM_*.textproto`."""
    return Path(os.environ.get(METADATA_DIR_ENV) or data_dir() / METADATA_DIR_NAME)


def metadata_path(organism: Organism) -> Path:
    return metadata_dir() / f"OutputMetadataResponse_ORGANISM_{organism.name}.textproto"


@functools.cache
def _sdk_metadata(path: str) -> object:
    from alphagenome.models import dna_client
    from alphagenome.protos import dna_model_service_pb2
    from google.protobuf import text_format

    response = text_format.Parse(Path(path).read_text(), dna_model_service_pb2.MetadataResponse())
    return dna_client.construct_output_metadata(iter((response,)))


def _normalise(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.reset_index(drop=True).copy()
    if "Assay title" in frame.columns and "assay_title" not in frame.columns:
        frame["assay_title"] = frame["Assay title"]
    for column in TRACK_METADATA_COLUMNS:
        if column not in frame.columns:
            frame[column] = None if column != "strand" else "."
    frame["padding"] = frame["name"].astype(str).str.lower() == "padding"
    frame["track_index"] = np.arange(len(frame))
    return frame


@functools.cache
def _track_metadata(organism: Organism, output_type: OutputType) -> pd.DataFrame:
    path = metadata_path(organism)
    if not path.exists():
        raise MetadataNotFoundError(
            f"AlphaGenome track metadata not found at {path}: scripts/setup.sh extracts it from the wheel "
            f"in third_party/, or set {METADATA_DIR_ENV} to a folder with the official "
            "OutputMetadataResponse_ORGANISM_*.textproto files"
        )
    frame = getattr(_sdk_metadata(str(path)), _FIELD_FOR_OUTPUT[output_type])
    if output_type is OutputType.SPLICE_JUNCTIONS:
        # One row per tissue in the proto; the head has one channel per tissue and strand (+ block first).
        plus, minus = frame.copy(), frame.copy()
        plus["strand"], minus["strand"] = "+", "-"
        frame = pd.concat([plus, minus], ignore_index=True)
    return _normalise(frame)


def track_metadata(
    output_type: OutputType, organism: Organism, num_tracks: int | None = None
) -> pd.DataFrame:
    """Metadata of every channel of a head (padding rows included), optionally the first `num_tracks`.

    For SPLICE_JUNCTIONS `num_tracks` counts tissues: the frame has 2 * tissues rows (+ then -).
    """
    frame = _track_metadata(organism, output_type)
    if num_tracks is None:
        return frame.copy()
    if output_type is OutputType.SPLICE_JUNCTIONS:
        tissues = len(frame) // 2
        keep = np.r_[0:num_tracks, tissues : tissues + num_tracks]
        return _normalise(frame.iloc[keep])
    if num_tracks > len(frame):
        raise ValueError(f"{output_type.name} has {len(frame)} tracks, {num_tracks} requested")
    return _normalise(frame.iloc[:num_tracks])


def padded_track_counts() -> dict[OutputType, int]:
    """Head width per output type (max over organisms; tissues for SPLICE_JUNCTIONS)."""
    counts = {}
    for output_type in OutputType:
        sizes = [len(_track_metadata(o, output_type)) for o in Organism]
        width = max(sizes)
        counts[output_type] = width // 2 if output_type is OutputType.SPLICE_JUNCTIONS else width
    return counts


def real_track_counts(organism: Organism) -> dict[OutputType, int]:
    """Tracks that are not padding, per output type."""
    return {o: int((~_track_metadata(organism, o)["padding"]).sum()) for o in OutputType}


def track_means(frame: pd.DataFrame) -> np.ndarray:
    """`nonzero_mean` per track (ones where absent), float32 `[T]`."""
    if "nonzero_mean" not in frame.columns:
        return np.ones(len(frame), np.float32)
    return frame["nonzero_mean"].fillna(1.0).to_numpy(np.float32)


def select_tracks(
    frame: pd.DataFrame, output_type: OutputType, ontology_terms: list[str] | None
) -> np.ndarray:
    """Channel indices to return: non-padding tracks, filtered by ontology CURIE when given.

    Like the official `create_track_masks`, the ontology filter does not apply to SPLICE_SITES.
    """
    keep = ~frame["padding"].to_numpy()
    if ontology_terms is not None and output_type is not OutputType.SPLICE_SITES:
        keep &= frame["ontology_curie"].isin(set(ontology_terms)).to_numpy()
    return np.flatnonzero(keep).astype(np.int32)
