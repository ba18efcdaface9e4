"""Names of a heavy library that a module hands out, each imported when it is first used.

Kubernetes, AWS and cryptography code is more than half of a serving process's memory,
and a bot that is never asked about clusters, secrets or certificates never runs
it. A module built with ``lazy_names`` (PEP 562: a module ``__getattr__``) stands
for such a library: ``k8s.CoreV1Api`` imports the library on first use, then is
an ordinary module attribute. Callers use the attribute (``k8s.CoreV1Api``),
never ``from ... import``, which would import at once.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, MutableMapping


def lazy_names(namespace: MutableMapping[str, Any], homes: Mapping[str, tuple[str, ...]]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``namespace`` (the module's globals) handing out ``homes``: module -> names in it."""
    home_of = {name: module for module, names in homes.items() for name in names}

    def __getattr__(name: str) -> Any:
        if name not in home_of:
            raise AttributeError(f"module {namespace['__name__']!r} has no attribute {name!r}")
        # from-import semantics: a name may be an attribute of the module or a submodule of it.
        value = getattr(__import__(home_of[name], fromlist=[name]), name)
        namespace[name] = value  # later lookups are plain attribute reads
        return value

    return __getattr__
