"""Response encoding: the wire invariants the official client relies on, without a server."""

from __future__ import annotations

import numpy as np
import pandas as pd
import zstandard
from alphagenome import tensor_utils
from alphagenome.models.v1 import track_data_utils
from alphagenome.protos import tensor_pb2

from model.genome import Interval
from model.outputs import OutputType, TrackSet
from model.scoring.results import ScoreBlock
from model.scoring.scorers import CenterMaskScorer, GeneMaskLFCScorer
from model.scoring.variants import Variant
from predictions.grpc import encoding

FOUR_MIB = 4 * 1024 * 1024


def tracks(n: int, strands: str = "+-.") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": [f"track {i // len(strands)}" for i in range(n)],
            "strand": [strands[i % len(strands)] for i in range(n)],
            "ontology_curie": ["UBERON:0002048"] * n,
            "assay_title": ["DNase-seq"] * n,
            "padding": [False] * n,
            "track_index": range(n),
        }
    )


def test_small_tensors_are_inline_float32():
    tensor, chunks = encoding.pack(np.ones((4, 3), np.float64))
    assert not chunks and tensor.WhichOneof("payload") == "array"
    assert tensor.data_type == tensor_pb2.DataType.DATA_TYPE_FLOAT32


def test_large_tensors_are_chunked_zstd_and_bf16_with_messages_under_4_mib():
    values = np.random.default_rng(0).random((1_048_576, 3), np.float32)  # 12 MiB as float32
    tensor, chunks = encoding.pack(values)
    assert tensor.chunk_count == len(chunks) > 1
    assert tensor.data_type == tensor_pb2.DataType.DATA_TYPE_BFLOAT16
    for chunk in chunks:
        assert chunk.compression_type == tensor_pb2.CompressionType.COMPRESSION_TYPE_ZSTD
        assert chunk.ByteSize() < FOUR_MIB
        # one-shot frames: the client's zstandard.decompress needs the content size in the header
        assert zstandard.get_frame_parameters(chunk.data).content_size > 0
    decoded = tensor_utils.upcast_floating(tensor_utils.unpack_proto(tensor, chunks))
    np.testing.assert_allclose(decoded, values, rtol=1e-2)


def test_medium_tensors_stay_exact_float32():
    values = np.random.default_rng(1).random((16_384, 8), np.float32)  # 512 KiB
    tensor, chunks = encoding.pack(values)
    assert tensor.data_type == tensor_pb2.DataType.DATA_TYPE_FLOAT32 and len(chunks) == 1
    np.testing.assert_array_equal(tensor_utils.unpack_proto(tensor, chunks), values)


def test_track_output_sets_resolution_interval_and_provenance():
    track_set = TrackSet(np.zeros((128, 6), np.float32), 128, tracks(6))
    interval = Interval("chr20", 1000, 1000 + 16384, ".")
    output, _ = encoding.track_output(OutputType.CHIP_HISTONE, track_set, interval, "genomeapp x: weights y")
    data = output.track_data
    assert data.resolution == 128 and data.interval.chromosome == "chr20" and data.interval.end == 17384
    frame = track_data_utils.metadata_from_proto(_tracks(data))
    assert list(frame["Assay title"]) == ["DNase-seq"] * 6
    assert frame["data_source"].str.endswith("predicted by genomeapp x: weights y").all()
    assert set(frame["strand"]) == {"+", "-", "."}


def _tracks(data: object) -> object:
    from alphagenome.protos.v1 import dna_model_pb2

    return dna_model_pb2.TracksMetadata(metadata=data.metadata)  # type: ignore[attr-defined]


def test_sequence_outputs_leave_the_interval_to_the_client():
    track_set = TrackSet(np.zeros((16384, 3), np.float32), 1, tracks(3))
    output, _ = encoding.track_output(OutputType.ATAC, track_set, None, "")
    assert not output.track_data.HasField("interval") and output.track_data.resolution == 1


def test_variant_scores_carry_the_variant_genes_and_quantiles():
    variant = Variant("chr20", 10_015_982, "G", "A")
    window = Interval("chr20", 10_010_000, 10_026_384, ".")
    genes = pd.DataFrame(
        {"gene_id": ["ENSG01.5"], "strand": ["+"], "gene_name": ["ANKEF1"], "gene_type": ["protein_coding"]}
    )
    block = ScoreBlock(
        GeneMaskLFCScorer(OutputType.RNA_SEQ),
        window,
        variant,
        np.ones((1, 3), np.float32),
        tracks(3),
        genes,
        quantiles=np.full((1, 3), 0.5, np.float32),
    )
    output, chunks = encoding.variant_score_output(block, "p")
    metadata = output.variant_data.metadata
    assert metadata.variant.position == variant.position and metadata.variant.alternate_bases == "A"
    (gene,) = metadata.gene_metadata
    assert gene.gene_id == "ENSG01" and gene.name == "ANKEF1" and gene.HasField("strand")
    values = tensor_utils.unpack_proto(output.variant_data.values, chunks)
    assert values.shape == (2, 1, 3) and values[1, 0, 0] == 0.5


def test_non_gene_scores_have_one_row_and_no_genes():
    block = ScoreBlock(
        CenterMaskScorer(OutputType.ATAC, 501, 5),
        Interval("chr20", 0, 16384, "."),
        Variant("chr20", 100, "A", "C"),
        np.zeros((1, 4), np.float32),
        tracks(4),
    )
    output, chunks = encoding.variant_score_output(block, "p")
    assert not output.variant_data.metadata.gene_metadata
    assert tuple(tensor_utils.unpack_proto(output.variant_data.values, chunks).shape) == (1, 1, 4)
