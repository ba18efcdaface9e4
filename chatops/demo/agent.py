"""The demo's agent: the bundled one, whose help answer says what the demo contains."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from chatops.engine.loader import bundled_agent_dir

HELP = """This is a DEMO: everything below runs against local stand-ins started by `chatops demo`.
• Pods (clusters demo-prod and demo-dr): "list pods in shop on demo-prod", "why is checkout-7f9c4-x2k8q failing in shop on demo-prod"
• Webhook certificates (the "policy" webhook expires in 9 days): "check webhook certificates on demo-prod", "rotate the cert of policy on demo-prod"
• Velero migrations: "migrate namespace wordpress from demo-prod to demo-dr", then "status of migration 1"
• SSM secrets: "get /development/db/password decrypted", "list secrets under /development"; writes under /production are denied: "set /production/db/password to hunter2"
• Jokes and house prices work as usual. Say "cancel" at any time."""


def write_agent(directory: Path) -> Path:
    """Copy the bundled agent into ``directory`` with the demo's help answer; returns the agent folder."""
    target = directory / "agent"
    shutil.copytree(bundled_agent_dir(), target)
    help_file = target / "intents" / "help.yaml"
    intent = yaml.safe_load(help_file.read_text())
    intent["responses"] = [HELP]
    help_file.write_text(yaml.safe_dump(intent, allow_unicode=True, sort_keys=False))
    return target
