"""Logging in: the page every owner-only page sends an anonymous visitor to."""

from __future__ import annotations


def test_login_page_renders(anonymous_client, db):
    response = anonymous_client.get("/accounts/login/?next=/jobs/")
    assert response.status_code == 200
    assert 'name="username"' in response.content.decode()


def test_good_credentials_go_to_next(anonymous_client, owner):
    response = anonymous_client.post(
        "/accounts/login/", {"username": "owner", "password": "owner-pass-123", "next": "/jobs/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/jobs/"
    assert anonymous_client.get("/jobs/").status_code == 200


def test_bad_credentials_stay_on_the_page(anonymous_client, owner):
    response = anonymous_client.post("/accounts/login/", {"username": "owner", "password": "wrong"})
    assert response.status_code == 200
    assert anonymous_client.get("/jobs/").status_code == 302
