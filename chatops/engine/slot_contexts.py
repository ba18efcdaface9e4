"""The contexts ES reports while it fills an intent's slots.

ES keeps slot filling in reserved contexts and shows them in the query result
and the webhook body: ``<intent id>_id_dialog_context`` and ``<intent>_dialog_context`` (2 turns) and
``<intent>_dialog_params_<parameter being asked>`` (1 turn), both holding every
parameter (``""``, or ``[]`` for a list, when not filled) and its ``.original`` words, and
``__system_counters__`` counting the answers that did not fill the slot
(``no-match``) and the silent turns (``no-input``, always 0 in text chat).
Ours are derived from the pending intent when reported, never stored or
matched on.
"""

from __future__ import annotations

import re

from chatops.engine.dialogue import EngineTurn
from chatops.engine.session import SessionState
from chatops.models import Context

SYSTEM_COUNTERS = "__system_counters__"
NOT_A_NAME_CHARACTER = re.compile(r"[^a-z0-9_\-]")


def slot_filling_contexts(turn: EngineTurn, state: SessionState) -> tuple[Context, ...]:
    """ES's reserved contexts after ``turn`` asked for a parameter; none after any other turn."""
    intent, pending = turn.intent, state.pending
    if intent is None or turn.complete or pending is None:
        return ()
    stem, key = (NOT_A_NAME_CHARACTER.sub("_", name.lower()) for name in (intent.display_name or intent.name, intent.id))
    parameters = intent.blank() | turn.parameters | turn.originals
    return (
        Context(f"{key}_id_dialog_context", 2, parameters),
        Context(f"{stem}_dialog_context", 2, parameters),
        Context(f"{stem}_dialog_params_{pending.asking.lower()}", 1, parameters),
        Context(SYSTEM_COUNTERS, 1, {"no-input": 0.0, "no-match": float(pending.attempts)}),
    )
