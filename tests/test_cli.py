"""The command line wires each command to its implementation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatops.cli import main
from chatops.config import load_settings
from chatops.testing import ChatHarness


def test_check_counts_the_bundled_agent(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "intents" in out and "training phrases" in out


def test_check_reports_a_broken_agent_with_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "intents").mkdir()
    (tmp_path / "intents" / "bad.yaml").write_text("name: a\nphrases: [hi]\nlifespan: 3\n")
    assert main(["check", "--agent", str(tmp_path)]) == 2
    assert "bad.yaml: lifespan: unknown field" in capsys.readouterr().err


async def test_a_trained_model_file_is_what_the_service_loads(tmp_path: Path) -> None:
    model = tmp_path / "agent.model"
    assert main(["train", "--out", str(model)]) == 0
    assert model.exists()
    settings = load_settings(env={}, overrides={"engine": {"model_path": str(model)}})
    async with ChatHarness(settings) as chat:
        await chat.say("what can you do?")
        assert chat.last.intent is not None and chat.last.intent.name == "help"


def test_eval_prints_json_figures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    examples = [
        ("turn on the [kitchen](room) lights", "lights"), ("switch the [hall](room) lights on", "lights"),
        ("lights on in the [garage](room)", "lights"), ("play some [jazz](genre)", "music"),
        ("put on [rock](genre) music", "music"), ("i want to hear [blues](genre)", "music"),
    ]
    rows = []
    for text, intent in examples:
        plain, entities, i = "", [], 0
        while i < len(text):
            if text[i] == "[":
                close = text.index("]", i)
                value, kind = text[i + 1 : close], text[close + 2 : text.index(")", close)]
                entities.append({"entity": kind, "start": len(plain), "end": len(plain) + len(value), "value": value})
                plain += value
                i = text.index(")", close) + 1
            else:
                plain += text[i]
                i += 1
        rows.append({"text": plain, "intent": intent, "entities": entities})
    data = tmp_path / "tiny.json"
    data.write_text(json.dumps({"name": "tiny", "train": rows, "test": rows[:2] + rows[3:5]}))
    assert main(["eval", str(data), "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert 0 <= figures["intent_accuracy"] <= 1


def test_dialogflow_export_then_import_round_trips(tmp_path: Path) -> None:
    archive = tmp_path / "agent.zip"
    assert main(["export-dialogflow", "--out", str(archive)]) == 0
    assert main(["import-dialogflow", str(archive), "--out", str(tmp_path / "imported")]) == 0
    assert main(["check", "--agent", str(tmp_path / "imported")]) == 0
