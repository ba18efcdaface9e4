"""A single-valued parameter gets at most one span of a turn; a list parameter keeps every span."""

from __future__ import annotations

from typing import Any, Callable

from chatops.engine.agent import Agent
from chatops.engine.nlu import train_nlu

RESTART_PHRASES = [
    "restart [api](service)", "restart [web](service) and [worker](service)",
    "please restart [billing](service), [auth](service) and [cart](service)", "restart the [search](service) service",
    "bounce [payments](service) and [checkout](service) now", "restart [frontend](service) please",
    "restart a service", "could you restart [redis](service) and [kafka](service)?",
]


def restart_agent(make_agent: Callable[..., Agent], *, is_list: bool) -> Agent:
    parameter = {"name": "service", "entity": "@sys.any", "list": is_list}
    return make_agent({"restart": {"parameters": [parameter], "phrases": RESTART_PHRASES}}, {})


def services(model: Any, text: str) -> list[str]:
    return [m.text for m in model.extract(text, intent="restart") if m.slot == "service"]


def test_a_list_parameter_keeps_every_span(make_agent: Callable[..., Agent]) -> None:
    model = train_nlu(restart_agent(make_agent, is_list=True))
    assert services(model, "restart gateway and scheduler") == ["gateway", "scheduler"]
    assert services(model, "please restart ledger, mailer and notifier") == ["ledger", "mailer", "notifier"]


def test_a_single_valued_parameter_gets_one_span_from_the_same_tagger(make_agent: Callable[..., Agent]) -> None:
    model = train_nlu(restart_agent(make_agent, is_list=False))
    for text, said in [("restart gateway and scheduler", {"gateway", "scheduler"}),
                       ("please restart ledger, mailer and notifier", {"ledger", "mailer", "notifier"})]:
        found = services(model, text)
        assert len(found) == 1 and found[0] in said, (text, found)
