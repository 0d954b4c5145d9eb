# genomeapp: the few targets people expect.
PY := .venv/bin/python
export KERAS_BACKEND := jax

.PHONY: demo test lint format bench bench-accelerator setup setup-test migrate demo-data constraints

demo: setup ## install everything, load the real chr20 demo, start a worker and the web server
	scripts/demo.sh

# pytest exits 5 when it collected nothing: that fails too (as does any other non-zero status).
test: setup-test demo-data ## the whole test suite (SQLite + file broker unless DATABASE_URL / CELERY_BROKER_URL are set)
	$(PY) -m pytest tests

lint: setup-test ## ruff (lint + format), mypy, import-linter contracts, eslint on our JS
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy
	.venv/bin/lint-imports
	cd frontend && node_modules/.bin/eslint .

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
