import pytest

from predictions import health


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] and body["broker"]["ok"]


@pytest.mark.django_db
def test_healthz_is_503_when_the_broker_is_down(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable" and not body["broker"]["ok"] and body["database"]["ok"]
    assert body["broker"]["error"]


@pytest.mark.django_db
def test_database_status_names_the_vendor():
    assert health.database_status()["vendor"] in {"postgresql", "sqlite"}
