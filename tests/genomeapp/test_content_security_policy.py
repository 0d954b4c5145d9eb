"""What the Content-Security-Policy relies on: no template has inline code or style, and the only
inline styles allowed, igv.js's two, are the ones the bundled igv.js adds (its hashes recomputed)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from django.conf import settings

from tests.genomeapp.test_settings import ROOT

TEMPLATES = ROOT / "predictions" / "templates"
IGV = ROOT / "frontend" / "node_modules" / "igv" / "dist" / "igv.esm.min.js"

# Prints the CSP hash of the text of every <style> element igv.js creates when its module loads:
# the string literal assigned to the element's textContent or innerHTML next to createElement("style").
HASH_STYLES = r"""
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
const source = readFileSync(process.argv[1], "utf8");
const found = [];
for (const match of source.matchAll(/createElement\("style"\)/g)) {
  const assignment = /\.(?:textContent|innerHTML)='/g;
  assignment.lastIndex = match.index;
  const next = assignment.exec(source);
  let end = next.index + next[0].length;
  while (source[end] !== "'") end += source[end] === "\\" ? 2 : 1;
  const text = eval(source.slice(next.index + next[0].length - 1, end + 1));
  found.push(`'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`);
}
console.log(JSON.stringify(found));
"""


def test_templates_have_no_inline_script_handler_or_style():
    offences = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        text = template.read_text()
        for pattern in (r"<script(?![^>]*\bsrc=)[^>]*>", r"<style\b", r"\sstyle\s*=", r"\son[a-z]+\s*="):
            offences += [
                f"{template.relative_to(ROOT)}: {m.group(0)}" for m in re.finditer(pattern, text, re.I)
            ]
    assert offences == [], "the CSP refuses these; use a module in frontend/ and data-* attributes"


def test_the_allowed_inline_styles_are_exactly_igvs():
    node = shutil.which("node")
    if node is None or not IGV.exists():
        pytest.fail("node and frontend/node_modules (npm ci) are needed: scripts/setup.sh installs them")
    result = subprocess.run(
        [node, "--input-type=module", "-e", HASH_STYLES, str(IGV)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    hashes = sorted(json.loads(result.stdout))
    assert len(hashes) == 2, f"igv.js now adds {len(hashes)} <style> elements: update IGV_INLINE_STYLE_HASHES"
    assert hashes == sorted(settings.IGV_INLINE_STYLE_HASHES), (
        f"igv.js's inline styles changed: set IGV_INLINE_STYLE_HASHES in genomeapp/settings.py to {hashes}"
    )
