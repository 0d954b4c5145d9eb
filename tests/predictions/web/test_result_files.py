"""Result files (bigWig) with HTTP Range, as igv.js reads them; path traversal gives 404."""

from __future__ import annotations

import pyBigWig
import pytest

from tests.predictions.web import factories


@pytest.fixture
def bigwig(scored_job):
    return factories.results_file(scored_job).read_bytes()


def url(job, relative=factories.BIGWIG_RELATIVE):
    return f"/jobs/{job.code}/files/{relative}"


def test_whole_file_without_range(owner_client, scored_job, bigwig):
    response = owner_client.get(url(scored_job))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == bigwig
    assert response["Content-Length"] == str(len(bigwig))
    assert response["Accept-Ranges"] == "bytes"
    assert "Last-Modified" in response


def test_the_served_file_is_a_readable_bigwig(owner_client, scored_job, tmp_path):
    copy = tmp_path / "copy.bw"
    copy.write_bytes(b"".join(owner_client.get(url(scored_job)).streaming_content))
    with pyBigWig.open(str(copy)) as bw:
        assert bw.chroms() == {"20": 63_025_520}
        assert bw.values("20", 2_442_780, 2_442_783) == pytest.approx([0.0, 0.001, 0.002])


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [("bytes=0-99", 0, 99), ("bytes=100-", 100, None), ("bytes=-64", -64, None), ("bytes=10-10", 10, 10)],
    ids=["head", "open-ended", "suffix", "one-byte"],
)
def test_byte_range_gives_206_with_content_range(owner_client, scored_job, bigwig, header, first, last):
    response = owner_client.get(url(scored_job), HTTP_RANGE=header)
    size = len(bigwig)
    start = first % size
    end = size - 1 if last is None else last
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {start}-{end}/{size}"
    body = b"".join(response.streaming_content)
    assert body == bigwig[start : end + 1]
    assert response["Content-Length"] == str(len(body))


def test_range_past_the_end_is_clipped(owner_client, scored_job, bigwig):
    response = owner_client.get(url(scored_job), HTTP_RANGE=f"bytes=10-{len(bigwig) * 2}")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 10-{len(bigwig) - 1}/{len(bigwig)}"


@pytest.mark.parametrize("header", ["bytes={size}-", "bytes={size}-{end}", "bytes=-0", "bytes=50-10"])
def test_unsatisfiable_range_is_416(owner_client, scored_job, bigwig, header):
    size = len(bigwig)
    response = owner_client.get(url(scored_job), HTTP_RANGE=header.format(size=size, end=size + 10))
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{size}"


def test_unparseable_range_is_ignored(owner_client, scored_job, bigwig):
    response = owner_client.get(url(scored_job), HTTP_RANGE="lines=1-2")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == bigwig


def test_colleague_reads_files_through_the_link(colleague_client, scored_job, share_link, bigwig):
    response = colleague_client.get(
        f"/s/{share_link.token}/files/{factories.BIGWIG_RELATIVE}", HTTP_RANGE="bytes=0-3"
    )
    assert response.status_code == 206
    assert b"".join(response.streaming_content) == bigwig[:4]


def test_outsider_and_anonymous_get_404(outsider_client, anonymous_client, scored_job):
    assert outsider_client.get(url(scored_job)).status_code == 404
    assert anonymous_client.get(url(scored_job)).status_code == 404


def test_missing_file_and_folder_are_404(owner_client, scored_job):
    assert owner_client.get(url(scored_job, "variants/nope.bw")).status_code == 404
    assert owner_client.get(url(scored_job, "variants")).status_code == 404


@pytest.mark.parametrize(
    "relative",
    [
        "../../../../../../etc/passwd",
        "variants/../../{other}/variants/v_ACCEPTOR_DELTA.bw",
        "%2e%2e/{other}/variants/v_ACCEPTOR_DELTA.bw",
        "..%2f{other}%2fvariants%2fv_ACCEPTOR_DELTA.bw",
        "/etc/passwd",
    ],
)
def test_path_traversal_is_404(owner_client, outsider, scored_job, demo_assembly, relative):
    """Another user's results sit next to this job's folder; no path may reach them."""
    other = factories.make_scored_job(outsider, demo_assembly)
    assert factories.results_file(other).is_file()
    response = owner_client.get(f"/jobs/{scored_job.code}/files/" + relative.format(other=other.code))
    assert response.status_code == 404


def test_symlink_out_of_the_results_folder_is_404(owner_client, scored_job, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("not for you")
    (scored_job.results_dir() / "escape.txt").symlink_to(secret)
    assert owner_client.get(url(scored_job, "escape.txt")).status_code == 404


@pytest.mark.parametrize("name", [".v_ACCEPTOR_DELTA.bw.1a2b3c4d.partial", ".hidden/v.bw"])
def test_files_still_being_written_are_404(owner_client, scored_job, name):
    """A track is written to a hidden `.<name>.<random>.partial` and renamed into place when whole:
    the half-written file is never served, even to someone who guesses its name."""
    partial = scored_job.results_dir() / "variants" / name
    partial.parent.mkdir(parents=True, exist_ok=True)
    partial.write_bytes(b"half a bigWig")
    assert owner_client.get(url(scored_job, f"variants/{name}")).status_code == 404


def test_several_ranges_get_the_whole_file(owner_client, scored_job, bigwig):
    response = owner_client.get(url(scored_job), HTTP_RANGE="bytes=0-1,5-6")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == bigwig


def test_head_gives_the_length_igv_asks_for_after_a_416(owner_client, scored_job, bigwig):
    response = owner_client.head(url(scored_job))
    assert response.status_code == 200
    assert response["Content-Length"] == str(len(bigwig))
    assert response["Accept-Ranges"] == "bytes"


def test_other_methods_are_refused(owner_client, scored_job):
    assert owner_client.post(url(scored_job)).status_code == 405
    assert owner_client.delete(url(scored_job)).status_code == 405


@pytest.mark.parametrize("header", [f"bytes={'9' * 5000}-", f"bytes=0-{'9' * 5000}", "bytes=١٢٣-"])
def test_ranges_with_numbers_past_any_file_are_unsatisfiable_not_errors(owner_client, scored_job, header):
    response = owner_client.get(url(scored_job), HTTP_RANGE=header)
    assert response.status_code in (206, 416)
    if response.status_code == 416:
        assert response["Content-Range"].startswith("bytes */")
