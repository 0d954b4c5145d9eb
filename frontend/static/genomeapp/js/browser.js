// The igv.js browser of a job page: local reference, genes, variants, result tracks.

import {
  defaultSelection,
  geneTrack,
  imageTracks,
  intervalTracks,
  locusForVariant,
  motifTrack,
  provenanceText,
  referenceConfig,
  tracksForVariant,
  variantHighlight,
  variantTrack,
} from "./track-configs.js";

export class JobBrowser {
  constructor(igv, container, config) {
    this.igv = igv;
    this.container = container;
    this.config = config;
    this.browser = null;
    this.resultTracks = [];
    this.failures = [];
    this.onFailures = () => {};
  }

  async start() {
    const first = this.config.variants[0];
    const locus = first ? locusForVariant(first) : this.config.locus || undefined;
    const tracks = [geneTrack(this.config), variantTrack(this.config), motifTrack(this.config)].filter(Boolean);
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

  /** Each track loads on its own: one that fails is reported (`onFailures`) and the rest still load. */
  async replaceResultTracks(configs) {
    for (const track of this.resultTracks) this.browser.removeTrack(track);
    this.resultTracks = [];
    this.failures = [];
    for (const config of configs) {
      try {
        const track = await this.browser.loadTrack(config);
        if (track) this.resultTracks.push(track);
      } catch (error) {
        this.failures.push({ name: config.name, reason: String(error?.message ?? error) });
      }
    }
    this.onFailures(this.failures);
  }

  async showVariant(key) {
    const variant = this.config.variants.find((v) => v.key === key);
    if (!variant) return;
    await this.browser.search(locusForVariant(variant));
    await this.replaceResultTracks(tracksForVariant(this.config, key));
    this.browser.clearROIs();
    try {
      await this.browser.loadROI([variantHighlight(variant)]);
    } catch (error) {
      this.failures.push({ name: "variant highlight", reason: String(error?.message ?? error) });
      this.onFailures(this.failures);
    }
  }

  async showIntervalTracks(selected) {
    await this.replaceResultTracks(intervalTracks(this.config, selected));
  }
}

/** Names the tracks that could not be shown, in the page (not only in the console). */
export function showTrackFailures(root, failures) {
  if (!root) return;
  root.replaceChildren();
  root.hidden = failures.length === 0;
  if (!failures.length) return;
  const heading = document.createElement("strong");
  heading.textContent = `${failures.length} track${failures.length > 1 ? "s" : ""} could not be shown: `;
  root.append(heading, failures.map((f) => `${f.name} (${f.reason})`).join("; "));
}

/** Checkboxes for interval-job tracks (one per file); changing them reloads the tracks. */
export function buildTrackPicker(root, config, onChange) {
  const tracks = config.tracks.filter((t) => t.variant === null && t.format !== "png");
  if (tracks.length <= 1) return;
  const selected = defaultSelection(tracks);
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
