"""Names and label selectors from chat: the API server's rules, checked before any call."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chatops.fulfillment import InputError
from handlers.kube.names import dns_label, dns_subdomain, label_selector, service_name


@pytest.mark.parametrize("name", ["a", "web-1", "x" * 63, "0abc"])
def test_valid_labels(name: str) -> None:
    assert dns_label(f" {name} ", "namespace name") == name


@pytest.mark.parametrize("name", ["", "A", "-a", "a-", "a_b", "a.b", "x" * 64, "wörd"])
def test_invalid_labels(name: str) -> None:
    with pytest.raises(InputError):
        dns_label(name, "namespace name")


def test_subdomains_and_services() -> None:
    assert dns_subdomain("pod-policy.example.com", "webhook configuration name") == "pod-policy.example.com"
    for bad in ("a..b", ".a", "a" * 254, "Upper.case"):
        with pytest.raises(InputError):
            dns_subdomain(bad, "name")
    assert service_name("policy") == "policy"
    with pytest.raises(InputError, match="must start with a letter"):
        service_name("1policy")


@pytest.mark.parametrize(("text", "canonical"), [
    ("app=web", "app=web"),
    ("app == web", "app=web"),
    ("app!=web,tier", "app!=web,tier"),
    ("!canary", "!canary"),
    ("env in (prod, staging),app notin (db)", "env in (prod,staging),app notin (db)"),
    ("example.com/team=ops", "example.com/team=ops"),
    ("app=", "app="),
])
def test_selectors_are_canonicalised(text: str, canonical: str) -> None:
    assert label_selector(text) == canonical


@pytest.mark.parametrize("text", ["app=web tier=db", "app in ()", "=web", "app=a b", "Bad_/x=1", "app=" + "v" * 64, "a,,b"])
def test_bad_selectors(text: str) -> None:
    with pytest.raises(InputError):
        label_selector(text)


_key = st.from_regex(r"[a-z][a-z0-9]{0,10}", fullmatch=True)


@given(st.lists(st.tuples(_key, st.sampled_from(["=", "!="]), _key), min_size=1, max_size=4))
def test_selector_canonical_form_is_stable(requirements: list[tuple[str, str, str]]) -> None:
    text = ", ".join(f"{k} {op} {v}" for k, op, v in requirements)
    canonical = label_selector(text)
    assert canonical == ",".join(f"{k}{op}{v}" for k, op, v in requirements)
    assert label_selector(canonical) == canonical
