"""Dockerfile, .dockerignore, compose.yaml and .env.example: they parse and agree with the service.

No Docker engine runs here, so nothing is built; what can be checked without
one is: multi-stage on a slim base, a non-root user, the port, the health
check's path, every setting name, and that every file the image needs is in
the build context.
"""

from __future__ import annotations

import tomllib
from urllib.parse import urlsplit

import yaml

from chatops.config import load_settings
from tests.production.manifests import (
    ROOT,
    dockerfile,
    dockerignore_patterns,
    dockerignored,
    env_assignments,
    env_file_names,
    routes,
    setting_names,
)

INSTRUCTIONS = dockerfile()
FINAL = max(i.stage for i in INSTRUCTIONS)
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
SERVICE = COMPOSE["services"]["chatops"]


def final(keyword: str) -> list[str]:
    return [i.arguments for i in INSTRUCTIONS if i.keyword == keyword and i.stage == FINAL]


def test_multi_stage_on_a_slim_base_running_as_a_non_root_user() -> None:
    froms = [i.arguments for i in INSTRUCTIONS if i.keyword == "FROM"]
    assert len(froms) >= 2 and all(" AS " in f.upper() for f in froms)
    assert all("-slim" in f for f in froms)
    [user] = final("USER")
    assert user.split(":")[0] not in ("0", "root")
    copied_from_build = [a for a in final("COPY") if a.startswith("--from=")]
    assert copied_from_build, "the runtime stage takes the built environment from the build stage"


def test_port_health_check_and_command_match_the_service() -> None:
    env = dict(pair for line in final("ENV") for pair in env_assignments(line))
    assert {name for name in env if name.startswith(("CHATOPS_", "SLACK_", "AWS_"))} <= setting_names()
    assert final("EXPOSE") == [env["CHATOPS_PORT"]]
    assert env["CHATOPS_HOST"] == "0.0.0.0"
    load_settings(env={k: v for k, v in env.items() if k.startswith("CHATOPS_")})  # the values parse
    [check] = [i for i in INSTRUCTIONS if i.keyword == "HEALTHCHECK"]
    assert "/healthz" in check.arguments and ("GET", "/healthz") in routes()
    [entrypoint] = [i.exec_form() for i in INSTRUCTIONS if i.keyword == "ENTRYPOINT"]
    [command] = [i.exec_form() for i in INSTRUCTIONS if i.keyword == "CMD" and i.stage == FINAL]
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert entrypoint[0] in scripts and command == ["serve"]


def test_everything_the_build_copies_is_in_the_context() -> None:
    patterns = dockerignore_patterns()
    sources = [word for i in INSTRUCTIONS if i.keyword == "COPY" and not i.arguments.startswith("--from=")
               for word in i.exec_form()[:-1]]
    assert {"pyproject.toml", "README.md", "chatops", "handlers", "intents"} <= set(sources)
    for source in sources:
        assert (ROOT / source).exists(), source
        assert not dockerignored(source, patterns), f"{source} is copied but .dockerignore drops it"
    for package_file in ("chatops/channels/openapi.yaml", "chatops/channels/widget/widget.js", "handlers/data/windsor-housing.csv"):
        assert not dockerignored(package_file, patterns)
    for excluded in ("tests/production/conftest.py", ".git/HEAD", "chatops/__pycache__/x.pyc", "chatops.db", ".env"):
        assert dockerignored(excluded, patterns), excluded


def test_compose_wires_mongodb_the_port_and_the_env_file() -> None:
    environment = SERVICE["environment"]
    assert set(environment) <= setting_names()
    store = urlsplit(environment["CHATOPS_STORE"])
    assert store.scheme == "mongodb" and store.hostname in COMPOSE["services"] and store.port == 27017
    assert SERVICE["depends_on"][store.hostname]["condition"] == "service_healthy"
    mongo = COMPOSE["services"][store.hostname]
    volume = mongo["volumes"][0].split(":")[0]
    assert volume in COMPOSE["volumes"], "the database lives in a named volume"
    assert [p.split(":")[-1] for p in SERVICE["ports"]] == [environment["CHATOPS_PORT"]]
    assert any("/readyz" in word for word in SERVICE["healthcheck"]["test"]) and ("GET", "/readyz") in routes()
    assert [f["path"] for f in SERVICE["env_file"]] == [".env"]
    source, target, _ = SERVICE["volumes"][0].split(":")
    assert (ROOT / source).is_file() and environment["CHATOPS_POLICY"] == target
    assert SERVICE["read_only"] is True and SERVICE["cap_drop"] == ["ALL"]


def test_the_env_file_template_names_real_settings_and_covers_slack_and_aws() -> None:
    names = env_file_names(ROOT / ".env.example")
    assert names <= setting_names(), names - setting_names()
    assert {"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} <= names
