"""Domain results → response messages, with the SDK's own serializers.

Tensor policy (what the official client accepts, `alphagenome-api.md` §3.5):

- up to `INLINE_MAX_BYTES` the tensor travels inline in its header, float32, uncompressed;
- larger tensors follow their header as `TensorChunk`s of at most `CHUNK_BYTES` raw bytes,
  each compressed one-shot with zstd (so every message stays far below gRPC's 4 MiB default);
- payloads whose float32 size exceeds `BF16_ABOVE_BYTES` are sent as bfloat16 (the client
  upcasts to float32), halving large 1 Mb responses; smaller ones stay exact float32.

Track and junction metadata carry the SDK's columns; `data_source` additionally names the
backend and weights that produced the values (see `model.service.provenance_label`).
"""

from __future__ import annotations

from collections.abc import Sequence

import ml_dtypes
import numpy as np
import pandas as pd
from alphagenome import tensor_utils
from alphagenome.data import genome as sdk_genome
from alphagenome.models.v1 import junction_data_utils, track_data_utils
from alphagenome.protos import tensor_pb2
from alphagenome.protos.v1 import dna_model_pb2

from model.service import Interval, JunctionSet, OutputType, ScoreBlock, TrackSet, Variant

INLINE_MAX_BYTES = 64 * 1024
CHUNK_BYTES = 1024 * 1024
BF16_ABOVE_BYTES = 8 * 1024 * 1024
ZSTD = tensor_pb2.CompressionType.COMPRESSION_TYPE_ZSTD
_DROPPED_COLUMNS = ("assay_title", "padding", "track_index")
_STRANDS = {"+": dna_model_pb2.STRAND_POSITIVE, "-": dna_model_pb2.STRAND_NEGATIVE}


def pack(values: np.ndarray) -> tuple[tensor_pb2.Tensor, Sequence[tensor_pb2.TensorChunk]]:
    """A Tensor (inline, or `chunk_count` with the chunks to send right after it); see module docstring."""
    array = np.ascontiguousarray(values, dtype=np.float32)
    if array.nbytes > BF16_ABOVE_BYTES:
        array = array.astype(ml_dtypes.bfloat16)
    if array.nbytes <= INLINE_MAX_BYTES:
        return tensor_utils.pack_tensor(array)
    return tensor_utils.pack_tensor(array, bytes_per_chunk=CHUNK_BYTES, compression_type=ZSTD)


def sdk_interval(interval: Interval) -> sdk_genome.Interval:
    return sdk_genome.Interval(interval.chrom, interval.start, interval.end, interval.strand)


def sdk_variant(variant: Variant) -> sdk_genome.Variant:
    return sdk_genome.Variant(variant.chrom, variant.position, variant.ref, variant.alt, name=variant.name)


def with_provenance(metadata: pd.DataFrame, provenance: str) -> pd.DataFrame:
    """SDK-column metadata whose `data_source` says which model made the values."""
    frame = metadata.reset_index(drop=True).copy()
    if "Assay title" not in frame and "assay_title" in frame:
        frame["Assay title"] = frame["assay_title"]
    frame = frame.drop(columns=[c for c in _DROPPED_COLUMNS if c in frame])
    if "strand" in frame:
        frame["strand"] = frame["strand"].fillna(".").replace("", ".")
    if provenance:
        source = frame["data_source"] if "data_source" in frame else pd.Series([None] * len(frame))
        frame["data_source"] = [
            f"{s}; predicted by {provenance}" if isinstance(s, str) and s else f"predicted by {provenance}"
            for s in source
        ]
    return frame


def fitted_interval(track_set: TrackSet, interval: Interval) -> Interval:
    """The part of `interval` the values cover (a centred crop when a backend returns fewer bins)."""
    covered = track_set.values.shape[0] * track_set.resolution
    if covered == interval.width:
        return interval
    start = interval.start + (interval.width - covered) // 2
    return Interval(interval.chrom, start, start + covered, interval.strand)


def track_output(
    output_type: OutputType, track_set: TrackSet, interval: Interval | None, provenance: str
) -> tuple[dna_model_pb2.Output, Sequence[tensor_pb2.TensorChunk]]:
    """An `Output` with TrackData: resolution always set, interval set unless None (PredictSequence)."""
    tensor, chunks = pack(track_set.values)
    metadata = track_data_utils.metadata_to_proto(with_provenance(track_set.metadata, provenance))
    proto = dna_model_pb2.TrackData(
        values=tensor, metadata=metadata.metadata, resolution=track_set.resolution
    )
    if interval is not None:
        proto.interval.CopyFrom(sdk_interval(fitted_interval(track_set, interval)).to_proto())
    return dna_model_pb2.Output(output_type=output_type.value, track_data=proto), chunks


def junction_metadata(metadata: pd.DataFrame, provenance: str) -> pd.DataFrame:
    """One row per tissue (junction names must be unique), SDK columns, provenance in data_source."""
    frame = with_provenance(metadata, provenance).drop(columns=["strand"], errors="ignore")
    return frame.drop_duplicates(subset="name", keep="first").reset_index(drop=True)


