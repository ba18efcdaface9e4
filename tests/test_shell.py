"""``chatops shell`` holds a multi-turn conversation in the terminal, on the bundled agent."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from chatops.store.sqlite import SqliteStore

ROOT = Path(__file__).parent.parent

POLICY = """\
version: 1
roles:
  pods-reader:
    statements:
      - effect: allow
        actions: [pods:list]
        resources: ["*"]
bindings:
  - principals: [cli:ana]
    roles: [pods-reader]
"""


def chat(lines: list[str], *, tmp_path: Path, user: str = "ana") -> list[str]:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    env = {
        **os.environ,
        "CHATOPS_POLICY": str(policy),
        # Reddit is out of reach here: the shell must answer from the local collection.
        "CHATOPS_REDDIT_URL": "http://127.0.0.1:9",
        "CHATOPS_REDDIT_TIMEOUT": "1",
        "PYTHONPATH": str(ROOT),
    }
    store = f"sqlite:///{tmp_path / 'shell.db'}"
    done = subprocess.run(
        [sys.executable, "-m", "chatops", "shell", "--user", user, "--store", store],
        input="\n".join(lines) + "\n", capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    # Each answer follows a prompt; the first chunk is the banner and the welcome.
    return [chunk.strip() for chunk in done.stdout.split("you> ")[1:]]


def test_a_conversation_with_follow_ups_prompts_and_cancel(tmp_path: Path) -> None:
    answers = chat(
        ["tell me a joke", "another one", "list pods", "kube-system", "list pods", "cancel", "what can you do?"],
        tmp_path=tmp_path,
    )
    joke, another, which, listed, which_again, cancelled, help_text = answers[:7]
    assert "local collection" in joke and "another one" in joke
    assert another != joke and "local collection" in another
    assert which.startswith("bot> Which namespace?")
    assert not listed.startswith("bot> Which namespace?") and "didn't get that" not in listed
    assert which_again.startswith("bot> Which namespace?")
    assert cancelled.startswith("bot> OK, cancelled")
    assert "joke" in help_text and "pods" in help_text

    async def audited() -> list[tuple[str, dict[str, object]]]:
        store = SqliteStore(str(tmp_path / "shell.db"))
        await store.open()
        try:
            return [(r.outcome, r.parameters) for r in await store.query_audit(action="pods.list")]
        finally:
            await store.close()

    records = asyncio.run(audited())
    # The attempt is on record before the handler runs, its outcome (no cluster configured here) after.
    assert [outcome for outcome, _ in reversed(records)] == ["started", "error: InputError"]
    assert all(parameters["namespace"] == "kube-system" for _, parameters in records)


def test_a_principal_without_a_role_is_refused(tmp_path: Path) -> None:
    answers = chat(["list pods in kube-system"], tmp_path=tmp_path, user="mallory")
    assert "not allowed" in answers[0] and "pods:list" in answers[0]
