"""Context lifespans and session state persistence."""

from chatops.engine.session import Pending, SessionState


def test_decrement_removes_contexts_at_zero() -> None:
    state = SessionState(id="s")
    state.set_context("A", 2, {"x": 1})
    state.set_context("b", 1)
    state.decrement()
    assert {n: c.lifespan for n, c in state.contexts.items()} == {"a": 1}
    assert state.context_parameter("A", "x") == 1
    state.decrement()
    assert state.contexts == {}


def test_setting_a_context_merges_parameters_and_zero_removes_it() -> None:
    state = SessionState(id="s")
    state.set_context("c", 3, {"x": 1})
    state.set_context("c", 5, {"y": 2})
    assert state.contexts["c"].lifespan == 5 and dict(state.contexts["c"].parameters) == {"x": 1, "y": 2}
    state.set_context("c", 0)
    assert not state.active("c")


def test_state_round_trips_through_its_record() -> None:
    state = SessionState(id="s", memory={"told": [1]}, updated_at=5.0)
    state.set_context("c", 3, {"x": 1})
    state.pending = Pending(intent="paint", parameters={"colour": "red"}, asking="thing", attempts=1)
    record = state.to_record()
    again = SessionState.from_record("s", record["contexts"], record["pending"], state.memory, state.updated_at)
    assert again == state
