"""The self-hosting files agree with each other (Docker cannot run here: this is what can be
checked without it): compose services, the proxy's upstreams, the secrets example, the ignores."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from services.config import load_settings, read_secrets_file

ROOT = Path(__file__).resolve().parent.parent


def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


def test_two_replicas_behind_a_sticky_proxy_on_postgres_with_a_volume():
    services = compose()["services"]
    replicas = [
        name
        for name, s in services.items()
        if s.get("image") == "theo-doi-nhiem-vu:latest" and "command" not in s
    ]
    assert replicas == ["app1", "app2"]
    caddy = (ROOT / "deploy" / "Caddyfile").read_text(encoding="utf-8")
    upstreams = re.search(r"reverse_proxy ([^{]+)\{", caddy)[1].split()
    assert upstreams == [f"{r}:8501" for r in replicas]
    assert re.search(r"^\s*lb_policy cookie \w+", caddy, re.M)  # sticky sessions
    assert "/_stcore/health" in caddy
    assert services["db"]["volumes"] == ["pgdata:/var/lib/postgresql/data"]
    assert "pgdata" in compose()["volumes"]
    for r in replicas:  # every replica signs cookies alike, and starts after the migration
        assert "STREAMLIT_SERVER_COOKIE_SECRET" in services[r]["environment"]
        assert services[r]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["command"][-1] == "migrate"


def test_mounted_files_exist_or_are_git_ignored_secrets():
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    docker_ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    data = compose()
    mounts = [v.split(":")[0] for s in data["services"].values() for v in s.get("volumes", [])]
    files = [m for m in mounts if m.startswith("./")] + [
        s["file"] for s in data["secrets"].values()
    ]
    for path in files:
        relative = path.removeprefix("./")
        if (ROOT / relative).exists():
            continue
        assert relative in ignored and relative in docker_ignored, path  # a secret: never committed
        assert (ROOT / (relative + ".example")).exists() or relative.endswith(".txt"), path


def test_the_deploy_secrets_example_selects_postgres_with_sign_in():
    s = load_settings(read_secrets_file(ROOT / "deploy" / "secrets.toml.example"))
    assert s.backend == "postgres" and s.auth_configured and not s.demo_mode
    assert "@db:5432/" in s.postgres_url  # the compose service name
