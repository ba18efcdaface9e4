"""The price chart as a hand-written SVG: the data's points, the fitted line and the asked-about lot.

SVG keeps matplotlib out of the dependencies; the widget shows it inline and
Slack receives it as a file.
"""

from __future__ import annotations

import math
from typing import Callable
from xml.sax.saxutils import escape

import numpy as np

from handlers.regression import Array, LinearFit

WIDTH, HEIGHT = 640, 400
LEFT, RIGHT, TOP, BOTTOM = 72, 24, 44, 52
# Enough points to show the cloud's shape; a million circles would make a 60 MB picture.
MAX_POINTS = 1500


def chart_svg(
    x: Array,
    y: Array,
    fit: LinearFit,
    *,
    query: tuple[float, float],
    query_label: str,
    x_label: str,
    y_label: str,
    title: str,
) -> bytes:
    """An SVG document plotting ``x``/``y``, the line of ``fit`` and the ``query`` point with its label."""
    qx, qy = query
    x0, x1 = _padded(min(float(x.min()), qx), max(float(x.max()), qx))
    ends = (fit.predict(x0), fit.predict(x1))
    y0, y1 = _padded(min(float(y.min()), *ends, qy), max(float(y.max()), *ends, qy))

    def px(value: float) -> float:
        return LEFT + (value - x0) / (x1 - x0) * (WIDTH - LEFT - RIGHT)

    def py(value: float) -> float:
        return HEIGHT - BOTTOM - (value - y0) / (y1 - y0) * (HEIGHT - TOP - BOTTOM)

    keep = np.unique(np.linspace(0, len(x) - 1, min(len(x), MAX_POINTS)).astype(int))
    # Scaled with numpy and formatted in one pass: the scatter is most of the chart's cost.
    xs = LEFT + (x[keep] - x0) / (x1 - x0) * (WIDTH - LEFT - RIGHT)
    ys = HEIGHT - BOTTOM - (y[keep] - y0) / (y1 - y0) * (HEIGHT - TOP - BOTTOM)
    points = "".join(map('<circle cx="{:.1f}" cy="{:.1f}" r="2.5"/>'.format, xs.tolist(), ys.tolist()))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}"'
        ' font-family="sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{WIDTH / 2}" y="24" text-anchor="middle" font-size="15">{escape(title)}</text>',
        *_axes(x0, x1, y0, y1, px, py, x_label, y_label),
        f'<g fill="#1f77b4" fill-opacity="0.45">{points}</g>',
        f'<line x1="{px(x0):.1f}" y1="{py(ends[0]):.1f}" x2="{px(x1):.1f}" y2="{py(ends[1]):.1f}" stroke="#ff7f0e" stroke-width="2.5"/>',
        f'<path d="M{px(qx):.1f},{py(y0):.1f}V{py(qy):.1f}H{px(x0):.1f}" fill="none" stroke="#d62728" stroke-dasharray="4 3"/>',
        f'<circle cx="{px(qx):.1f}" cy="{py(qy):.1f}" r="6" fill="#d62728" stroke="white" stroke-width="1.5"/>',
        _label(px(qx), py(qy), query_label),
        "</svg>",
    ]
    return "\n".join(parts).encode("utf-8")


Scale = Callable[[float], float]


def _axes(x0: float, x1: float, y0: float, y1: float, px: Scale, py: Scale, x_label: str, y_label: str) -> list[str]:
    bottom, left = HEIGHT - BOTTOM, LEFT
    out = [f'<path d="M{left},{TOP}V{bottom}H{WIDTH - RIGHT}" fill="none" stroke="#333"/>']
    for tick in _ticks(x0, x1):
        out.append(f'<line x1="{px(tick):.1f}" y1="{bottom}" x2="{px(tick):.1f}" y2="{bottom + 5}" stroke="#333"/>')
        out.append(f'<text x="{px(tick):.1f}" y="{bottom + 18}" text-anchor="middle">{compact(tick)}</text>')
    for tick in _ticks(y0, y1):
        out.append(f'<line x1="{left - 5}" y1="{py(tick):.1f}" x2="{WIDTH - RIGHT}" y2="{py(tick):.1f}" stroke="#eee"/>')
        out.append(f'<text x="{left - 8}" y="{py(tick) + 4:.1f}" text-anchor="end">{compact(tick)}</text>')
    out.append(f'<text x="{(left + WIDTH - RIGHT) / 2}" y="{HEIGHT - 12}" text-anchor="middle">{escape(x_label)}</text>')
    out.append(
        f'<text transform="translate(16 {(TOP + bottom) / 2}) rotate(-90)" text-anchor="middle">{escape(y_label)}</text>'
    )
    return out


def _label(cx: float, cy: float, text: str) -> str:
    """The query point's label, kept inside the picture and haloed so the points behind don't hide it."""
    right = cx > WIDTH * 0.7
    x, anchor = (cx - 9, "end") if right else (cx + 9, "start")
    y = cy - 9 if cy > TOP + 20 else cy + 20
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="#d62728" font-weight="bold" '
        f'stroke="white" stroke-width="3" paint-order="stroke">{escape(text)}</text>'
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
