"""The about page names each backend's weights and licence, SpliceAI's CC BY-NC included."""

from __future__ import annotations


def test_about_names_the_spliceai_licence_and_untrained_weights(anonymous_client, demo_assembly):
    response = anonymous_client.get("/about")
    assert response.status_code == 200
    html = response.content.decode()
    assert "CC BY-NC 4.0" in html
    assert "non-commercial" in html
    assert "SpliceAI-10k (Illumina), ensemble of 5" in html
    assert "(untrained)" in html  # the random AlphaGenome weights say so
    assert "GRCh37-chr20" in html


def test_about_is_the_same_for_a_logged_in_user(owner_client, demo_assembly):
    assert "CC BY-NC 4.0" in owner_client.get("/about").content.decode()
