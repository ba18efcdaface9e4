"""Handler tables by name: the one place that says which module serves which table."""

from __future__ import annotations

import importlib

from chatops.errors import ConfigError
from chatops.fulfillment import HandlerTable

TABLE_MODULES = {
    "reddit": "handlers.reddit",
    "prices": "handlers.prices",
    "pods": "handlers.pods",
    "certs": "handlers.certs",
    "velero": "handlers.velero",
    "secrets": "handlers.secrets",
}


def load_tables(names: tuple[str, ...] | list[str]) -> list[HandlerTable]:
    """Import the named tables; an unknown name is a configuration error."""
    tables = []
    for name in names:
        if name not in TABLE_MODULES:
            raise ConfigError(f"unknown handler table {name!r}; known: {', '.join(sorted(TABLE_MODULES))}")
        module = importlib.import_module(TABLE_MODULES[name])
        tables.append(module.table)
    return tables
