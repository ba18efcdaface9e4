"""cryptography's Fernet, imported by the first seal made or opened.

Most services seal nothing for a long time, or ever. Use the attributes
(``fernet.Fernet(key)``, ``except fernet.InvalidToken``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chatops.lazy import lazy_names

if TYPE_CHECKING:  # what type checkers see; the table below is what runs
    from cryptography.fernet import Fernet, InvalidToken

__getattr__ = lazy_names(globals(), {"cryptography.fernet": ("Fernet", "InvalidToken")})
