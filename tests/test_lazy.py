"""A lazy-names module hands out the library's own objects, and only the names it lists."""

from __future__ import annotations

import json
import sys
import types

import pytest

from chatops.lazy import lazy_names


def test_a_name_is_the_library_object_and_then_a_plain_attribute() -> None:
    module = types.ModuleType("facade")
    module.__getattr__ = lazy_names(vars(module), {"json": ("dumps", "tool")})  # type: ignore[method-assign]
    assert module.dumps is json.dumps
    assert module.tool is sys.modules["json.tool"]  # a submodule, imported as `from json import tool` does
    assert "dumps" in vars(module)  # found once; later reads skip __getattr__


def test_an_unlisted_name_is_an_attribute_error() -> None:
    module = types.ModuleType("facade")
    module.__getattr__ = lazy_names(vars(module), {"json": ("dumps",)})  # type: ignore[method-assign]
    with pytest.raises(AttributeError, match="'facade' has no attribute 'loads'"):
        module.loads  # noqa: B018
    assert not hasattr(module, "loads")
