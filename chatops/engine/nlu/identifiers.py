"""What the intent classifier reads of a regexp entity's match: the entity's name, not the characters matched.

A regexp entity matches identifiers (SSM paths, label selectors): their words
("/production/db/password") are arbitrary, and every intent that takes one has
them in its phrases. Read as words, they outweigh the verbs that tell the
intents apart: "show /staging/db/password" was read as secrets.put because
that intent's phrases held more of those path words. The classifier trains
on, and is asked about, the text with each match replaced by one word per
entity. Extraction still reads the text as it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from chatops.engine.agent import EntityType


class Identifiers:
    """Replaces the matches of an agent's regexp entities by a word naming the entity."""

    def __init__(self, entities: Mapping[str, EntityType]) -> None:
        self.patterns = [
            (re.compile(synonym, re.IGNORECASE), f" {_word(entity.name)} ")
            for entity in entities.values() if entity.regexp
            for entry in entity.entries for synonym in entry.synonyms
        ]

    def hide(self, text: str) -> str:
        for pattern, word in self.patterns:
            # An empty match (a pattern that can match nothing) names nothing: the gazetteer skips those too.
            text = pattern.sub(lambda match, word=word: word if match.end() > match.start() else "", text)
        return text


def _word(name: str) -> str:
    """One token of the featurizer's, unlike any word a user types: "ssm-path" is "ssmpathentity"."""
    return "".join(c for c in name.lower() if c.isalnum()) + "entity"
