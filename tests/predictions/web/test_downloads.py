"""Downloads: the tidy-score TSV and the annotated VCF with SpliceAI's INFO field."""

from __future__ import annotations

import pysam
import pytest

from predictions.downloads import TSV_COLUMNS
from tests.predictions.web import factories

SPLICEAI_FORMAT = "ALLELE|SYMBOL|DS_AG|DS_AL|DS_DG|DS_DL|DP_AG|DP_AL|DP_DG|DP_DL"


def download(client, base: str, name: str):
    response = client.get(f"{base}download/{name}")
    assert response.status_code == 200, response.status_code
    return response, b"".join(response.streaming_content).decode()


def test_tsv_has_one_row_per_score_in_the_sdk_columns(owner_client, scored_job):
    response, text = download(owner_client, f"/jobs/{scored_job.code}/", "scores.tsv")
    assert response["Content-Type"] == "text/tab-separated-values"
    assert response["Content-Disposition"] == f'attachment; filename="genomeapp-{scored_job.code}-scores.tsv"'
    header, *rows = [line.split("\t") for line in text.splitlines()]
    assert tuple(header) == TSV_COLUMNS
    assert len(rows) == 8  # 2 variants x 4 SpliceAI deltas
    records = [dict(zip(header, row, strict=True)) for row in rows]
    strong_dl = next(r for r in records if r["variant_id"] == "20:2443281:C>A" and r["track_name"] == "DS_DL")
    assert strong_dl == {
        **strong_dl,
        "gene_name": "SNRPB",
        "output_type": "SPLICE_SITES",
        "variant_scorer": factories.SPLICEAI_SCORER,
        "raw_score": "0.87",
        "quantile_score": "",
        "position_offset": "1",
        "backend": "spliceai",
    }
    assert [r["variant_id"] for r in records] == ["20:2443000:G>T"] * 4 + ["20:2443281:C>A"] * 4


def test_vcf_is_valid_and_carries_spliceai_info(owner_client, scored_job, tmp_path):
    response, text = download(owner_client, f"/jobs/{scored_job.code}/", "variants.vcf")
    assert (
        response["Content-Disposition"] == f'attachment; filename="genomeapp-{scored_job.code}-variants.vcf"'
    )
    lines = text.splitlines()
    assert lines[0] == "##fileformat=VCFv4.2"
    assert f"Format: {SPLICEAI_FORMAT}" in text
    assert [line for line in lines if line.startswith("##contig")] == ["##contig=<ID=20>"]
    records = [line.split("\t") for line in lines if not line.startswith("#")]
    assert [(r[0], r[1], r[2], r[3], r[4]) for r in records] == [
        ("20", "2443000", ".", "G", "T"),
        ("20", "2443281", "rs_strong", "C", "A"),
        ("20", "63025000", ".", "T", "C"),
    ]  # the rejected <DEL> line is not a record
    info = dict(item.split("=", 1) for item in records[1][7].split(";"))
    assert info["SpliceAI"] == "A|SNRPB|0.01|0.02|0.00|0.87|3|-12|40|1"
    assert len(info["SpliceAI"].split("|")) == len(SPLICEAI_FORMAT.split("|"))
    assert info["MAX_ABS_SCORE"] == "0.87"
    assert records[2][7] == "SKIPPED=no_gene_within_the_annotation"
    # and a VCF reader accepts it
    path = tmp_path / "out.vcf"
    path.write_text(text)
    with pysam.VariantFile(str(path)) as vcf:
        parsed = list(vcf)
    assert parsed[1].info["SpliceAI"] == ("A|SNRPB|0.01|0.02|0.00|0.87|3|-12|40|1",)


def test_vcf_lists_one_annotation_per_gene(owner_client, scored_job):
    strong = scored_job.variants.get(variant_id="rs_strong")
    factories.add_spliceai_scores(strong, "OVERLAP1", (0.5, 0.0, 0.0, 0.0), (-2, 0, 0, 0))
    _, text = download(owner_client, f"/jobs/{scored_job.code}/", "variants.vcf")
    record = next(line for line in text.splitlines() if "\trs_strong\t" in line)
    spliceai = next(item for item in record.split("\t")[7].split(";") if item.startswith("SpliceAI="))
    assert spliceai.removeprefix("SpliceAI=").split(",") == [
        "A|OVERLAP1|0.50|0.00|0.00|0.00|-2|0|0|0",
        "A|SNRPB|0.01|0.02|0.00|0.87|3|-12|40|1",
    ]


def test_vcf_contig_headers_cover_only_written_records(owner_client, scored_job):
    factories.add_variant(
        scored_job,
        "chrUn_bogus",
        5,
        "A",
        "C",
        status="rejected",
        message="contig chrUn_bogus is not in the reference",
    )
    _, text = download(owner_client, f"/jobs/{scored_job.code}/", "variants.vcf")
    assert "chrUn_bogus" not in text


def test_colleague_downloads_through_the_link(colleague_client, scored_job, share_link):
    base = f"/s/{share_link.token}/"
    _, tsv = download(colleague_client, base, "scores.tsv")
    _, vcf = download(colleague_client, base, "variants.vcf")
    assert tsv.count("\n") == 9 and "SpliceAI=" in vcf


@pytest.mark.parametrize("name", ["scores.tsv", "variants.vcf"])
def test_outsider_and_anonymous_get_404(outsider_client, anonymous_client, scored_job, name):
    assert outsider_client.get(f"/jobs/{scored_job.code}/download/{name}").status_code == 404
    assert anonymous_client.get(f"/jobs/{scored_job.code}/download/{name}").status_code == 404


def test_unknown_download_is_404(owner_client, scored_job):
    assert owner_client.get(f"/jobs/{scored_job.code}/download/secrets.txt").status_code == 404


def test_igv_report_link_and_download(owner_client, colleague_client, scored_job, share_link):
    base = f"/jobs/{scored_job.code}/"
    assert "igv-reports HTML is being prepared" in owner_client.get(base).content.decode()
    assert owner_client.get(f"{base}download/report.html").status_code == 404  # not written yet
    (scored_job.results_dir() / "report.html").write_text("<html>report</html>")
    scored_job.parameters["report"] = "ready"
    scored_job.save()
    assert f'href="{base}download/report.html"' in owner_client.get(base).content.decode()
    response = owner_client.get(f"{base}download/report.html")
    assert response.status_code == 200
    assert (
        response["Content-Disposition"] == f'attachment; filename="genomeapp-{scored_job.code}-report.html"'
    )
    assert b"".join(response.streaming_content) == b"<html>report</html>"
    shared = colleague_client.get(f"/s/{share_link.token}/download/report.html")
    assert shared.status_code == 200


def test_outsider_cannot_download_the_report(outsider_client, scored_job):
    (scored_job.results_dir() / "report.html").write_text("<html>report</html>")
    assert outsider_client.get(f"/jobs/{scored_job.code}/download/report.html").status_code == 404
