# genomeapp: the few targets people expect.
PY := .venv/bin/python
export KERAS_BACKEND := jax

.PHONY: demo test lint format bench bench-accelerator setup setup-test migrate demo-data

demo: setup ## install everything, load the real chr20 demo, start a worker and the web server
	scripts/demo.sh

test: setup-test demo-data ## the whole test suite (SQLite + file broker unless DATABASE_URL / CELERY_BROKER_URL are set)
	$(PY) -m pytest tests

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format:
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

bench: setup-test
	$(PY) bench/model_forward.py
	$(PY) bench/spliceai.py
	$(PY) bench/scoring.py
	$(PY) bench/grpc.py
	$(PY) bench/web.py

bench-accelerator: setup-test ## AlphaGenome full preset, 1 Mb, bfloat16 vs float32 on the GPU JAX finds
	$(PY) bench/model_accelerator.py

setup:
	scripts/setup.sh

setup-test:
	scripts/setup.sh --test

migrate:
	$(PY) manage.py migrate --noinput

demo-data: migrate ## the real GRCh37 chr20 demo files under var/data (some tests read them)
	$(PY) manage.py install_demo_data --no-progress
