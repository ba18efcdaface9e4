"""Rule-based matching of mlDisabled intents: ES matches one only when a training phrase is said as written.

Case, punctuation and spacing do not count; an annotated part matches any
text that reads as a value of its parameter's type ("book a room for
[friday](day)" matches "Book a room for Monday!").
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from chatops.engine.agent import Intent, TrainingPhrase
from chatops.engine.nlu import NLU
from chatops.engine.parameter_values import original_key

WORD = re.compile(r"\w+")
GAP = r"\W*"


def exact_match(intent: Intent, text: str, nlu: NLU, *, now: datetime | None = None) -> dict[str, Any] | None:
    """What ``text`` says for the intent's parameters (value and ``.original`` words), or None if no phrase matches."""
    for phrase in intent.phrases:
        found = _pattern(phrase).fullmatch(text.strip())
        if found is None:
            continue
        said = _resolved(intent, phrase, found, nlu, now)
        if said is not None:
            return said
    return None


def _pattern(phrase: TrainingPhrase) -> re.Pattern[str]:
    pieces = []
    for index, part in enumerate(phrase.parts):
        if part.parameter is None:
            words = WORD.findall(part.text)
            pieces.append(GAP + r"\W+".join(map(re.escape, words)) + GAP if words else GAP)
        else:
            pieces.append(f"(?P<p{index}>.+?)")
    return re.compile("".join(pieces), re.IGNORECASE)


def _resolved(intent: Intent, phrase: TrainingPhrase, found: re.Match[str], nlu: NLU, now: datetime | None) -> dict[str, Any] | None:
    said: dict[str, Any] = {}
    for index, part in enumerate(phrase.parts):
        parameter = intent.parameter(part.parameter) if part.parameter else None
        if parameter is None:
            continue
        words = found[f"p{index}"]
        match = nlu.resolve(words, parameter.entity, now=now)
        if match is None:
            return None
        said[parameter.name] = [match.value] if parameter.is_list else match.value
        said[original_key(parameter.name)] = [words] if parameter.is_list else words
    return said
