// Start page: show the panel of the chosen input mode, example variants, gene autocomplete.

const form = document.getElementById("predict-form");

function showMode(mode) {
  form.querySelectorAll(".mode-panel").forEach((panel) => {
    panel.hidden = panel.dataset.mode !== mode;
  });
}

if (form) {
  const radios = form.querySelectorAll("input[name=mode]");
  radios.forEach((radio) => radio.addEventListener("change", () => showMode(radio.value)));
  showMode(form.querySelector("input[name=mode]:checked")?.value ?? "variants");

  document.getElementById("use-example")?.addEventListener("click", () => {
    const example = JSON.parse(document.getElementById("example-vcf").textContent);
    const lines = example.split("\n").filter((l) => l && !l.startsWith("#"));
    form.querySelector("[name=variants_text]").value = lines
      .map((l) => l.split("\t"))
      .map(([chrom, pos, , ref, alt]) => `${chrom}:${pos}:${ref}>${alt}`)
      .join("\n");
  });

  const gene = form.querySelector("[name=gene]");
  const list = document.getElementById("gene-suggestions");
  let pending = null;
  gene?.addEventListener("input", () => {
    clearTimeout(pending);
    pending = setTimeout(async () => {
      const assembly = form.querySelector("[name=assembly]").value;
      const url = form.dataset.genesUrlTemplate.replace("ASSEMBLY", encodeURIComponent(assembly));
      const response = await fetch(`${url}?q=${encodeURIComponent(gene.value)}`, { credentials: "same-origin" });
      if (!response.ok) return;
      const { genes } = await response.json();
      list.replaceChildren(
        ...genes.map((g) => Object.assign(document.createElement("option"), { value: g.name, label: `${g.name} ${g.locus} (${g.strand})` })),
      );
    }, 200);
  });
}
