"""Names and label selectors from chat, checked before any API call.

The rules are the API server's own (DNS-1123 labels and subdomains, DNS-1035
labels for services, the label-selector grammar), so a bad name gets a clear
chat message instead of a 422 from the cluster.
"""

from __future__ import annotations

import re

from chatops.fulfillment import InputError

_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_DNS1035 = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
_QUALIFIED = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
# One selector requirement: "!key", "key", "key op value" or "key in|notin (v1, v2)".
_REQUIREMENT = re.compile(
    r"""\s*(?:
        !\s*(?P<absent>[^\s,!=()]+)
      | (?P<setkey>[^\s,!=()]+)\s+(?P<setop>in|notin)\s*\((?P<values>[^()]*)\)
      | (?P<key>[^\s,!=()]+)\s*(?:(?P<op>==|=|!=)\s*(?P<value>[^\s,!=()]*))?
    )\s*(?:,|$)""",
    re.VERBOSE,
)


def dns_label(value: object, what: str) -> str:
    """A DNS-1123 label (namespaces, most object names): lowercase, digits and '-', at most 63."""
    text = _text(value, what)
    if len(text) > 63 or not _LABEL.fullmatch(text):
        raise InputError(
            f"{text!r} is not a valid {what}: use at most 63 lowercase letters, digits and '-', "
            "starting and ending with a letter or digit."
        )
    return text


def dns_subdomain(value: object, what: str) -> str:
    """A DNS-1123 subdomain (configuration and secret names): dot-separated labels, at most 253."""
    text = _text(value, what)
    if len(text) > 253 or not all(_LABEL.fullmatch(part) for part in text.split(".")):
        raise InputError(
            f"{text!r} is not a valid {what}: use lowercase letters, digits, '-' and '.', "
            "each part starting and ending with a letter or digit."
        )
    return text


def service_name(value: object) -> str:
    """A service name is a DNS-1035 label: like a DNS-1123 label but starting with a letter."""
    text = dns_label(value, "service name")
    if not _DNS1035.fullmatch(text):
        raise InputError(f"{text!r} is not a valid service name: it must start with a letter.")
    return text


def label_selector(value: object) -> str:
    """Parse a label selector and return it in canonical form ("a=b,c in (d,e),!f")."""
    text = _text(value, "label selector")
    requirements: list[str] = []
    position = 0
    while position < len(text):
        match = _REQUIREMENT.match(text, position)
        if match is None or match.end() == position:
            raise InputError(f"I could not read the label selector {text!r} near {text[position:position + 20]!r}.")
        requirements.append(_requirement(match, text))
        position = match.end()
    return ",".join(requirements)


def _requirement(match: re.Match[str], text: str) -> str:
    if match["absent"]:
        return "!" + _label_key(match["absent"], text)
    if match["setkey"]:
        values = [item.strip() for item in match["values"].split(",")]
        if values == [""]:
            raise InputError(f"The label selector {text!r} has an empty set after {match['setop']!r}.")
        checked = ",".join(_label_value(item, text) for item in values)
        return f"{_label_key(match['setkey'], text)} {match['setop']} ({checked})"
    key = _label_key(match["key"], text)
    if match["op"] is None:
        return key
    operator = "!=" if match["op"] == "!=" else "="
    return f"{key}{operator}{_label_value(match['value'], text)}"


def _label_key(key: str, text: str) -> str:
    prefix, _, name = key.rpartition("/")
    if prefix:
        try:
            dns_subdomain(prefix, "label prefix")
        except InputError:
            raise InputError(f"In the label selector {text!r}, {prefix!r} is not a valid label prefix.") from None
    if len(name) > 63 or not _QUALIFIED.fullmatch(name):
        raise InputError(
            f"In the label selector {text!r}, {key!r} is not a valid label key: "
            "at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit."
        )
    return key


def _label_value(value: str, text: str) -> str:
    if value and (len(value) > 63 or not _QUALIFIED.fullmatch(value)):
        raise InputError(
            f"In the label selector {text!r}, {value!r} is not a valid label value: "
            "at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit."
        )
    return value


def _text(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"Please name a {what}.")
    return value.strip()
