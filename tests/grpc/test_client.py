"""DeepMind's official `alphagenome` client (pinned 0.10.0) against a real `rungrpc` process.

Every DnaClient method, on the real GRCh37 chr20 demo assembly: SpliceAI answers SPLICE_SITES,
the tiny random-weight AlphaGenome the rest.
"""

from __future__ import annotations

import grpc
import numpy as np
import pandas as pd
import pytest
from alphagenome.data import genome
from alphagenome.models import dna_client, interval_scorers, variant_scorers
from alphagenome.protos.v1 import dna_model_service_pb2 as pb
from alphagenome.protos.v1 import dna_model_service_pb2_grpc

from tests.grpc.conftest import insecure_client

OutputType = dna_client.OutputType
# 16 kb around the first exons of ANKEF1 (+ strand, TSS chr20:10,015,688): genes for gene scorers.
INTERVAL = genome.Interval("chr20", 10_010_000, 10_010_000 + dna_client.SEQUENCE_LENGTH_16KB)
DONOR = 10_015_982  # first intron base after ANKEF1 exon 1 (1-based)
SPLICE_SCORER = variant_scorers.CenterMaskScorer(
    OutputType.SPLICE_SITES, 501, variant_scorers.AggregationType.DIFF_SUM
)
ATAC_SCORER = variant_scorers.CenterMaskScorer(
    OutputType.ATAC, 501, variant_scorers.AggregationType.DIFF_LOG2_SUM
)


@pytest.fixture(scope="module")
def server(grpc_server_factory, quantile_background):
    return grpc_server_factory("--insecure")


@pytest.fixture(scope="module")
def quantile_background(django_db_blocker, tmp_path_factory, grpc_server_factory):
    """A quantile background for SPLICE_SCORER registered on the demo assembly, recorded as built with
    the SpliceAI backend that serves splice outputs (a background only applies to its own model)."""
    from model.scoring.quantiles import QuantileBackground, sigmoid_probabilities
    from model.spliceai.backend import SpliceAIBackend
    from predictions.models import Assembly

    probabilities = sigmoid_probabilities(11)
    tables = {
        (SPLICE_SCORER.name, name, strand): np.linspace(-0.5, 0.5, 11)
        for name in ("acceptor", "donor")
        for strand in "+-"
    }
    background = QuantileBackground(
        probabilities,
        tables,
        dict.fromkeys(tables, 100),
        {SPLICE_SCORER.name: True},
        {"backend": SpliceAIBackend.name, "provenance": SpliceAIBackend.provenance},
    )
    path = background.save(tmp_path_factory.mktemp("quantiles"))
    with django_db_blocker.unblock():
        Assembly.objects.filter(name="GRCh37-chr20").update(quantiles_path=str(path))
    yield path
    with django_db_blocker.unblock():
        Assembly.objects.filter(name="GRCh37-chr20").update(quantiles_path="")


@pytest.fixture(scope="module")
def client(server):
    return insecure_client(server.address, server.key)


def variant_at(demo_genome, position: int) -> genome.Variant:
    ref = demo_genome.fetch("20", position - 1, position)
    return genome.Variant("chr20", position, ref, "A" if ref != "A" else "C")


def assert_track_invariants(track, interval, resolution):
    assert track.interval == interval
    assert track.resolution == resolution
    assert track.values.shape[0] * resolution == interval.width
    assert set(track.metadata["strand"]) <= {"+", "-", "."}
    assert not track.metadata.duplicated(["name", "strand"]).any()
    assert len(track.metadata) == track.values.shape[-1]


def test_output_metadata_lists_every_output_type_with_its_provenance(client):
    human = client.output_metadata()
    assert all(human.get(output_type) is not None for output_type in OutputType)
    splice = human.splice_sites
    assert list(zip(splice["name"], splice["strand"], strict=True)) == [
        ("acceptor", "+"),
        ("donor", "+"),
        ("acceptor", "-"),
        ("donor", "-"),
    ]
    assert splice["data_source"].str.contains("SpliceAI-10k").all()
    assert human.atac["data_source"].str.contains("RANDOM UNTRAINED WEIGHTS|random untrained weights").all()
    assert "ontology_curie" in human.atac.columns and "Assay title" in human.atac.columns
    assert human.splice_junctions["name"].is_unique
    mouse = client.output_metadata(dna_client.Organism.MUS_MUSCULUS)
    assert mouse.splice_sites is not None
    assert not mouse.splice_sites["data_source"].str.contains("SpliceAI").any()  # SpliceAI is human only


