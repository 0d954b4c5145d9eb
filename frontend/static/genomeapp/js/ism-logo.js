// Draws an ISM contribution matrix (width x 4, A C G T) as a sequence logo in SVG.

const COLORS = { A: "#109648", C: "#255C99", G: "#F7B32B", T: "#D62839" };
const BASES = ["A", "C", "G", "T"];

export function logoSvg(matrix, sequence, { width = 900, height = 120 } = {}) {
  const columns = matrix.length;
  const peak = Math.max(1e-9, ...matrix.flat().map((v) => Math.abs(v)));
  const step = width / columns;
  const mid = height / 2;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="ISM sequence logo">`];
  parts.push(`<line x1="0" x2="${width}" y1="${mid}" y2="${mid}" stroke="#bbb"/>`);
  matrix.forEach((row, i) => {
    row.forEach((value, b) => {
      if (Math.abs(value) < peak * 1e-3) return;
      const h = (Math.abs(value) / peak) * (mid - 2);
      const y = value > 0 ? mid - h : mid;
      parts.push(
        `<text x="${i * step + step / 2}" y="${y + h}" font-size="${step * 1.3}" text-anchor="middle" fill="${COLORS[BASES[b]]}"` +
          ` transform="translate(0 ${y + h}) scale(1 ${h / (step * 0.95) || 0}) translate(0 ${-(y + h)})">${BASES[b]}</text>`,
      );
    });
  });
  parts.push("</svg>");
  return parts.join("");
}

export async function drawIsmLogo(element) {
  const response = await fetch(element.dataset.url, { credentials: "same-origin" });
  if (!response.ok) return;
  const data = await response.json();
  for (const [scorer, matrix] of Object.entries(data.matrices)) {
    const figure = document.createElement("figure");
    figure.innerHTML = logoSvg(matrix, data.sequence);
    const caption = document.createElement("figcaption");
    // random weights are said where the figure is read, not only on the form
    const untrained = data.trained === false ? "UNTRAINED (random weights, not biology) · " : "";
    caption.textContent = `${untrained}${scorer} over ${data.interval}`;
    figure.append(caption);
    element.append(figure);
  }
}
