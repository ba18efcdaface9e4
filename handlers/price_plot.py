"""The price chart's geometry, in pixels: computed once and drawn by the SVG and the PNG renderer alike.

Keeping the layout apart from the drawing means the two pictures can't disagree
on where a point, a tick or the asked-about lot is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from handlers.regression import Array, LinearFit

WIDTH, HEIGHT = 640, 400
LEFT, RIGHT, TOP, BOTTOM = 72, 24, 44, 52
# Enough points to show the cloud's shape; a million circles would make a 60 MB picture.
MAX_POINTS = 1500

POINT, LINE, QUERY, AXIS, GRID = "#1f77b4", "#ff7f0e", "#d62728", "#333333", "#eeeeee"


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True)
class Plot:
    """Everything the renderers draw, in pixel coordinates of a ``WIDTH`` x ``HEIGHT`` picture."""

    title: str
    x_label: str
    y_label: str
    xs: Array
    ys: Array
    line: tuple[float, float, float, float]
    query: tuple[float, float]
    query_label: str
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]

    @property
    def label_on_left(self) -> bool:
        """The query's label goes left of the point when the point is near the right edge."""
        return self.query[0] > WIDTH * 0.7

    @property
    def label_y(self) -> float:
        """Above the point, unless that would leave the picture's top."""
        qy = self.query[1]
        return qy - 9 if qy > TOP + 20 else qy + 20


def plot(
    x: Array,
    y: Array,
    fit: LinearFit,
    *,
    query: tuple[float, float],
    query_label: str,
    x_label: str,
    y_label: str,
    title: str,
) -> Plot:
    """Lay out ``x``/``y``, the line of ``fit`` and the ``query`` point so all of them are inside the picture."""
    qx, qy = query
    x0, x1 = _padded(min(float(x.min()), qx), max(float(x.max()), qx))
    ends = (fit.predict(x0), fit.predict(x1))
    y0, y1 = _padded(min(float(y.min()), *ends, qy), max(float(y.max()), *ends, qy))

    def px(value: Array | float) -> Array | float:
        return LEFT + (value - x0) / (x1 - x0) * (WIDTH - LEFT - RIGHT)

    def py(value: Array | float) -> Array | float:
        return HEIGHT - BOTTOM - (value - y0) / (y1 - y0) * (HEIGHT - TOP - BOTTOM)

    keep = np.unique(np.linspace(0, len(x) - 1, min(len(x), MAX_POINTS)).astype(int))
    return Plot(
        title=title, x_label=x_label, y_label=y_label,
        xs=np.asarray(px(x[keep])), ys=np.asarray(py(y[keep])),
        line=(float(px(x0)), float(py(ends[0])), float(px(x1)), float(py(ends[1]))),
        query=(float(px(qx)), float(py(qy))), query_label=query_label,
        x_ticks=tuple(Tick(float(px(t)), compact(t)) for t in _ticks(x0, x1)),
        y_ticks=tuple(Tick(float(py(t)), compact(t)) for t in _ticks(y0, y1)),
    )


def _padded(low: float, high: float) -> tuple[float, float]:
    pad = (high - low) * 0.05 or abs(high) * 0.05 or 1.0
    return low - pad, high + pad


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round-numbered ticks (steps of 1, 2 or 5 times a power of ten) inside ``[low, high]``."""
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    first = math.ceil(low / step) * step
    return [first + i * step for i in range(int((high - first) / step) + 1)]


def compact(value: float) -> str:
    """A short axis label: 20k, 1.5M, 250."""
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{suffix}"
    return f"{value:.3g}"