def junction_output(
    output_type: OutputType, junctions: JunctionSet, interval: Interval | None, provenance: str
) -> tuple[dna_model_pb2.Output, Sequence[tensor_pb2.TensorChunk]]:
    """An `Output` with JunctionData (stranded junction intervals, values `[J, T]`)."""
    metadata = junction_metadata(junctions.metadata, provenance)
    values = np.asarray(junctions.values, np.float32).reshape(len(junctions.starts), len(metadata))
    tensor, chunks = pack(values)
    chrom = interval.chrom if interval is not None else "chr?"
    proto = dna_model_pb2.JunctionData(
        values=tensor,
        metadata=junction_data_utils.metadata_to_proto(metadata).metadata,
        junctions=[
            dna_model_pb2.Interval(chromosome=chrom, start=int(s), end=int(e), strand=_STRANDS[str(strand)])
            for s, e, strand in zip(junctions.starts, junctions.ends, junctions.strands, strict=True)
        ],
    )
    if interval is not None:
        proto.interval.CopyFrom(sdk_interval(interval).to_proto())
    return dna_model_pb2.Output(output_type=output_type.value, junction_data=proto), chunks


def prediction_output(
    output_type: OutputType, prediction: TrackSet | JunctionSet, interval: Interval | None, provenance: str
) -> tuple[dna_model_pb2.Output, Sequence[tensor_pb2.TensorChunk]]:
    if isinstance(prediction, JunctionSet):
        return junction_output(output_type, prediction, interval, provenance)
    return track_output(output_type, prediction, interval, provenance)


def gene_metadata(genes: pd.DataFrame | None) -> list[dna_model_pb2.GeneScorerMetadata]:
    """GeneScorerMetadata rows: unversioned gene id, strand always set, name, type, junction ends."""
    if genes is None:
        return []
    rows = []
    for gene in genes.to_dict("records"):
        proto = dna_model_pb2.GeneScorerMetadata(
            gene_id=str(gene["gene_id"]).split(".")[0],
            strand=_STRANDS.get(str(gene.get("strand")), dna_model_pb2.STRAND_UNSTRANDED),
        )
        if isinstance(gene.get("gene_name"), str):
            proto.name = gene["gene_name"]
        if isinstance(gene.get("gene_type"), str):
            proto.type = gene["gene_type"]
        for column, field in (("junction_Start", "junction_start"), ("junction_End", "junction_end")):
            if column in gene and pd.notna(gene[column]):
                setattr(proto, field, int(gene[column]))
        rows.append(proto)
    return rows


def score_tensor(block: ScoreBlock) -> np.ndarray:
    """`[1 | 2, n_obs, n_tracks]`: raw scores, then quantiles when a background exists."""
    layers = [block.values] if block.quantiles is None else [block.values, block.quantiles]
    return np.stack([np.asarray(layer, np.float32) for layer in layers])


def variant_score_output(
    block: ScoreBlock, provenance: str
) -> tuple[dna_model_pb2.ScoreVariantOutput, Sequence[tensor_pb2.TensorChunk]]:
    """A ScoreVariantOutput with the variant always set (the client groups ISM results by it)."""
    assert block.variant is not None
    tensor, chunks = pack(score_tensor(block))
    metadata = dna_model_pb2.VariantMetadata(
        variant=sdk_variant(block.variant).to_proto(),
        track_metadata=track_data_utils.metadata_to_proto(with_provenance(block.tracks, provenance)).metadata,
        gene_metadata=gene_metadata(block.genes),
    )
    data = dna_model_pb2.VariantData(values=tensor, metadata=metadata)
    return dna_model_pb2.ScoreVariantOutput(variant_data=data), chunks


def interval_score_output(
    block: ScoreBlock, provenance: str
) -> tuple[dna_model_pb2.ScoreIntervalOutput, Sequence[tensor_pb2.TensorChunk]]:
    tensor, chunks = pack(score_tensor(block))
    metadata = dna_model_pb2.IntervalMetadata(
        interval=sdk_interval(block.interval).to_proto(),
        track_metadata=track_data_utils.metadata_to_proto(with_provenance(block.tracks, provenance)).metadata,
        gene_metadata=gene_metadata(block.genes),
    )
    return dna_model_pb2.ScoreIntervalOutput(
        interval_data=dna_model_pb2.IntervalData(values=tensor, metadata=metadata)
    ), chunks


def metadata_output(
    output_type: OutputType, metadata: pd.DataFrame, provenance: str
) -> dna_model_pb2.OutputMetadata:
    """One output type's track (or junction) metadata for GetMetadata, padding rows removed."""
    if "padding" in metadata:
        metadata = metadata[~metadata["padding"].astype(bool)]
    if output_type is OutputType.SPLICE_JUNCTIONS:
        junctions = junction_data_utils.metadata_to_proto(junction_metadata(metadata, provenance))
        return dna_model_pb2.OutputMetadata(output_type=output_type.value, junctions=junctions)
    tracks = track_data_utils.metadata_to_proto(with_provenance(metadata, provenance))
    return dna_model_pb2.OutputMetadata(output_type=output_type.value, tracks=tracks)
