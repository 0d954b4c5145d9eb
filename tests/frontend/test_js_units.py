"""The front end's pure ES modules, tested with Node's built-in runner (no test framework to install)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.support.processes import REPO_ROOT


def test_track_config_modules() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is not installed; make test needs it for igv.js and these tests")
    result = subprocess.run(
        [node, "--test", "tests/"],
        cwd=REPO_ROOT / "frontend",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "# fail 0" in result.stdout and re.search(r"^# pass [1-9]", result.stdout, re.M), result.stdout
