"""Redis (the Celery broker) killed and restarted while a worker runs a job, with gunicorn serving
the web form and the REST API: the job finishes after the broker returns; a submission during
the outage gets a 503 that says so and leaves no job behind; submissions work again afterwards.

The broker is a redis-server of this test's own (tests.support.faults.RedisServer), never the
shared one: its restart loses every message, as a crash of Redis would.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import requests
from django.test import Client

from predictions.models import ApiKey, Job
from tests.support.faults import (
    RedisServer,
    free_port,
    gunicorn,
    substitutions,
    wait_until,
    worker_env,
)
from tests.support.processes import CeleryWorker

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

FORM = {
    "mode": "variants",
    "sequence_length": "16KB",
    "output_types": ["SPLICE_SITES"],
    "spliceai": "on",
    "spliceai_distance": "50",
}


class WebClient:
    """The REST API with an API key, and the start form as a logged-in browser posts it."""

    def __init__(self, origin: str, owner: Any, assembly: Any) -> None:
        self.origin = origin
        self.assembly = assembly.name
        _, self.api_key = ApiKey.issue(owner, "fault test")
        login = Client()
        login.force_login(owner)  # the same database and SECRET_KEY as gunicorn's
        self.browser = requests.Session()
        self.browser.cookies.set("sessionid", login.cookies["sessionid"].value)

    def api_submit(self, variants: str) -> requests.Response:
        return requests.post(
            f"{self.origin}/api/v1/jobs/",
            json={"mode": "variants", "assembly": self.assembly, "variants_text": variants},
            headers={"X-Api-Key": self.api_key},
            timeout=30,
        )

    def form_submit(self, variants: str) -> requests.Response:
        page = self.browser.get(f"{self.origin}/", timeout=30)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert page.status_code == 200 and token, page.status_code
        data = {**FORM, "assembly": self.assembly, "variants_text": variants, "csrfmiddlewaretoken": token[1]}
        return self.browser.post(
            f"{self.origin}/",
            data=data,
            headers={"Referer": f"{self.origin}/"},
            timeout=30,
            allow_redirects=False,
        )


def test_a_broker_restart_delays_the_running_job_and_refuses_new_ones_with_503(
    worker_queue: str, settings: Any, owner: Any, demo_assembly: Any, tmp_path: Path
) -> None:
    redis = RedisServer(tmp_path / "redis")
    settings.CELERY_BROKER_URL = redis.url()
    env = worker_env(settings)
    env.pop("CACHE_URL", None)  # rate-limit counters per process: nothing else on the shared Redis
    port = free_port()
    web = gunicorn(env, tmp_path, port)
    worker = CeleryWorker(
        f"{settings.CELERY_INFERENCE_QUEUE_NAME},{settings.CELERY_DEFAULT_QUEUE_NAME}",
        "broker-restart@%h",
        *("--pool", "solo", "--without-heartbeat"),
        env=env,
        log_path=tmp_path / "worker.log",
    )
    try:
        client = WebClient(f"http://127.0.0.1:{port}", owner, demo_assembly)
        created = client.api_submit(substitutions(demo_assembly, 8))  # then 8 browser tracks
        assert created.status_code == 201, created.text
        job = Job.objects.get(code=created.json()["code"])

        def writing_tracks() -> bool:
            job.refresh_from_db()
            return job.status == Job.RUNNING and job.progress_done >= 8

        wait_until(writing_tracks, 90, "writing browser tracks")
        redis.kill()

        jobs_before = Job.objects.count()
        refused = client.api_submit(substitutions(demo_assembly, 1))
        assert refused.status_code == 503, refused.text
        assert "job queue is unavailable" in refused.json()["detail"][0]
        assert refused.headers["Retry-After"] == "30"
        form = client.form_submit(substitutions(demo_assembly, 1))
        assert form.status_code == 503, form.text[:2000]
        assert "job queue is unavailable" in form.text
        assert form.headers["Retry-After"] == "30"
        assert Job.objects.count() == jobs_before  # nothing created that no worker would run

        redis.start()  # the same port, empty: the running job's message is gone with the old one
        wait_until(lambda: Job.objects.get(pk=job.pk).is_final, 120, "finished after the outage", 0.5)
        job.refresh_from_db()
        assert job.status == Job.SUCCEEDED, f"{job.error}\n{worker.log()[-3000:]}"
        assert job.progress_done == job.progress_total and job.scores.count() == 8 * 4

        again = client.api_submit(substitutions(demo_assembly, 1))
        assert again.status_code == 201, again.text
        later = Job.objects.get(code=again.json()["code"])
        wait_until(lambda: Job.objects.get(pk=later.pk).is_final, 90, "the next job finished", 0.5)
        assert Job.objects.get(pk=later.pk).status == Job.SUCCEEDED
    finally:
        worker.stop(timeout=10)
        web.kill()
        redis.kill()
