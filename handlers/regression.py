"""Univariate linear regression by batch gradient descent, done right, with its closed-form check.

The article this project grew from updates slope and intercept on the raw
values; on real data (lot sizes in the thousands) that step is far too large and
the fit diverges to NaN. Here the feature is standardised first: the mean
squared error then has the Hessian ``2 * [[mean(z^2), mean(z)], [mean(z), 1]]``,
which is twice the identity, so the step ``1 / L`` (L the largest eigenvalue,
the gradient's Lipschitz constant) is safe and optimal. Descent stops when the
MSE improves by less than ``tolerance`` (relative) or after ``max_epochs``;
the per-epoch MSE curve is kept (``mse_curve[i]`` after ``i`` updates), and the
fit reports RMSE and R^2. An MSE that rises is a learning rate too large for
the data: that is an error, not a result.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from chatops.errors import InputError

Array = npt.NDArray[np.float64]
_EPS = float(np.finfo(np.float64).eps)


@dataclass(frozen=True)
class LinearFit:
    """``y = slope * x + intercept`` with how well it fits and how the descent went."""

    slope: float
    intercept: float
    rmse: float
    r2: float
    n: int
    x_min: float
    x_max: float
    epochs: int
    converged: bool
    learning_rate: float
    mse_curve: tuple[float, ...]

    def predict(self, x: float) -> float:
        return self.slope * x + self.intercept


def check_columns(x: Array, y: Array, *, x_name: str = "x", y_name: str = "y") -> None:
    """Raise a chat-readable ``InputError`` unless a line can be fitted to these columns."""
    if x.shape != y.shape or x.ndim != 1:
        raise InputError(f"The columns {x_name} and {y_name} must have the same number of values.")
    if len(x) < 2:
        raise InputError(f"A line needs at least two rows of data; this data set has {len(x)}.")
    for name, values in ((x_name, x), (y_name, y)):
        if not np.all(np.isfinite(values)):
            raise InputError(f"The column {name} contains a value that is not a finite number.")
    if float(np.ptp(x)) == 0.0:
        raise InputError(f"Every {x_name} is {x[0]:g}, so no line can be fitted: {x_name} must vary.")


def fit_gradient_descent(
    x: Array,
    y: Array,
    *,
    learning_rate: float | None = None,
    tolerance: float = 1e-12,
    max_epochs: int = 10_000,
) -> LinearFit:
    """Fit ``y ~ x`` by batch gradient descent on the standardised feature.

    ``learning_rate`` defaults to ``1 / L`` for the standardised problem (0.5);
    a smaller one converges geometrically and needs more epochs.
    """
    check_columns(x, y)
    n = len(x)
    # Passes over the data are the cost on a million rows: standardise in place, reuse one residual buffer.
    mean = float(x.mean())
    z = x - mean
    std = math.sqrt(float(z @ z) / n)
    z /= std
    rate = learning_rate if learning_rate is not None else 1.0 / _lipschitz(z)
    w = b = 0.0
    residual = -y
    curve = [float(residual @ residual) / n]
    converged = False
    for _ in range(max_epochs):
        w -= rate * 2.0 * float(residual @ z) / n
        b -= rate * 2.0 * float(residual.sum()) / n
        np.multiply(z, w, out=residual)
        residual += b
        residual -= y
        mse = float(residual @ residual) / n
        change = curve[-1] - mse
        # Changes smaller than the rounding noise of the MSE itself (residuals carry errors of eps * |y|) are noise.
        floor = 8 * _EPS * math.sqrt(curve[0] * mse) + 1e-28 * curve[0]
        curve.append(mse)
        if not math.isfinite(mse) or change < -(tolerance * mse + floor):
            raise ValueError(f"gradient descent diverged at learning rate {rate}; use a smaller one")
        if change <= tolerance * mse + floor:  # (a rise within the tolerance is rounding at the minimum)
            converged = True
            break
    slope, intercept = w / std, b - w * mean / std
    # The last MSE is the training MSE of the final line (computed in standardised form).
    variance = float(np.var(y))
    r2 = 1.0 - curve[-1] / variance if variance > 0 else 1.0
    return LinearFit(
        slope=slope, intercept=intercept, rmse=math.sqrt(curve[-1]), r2=r2, n=n,
        x_min=float(x.min()), x_max=float(x.max()),
        epochs=len(curve) - 1, converged=converged, learning_rate=rate, mse_curve=tuple(curve),
    )


def fit_least_squares(x: Array, y: Array) -> tuple[float, float]:
    """The closed-form least-squares ``(slope, intercept)``: the check for gradient descent.

    x is centred first: lots of 117,924.000 to 117,924.001 sq ft would make the raw
    design matrix too ill-conditioned for ``lstsq`` to get the slope right.
    """
    mean = float(x.mean())
    design = np.column_stack((x - mean, np.ones_like(x)))
    (slope, level), *_ = np.linalg.lstsq(design, y, rcond=None)
    return float(slope), float(level - slope * mean)


def goodness(x: Array, y: Array, slope: float, intercept: float) -> tuple[float, float]:
    """Training RMSE and R^2 of a line."""
    residual = slope * x + intercept - y
    sse = float(residual @ residual)
    centred = y - y.mean()
    sst = float(centred @ centred)
    return math.sqrt(sse / len(x)), (1.0 - sse / sst) if sst > 0 else 1.0


def _lipschitz(z: Array) -> float:
    """The largest eigenvalue of the MSE's Hessian in (w, b): 2 for a standardised feature, up to rounding."""
    m1, m2 = float(z.mean()), float(z @ z) / len(z)
    return float(np.linalg.eigvalsh(2.0 * np.array([[m2, m1], [m1, 1.0]]))[-1])
