#!/usr/bin/env bash
# GPU checks for a lent H200 machine (the `run` tool of this workplace), about 8 minutes in all:
#   (a) full-size parity with DeepMind's official code (float32), human, at 16,384 and 131,072 bp:
#       python -m model.parity --reference official --preset full
#   (b) bench/model_accelerator.py (full preset, 1 Mb, bfloat16 and float32 forward/variant timings).
#
# Two steps:
#   bench/gpu_checks.sh fetch   HERE, once: downloads the Python 3.12 wheels the official code needs
#                               and the GPU image lacks into .whl/ (git-ignored through .git/info/exclude).
#   bench/gpu_checks.sh         THERE (run tool, carry [".whl"]): installs .whl/*.whl under /tmp/site
#                               (--no-deps, no index: nothing can be fetched there), runs (a) and (b)
#                               with the image's python3 (JAX with CUDA, Flax), logs under $OUT.
# The official wheel itself travels with the repository (third_party/, tracked).
set -uo pipefail
cd "$(dirname "$0")/.."

# What the official model forward imports that the 'cuda' image (KINDS.md) does not hold; versions as
# in this project's .venv (constraints.txt). Pure Python except ncls, sorted_nearest, zstandard, google-crc32c.
WHEELS=(
  alphagenome==0.10.0 anndata==0.12.19 dm-haiku==0.0.17 jmp==0.0.4 einshape==1.0 immutabledict==4.3.1
  legacy-api-wrap==1.5 natsort==8.4.0 scverse-misc==0.0.3 zarr==3.1.6 numcodecs==0.16.6
  donfig==0.8.1.post1 google-crc32c==1.9.0 pyranges==0.1.7 ncls==0.0.71 sorted_nearest==0.0.42
  typeguard==4.6.1 wcwidth==0.9.4 zstandard==0.25.0 pytz==2026.6 array-api-compat==1.16.0
  pandas==2.3.3  # anndata 0.12 needs pandas < 3; the image's own may be newer (shadowed for these runs only)
)

if [[ "${1:-}" == "fetch" ]]; then
  PIP=${PIP:-.venv/bin/pip}
  grep -qxF '/.whl/' .git/info/exclude 2>/dev/null || echo '/.whl/' >> .git/info/exclude
  mkdir -p .whl
  platforms=()
  for n in 28 27 24 17 5; do platforms+=(--platform "manylinux_2_${n}_x86_64"); done
  platforms+=(--platform manylinux2014_x86_64 --platform manylinux1_x86_64 --platform any)
  for spec in "${WHEELS[@]}"; do
    "$PIP" download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
      "${platforms[@]}" -d .whl "$spec" || { echo "could not download $spec" >&2; exit 1; }
  done
  du -sh .whl && ls .whl
  exit 0
fi

OUT=${OUT:-var/gpu-checks}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1
PY=${PY:-python3}
{
  echo "== machine"; nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
  "$PY" -c 'import jax, flax; print("jax", jax.__version__, "flax", flax.__version__, jax.devices())'
} 2>&1 | tee "$OUT/machine.log"

if compgen -G ".whl/*.whl" >/dev/null; then
  "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site \
    .whl/*.whl third_party/alphagenome_research-0.2.0-py3-none-any.whl 2>&1 | tail -3
  export PYTHONPATH=/tmp/site${PYTHONPATH:+:$PYTHONPATH}
else
  echo "no .whl/ (run 'bench/gpu_checks.sh fetch' here and carry .whl): the official parity will fail" >&2
fi

# (a) ~3.5 min: full-size official parity, human, 16 kb. Measured on an H200 on 2026-12-04: var_ema
# calibration 93 s, official forward 46 s, conversion 6 s, ours 52 s, 196 s in all; with 131 kb too
# it did not finish within 330 s (add `--length 16384,131072` when a longer lease allows). float32 dots: the official code pins six einsums to bf16 inputs, which GPUs
# honour (CPUs do not); float32 there makes the comparison about the architecture, not about bf16.
timeout 300 "$PY" -m model.parity --reference official --preset full --length 16384 \
  --organism 0 --official-dots float32 --workdir /tmp/official-parity 2>&1 \
  | grep -v -e '^\[process=' -e 'checkpoint' | tee "$OUT/official_parity.log"
echo "official parity exit: ${PIPESTATUS[0]}" | tee -a "$OUT/official_parity.log"
rm -rf /tmp/official-parity

# (b) the accelerator benchmark (full preset, 1 Mb, bf16 and float32; figures print as they come).
# On 2026-12-04 it printed nothing within 150 s (its 1 Mb compiles): give it the rest of the lease.
timeout 300 "$PY" bench/model_accelerator.py --repeats 2 2>&1 | tee "$OUT/model_accelerator.log"
echo "model_accelerator exit: ${PIPESTATUS[0]}" | tee -a "$OUT/model_accelerator.log"
