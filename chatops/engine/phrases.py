"""Training phrases with inline annotations: ``tell me a [joke](content) about [cats](topic)``."""

from __future__ import annotations

import re

from chatops.engine.agent import PhrasePart, TrainingPhrase
from chatops.errors import AgentError

ANNOTATION = re.compile(r"\[([^\[\]]+)\]\(([A-Za-z0-9_\-]+)\)")


def parse_phrase(text: str, *, file: str = "<phrase>", field: str = "phrase") -> TrainingPhrase:
    """Split a phrase into plain and annotated parts; stray brackets are an error."""
    parts: list[PhrasePart] = []
    position = 0
    for match in ANNOTATION.finditer(text):
        if match.start() > position:
            parts.append(PhrasePart(text[position : match.start()]))
        parts.append(PhrasePart(match.group(1), parameter=match.group(2)))
        position = match.end()
    if position < len(text):
        parts.append(PhrasePart(text[position:]))
    plain = "".join(p.text for p in parts if p.parameter is None)
    if "[" in plain or "](" in plain:
        raise AgentError(file, field, f"has an unbalanced annotation in {text!r}; write [text](parameter)")
    if not "".join(p.text for p in parts).strip():
        raise AgentError(file, field, "is empty")
    return TrainingPhrase(parts=tuple(parts))


def render_phrase(phrase: TrainingPhrase) -> str:
    """The inverse of ``parse_phrase``."""
    return "".join(f"[{p.text}]({p.parameter})" if p.parameter else p.text for p in phrase.parts)
