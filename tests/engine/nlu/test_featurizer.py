"""The featurizer's single-utterance path gives exactly the batch path's row."""

from __future__ import annotations

import numpy as np
import pytest

from chatops.engine.nlu.featurizer import Featurizer

TRAIN = [
    "list the pods in kube-system",
    "show pods in observability please",
    "tell me a joke",
    "rotate the webhook certificate now",
    "migrate blog from production to dr-aks",
    "how much is a house of 3000 square feet",
]


@pytest.mark.parametrize(
    "text",
    [
        "list pods in kube-system",  # all seen
        "list the the the pods",  # repeated n-grams: sublinear tf
        "show zzqxv pods in blorfland",  # unseen words and character n-grams in the norms
        "qwxz vbnm",  # nothing seen but the odd character pair
        "Rotate 42 CERTS!",  # case, digits, punctuation
        "",  # only the bias
    ],
)
@pytest.mark.parametrize("char_weight", [1.0, 0.3])
def test_transform_one_matches_the_batch_transform(text: str, char_weight: float) -> None:
    featurizer, _ = Featurizer.fit_transform(TRAIN, char_weight=char_weight)
    batch = featurizer.transform([text])
    cols, vals = featurizer.transform_one(text)
    assert cols.dtype == batch.indices.dtype and vals.dtype == batch.data.dtype
    expected = dict(zip(batch.indices.tolist(), batch.data.tolist()))
    got = dict(zip(cols.tolist(), vals.tolist()))
    assert len(got) == len(cols)  # no column twice
    assert got.keys() == expected.keys()
    np.testing.assert_allclose([got[c] for c in expected], list(expected.values()), rtol=1e-6)


def test_the_char_weight_scales_the_character_block_only() -> None:
    plain, rows = Featurizer.fit_transform(TRAIN)
    light, light_rows = Featurizer.fit_transform(TRAIN, char_weight=0.5)
    np.testing.assert_array_equal(rows.indices, light_rows.indices)
    chars = rows.indices >= plain.n_word_columns
    np.testing.assert_allclose(light_rows.data[chars], 0.5 * rows.data[chars], rtol=1e-6)
    np.testing.assert_array_equal(light_rows.data[~chars], rows.data[~chars])
    np.testing.assert_allclose(plain.char_scaled(rows, 0.5).data, light_rows.data, rtol=1e-6)  # the folds' shortcut
    assert Featurizer.from_state(light.to_state(), light.idf_array()).char_weight == 0.5
