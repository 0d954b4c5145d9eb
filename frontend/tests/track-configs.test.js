// Pure track-config functions, run with Node's own test runner (tests/frontend/test_js_units.py).
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  defaultSelection,
  intervalTracks,
  motifTrack,
  trackConfig,
  variantHighlight,
} from "../static/genomeapp/js/track-configs.js";

const track = (outputType, i, format = "bigwig") => ({
  url: `/files/${outputType}/${i}`,
  name: `${outputType} ${i}`,
  outputType,
  format,
  variant: null,
});

test("every output type is shown by default, not the first tracks in file order", () => {
  const tracks = [
    ...Array.from({ length: 12 }, (_, i) => track("DNASE", i)),
    track("SPLICE_SITES", 0),
    track("SPLICE_SITES", 1),
    track("SPLICE_JUNCTIONS", 0, "junctions"),
  ];
  const selected = defaultSelection(tracks);
  const shownTypes = new Set(tracks.filter((t) => selected.has(t.url)).map((t) => t.outputType));
  assert.deepEqual([...shownTypes].sort(), ["DNASE", "SPLICE_JUNCTIONS", "SPLICE_SITES"]);
  assert.equal(tracks.filter((t) => t.outputType === "DNASE" && selected.has(t.url)).length, 4);
});

test("junction files become igv.js junction tracks; PNG contact maps are not igv tracks", () => {
  assert.equal(trackConfig(track("SPLICE_JUNCTIONS", 0, "junctions"), 3).type, "junction");
  assert.equal(trackConfig(track("DNASE", 0), 3).type, "wig");
  assert.equal(trackConfig(track("CONTACT_MAPS", 0, "png"), 3), null);
});

test("interval tracks follow the picker's selection", () => {
  const tracks = [track("DNASE", 0), track("DNASE", 1)];
  const configs = intervalTracks({ tracks }, new Set([tracks[1].url]));
  assert.deepEqual(configs.map((c) => c.url), [tracks[1].url]);
});

test("splice-site probabilities are drawn on 0..1 with max-binning; other tracks autoscale on means", () => {
  const sites = trackConfig(track("SPLICE_SITES", 0), 1);
  assert.deepEqual([sites.autoscale, sites.min, sites.max, sites.windowFunction], [false, 0, 1, "max"]);
  const dnase = trackConfig(track("DNASE", 0), 1);
  assert.deepEqual([dnase.autoscale, dnase.min, dnase.windowFunction], [true, undefined, "mean"]);
});

test("the motif track is a BED annotation track, shown only when the job scanned motifs", () => {
  assert.equal(motifTrack({}), null);
  const config = motifTrack({ motifsURL: "/jobs/x/motifs.bed" });
  assert.equal(config.url, "/jobs/x/motifs.bed");
  assert.equal(config.format, "bed");
  assert.equal(config.type, "annotation");
  assert.equal(config.displayMode, "EXPANDED");
  assert.equal(config.color({ name: "gain:GATA1::TAL1(MA0140.3)@rs1" }), "rgb(0,130,60)");
  assert.equal(config.color({ name: "loss:CTCF(MA0139.2)@rs1" }), "rgb(200,30,30)");
});

test("the selected variant is marked by a band over its reference bases (0-based, end exclusive)", () => {
  const [snv] = variantHighlight({ chrom: "20", pos: 2443281, ref: "C", alt: "A", name: "SNRPB_donor" }).features;
  assert.deepEqual([snv.chr, snv.start, snv.end], ["20", 2443280, 2443281]);
  const [deletion] = variantHighlight({ chrom: "chr20", pos: 100, ref: "ACG", alt: "A", name: "del" }).features;
  assert.deepEqual([deletion.start, deletion.end], [99, 102]);
});
