"""Gradient descent reaches the least-squares line: on windsor-housing, on random data, at any safe learning rate."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chatops.errors import InputError
from handlers.datasets import bundled, columns
from handlers.regression import check_columns, fit_gradient_descent, fit_least_squares, goodness


@pytest.fixture(scope="module")
def windsor() -> tuple[np.ndarray, np.ndarray]:
    return columns(bundled("windsor-housing"))


def test_gradient_descent_reaches_the_least_squares_line_on_windsor(windsor: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = windsor
    fit = fit_gradient_descent(x, y)
    slope, intercept = fit_least_squares(x, y)
    rmse, r2 = goodness(x, y, slope, intercept)

    assert fit.converged and fit.n == 546
    assert abs(fit.rmse - rmse) / rmse < 1e-6
    assert fit.slope == pytest.approx(slope, rel=1e-6) and fit.intercept == pytest.approx(intercept, rel=1e-6)
    assert fit.r2 == pytest.approx(r2, rel=1e-6)
    # The reference figures quoted in the data set's README.
    assert (round(fit.slope, 3), round(fit.intercept), round(fit.rmse)) == (6.599, 34136, 22526)
    assert (fit.x_min, fit.x_max) == (1650.0, 16200.0)


def test_the_mse_curve_falls_every_epoch_and_ends_at_the_training_mse(windsor: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = windsor
    fit = fit_gradient_descent(x, y, learning_rate=0.05)

    curve = np.array(fit.mse_curve)
    assert len(curve) == fit.epochs + 1 > 50
    assert np.all(np.diff(curve) <= 0)
    assert curve[-1] == pytest.approx(fit.rmse**2, rel=1e-9)
    assert curve[0] == pytest.approx(float(np.mean(y**2)))  # starts at slope 0, intercept 0


def test_a_smaller_learning_rate_needs_more_epochs_for_the_same_line(windsor: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = windsor
    fast, slow = fit_gradient_descent(x, y), fit_gradient_descent(x, y, learning_rate=0.05)

    assert fast.learning_rate == pytest.approx(0.5)
    assert slow.epochs > 10 * fast.epochs
    assert abs(slow.rmse - fast.rmse) / fast.rmse < 1e-6


def test_descent_stops_at_the_epoch_limit_and_says_it_did_not_converge(windsor: tuple[np.ndarray, np.ndarray]) -> None:
    fit = fit_gradient_descent(*windsor, learning_rate=0.01, max_epochs=20)

    assert not fit.converged and fit.epochs == 20
    assert fit.rmse > fit_gradient_descent(*windsor).rmse


def test_a_learning_rate_that_diverges_is_reported(windsor: tuple[np.ndarray, np.ndarray]) -> None:
    with pytest.raises(ValueError, match="diverged"):
        fit_gradient_descent(*windsor, learning_rate=1.5)


def test_an_exact_line_is_found_exactly() -> None:
    x = np.array([1.0, 2.0, 3.0, 10.0])
    fit = fit_gradient_descent(x, 3.0 * x + 2.0)

    assert (fit.slope, fit.intercept) == pytest.approx((3.0, 2.0))
    assert fit.rmse == pytest.approx(0.0, abs=1e-9) and fit.r2 == pytest.approx(1.0)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(min_value=2, max_value=200),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    scale=st.floats(min_value=1e-3, max_value=1e7),
    offset=st.floats(min_value=-1e6, max_value=1e6),
)
def test_gradient_descent_matches_least_squares_on_random_data(n: int, seed: int, scale: float, offset: float) -> None:
    rng = np.random.default_rng(seed)
    x = offset + scale * rng.random(n)
    y = rng.normal(2.0, 3.0) * x + rng.normal(0, 100.0, n)
    if np.ptp(x) <= 1e-9 * max(abs(offset), scale):
        return  # x is constant to machine precision: no line to fit
    fit = fit_gradient_descent(x, y)
    slope, intercept = fit_least_squares(x, y)
    best, _ = goodness(x, y, slope, intercept)
    assert fit.converged
    assert math.isclose(fit.rmse, best, rel_tol=1e-6, abs_tol=1e-9 * float(np.abs(y).max()))


@pytest.mark.parametrize(
    ("x", "y", "message"),
    [
        ([5.0], [1.0], "at least two rows"),
        ([], [], "at least two rows"),
        ([3.0, 3.0, 3.0], [1.0, 2.0, 3.0], "Every x is 3, so no line can be fitted"),
        ([1.0, math.nan], [1.0, 2.0], "x contains a value that is not a finite number"),
        ([1.0, 2.0], [1.0, math.inf], "y contains a value that is not a finite number"),
        ([1.0, 2.0, 3.0], [1.0, 2.0], "same number of values"),
    ],
)
def test_columns_a_line_cannot_be_fitted_to_are_refused(x: list[float], y: list[float], message: str) -> None:
    with pytest.raises(InputError, match=message):
        check_columns(np.array(x), np.array(y))
    with pytest.raises(InputError, match=message):
        fit_gradient_descent(np.array(x), np.array(y))
