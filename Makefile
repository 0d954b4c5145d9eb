# genomeapp: the few targets people expect.
PY := .venv/bin/python
export KERAS_BACKEND := jax

.PHONY: demo test lint audit format bench bench-accelerator setup setup-test migrate demo-data constraints

demo: setup ## install everything, load the real chr20 demo, start a worker and the web server
	scripts/demo.sh

# pytest exits 5 when it collected nothing: that fails too (as does any other non-zero status).
test: setup-test demo-data ## the whole test suite (SQLite + file broker unless DATABASE_URL / CELERY_BROKER_URL are set)
	$(PY) -m pytest tests

# Where the advisory sources cannot be reached (this workplace's package mirror serves neither
# PyPI's per-version JSON nor npm's bulk advisory endpoint), lint says so loudly and goes on;
# `make audit`, or AUDIT_IF_UNREACHABLE=fail, fails instead. Known advisories fail either way.
AUDIT_IF_UNREACHABLE ?= warn

lint: setup-test ## ruff (lint + format), mypy, import-linter contracts, eslint on our JS, dependency audit
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy
	.venv/bin/lint-imports
	cd frontend && node_modules/.bin/eslint .
	$(PY) scripts/dependency_audit.py --if-unreachable $(AUDIT_IF_UNREACHABLE)

audit: setup-test ## pip-audit (constraints.txt) and npm audit (package-lock.json), less .audit-allowlist
	$(PY) scripts/dependency_audit.py --if-unreachable fail

format:
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

bench: setup-test
	$(PY) bench/model_forward.py
	$(PY) bench/spliceai.py
	$(PY) bench/scoring.py
	$(PY) bench/grpc.py
	$(PY) bench/web.py
	$(PY) bench/load.py
	$(PY) bench/train.py

bench-accelerator: setup-test ## AlphaGenome full preset, 1 Mb, bfloat16 vs float32 on the GPU JAX finds
	$(PY) bench/model_accelerator.py

setup:
	scripts/setup.sh

constraints: ## re-pin constraints.txt from .venv after a dependency change (setup.sh installs with -c)
	{ grep '^#' constraints.txt; .venv/bin/pip freeze --all --exclude-editable | grep -v -e ' @ ' -e '^pip==' \
	  | sed -E 's/\+[A-Za-z0-9.]+$$//'; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

setup-test:
	scripts/setup.sh --test

migrate:
	$(PY) manage.py migrate --noinput

demo-data: migrate ## the real GRCh37 chr20 demo files under var/data (some tests read them)
	$(PY) manage.py install_demo_data --no-progress
