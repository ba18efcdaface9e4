"""@sys.color and @sys.language: closed vocabularies bundled under ``nlu/data/``.

A colour is a colour name with an optional shade ("blue", "light blue",
"navy blue", "blue-green"); ES gives it lower-cased. A language is its
English name, as ES gives it ("French").
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Sequence

from chatops.engine.nlu import EntityMatch
from chatops.engine.nlu.lexicon import Lexicon, build, word_list
from chatops.engine.nlu.text import Token

SHADES = ("light", "dark", "pale", "bright", "deep", "dull", "neon", "pastel", "hot", "navy", "sky", "royal", "baby",
          "forest", "sea", "lemon", "olive", "blood", "midnight", "steel", "slate", "rose", "lime")
# A language name that is also a word counts only with its capital ("polish the docs").
LANGUAGE_WORDS = frozenset({"polish"})


@lru_cache(maxsize=1)
def colours() -> re.Pattern[str]:
    names = "|".join(sorted(map(re.escape, word_list("colors.txt")), key=len, reverse=True))
    shades = "|".join(SHADES)
    return re.compile(rf"\b(?:(?:{shades})[\s-]+)?(?:{names})(?:[\s-]+(?:{names}))?\b", re.IGNORECASE)


def find_colours(text: str, tokens: Sequence[Token], lenient: bool) -> list[EntityMatch]:
    return [EntityMatch("sys.color", m.start(), m.end(), m.group(), " ".join(re.split(r"[\s-]+", m.group().lower())))
            for m in colours().finditer(text)]


@lru_cache(maxsize=1)
def languages() -> Lexicon:
    return build(word_list("languages.txt"), cased=LANGUAGE_WORDS)

