"""Reading the access policy file: YAML checked node by node, so every mistake names its line.

The format (see deploy/policy.example.yaml)::

    version: 1
    roles:
      ssm-prod-readonly:
        description: Read production parameters, never change them.
        statements:
          - effect: allow
            actions: [ssm:get, ssm:list, ssm:history]
            resources: ["/production/*"]
    bindings:
      - principals: [slack:U0123ABCD, email:ana@example.com, slack-channel:C0456EFGH]
        roles: [ssm-prod-readonly]

Errors never quote a principal entry: a misplaced token must not end up in a log.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NoReturn

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from chatops.errors import ConfigError
from chatops.security.policy import (
    EMAIL,
    EVERYONE,
    TOKEN_SHA256,
    Binding,
    Policy,
    PrincipalPattern,
    Role,
    Statement,
)

STR_TAG = "tag:yaml.org,2002:str"
ROLE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
ACTION = re.compile(r"\*|[A-Za-z0-9_.*?-]+:[A-Za-z0-9_.*?-]+")
NO_SPACE = re.compile(r"\S+")
PRINCIPAL_KIND = re.compile(r"[a-z][a-z0-9-]*")
SHA256_HEX = re.compile(r"[0-9a-fA-F]{64}")
# Channels whose user id is whatever the caller sends: binding one would let anyone claim it.
CALLER_CHOSEN_IDS = ("web", "api")
PRINCIPAL_FORMS = "slack:<user id>, email:<address>, slack-channel:<channel id>, token-sha256:<hex>, <channel>:<user id> or '*'"


class PolicyError(ConfigError):
    """An invalid policy file, with the file and the 1-based line of the mistake."""

    def __init__(self, file: str, line: int, problem: str) -> None:
        super().__init__(f"{file}:{line}: {problem}")
        self.file = file
        self.line = line
        self.problem = problem


def load_policy_file(path: Path) -> Policy:
    """Parse and validate the policy at ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"policy file {path}: cannot be read ({exc})") from exc
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise PolicyError(str(path), mark.line + 1 if mark else 1, f"not valid YAML: {exc.problem or exc}") from exc
    if root is None:
        raise PolicyError(str(path), 1, "the policy file is empty")
    return _Reader(str(path)).policy(root)


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, node: Node, problem: str) -> NoReturn:
        raise PolicyError(self.source, node.start_mark.line + 1, problem)

    def policy(self, root: Node) -> Policy:
        top = self.mapping(root, "the policy", required=("roles", "bindings"), optional=("version",))
        if "version" in top and (top["version"].tag != "tag:yaml.org,2002:int" or top["version"].value != "1"):
            self.fail(top["version"], "version must be 1")
        roles = {name: self.role(name, node) for name, node in self.entries(top["roles"], "roles")}
        if not roles:
            self.fail(top["roles"], "roles: define at least one role")
        bindings = tuple(self.binding(node, roles) for node in self.sequence(top["bindings"], "bindings"))
        return Policy(roles=roles, bindings=bindings, source=self.source)

    def role(self, name: str, node: Node) -> Role:
        fields = self.mapping(node, f"role {name}", required=("statements",), optional=("description",))
        description = self.text(fields["description"], "description") if "description" in fields else ""
        items = self.sequence(fields["statements"], f"role {name}: statements")
        if not items:
            self.fail(fields["statements"], f"role {name}: statements must not be empty")
        return Role(name, tuple(self.statement(name, item) for item in items), description)

    def statement(self, role: str, node: Node) -> Statement:
        what = f"role {role}: statement"
        fields = self.mapping(node, what, required=("effect", "actions", "resources"), optional=("description",))
        effect = self.text(fields["effect"], f"{what}: effect").lower()
        if effect not in ("allow", "deny"):
            self.fail(fields["effect"], f"{what}: effect must be allow or deny")
        actions = self.patterns(fields["actions"], f"{what}: actions", ACTION, "must look like service:verb (ssm:get, pods:*) or be '*'")
        resources = self.patterns(fields["resources"], f"{what}: resources", NO_SPACE, "must not contain spaces")
        return Statement("allow" if effect == "allow" else "deny", actions, resources, line=node.start_mark.line + 1)

    def patterns(self, node: Node, what: str, shape: re.Pattern[str], rule: str) -> tuple[str, ...]:
        found = []
        for text, item in self.texts(node, what):
            if not shape.fullmatch(text):
                self.fail(item, f"{what}: {text!r} {rule}")
            found.append(text)
        return tuple(found)

    def binding(self, node: Node, roles: dict[str, Role]) -> Binding:
        fields = self.mapping(node, "binding", required=("principals", "roles"))
        principals = tuple(self.principal(text, n) for text, n in self.texts(fields["principals"], "binding: principals"))
        names = []
        for name, name_node in self.texts(fields["roles"], "binding: roles"):
            if name not in roles:
                self.fail(name_node, f"binding: unknown role {name!r}; defined roles: {', '.join(sorted(roles))}")
            names.append(name)
        return Binding(principals, tuple(names), line=node.start_mark.line + 1)

    def principal(self, text: str, node: Node) -> PrincipalPattern:
        if text == EVERYONE:
            return PrincipalPattern(EVERYONE)
        kind, _, value = text.partition(":")
        if not value.strip() or not PRINCIPAL_KIND.fullmatch(kind):
            self.fail(node, f"binding: a principal must be one of {PRINCIPAL_FORMS}")
        if kind in CALLER_CHOSEN_IDS:
            self.fail(node, f"binding: {kind} user ids are chosen by the caller; bind {kind} callers by token-sha256:<hex>")
        if kind == TOKEN_SHA256 and not SHA256_HEX.fullmatch(value):
            self.fail(node, "binding: token-sha256 needs the 64 hex digits of the token's SHA-256")
        if kind == EMAIL and "@" not in value:
            self.fail(node, "binding: an email principal needs an address (email:ana@example.com)")
        return PrincipalPattern(kind, value.strip())

    # shapes

    def entries(self, node: Node, what: str) -> list[tuple[str, Node]]:
        if not isinstance(node, MappingNode):
            self.fail(node, f"{what} must be a mapping of names to settings")
        seen: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = self.text(key_node, f"a key in {what}")
            if key in seen:
                self.fail(key_node, f"{what}: {key!r} appears twice")
            if what == "roles" and not ROLE_NAME.fullmatch(key):
                self.fail(key_node, f"role name {key!r} may only use letters, digits, '_', '.' and '-'")
            seen[key] = value_node
        return list(seen.items())

    def mapping(self, node: Node, what: str, *, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict[str, Node]:
        fields = dict(self.entries(node, what))
        for key_node, _ in node.value:
            if key_node.value not in required + optional:
                self.fail(key_node, f"{what}: unknown key {key_node.value!r} (expected: {', '.join(required + optional)})")
        for key in required:
            if key not in fields:
                self.fail(node, f"{what}: missing {key!r}")
        return fields

    def sequence(self, node: Node, what: str) -> list[Node]:
        if not isinstance(node, SequenceNode):
            self.fail(node, f"{what} must be a list")
        return list(node.value)

    def texts(self, node: Node, what: str) -> list[tuple[str, Node]]:
        """A list of texts; a single text counts as a list of one."""
        items = [node] if isinstance(node, ScalarNode) else self.sequence(node, what)
        if not items:
            self.fail(node, f"{what} must not be empty")
        return [(self.text(item, what), item) for item in items]

    def text(self, node: Node, what: str) -> str:
        if not isinstance(node, ScalarNode) or node.tag != STR_TAG:
            self.fail(node, f"{what} must be text (quote it if it looks like a number or yes/no)")
        if not node.value.strip():
            self.fail(node, f"{what} must not be empty")
        return str(node.value)
