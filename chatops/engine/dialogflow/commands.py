"""The ``import-dialogflow`` and ``export-dialogflow`` commands (the command line wires them)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from chatops.engine.dialogflow.es_export import export_agent
from chatops.engine.dialogflow.es_import import import_agent
from chatops.engine.loader import load_agent
from chatops.errors import InputError


def run_import_dialogflow(source: str, out: str, *, stdout: TextIO = sys.stdout, stderr: TextIO = sys.stderr) -> int:
    """``chatops import-dialogflow AGENT.zip|DIR --out DIR``; warnings go to stderr."""
    result = import_agent(source, out)
    for warning in result.warnings:
        print(f"warning: {warning}", file=stderr)
    phrases = sum(len(i.phrases) for i in result.agent.intents.values())
    print(f"imported {len(result.agent.intents)} intents, {len(result.agent.entities)} entities, "
          f"{phrases} training phrases into {out} ({len(result.warnings)} warnings)", file=stdout)
    return 0


def run_export_dialogflow(agent_dir: str | None, out: str, *, stdout: TextIO = sys.stdout) -> int:
    """``chatops export-dialogflow --agent DIR --out AGENT.zip``."""
    agent = load_agent(agent_dir or None)
    if not Path(out).parent.is_dir():
        raise InputError(f"Cannot write {out}: the folder {Path(out).parent} does not exist.")
    export_agent(agent, out)
    print(f"exported {len(agent.intents)} intents and {len(agent.entities)} entities to {out}", file=stdout)
    return 0
