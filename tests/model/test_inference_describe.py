"""The web server describes backends without loading them; the description must match what a
worker that loads them reports."""

from model.inference import available_backends, describe_backends

COMPARED = ("name", "available", "provenance", "output_types", "weights_trained", "licence")


def test_description_without_loading_matches_the_loaded_backends():
    described = {entry["name"]: {k: entry[k] for k in COMPARED} for entry in describe_backends()}
    loaded = {entry["name"]: {k: entry[k] for k in COMPARED} for entry in available_backends()}
    assert described == loaded
    assert described["spliceai"]["weights_trained"] is True
    assert described["alphagenome"]["weights_trained"] is False
    assert "random untrained weights" in described["alphagenome"]["provenance"]
