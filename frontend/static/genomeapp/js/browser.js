// The igv.js browser of a job page: local reference, genes, variants, result tracks.

import {
  geneTrack,
  imageTracks,
  intervalTracks,
  locusForVariant,
  provenanceText,
  referenceConfig,
  tracksForVariant,
  variantTrack,
} from "./track-configs.js";

export class JobBrowser {
  constructor(igv, container, config) {
    this.igv = igv;
    this.container = container;
    this.config = config;
    this.browser = null;
    this.resultTracks = [];
  }

  async start() {
    const first = this.config.variants[0];
    const locus = first ? locusForVariant(first) : this.config.locus || undefined;
    const tracks = [geneTrack(this.config), variantTrack(this.config)].filter(Boolean);
    this.browser = await this.igv.createBrowser(this.container, {
      reference: referenceConfig(this.config),
      loadDefaultGenomes: false,
      locus,
      tracks,
      showCytobandIdeogram: false,
    });
    if (first) await this.showVariant(first.key);
    else await this.showIntervalTracks(null);
    return this;
  }

  async replaceResultTracks(configs) {
    for (const track of this.resultTracks) this.browser.removeTrack(track);
    this.resultTracks = [];
    for (const config of configs) this.resultTracks.push(await this.browser.loadTrack(config));
  }

  async showVariant(key) {
    const variant = this.config.variants.find((v) => v.key === key);
    if (!variant) return;
    await this.browser.search(locusForVariant(variant));
    await this.replaceResultTracks(tracksForVariant(this.config, key));
  }

  async showIntervalTracks(selected) {
    await this.replaceResultTracks(intervalTracks(this.config, selected));
  }
}

/** Checkboxes for interval-job tracks (one per file); changing them reloads the tracks. */
export function buildTrackPicker(root, config, onChange) {
  const tracks = config.tracks.filter((t) => t.variant === null && t.format !== "png");
  if (tracks.length <= 1) return;
  const selected = new Set(tracks.slice(0, 8).map((t) => t.url));
  for (const track of tracks) {
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.checked = selected.has(track.url);
    box.addEventListener("change", () => {
      if (box.checked) selected.add(track.url);
      else selected.delete(track.url);
      onChange(new Set(selected));
    });
    label.append(box, ` ${track.outputType}: ${track.name}`);
    root.append(label);
  }
  onChange(new Set(selected));
}

/** Contact-map heatmaps (PNG) that igv.js cannot draw, shown below the browser. */
export function showImages(root, config) {
  for (const track of imageTracks(config)) {
    const figure = document.createElement("figure");
    const image = Object.assign(document.createElement("img"), { src: track.url, alt: track.name, loading: "lazy" });
    const caption = Object.assign(document.createElement("figcaption"), { textContent: `${track.outputType}: ${track.name}` });
    figure.append(image, caption);
    root.append(figure);
  }
}

export function describeProvenance(element, config) {
  element.textContent = provenanceText(config);
}
