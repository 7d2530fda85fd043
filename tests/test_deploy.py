"""compose.yaml and the Dockerfile describe the scaled-out topology (Docker is not needed:
the files are parsed; `docker compose config` runs too where Docker exists)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    return data


def test_services_and_roles(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {"postgres", "redis", "migrate", "web-1", "web-2", "worker", "proxy"} <= set(services)
    assert services["migrate"]["command"] == ["db", "upgrade"]
    assert services["web-1"]["command"] == services["web-2"]["command"] == ["web"]
    assert services["worker"]["command"] == ["worker"]
    assert services["worker"]["deploy"]["replicas"] == 2  # active and standby
    for name in ("web-1", "web-2", "worker"):
        service = services[name]
        env = service["environment"]
        assert env["DATABASE_URL"].startswith("postgresql+asyncpg://")
        assert env["REDIS_URL"].startswith("redis://")
        # never migrate themselves: they start after the migration step succeeded
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert services["web-1"]["environment"]["WEB_HOST"] == "0.0.0.0"


def test_the_proxy_spreads_webhooks_over_both_replicas(compose: dict[str, Any]) -> None:
    proxy = compose["services"]["proxy"]
    mounted = [v.split(":")[0] for v in proxy["volumes"]]
    caddyfile = (ROOT / mounted[0]).read_text(encoding="utf-8")
    assert "reverse_proxy web-1:8080 web-2:8080" in caddyfile
    assert "health_uri /readyz" in caddyfile
    assert "/metrics" not in caddyfile.split("handle /tg/*")[1].split("}")[0]


def test_dockerfile_is_slim_and_non_root() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    bases = [line.split()[1] for line in text.splitlines() if line.startswith("FROM ")]
    assert bases and all(b.endswith("-slim") for b in bases)
    users = [line.split()[1] for line in text.splitlines() if line.startswith("USER ")]
    assert users and users[-1] not in {"root", "0"}
    assert 'ENTRYPOINT ["smebot"]' in text


def _compose_available() -> bool:
    if shutil.which("docker") is None:
        return False
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
    return probe.returncode == 0


@pytest.mark.skipif(not _compose_available(), reason="Docker Compose is not installed here")
def test_docker_compose_config() -> None:
    env = os.environ | {"POSTGRES_PASSWORD": "x", "DOMAIN": "bot.example.ru"}
    (ROOT / ".env").exists() or pytest.skip("compose reads .env: create it from .env.example")
    subprocess.run(["docker", "compose", "config", "-q"], cwd=ROOT, env=env, check=True)
