"""An interval job's splice-site bigWigs hold exactly the values the gRPC server sends for the
same interval (both call model.inference.predict_interval; the wire itself is checked to be
bit-exact in tests/grpc)."""

import numpy as np
import pyBigWig
import pytest
from django.conf import settings

from model.genome import Interval
from model.outputs import Organism, OutputType
from predictions import pipeline
from predictions.assemblies import genome_for
from predictions.grpc.predict import predict_interval
from predictions.grpc.routing import default_router
from predictions.models import Job
from predictions.submission import PredictionOptions, create_region_job

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

START, END = 2_440_000, 2_440_000 + 16_384  # over SNRPB, GRCh37 chr20


def test_interval_job_tracks_equal_grpc_predictions(owner, demo_assembly, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        job = create_region_job(
            owner=owner,
            kind=Job.Kind.INTERVAL,
            assembly=demo_assembly,
            parameters={"chrom": "20", "start": START, "end": END, "locus": f"20:{START + 1}-{END}"},
            options=PredictionOptions(output_types=("SPLICE_SITES",)),
            title="SNRPB",
        )
    assert pipeline.execute(str(job.code)) == Job.SUCCEEDED

    genome = genome_for(demo_assembly)
    grpc = predict_interval(
        default_router(("spliceai",)),
        genome,
        Interval("20", START, END, "+"),
        [OutputType.SPLICE_SITES],
        Organism.HOMO_SAPIENS,
    )[OutputType.SPLICE_SITES]
    names = [f"{row.name} ({row.strand})" for row in grpc.metadata.itertuples()]
    files = {track.track_name: track for track in job.track_files.filter(output_type="SPLICE_SITES")}
    assert sorted(files) == sorted(names)
    for column, name in enumerate(names):
        with pyBigWig.open(str(settings.MEDIA_ROOT / files[name].path)) as bigwig:
            web = np.asarray(bigwig.values("20", START, END), dtype=np.float32)
        np.testing.assert_array_equal(web, np.asarray(grpc.values[:, column], dtype=np.float32))
    donor = names.index("donor (-)")
    assert grpc.values[:, donor].max() > 0.9  # SNRPB's annotated donors
