"""One engine per language an agent speaks, chosen by the request's ``languageCode``.

ES keeps an agent's phrases, responses and entries per language and answers each
request in the language it names. Each language gets its own NLU model, trained
on that language's phrases only; an agent of one language builds nothing more.
"""

from __future__ import annotations

from typing import Callable

from chatops.engine.agent import Agent
from chatops.engine.dialogue import Engine
from chatops.engine.nlu import NLU


def other_language_engines(agent: Agent, engine: Engine, train: Callable[[Agent, str], NLU]) -> dict[str, Engine]:
    """An engine for each of the agent's other languages, like ``engine`` but on that language's agent and NLU."""
    engines = {}
    for language in agent.languages:
        translated = agent.for_language(language)
        engines[language] = Engine(
            translated, train(translated, language), threshold=engine.threshold, idle_seconds=engine.idle_seconds, rng=engine.rng
        )
    return engines


def engine_for(engine: Engine, others: dict[str, Engine], language: str) -> Engine:
    """The engine answering a request in ``language`` (its default one when the agent does not speak it)."""
    if not others:
        return engine
    return others.get(engine.agent.resolve_language(language), engine)