def test_predict_interval_sets_interval_resolution_and_strands(client):
    output = client.predict_interval(
        INTERVAL,
        requested_outputs=[
            OutputType.ATAC,
            OutputType.CHIP_HISTONE,
            OutputType.CONTACT_MAPS,
            OutputType.SPLICE_JUNCTIONS,
        ],
        ontology_terms=None,
    )
    assert_track_invariants(output.atac, INTERVAL, 1)
    assert_track_invariants(output.chip_histone, INTERVAL, 128)
    assert output.contact_maps.resolution == 2048
    assert output.contact_maps.values.shape[:2] == (8, 8)
    junctions = output.splice_junctions
    assert junctions.interval == INTERVAL
    assert {j.strand for j in junctions.junctions} <= {"+", "-"}
    assert junctions.values.shape == (len(junctions.junctions), len(junctions.metadata))
    assert output.dnase is None  # only what was requested


def test_ontology_terms_filter_tracks(client):
    output = client.predict_interval(
        INTERVAL, requested_outputs=[OutputType.ATAC], ontology_terms=["CL:0000084"]
    )
    assert len(output.atac.metadata) >= 1
    assert set(output.atac.metadata["ontology_curie"]) == {"CL:0000084"}


def test_splice_sites_over_grpc_equal_the_model_layer(client, demo_genome):
    """Same interval, same values: the wire carries exactly what the prediction service computed."""
    from model.genome import Interval
    from model.outputs import Organism
    from model.outputs import OutputType as ModelOutputType
    from model.service import PredictionService

    interval = genome.Interval("20", INTERVAL.start, INTERVAL.end)  # the FASTA's own contig spelling
    output = client.predict_interval(
        interval, requested_outputs=[OutputType.SPLICE_SITES], ontology_terms=None
    )
    assert_track_invariants(output.splice_sites, interval, 1)
    local = PredictionService.default(("spliceai",)).predict_interval(
        demo_genome,
        Interval("20", interval.start, interval.end, "."),
        [ModelOutputType.SPLICE_SITES],
        Organism.HOMO_SAPIENS,
    )[ModelOutputType.SPLICE_SITES]
    np.testing.assert_array_equal(output.splice_sites.values, local.values)
    assert output.splice_sites.values.max() > 0.5  # real splice sites of ANKEF1 in this window


def test_predict_sequence_uses_the_callers_interval(client, demo_genome):
    sequence = demo_genome.fetch("20", INTERVAL.start, INTERVAL.end)
    output = client.predict_sequence(
        sequence, requested_outputs=[OutputType.ATAC], ontology_terms=None, interval=INTERVAL
    )
    assert_track_invariants(output.atac, INTERVAL, 1)
    bare = client.predict_sequence(sequence, requested_outputs=[OutputType.ATAC], ontology_terms=None)
    assert bare.atac.interval is None
    np.testing.assert_array_equal(bare.atac.values, output.atac.values)


def test_predict_variant_returns_reference_and_alternate(client, demo_genome):
    variant = variant_at(demo_genome, DONOR)
    output = client.predict_variant(
        INTERVAL, variant, requested_outputs=[OutputType.ATAC], ontology_terms=None
    )
    for track in (output.reference.atac, output.alternate.atac):
        assert_track_invariants(track, INTERVAL, 1)
    offset = variant.position - 1 - INTERVAL.start
    near = slice(offset - 50, offset + 50)
    assert not np.allclose(output.reference.atac.values[near], output.alternate.atac.values[near])


def test_score_variant_returns_one_result_per_scorer_in_request_order(client, demo_genome):
    variant = variant_at(demo_genome, DONOR)
    scorers = [
        *variant_scorers.get_recommended_scorers(dna_client.Organism.HOMO_SAPIENS.to_proto()),
        SPLICE_SCORER,
    ]
    results = client.score_variant(INTERVAL, variant, scorers)
    assert len(results) == len(scorers) == 20
    for scorer, adata in zip(scorers, results, strict=True):
        assert adata.uns["variant_scorer"] == scorer
        assert adata.uns["variant"] == variant
        assert adata.n_vars == len(adata.var) > 0
        if scorer.base_variant_scorer in (
            variant_scorers.BaseVariantScorer.GENE_MASK_LFC,
            variant_scorers.BaseVariantScorer.GENE_MASK_ACTIVE,
            variant_scorers.BaseVariantScorer.GENE_MASK_SPLICING,
        ):
            assert {"gene_id", "strand", "gene_name"} <= set(adata.obs.columns)
            assert "ANKEF1" in set(adata.obs["gene_name"])
        elif scorer.base_variant_scorer is variant_scorers.BaseVariantScorer.CENTER_MASK:
            assert adata.n_obs == 1
    splicing = results[scorers.index(variant_scorers.RECOMMENDED_VARIANT_SCORERS["SPLICE_SITES"])]
    assert np.nanmax(splicing.X) > 0.05  # SpliceAI sees the lost donor
    quantiles = results[-1].layers["quantiles"]
    assert quantiles.shape == results[-1].X.shape and np.all(np.abs(quantiles) <= 1)
    tidy = variant_scorers.tidy_scores(results)
    assert {"variant_id", "gene_id", "track_name", "raw_score", "quantile_score"} <= set(tidy.columns)


