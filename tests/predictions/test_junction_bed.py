"""Predicted junctions as BED that igv.js's junction track draws as arcs (the STAR-style attributes
its renderer reads from the name column), for a JunctionSet in genomic coordinates."""

from __future__ import annotations

import numpy as np

from predictions.tracks import write_junctions_bed


def _attributes(name: str) -> dict[str, str]:
    # igv.js parses the name column as `key=value;...` when it holds both '=' and ';'
    return dict(pair.split("=", 1) for pair in name.split(";"))


def test_rows_carry_the_attributes_the_igv_junction_renderer_reads(tmp_path) -> None:
    path = tmp_path / "junctions.bed"
    written = write_junctions_bed(
        path,
        "chr20",
        starts=np.array([2_443_281, 2_443_100, 2_443_500]),
        ends=np.array([2_444_000, 2_443_900, 2_443_501]),
        strands=np.array(["-", "+", "+"]),
        counts=np.array([12.6, 0.05, 3.0]),  # 0.05 is under 1% of the strongest: left out
    )
    lines = path.read_text().splitlines()
    assert written == len(lines) == 2
    rows = [line.split("\t") for line in lines]
    assert [row[:3] for row in rows] == [["chr20", "2443281", "2444000"], ["chr20", "2443500", "2443501"]]
    first, second = (_attributes(row[3]) for row in rows)
    assert first["uniquely_mapped"] == "13" and first["multi_mapped"] == "0"
    assert float(first["line_width"]) == 6.0 and 1.0 < float(second["line_width"]) < 6.0
    assert first["predicted_count"] == "12.6" and first["color"] != second["color"]  # by strand
    assert [row[5] for row in rows] == ["-", "+"]


def test_no_junctions_writes_an_empty_file(tmp_path) -> None:
    path = tmp_path / "none.bed"
    empty = np.array([], dtype=np.int64)
    assert write_junctions_bed(path, "chr20", empty, empty, np.array([], dtype=str), np.array([])) == 0
    assert path.read_text() == ""
