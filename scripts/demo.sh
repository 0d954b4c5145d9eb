#!/usr/bin/env bash
# Runs genomeapp on the embedded default (SQLite + a file-based broker): migrate, install the real
# GRCh37 chr20 demo data, start one Celery worker and the web server, print the URL and login.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export KERAS_BACKEND=jax
PORT=${PORT:-8000}

$PY manage.py migrate --noinput
$PY manage.py install_demo_data
$PY manage.py ensure_demo_user --username demo --password "${DEMO_PASSWORD:-demo-genomeapp}"

mkdir -p var/log
.venv/bin/celery -A genomeapp worker -Q default,inference --concurrency 1 --loglevel INFO \
  --hostname "demo@%h" >var/log/worker.log 2>&1 &
worker=$!
.venv/bin/celery -A genomeapp beat --loglevel INFO --schedule var/celerybeat-schedule >var/log/beat.log 2>&1 &
beat=$!
trap 'kill $worker $beat 2>/dev/null || true' EXIT

cat <<MSG

  genomeapp is running:  http://127.0.0.1:$PORT/
  log in as demo / ${DEMO_PASSWORD:-demo-genomeapp}   (worker log: var/log/worker.log)
  The example VCF is offered on the start page; Ctrl-C stops everything.

MSG
$PY manage.py runserver "127.0.0.1:$PORT"
