"""End to end in real Chromium: upload a real chr20 VCF, let the real worker score it with
SpliceAI, browse the results in igv.js, and open the share link in a fresh browser context."""

from __future__ import annotations

import re

import pytest

from tests.integration.conftest import OUTPUT, watch

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Real chr20 records: the SNRPB exon-2 donor (GT broken, GT→GC), two common SNPs, and a line
# whose REF does not match the reference (rejected, the others kept).
VCF = """##fileformat=VCFv4.2
##contig=<ID=20,length=63025520>
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO
20\t2443281\tSNRPB_donor\tC\tA\t.\t.\t.
20\t2443280\tSNRPB_GC\tA\tG\t.\t.\t.
20\t2517628\trs561293495\tT\tG\t.\t.\t.
20\t2443290\tbad_ref\tA\tC\t.\t.\t.
"""


def test_upload_score_browse_and_share(
    live_server, django_user_model, demo_assembly, celery_worker_process, browser, tmp_path
):
    django_user_model.objects.create_user("scientist", password="a-long-test-password")
    vcf = tmp_path / "snrpb.vcf"
    vcf.write_text(VCF)
    OUTPUT.mkdir(exist_ok=True)
    errors: list[str] = []
    foreign: list[str] = []

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    watch(page, live_server.url, errors, foreign)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "scientist")
    page.fill("input[name=password]", "a-long-test-password")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.check("input[name=mode][value=vcf]")
    page.set_input_files("input[name=vcf_file]", str(vcf))
    page.click("button.primary")
    page.wait_for_url(re.compile(r".*/jobs/[0-9a-f-]{36}/$"))
    assert "1 input line rejected" in page.content()

    page.wait_for_selector(".badge.status-succeeded", timeout=420_000)
    page.wait_for_selector("#variants-table tbody tr[data-key]")
    rows = page.locator("#variants-table tbody tr[data-key]")
    assert rows.count() == 3
    first = rows.first.inner_text()
    assert "2443281" in first and "SNRPB" in first
    assert float(rows.first.locator("td[data-col=score]").inner_text()) > 0.5

    page.wait_for_selector("#igv-browser canvas", timeout=60_000)
    page.wait_for_function(
        "() => window.genomeappBrowser && window.genomeappBrowser.resultTracks.length >= 6", timeout=60_000
    )
    rows.nth(1).click()
    page.wait_for_timeout(1500)
    page.screenshot(path=str(OUTPUT / "job-page.png"), full_page=True)
    # the motif gains and losses: listed in the table and drawn as a coloured igv track
    motif_cells = page.locator("#variants-table td.motifs").all_inner_texts()
    assert any(cell.startswith(("gain ", "loss ")) for cell in motif_cells), motif_cells
    motif_colours = page.evaluate(
        """async () => {
            const browser = window.genomeappBrowser.browser;
            const track = browser.trackViews.map((v) => v.track)
                .find((t) => String(t.name ?? "").startsWith("Motifs gained"));
            const frame = browser.referenceFrameList[0];
            const features = await track.featureSource.getFeatures(
                {chr: frame.chr, start: frame.start, end: frame.end, bpPerPixel: frame.bpPerPixel});
            return features.map((f) => [f.name, track.getColorForFeature(f)]);
        }"""
    )
    assert motif_colours, "no motif feature in view at the clicked variant"
    for name, colour in motif_colours:
        assert colour == ("rgb(0,130,60)" if name.startswith("gain:") else "rgb(200,30,30)"), (name, colour)

    for _ in range(90):  # the igv-reports HTML is written by a follow-up task on the default queue
        if page.locator("[data-role=report]").count():
            break
        page.wait_for_timeout(2000)
        page.reload()
    report = page.request.get(live_server.url + page.locator("[data-role=report]").get_attribute("href"))
    assert report.status == 200
    html = report.text()
    assert "SNRPB_donor" in html and "igv" in html and "cdn.jsdelivr" not in html

    page.click("text=Create read-only link")
    share_url = page.locator("input[data-role=share-url]").first.input_value()
    assert "/s/" in share_url

    stranger = browser.new_context()
    shared = stranger.new_page()
    watch(shared, live_server.url, errors, foreign)
    shared.goto(share_url)
    assert "read-only shared view" in shared.content()
    assert shared.locator("#variants-table tbody tr[data-key]").count() == 3
    assert shared.locator("text=Create read-only link").count() == 0
    shared.wait_for_selector("#igv-browser canvas", timeout=60_000)
    shared.wait_for_function(
        "() => window.genomeappBrowser && window.genomeappBrowser.resultTracks.length >= 6", timeout=60_000
    )
    shared.screenshot(path=str(OUTPUT / "shared-page.png"), full_page=True)

    assert not errors, errors
    assert not foreign, f"requests left localhost: {foreign}"