def test_score_variants_over_several_variants(client, demo_genome):
    variants = [variant_at(demo_genome, p) for p in (DONOR, 10_016_226, 10_020_000)]
    scorers = [ATAC_SCORER, variant_scorers.GeneMaskLFCScorer(OutputType.ATAC)]
    results = client.score_variants(INTERVAL, variants, scorers, progress_bar=False)
    assert [r[0].uns["variant"] for r in results] == variants
    assert all(len(r) == 2 for r in results)
    assert len({float(r[0].X.sum()) for r in results}) == 3


def test_score_ism_variants_covers_every_substitution(client):
    ism = genome.Interval("chr20", DONOR - 6, DONOR + 6)  # 12 bp: two 10-bp RPCs
    results = client.score_ism_variants(INTERVAL, ism, [ATAC_SCORER], progress_bar=False)
    variants = [r[0].uns["variant"] for r in results]
    assert len(variants) == 36 and len(set(map(str, variants))) == 36
    assert {v.position for v in variants} == set(range(ism.start + 1, ism.end + 1))
    assert all(len(r) == 1 and r[0].X.shape == (1, r[0].n_vars) for r in results)


def test_score_interval_gene_masks(client):
    scorers = [
        interval_scorers.GeneMaskScorer(
            OutputType.RNA_SEQ, None, interval_scorers.IntervalAggregationType.MEAN
        )
    ]
    (adata,) = client.score_interval(INTERVAL, scorers)
    assert adata.uns["interval_scorer"] == scorers[0]
    assert "ANKEF1" in set(adata.obs["gene_name"])
    assert adata.X.shape == (adata.n_obs, adata.n_vars)


def test_negative_strand_interval_keeps_forward_coordinates(client):
    minus = genome.Interval("chr20", INTERVAL.start, INTERVAL.end, "-")
    output = client.predict_interval(minus, requested_outputs=[OutputType.ATAC], ontology_terms=None)
    plus = client.predict_interval(INTERVAL, requested_outputs=[OutputType.ATAC], ontology_terms=None)
    assert_track_invariants(output.atac, minus, 1)
    assert not np.allclose(output.atac.values, plus.atac.values)  # the reverse complement was predicted


def test_api_key_usage_is_recorded(server, client, django_db_blocker):
    from predictions.models import ApiKey, hash_api_key

    client.output_metadata()
    with django_db_blocker.unblock():
        key = ApiKey.objects.get(hashed_key=hash_api_key(server.key))
    assert key.request_count >= 1 and key.last_used is not None


def test_results_are_pandas_friendly(client, demo_genome):
    variant = variant_at(demo_genome, DONOR)
    (adata,) = client.score_variant(INTERVAL, variant, [ATAC_SCORER])
    assert isinstance(adata.var, pd.DataFrame) and adata.var["data_source"].str.contains("genomeapp").all()


# --- errors: what a notebook sees when something is wrong ---------------------------------------------------


def rpc_error(call) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as raised:
        call()
    return raised.value


def test_wrong_revoked_and_missing_keys_are_unauthenticated(server):
    for key in ("ga_not-a-key", server.revoked_key):
        error = rpc_error(insecure_client(server.address, key).output_metadata)
        assert error.code() is grpc.StatusCode.UNAUTHENTICATED
    stub = dna_model_service_pb2_grpc.DnaModelServiceStub(grpc.insecure_channel(server.address))
    error = rpc_error(lambda: list(stub.GetMetadata(pb.MetadataRequest())))
    assert error.code() is grpc.StatusCode.UNAUTHENTICATED and "x-goog-api-key" in error.details()


def test_unknown_chromosome_is_invalid_argument_naming_the_field(client):
    interval = genome.Interval("chr99", 0, dna_client.SEQUENCE_LENGTH_16KB)
    error = rpc_error(
        lambda: client.predict_interval(interval, requested_outputs=[OutputType.ATAC], ontology_terms=None)
    )
    assert error.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert error.details().startswith("interval.chromosome") and "chr99" in error.details()


