#!/usr/bin/env bash
# genomeapp's container entry point: the first argument picks the process; every long-running
# process is started with `exec`, so it is the one that receives SIGTERM from `docker stop`
# (compose runs the containers with `init: true`, which forwards signals and reaps zombies).
#
#   web                   gunicorn genomeapp.wsgi on :8000 (docker/gunicorn.conf.py)
#   worker [celery args]  a Celery worker, e.g. worker -Q inference --concurrency 1 -n gpu@%h
#   beat                  the Celery beat scheduler (exactly one in the whole cluster)
#   grpc [args]           python manage.py rungrpc --port 50051 [args]
#   migrate               database migrations under a Postgres advisory lock (safe to run twice)
#   install-data          the GRCh37 chr20 demo assembly onto the data volume (idempotent)
#   manage ARGS           python manage.py ARGS (add_assembly, create_api_key, createsuperuser ...)
#   anything else         executed as it is (bash, python -m model.checkpoints ...)
set -euo pipefail

# The placeholders of docker/.env.example must never reach a running deployment.
for name in SECRET_KEY DATABASE_URL CELERY_BROKER_URL; do
  if [[ "${!name:-}" == *change-me* ]]; then
    echo "genomeapp: $name still has the placeholder value of docker/.env.example; set a real secret in docker/.env" >&2
    exit 64
  fi
done
cd "${GENOMEAPP_APP_DIR:-/app}"

# Compose passes optional settings that docker/.env leaves empty as empty strings: unset them, so
# the application's own defaults apply.
for name in $(compgen -e); do
  if [[ "$name" == GENOMEAPP_ALPHAGENOME_* && -z "${!name}" ]]; then
    unset "$name"
  fi
done
# AlphaGenome's track metadata (the official textprotos): from the data volume when put there.
metadata_dir="${GENOMEAPP_DATA_DIR:-/srv/genomeapp/data}/alphagenome-metadata"
if [[ -z "${GENOMEAPP_ALPHAGENOME_METADATA_DIR:-}" && -d "$metadata_dir" ]]; then
  export GENOMEAPP_ALPHAGENOME_METADATA_DIR="$metadata_dir"
fi

case "${1:-web}" in
  web)
    shift || true
    exec gunicorn genomeapp.wsgi --config /app/docker/gunicorn.conf.py "$@"
    ;;
  worker)
    shift
    # Warm shutdown on SIGTERM: the worker stops taking messages, finishes the task it is
    # running (acks late), and hands back any message it reserved but did not start.
    exec celery -A genomeapp worker --loglevel "${LOG_LEVEL:-INFO}" --without-gossip --without-mingle "$@"
    ;;
  beat)
    shift
    exec celery -A genomeapp beat --loglevel "${LOG_LEVEL:-INFO}" \
      --schedule "${GENOMEAPP_VAR_DIR:-/srv/genomeapp/var}/celerybeat-schedule" "$@"
    ;;
  grpc)
    shift
    exec python manage.py rungrpc --port "${GRPC_PORT:-50051}" "$@"
    ;;
  migrate)
    shift
    exec python manage.py migrate_locked --noinput "$@"
    ;;
  install-data)
    shift
    if [[ "${GENOMEAPP_INSTALL_DEMO:-1}" == "1" ]]; then
      python manage.py install_demo_data --no-progress
    else
      echo "GENOMEAPP_INSTALL_DEMO=${GENOMEAPP_INSTALL_DEMO}: demo data not installed"
    fi
    mkdir -p "${GENOMEAPP_DATA_DIR:-/srv/genomeapp/data}/weights"
    ;;
  manage)
    shift
    exec python manage.py "$@"
    ;;
  *)
    exec "$@"
    ;;
esac
