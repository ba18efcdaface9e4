"""deploy/: the Kubernetes manifests agree with each other and with the service, and a real API server accepts them."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from chatops.engine.loader import load_agent
from chatops.fulfillment.registry import Registry
from chatops.security.policy import Policy
from handlers import load_tables
from tests.kube_real.fixtures import real_cluster  # noqa: F401  (a fixture)
from tests.kube_real.server import RealCluster
from tests.production.manifests import DEPLOY, ROOT, kustomize_documents, one, routes, setting_names

DOCS = kustomize_documents()
DEPLOYMENT = one(DOCS, "Deployment", "chatops")
POD = DEPLOYMENT["spec"]["template"]["spec"]
[CONTAINER] = POD["containers"]
CONFIG = one(DOCS, "ConfigMap", "chatops-config")["data"]


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("agent_configmap", DEPLOY / "agent_configmap.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_two_replicas_with_a_restrictive_security_context() -> None:
    assert DEPLOYMENT["spec"]["replicas"] == 2
    assert DEPLOYMENT["spec"]["selector"]["matchLabels"].items() <= DEPLOYMENT["spec"]["template"]["metadata"]["labels"].items()
    pod, container = POD["securityContext"], CONTAINER["securityContext"]
    assert pod["runAsNonRoot"] is True and pod["runAsUser"] != 0 and pod["seccompProfile"]["type"] == "RuntimeDefault"
    assert container["allowPrivilegeEscalation"] is False and container["readOnlyRootFilesystem"] is True
    assert container["capabilities"]["drop"] == ["ALL"] and not container.get("privileged")
    for kind in ("requests", "limits"):
        assert set(CONTAINER["resources"][kind]) == {"cpu", "memory"}


def test_probes_ports_and_service_agree_with_the_app() -> None:
    served = routes()
    [port] = CONTAINER["ports"]
    assert port["containerPort"] == int(CONFIG["CHATOPS_PORT"])
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        check = CONTAINER[probe]["httpGet"]
        assert check["port"] == port["name"]
        assert ("GET", check["path"]) in served, f"{probe} polls {check['path']}, which the app does not serve"
    assert CONTAINER["readinessProbe"]["httpGet"]["path"] == "/readyz"  # ready means the store answers
    service = one(DOCS, "Service", "chatops")
    assert service["spec"]["selector"].items() <= DEPLOYMENT["spec"]["template"]["metadata"]["labels"].items()
    assert [p["targetPort"] for p in service["spec"]["ports"]] == [port["name"]]
    annotations = DEPLOYMENT["spec"]["template"]["metadata"]["annotations"]
    assert ("GET", annotations["prometheus.io/path"]) in served and annotations["prometheus.io/port"] == CONFIG["CHATOPS_PORT"]


def test_settings_are_real_names_and_the_grace_period_covers_the_shutdown() -> None:
    assert set(CONFIG) <= setting_names(), set(CONFIG) - setting_names()
    assert {e["name"] for e in CONTAINER.get("env", [])} <= setting_names()
    refs = {ref.get("configMapRef", ref.get("secretRef", {}))["name"] for ref in CONTAINER["envFrom"]}
    assert refs == {"chatops-config", "chatops-secrets"}
    drain = CONTAINER["lifecycle"]["preStop"]["sleep"]["seconds"] + float(CONFIG["CHATOPS_SHUTDOWN_TIMEOUT"])
    assert POD["terminationGracePeriodSeconds"] > drain


def test_volumes_mount_the_agent_and_the_policy_where_the_settings_point() -> None:
    volumes = {v["name"]: v for v in POD["volumes"]}
    mounts = {m["mountPath"]: volumes[m["name"]] for m in CONTAINER["volumeMounts"]}
    agent = CONFIG["CHATOPS_AGENT"]
    assert mounts[f"{agent}/intents"]["configMap"]["name"] == "chatops-agent-intents"
    assert mounts[f"{agent}/entities"]["configMap"]["name"] == "chatops-agent-entities"
    policy = Path(CONFIG["CHATOPS_POLICY"])
    assert mounts[str(policy.parent)]["configMap"]["name"] == "chatops-policy"
    generated = yaml.safe_load((DEPLOY / "kustomization.yaml").read_text())["configMapGenerator"]
    assert [(g["name"], g["files"]) for g in generated] == [("chatops-policy", [f"{policy.name}=policy.example.yaml"])]
    for name in ("chatops-agent-intents", "chatops-agent-entities"):
        one(DOCS, "ConfigMap", name)


def test_the_service_account_is_the_one_the_cluster_role_is_bound_to() -> None:
    account = one(DOCS, "ServiceAccount")
    assert POD["serviceAccountName"] == account["metadata"]["name"]
    binding = one(DOCS, "ClusterRoleBinding")
    assert {"kind": "ServiceAccount", "name": account["metadata"]["name"], "namespace": account["metadata"]["namespace"]} in binding["subjects"]
    assert binding["roleRef"]["name"] == one(DOCS, "ClusterRole")["metadata"]["name"]
    assert account["metadata"]["namespace"] == DEPLOYMENT["metadata"]["namespace"] == one(DOCS, "Namespace")["metadata"]["name"]


def test_the_agent_configmaps_are_current_and_load_as_the_agent(tmp_path: Path) -> None:
    generator = _generator()
    assert (DEPLOY / "agent.yaml").read_text() == generator.render(), "deploy/agent.yaml is stale: run python deploy/agent_configmap.py"
    for folder in ("intents", "entities"):
        (tmp_path / folder).mkdir()
        for key, text in one(DOCS, "ConfigMap", f"chatops-agent-{folder}")["data"].items():
            (tmp_path / folder / key).write_text(text)
    mounted = load_agent(tmp_path)
    bundled = load_agent(ROOT / "intents")
    assert sorted(mounted.intents) == sorted(bundled.intents) and sorted(mounted.entities) == sorted(bundled.entities)


def test_the_policy_configmap_source_is_a_valid_policy_for_the_registered_actions() -> None:
    policy = Policy.load(DEPLOY / "policy.example.yaml")
    registry = Registry(load_tables(("reddit", "prices", "pods", "certs", "velero", "secrets")))
    policy.check_permissions(action.access for action in registry.actions.values() if action.access)


def _kubectl() -> str:
    found = shutil.which("kubectl")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("kubectl is needed to render and dry-run deploy/")
        pytest.skip("kubectl is not installed")
    return found


def test_kustomize_renders_what_the_files_say(tmp_path: Path) -> None:
    rendered = subprocess.run([_kubectl(), "kustomize", str(DEPLOY)], capture_output=True, text=True, check=True).stdout
    documents = [d for d in yaml.safe_load_all(rendered) if d]
    assert len(documents) == len(DOCS) + 1  # plus the generated policy ConfigMap
    policy = next(d for d in documents if d["metadata"]["name"].startswith("chatops-policy-"))
    (tmp_path / "policy.yaml").write_text(policy["data"]["policy.yaml"])
    Policy.load(tmp_path / "policy.yaml")
    deployment = next(d for d in documents if d["kind"] == "Deployment")
    volume = next(v for v in deployment["spec"]["template"]["spec"]["volumes"] if v["name"] == "policy")
    assert volume["configMap"]["name"] == policy["metadata"]["name"]  # the hashed name is wired into the pods
    assert all(d["metadata"].get("namespace") == "chatops" for d in documents if d["kind"] not in ("Namespace", "ClusterRole", "ClusterRoleBinding"))


def test_a_real_api_server_accepts_every_manifest(real_cluster: RealCluster, tmp_path: Path) -> None:  # noqa: F811
    rendered = subprocess.run([_kubectl(), "kustomize", str(DEPLOY)], capture_output=True, text=True, check=True).stdout
    (tmp_path / "all.yaml").write_text(rendered)
    applied = subprocess.run(
        [_kubectl(), "--kubeconfig", str(real_cluster.kubeconfig_admin), "apply", "--dry-run=server", "--validate=strict",
         "-f", str(tmp_path / "all.yaml")],
        capture_output=True, text=True, timeout=120,
    )
    assert applied.returncode == 0, applied.stderr
    lines = applied.stdout.splitlines()
    assert any(line.startswith("deployment.apps/chatops") for line in lines), applied.stdout
    assert len(lines) == len([d for d in yaml.safe_load_all(rendered) if d])