@pytest.fixture(scope="module")
def stub(server):
    channel = grpc.insecure_channel(server.address)
    return dna_model_service_pb2_grpc.DnaModelServiceStub(channel), [("x-goog-api-key", server.key)]


def interval_request(**changes) -> pb.PredictIntervalRequest:
    request = pb.PredictIntervalRequest(
        interval=INTERVAL.to_proto(), organism=9606, requested_outputs=[OutputType.ATAC.to_proto()]
    )
    for name, value in changes.items():
        if name == "interval":
            request.interval.CopyFrom(value)
        elif name == "requested_outputs":
            request.ClearField(name)
            request.requested_outputs.extend(value)
        else:
            setattr(request, name, value)
    return request


@pytest.mark.parametrize(
    ("request_", "code", "field"),
    [
        (
            interval_request(interval=genome.Interval("chr20", 0, 1000).to_proto()),
            "INVALID_ARGUMENT",
            "interval width",
        ),
        (interval_request(model_version="FOLD_9"), "INVALID_ARGUMENT", "model_version"),
        (interval_request(model_version="FOLD_1"), "UNIMPLEMENTED", "model_version"),
        (interval_request(organism=42), "INVALID_ARGUMENT", "organism"),
        (pb.PredictIntervalRequest(organism=9606, requested_outputs=[1]), "INVALID_ARGUMENT", "interval"),
        (interval_request(requested_outputs=[10]), "INVALID_ARGUMENT", "requested_outputs[0]"),
    ],
)
def test_bad_requests_name_the_field(stub, request_, code, field):
    service, metadata = stub
    error = rpc_error(lambda: list(service.PredictInterval(iter([request_]), metadata=metadata)))
    assert error.code().name == code
    assert error.details().startswith(field), error.details()


def test_bad_scoring_requests_name_the_field(stub, demo_genome):
    service, metadata = stub
    outside = genome.Variant("chr20", INTERVAL.end + 10, "A", "C")
    request = pb.ScoreVariantRequest(
        interval=INTERVAL.to_proto(), variant=outside.to_proto(), variant_scorers=[ATAC_SCORER.to_proto()]
    )
    error = rpc_error(lambda: list(service.ScoreVariant(iter([request]), metadata=metadata)))
    assert error.code() is grpc.StatusCode.INVALID_ARGUMENT and error.details().startswith("variant")
    request = pb.ScoreVariantRequest(
        interval=INTERVAL.to_proto(), variant=variant_at(demo_genome, DONOR).to_proto()
    )
    error = rpc_error(lambda: list(service.ScoreVariant(iter([request]), metadata=metadata)))
    assert error.code() is grpc.StatusCode.INVALID_ARGUMENT and error.details().startswith("variant_scorers")
    error = rpc_error(lambda: list(service.PredictSequence(iter([]), metadata=metadata)))
    assert error.code() is grpc.StatusCode.INVALID_ARGUMENT and error.details().startswith("request")


def test_assembly_is_chosen_by_header(server):
    interval = genome.Interval("chr20", INTERVAL.start, INTERVAL.end)
    other = insecure_client(server.address, server.key)
    other._metadata = [("x-goog-api-key", server.key), ("x-genomeapp-assembly", "hg38")]
    error = rpc_error(
        lambda: other.predict_interval(interval, requested_outputs=[OutputType.ATAC], ontology_terms=None)
    )
    assert error.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "x-genomeapp-assembly" in error.details() and "GRCh37-chr20" in error.details()
    other._metadata = [("x-goog-api-key", server.key), ("x-genomeapp-assembly", "GRCh37-chr20")]
    output = other.predict_interval(interval, requested_outputs=[OutputType.ATAC], ontology_terms=None)
    assert output.atac.interval == interval


def test_oversized_requests_are_refused_and_the_server_keeps_serving(server, client):
    channel = grpc.insecure_channel(server.address, options=[("grpc.max_send_message_length", -1)])
    service = dna_model_service_pb2_grpc.DnaModelServiceStub(channel)
    metadata = [("x-goog-api-key", server.key)]
    huge = pb.PredictSequenceRequest(sequence="A" * (20 * 1024 * 1024), requested_outputs=[1])
    error = rpc_error(lambda: list(service.PredictSequence(iter([huge]), metadata=metadata)))
    assert error.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert client.output_metadata().atac is not None
