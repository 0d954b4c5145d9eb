"""The Celery app; every option lives in settings as CELERY_*."""

import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "genomeapp.settings")

app = Celery("genomeapp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def _reset_database_connections(**_: object) -> None:
    """Forked worker processes must not share the parent's database connection."""
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.close()
