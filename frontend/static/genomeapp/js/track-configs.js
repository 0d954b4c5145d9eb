// Pure functions: the job's browser config (from predictions/browser_config.py) -> igv.js configs.

const ALLELE_COLORS = { REF: "rgb(90,90,90)", ALT: "rgb(31,111,235)", DELTA: "rgb(200,60,40)", "": "rgb(31,111,235)" };
const ALLELE_LABELS = { REF: "REF", ALT: "ALT", DELTA: "ALT−REF", "": "" };

export function referenceConfig(config) {
  return { ...config.reference, wholeGenomeView: false };
}

export function geneTrack(config) {
  if (!config.genesURL) return null;
  return {
    name: "Genes",
    type: "annotation",
    format: "bed",
    url: config.genesURL,
    displayMode: "EXPANDED",
    height: 90,
    order: 1,
    removable: false,
  };
}

export function variantTrack(config) {
  if (!config.variantsURL) return null;
  return { name: "Variants", type: "annotation", format: "bed", url: config.variantsURL, color: "rgb(180,0,0)", order: 2, height: 40 };
}

// The band that marks the selected variant in every track (an igv region of interest).
export const HIGHLIGHT_COLOR = "rgba(255,176,0,0.28)";

export function variantHighlight(variant) {
  const start = variant.pos - 1;
  const feature = { chr: variant.chrom, start, end: start + Math.max(1, variant.ref.length), name: variant.name };
  return { name: "Selected variant", color: HIGHLIGHT_COLOR, features: [feature] };
}

// Motif sites gained (green) and lost (red) by the job's variants; each BED name starts "gain:" or
// "loss:" (predictions/motif_bed.py), so the colour follows the name whatever igv.js reads from the row.
export const MOTIF_COLORS = { gain: "rgb(0,130,60)", loss: "rgb(200,30,30)" };

export function motifColor(feature) {
  return String(feature.name ?? "").startsWith("gain:") ? MOTIF_COLORS.gain : MOTIF_COLORS.loss;
}

export function motifTrack(config) {
  if (!config.motifsURL) return null;
  return {
    name: "Motifs gained / lost (JASPAR)",
    type: "annotation",
    format: "bed",
    url: config.motifsURL,
    color: motifColor,
    displayMode: "EXPANDED",
    order: 3,
    height: 110,
  };
}

// Probabilities per base (splice sites, splice-site usage): always on 0..1, and zoomed out each
// pixel shows the largest value under it, so a 1.00 site never reads 0.1 at the gene's scale.
const PROBABILITY_OUTPUTS = new Set(["SPLICE_SITES", "SPLICE_SITE_USAGE"]);

export function wigTrack(track, order) {
  const label = ALLELE_LABELS[track.allele] ? `${track.name} ${ALLELE_LABELS[track.allele]}` : track.name;
  const isDelta = track.allele === "DELTA";
  const isProbability = PROBABILITY_OUTPUTS.has(track.outputType);
  const fixed = isDelta ? { min: -1, max: 1 } : isProbability ? { min: 0, max: 1 } : {};
  return {
    name: label,
    type: "wig",
    format: "bigwig",
    url: track.url,
    color: ALLELE_COLORS[track.allele] ?? ALLELE_COLORS[""],
    altColor: isDelta ? "rgb(40,120,200)" : undefined,
    height: 50,
    autoscale: !isDelta && !isProbability,
    ...fixed,
    // (ALT−REF keeps means: a max would hide every loss, which is negative)
    windowFunction: isProbability && !isDelta ? "max" : "mean",
    order,
    provenance: track.provenance,
  };
}

export function junctionTrack(track, order) {
  return { name: track.name, type: "junction", format: "bed", url: track.url, height: 80, order, provenance: track.provenance };
}

/** The igv track for one result file; PNG images (contact maps) are shown outside igv. */
export function trackConfig(track, order) {
  if (track.format === "junctions") return junctionTrack(track, order);
  if (track.format === "bigwig") return wigTrack(track, order);
  return null;
}

export function imageTracks(config) {
  return config.tracks.filter((t) => t.format === "png");
}

/** Tracks that belong to one variant, REF/ALT/ALT−REF grouped by track name. */
export function tracksForVariant(config, variantKey) {
  const rank = { REF: 0, ALT: 1, DELTA: 2 };
  return config.tracks
    .filter((t) => t.variant === variantKey)
    .sort((a, b) => a.name.localeCompare(b.name) || rank[a.allele] - rank[b.allele])
    .map((t, i) => trackConfig(t, 10 + i))
    .filter(Boolean);
}

/** The tracks shown before the user picks: the first `perOutput` of every output type, so each
 * requested output is visible (a fixed number of tracks in file order could hide whole outputs). */
export function defaultSelection(tracks, perOutput = 4) {
  const shown = new Map();
  const selected = new Set();
  for (const track of tracks) {
    const count = shown.get(track.outputType) ?? 0;
    if (count < perOutput) {
      selected.add(track.url);
      shown.set(track.outputType, count + 1);
    }
  }
  return selected;
}

/** Interval (and sequence) job tracks: those without a variant, filtered by the picker's selection. */
export function intervalTracks(config, selectedNames) {
  return config.tracks
    .filter((t) => t.variant === null && (!selectedNames || selectedNames.has(t.url)))
    .map((t, i) => trackConfig(t, 10 + i))
    .filter(Boolean);
}

export function locusForVariant(variant, flank = 150) {
  return `${variant.chrom}:${Math.max(1, variant.pos - flank)}-${variant.pos + flank}`;
}

export function provenanceText(config) {
  const seen = new Set(config.tracks.map((t) => t.provenance).filter(Boolean));
  return seen.size ? `Predicted by ${[...seen].join("; ")}.` : "";
}
