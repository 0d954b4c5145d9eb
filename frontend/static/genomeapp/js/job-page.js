// Entry module of the job page: live progress, variant table <-> browser, ISM logo.

import { buildTrackPicker, describeProvenance, JobBrowser, showImages, showTrackFailures } from "./browser.js";
import { drawIsmLogo } from "./ism-logo.js";
import { pollStatus } from "./progress.js";

const statusRoot = document.getElementById("job-status");
if (statusRoot && statusRoot.dataset.status !== "succeeded" && !["failed", "cancelled"].includes(statusRoot.dataset.status)) {
  pollStatus(statusRoot, (status) => {
    if (status.status === "succeeded") window.location.reload();
  });
}

const configElement = document.getElementById("browser-config");
if (configElement) {
  const config = JSON.parse(configElement.textContent);
  const igvSrc = document.getElementById("job-page-script").dataset.igvSrc;
  const { default: igv } = await import(igvSrc);
  const view = new JobBrowser(igv, document.getElementById("igv-browser"), config);
  view.onFailures = (failures) => showTrackFailures(document.getElementById("track-failures"), failures);
  await view.start();
  window.genomeappBrowser = view; // for debugging and the end-to-end test
  describeProvenance(document.getElementById("browser-provenance"), config);
  buildTrackPicker(document.getElementById("track-picker"), config, (selected) => view.showIntervalTracks(selected));
  showImages(document.getElementById("browser-images"), config);

  const table = document.getElementById("variants-table");
  table?.addEventListener("click", (event) => {
    const row = event.target.closest("tr[data-key]");
    if (!row) return;
    table.querySelectorAll("tr.selected").forEach((r) => r.classList.remove("selected"));
    row.classList.add("selected");
    // the browser comes into view with the variant marked, so a click is never lost below the fold
    document.getElementById("igv-browser").scrollIntoView({ block: "nearest", behavior: "smooth" });
    view.showVariant(Number(row.dataset.key));
  });
  table?.addEventListener("keydown", (event) => {
    if (event.key === "Enter") event.target.closest("tr[data-key]")?.click();
  });
}

const logo = document.getElementById("ism-logo");
if (logo) drawIsmLogo(logo);
