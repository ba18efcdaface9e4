"""The system entities found by name lists and fixed forms, run only for the types an agent uses.

Numbers, dates and durations (``system.py``) are cheap and gated by a trigger
regex; these need data (34,000 city names) or many patterns, so an agent pays
for a finder only when one of its intents has a parameter of that type, and
an agent with none of them pays nothing per turn.
"""

from __future__ import annotations

from typing import Callable, Collection, Sequence

from chatops.engine.nlu import EntityMatch
from chatops.engine.nlu.lexicon import Lexicon, entity_matches
from chatops.engine.nlu.sys_amounts import find_ages, find_currencies, find_ordinals, find_percentages
from chatops.engine.nlu.sys_geo import cities, countries, find_country_codes, states
from chatops.engine.nlu.sys_patterns import find_emails, find_flight_numbers, find_phone_numbers, find_urls
from chatops.engine.nlu.sys_people import find_persons, given_names, last_names
from chatops.engine.nlu.sys_words import find_colours, languages
from chatops.engine.nlu.text import Token, tokenize

# (text, its tokens, lenient) -> matches; lenient reads a whole prompt answer, where case says less.
Finder = Callable[[str, Sequence[Token], bool], list[EntityMatch]]


def names(entity: str, lexicon: Callable[[], Lexicon]) -> Finder:
    """The finder of a list of names, loaded by ``lexicon`` on first use."""

    def find(text: str, tokens: Sequence[Token], lenient: bool) -> list[EntityMatch]:
        return entity_matches(entity, text, tokens, lexicon().find(tokens, lenient=lenient))

    return find


WARM_UP = "Paris"  # any text: a finder's first call loads its data
FINDERS: dict[str, Finder] = {
    "sys.geo-city": names("sys.geo-city", cities), "sys.geo-country": names("sys.geo-country", countries),
    "sys.geo-country-code": find_country_codes,
    "sys.geo-state": names("sys.geo-state", states), "sys.given-name": names("sys.given-name", given_names),
    "sys.last-name": names("sys.last-name", last_names), "sys.language": names("sys.language", languages),
    "sys.person": find_persons, "sys.color": find_colours,
    "sys.email": find_emails, "sys.url": find_urls, "sys.phone-number": find_phone_numbers,
    "sys.flight-number": find_flight_numbers,
    "sys.percentage": find_percentages, "sys.unit-currency": find_currencies, "sys.age": find_ages,
    "sys.ordinal": find_ordinals,
}


class ExtendedEntities:
    """The finders of the extended types among ``entities`` (an agent's parameter types)."""

    def __init__(self, entities: Collection[str]) -> None:
        self.finders = [FINDERS[name] for name in sorted(set(entities) & FINDERS.keys())]
        for finder in self.finders:
            finder(WARM_UP, tokenize(WARM_UP), False)  # load the finder's data now, not during the first turn

    def find(self, text: str, tokens: Sequence[Token]) -> list[EntityMatch]:
        return [match for finder in self.finders for match in finder(text, tokens, False)]

    def resolve(self, text: str, entity: str) -> list[EntityMatch]:
        """``entity``'s matches in a whole answer to its prompt."""
        finder = FINDERS.get(entity)
        return finder(text, tokenize(text), True) if finder else []
