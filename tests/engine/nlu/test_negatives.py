"""The made-up out-of-scope utterances that teach the classifier its "none of these" class."""

from __future__ import annotations

from chatops.engine.nlu.negatives import FUNCTION_WORDS, out_of_scope

PHRASES = [("pods", "list the pods"), ("pods", "show me the pods"), ("joke", "tell me a joke"), ("joke", "a joke please"),
           ("help", "help")]


def test_utterances_have_one_to_eight_words_of_nonsense_and_shared_function_words() -> None:
    utterances = out_of_scope(PHRASES, 300, seed=1)
    assert len(utterances) == 300
    assert all(1 <= len(u.split()) <= 8 for u in utterances)
    words = [w for u in utterances for w in u.split()]
    shared = [w for w in words if w in FUNCTION_WORDS]
    assert 0.25 < len(shared) / len(words) < 0.55  # two in five on average
    assert all(w.isalpha() and w.islower() and 2 <= len(w) <= 9 for w in words if w not in FUNCTION_WORDS)


def test_signature_words_and_whole_phrases_are_never_used() -> None:
    words = {w for u in out_of_scope(PHRASES, 300) for w in u.split()}
    # "me" is in two intents and "with" in none; "the", "a", "show", "please" are each one intent's; "help" is a whole phrase.
    assert {"me", "with"} <= words
    assert not {"the", "a", "show", "please", "help", "pods", "joke"} & words


def test_the_seed_makes_them_reproducible() -> None:
    assert out_of_scope(PHRASES, 50, seed=3) == out_of_scope(PHRASES, 50, seed=3)
    assert out_of_scope(PHRASES, 50, seed=3) != out_of_scope(PHRASES, 50, seed=4)
