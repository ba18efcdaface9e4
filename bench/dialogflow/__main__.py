"""``python -m bench.dialogflow FOLDER``: every ES export under FOLDER (one sub-folder or zip each) imported, checked,
asked its own training phrases and walked through its slot filling; one line per agent and language, then what failed."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from bench.dialogflow.agent_report import AgentReport, report


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.dialogflow", description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a folder holding one ES export per sub-folder or zip")
    parser.add_argument("--details", type=int, default=10, help="failed turns listed per agent and language (default 10)")
    return parser.parse_args()


def _print(result: AgentReport, details: int) -> None:
    if result.error:
        print(f"{result.name:32} import {'ok' if result.imported else 'FAILED'}  check {'ok' if result.checked else 'FAILED'}: "
              f"{result.error}")
        return
    silent = [language.language for language in result.languages if not language.phrases]
    if silent:
        print(f"{result.name:32} {'':5} no training phrases in {', '.join(silent)} (only responses and entries)")
    for language in (language for language in result.languages if language.phrases):
        accuracy = language.right / language.phrases
        print(f"{result.name:32} {language.language:5} import ok  check ok  {result.intents:3} intents  "
              f"self-accuracy {language.right}/{language.phrases} = {accuracy:6.1%}  "
              f"slots {language.slot_filled}/{language.slot_intents} filled in {language.slot_turns} prompt turns  "
              f"out of context {len(language.stray)}/{language.out_of_context} matched another intent  "
              f"follow-ups {language.follow_ups_ok}/{language.follow_ups}")
    for warning in result.warnings[:details]:
        print(f"    warning: {warning}")
    for language in result.languages:
        for miss in [*language.misses[:details], *language.slot_failures[:details], *language.unread[:details], *language.stray[:details],
                     *language.follow_up_failures[:details]]:
            print(f"    {language.language}: {miss}")


def main() -> None:
    args = _args()
    logging.basicConfig(level=logging.ERROR)
    exports = sorted(p for p in args.folder.iterdir() if p.suffix == ".zip" or (p.is_dir() and any(p.rglob("agent.json"))))
    if not exports:
        raise SystemExit(f"{args.folder} holds no export folders or zips")
    for export in exports:
        _print(report(export), args.details)


if __name__ == "__main__":
    main()
