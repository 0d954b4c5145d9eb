"""An interval job's splice-site bigWigs hold exactly the values of the prediction service (the one
path the gRPC server also calls; the wire is checked to be bit-exact in tests/grpc): nothing is
lost or shifted between the model and the files the browser reads."""

import numpy as np
import pyBigWig
import pytest
from django.conf import settings

from model.genome import Interval
from model.outputs import Organism, OutputType
from model.service import PredictionService
from predictions import pipeline
from predictions.assemblies import genome_for
from predictions.models import Job
from predictions.submission import PredictionOptions, create_region_job

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

START, END = 2_440_000, 2_440_000 + 16_384  # over SNRPB, GRCh37 chr20


def test_interval_job_bigwigs_hold_the_service_predictions(
    owner, demo_assembly, django_capture_on_commit_callbacks
):
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
    predicted = PredictionService.default(("spliceai",)).predict_interval(
        genome,
        Interval("20", START, END, "+"),
        [OutputType.SPLICE_SITES],
        Organism.HOMO_SAPIENS,
    )[OutputType.SPLICE_SITES]
    names = [f"{row.name} ({row.strand})" for row in predicted.metadata.itertuples()]
    files = {track.track_name: track for track in job.track_files.filter(output_type="SPLICE_SITES")}
    assert sorted(files) == sorted(names)
    for column, name in enumerate(names):
        with pyBigWig.open(str(settings.MEDIA_ROOT / files[name].path)) as bigwig:
            web = np.asarray(bigwig.values("20", START, END), dtype=np.float32)
        np.testing.assert_array_equal(web, np.asarray(predicted.values[:, column], dtype=np.float32))
    donor = names.index("donor (-)")
    assert predicted.values[:, donor].max() > 0.9  # SNRPB's annotated donors
