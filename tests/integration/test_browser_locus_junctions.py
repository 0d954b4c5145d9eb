"""A locus job with splice junctions, splice sites and DNase, opened in real Chromium: every track
loads (junctions drawn as igv.js arcs, not an exception), no console error, nothing leaves the host."""

from __future__ import annotations

import pytest

from predictions import pipeline
from predictions.models import Job
from predictions.submission import PredictionOptions, create_region_job
from tests.integration.conftest import OUTPUT, watch

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

START, END = 2_440_000, 2_440_000 + 16_384  # over SNRPB, GRCh37 chr20
OUTPUTS = ("SPLICE_SITES", "SPLICE_JUNCTIONS", "DNASE")


def test_locus_job_draws_junction_arcs_and_every_track(
    live_server, owner, demo_assembly, browser, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        job = create_region_job(
            owner=owner,
            kind=Job.Kind.INTERVAL,
            assembly=demo_assembly,
            parameters={"chrom": "20", "start": START, "end": END, "locus": f"20:{START + 1}-{END}"},
            options=PredictionOptions(output_types=OUTPUTS),
            title="SNRPB junctions",
        )
    assert pipeline.execute(str(job.code)) == Job.SUCCEEDED
    junction_files = job.track_files.filter(output_type="SPLICE_JUNCTIONS")
    assert junction_files.exists()

    errors: list[str] = []
    foreign: list[str] = []
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    watch(page, live_server.url, errors, foreign)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "owner")
    page.fill("input[name=password]", "owner-pass-123")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/jobs/{job.code}/")
    page.wait_for_selector("#igv-browser canvas", timeout=60_000)
    page.wait_for_function("() => window.genomeappBrowser && window.genomeappBrowser.resultTracks.length > 0")
    page.wait_for_timeout(2000)  # let igv.js draw the loaded features

    # igv.js's junction renderer marks each arc it draws (`isVisible`): count those, not DOM nodes
    loaded = page.evaluate(
        """async () => {
            const view = window.genomeappBrowser;
            const frame = view.browser.referenceFrameList[0];
            return Promise.all(view.resultTracks.map(async (t) => {
                if (t.type !== "junction") return { type: t.type, name: t.name };
                const features = await t.featureSource.getFeatures(
                    { chr: frame.chr, start: frame.start, end: frame.end });
                return { type: t.type, name: t.name, features: features.length,
                         drawn: features.filter((f) => f.isVisible).length };
            }));
        }"""
    )
    failures = page.evaluate("() => window.genomeappBrowser.failures")
    page.screenshot(path=str(OUTPUT / "locus-junctions.png"), full_page=True)
    assert failures == [], failures
    types = {track["type"] for track in loaded}
    assert {"junction", "wig"} <= types, loaded
    # every requested output type has visible tracks by default (the picker pre-ticks per output)
    shown = page.locator("#track-picker input:checked").count()
    assert shown >= len(OUTPUTS)
    # random-weight outputs say so in every track name; SpliceAI's trained splice sites do not
    untrained = [t["name"] for t in loaded if t["name"].startswith("UNTRAINED")]
    assert untrained and all("acceptor" not in n and "donor" not in n for n in untrained), loaded
    assert all(t["name"].startswith("UNTRAINED") for t in loaded if t["type"] == "junction"), loaded
    junctions = [t for t in loaded if t["type"] == "junction"]
    assert any(t["drawn"] > 0 for t in junctions), junctions
    assert page.locator("#track-failures").is_hidden()
    assert not errors, errors
    assert not foreign, f"requests left localhost: {foreign}"
