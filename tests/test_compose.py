"""docker-compose.yml and its image (no Docker here): valid YAML, real settings, real commands."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from appliance.cli import build_parser
from appliance.config import Settings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "build" / "docker" / "Dockerfile"


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text("utf-8"))
    return loaded


def test_the_deployment_has_every_shared_engine_a_server_and_a_worker_node() -> None:
    services = compose()["services"]
    assert {"redis", "postgres", "qdrant", "appliance", "worker"} <= set(services)
    assert services["appliance"]["build"]["dockerfile"] == "build/docker/Dockerfile"
    assert services["worker"]["image"] == services["appliance"]["image"]


def test_every_appliance_variable_is_a_setting() -> None:
    fields = {f"APPLIANCE_{name.upper()}" for name in Settings.model_fields}
    used = set()
    for service in compose()["services"].values():
        used |= {key for key in service.get("environment", {}) if key.startswith("APPLIANCE_")}
    assert used, "the services should be configured through APPLIANCE_* variables"
    assert used <= fields, f"not settings: {sorted(used - fields)}"


def test_server_and_node_share_what_a_node_needs() -> None:
    services = compose()["services"]
    server, node = services["appliance"]["environment"], services["worker"]["environment"]
    for key in ("APPLIANCE_QUEUE_URL", "APPLIANCE_DATABASE_URL", "APPLIANCE_WORKER_TOKEN"):
        assert server[key] == node[key]
    assert node["APPLIANCE_SERVER_URL"] == "https://appliance:8001"
    assert "appliance" in server["APPLIANCE_ALLOWED_HOSTS"].split(",")
    # A node shares no folder with the server but its certificate, read-only.
    assert services["worker"]["volumes"] == ["appliance-tls:/server-tls:ro"]
    assert "appliance-tls:/data/tls" in services["appliance"]["volumes"]
    assert node["APPLIANCE_SERVER_CERTIFICATE"] == "/server-tls/cert.pem"


def test_the_queue_and_the_database_need_passwords() -> None:
    services = compose()["services"]
    shared = services["worker"]["environment"]
    assert shared["APPLIANCE_QUEUE_URL"].startswith("redis://:${REDIS_PASSWORD:?")
    assert "--requirepass" in services["redis"]["command"]
    assert ":-" not in shared["APPLIANCE_DATABASE_URL"]  # no default password


def test_the_commands_are_ones_the_program_knows() -> None:
    parser = build_parser()
    for name in ("appliance", "worker"):
        command = compose()["services"][name]["command"]
        args = parser.parse_args(command)
        assert args.command == command[0]
    # The values the settings would get, with compose's ${...} defaults filled in.
    env = compose()["services"]["worker"]["environment"]
    plain = {
        key[len("APPLIANCE_") :].lower(): re.sub(r"\$\{[^}]*\}", "x" * 32, str(value))
        for key, value in env.items()
    }
    settings = Settings(**plain)
    assert settings.queue_url == f"redis://:{'x' * 32}@redis:6379/0"


def test_the_image_pins_cpu_torch_and_installs_the_package() -> None:
    text = DOCKERFILE.read_text("utf-8")
    assert 'pip install "torch==2.13.0" --index-url' in text
    # The export extra makes the ONNX export; the server extra talks to PostgreSQL, Redis
    # and the Qdrant server the compose file starts.
    assert 'pip install -e ".[export,server]"' in text
    assert re.search(r"^ENTRYPOINT \[\"appliance\"\]$", text, re.MULTILINE)
