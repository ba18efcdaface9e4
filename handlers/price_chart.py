"""The price chart as a hand-written SVG, for the widget: crisp at any size and cheap to make.

SVG keeps matplotlib out of the dependencies. Slack does not show SVG files, so
Slack gets the same plot as a PNG (``price_chart_png``).
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from handlers.price_plot import AXIS, BOTTOM, GRID, HEIGHT, LEFT, LINE, POINT, QUERY, RIGHT, TOP, WIDTH, Plot


def chart_svg(plot: Plot) -> bytes:
    """An SVG document of ``plot``."""
    # Formatted in one pass: the scatter is most of the chart's cost.
    points = "".join(map('<circle cx="{:.1f}" cy="{:.1f}" r="2.5"/>'.format, plot.xs.tolist(), plot.ys.tolist()))
    (lx0, ly0, lx1, ly1), (qx, qy) = plot.line, plot.query
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}"'
        ' font-family="sans-serif" font-size="12">',
        f"<title>{escape(plot.title)}</title>",
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{WIDTH / 2}" y="24" text-anchor="middle" font-size="15">{escape(plot.title)}</text>',
        *_axes(plot),
        f'<g fill="{POINT}" fill-opacity="0.45">{points}</g>',
        f'<line x1="{lx0:.1f}" y1="{ly0:.1f}" x2="{lx1:.1f}" y2="{ly1:.1f}" stroke="{LINE}" stroke-width="2.5"/>',
        f'<path d="M{qx:.1f},{HEIGHT - BOTTOM}V{qy:.1f}H{LEFT}" fill="none" stroke="{QUERY}" stroke-dasharray="4 3"/>',
        f'<circle cx="{qx:.1f}" cy="{qy:.1f}" r="6" fill="{QUERY}" stroke="white" stroke-width="1.5"/>',
        _label(plot),
        "</svg>",
    ]
    return "\n".join(parts).encode("utf-8")


def _axes(plot: Plot) -> list[str]:
    bottom, left = HEIGHT - BOTTOM, LEFT
    out = [f'<path d="M{left},{TOP}V{bottom}H{WIDTH - RIGHT}" fill="none" stroke="{AXIS}"/>']
    for tick in plot.x_ticks:
        out.append(f'<line x1="{tick.at:.1f}" y1="{bottom}" x2="{tick.at:.1f}" y2="{bottom + 5}" stroke="{AXIS}"/>')
        out.append(f'<text x="{tick.at:.1f}" y="{bottom + 18}" text-anchor="middle">{tick.label}</text>')
    for tick in plot.y_ticks:
        out.append(f'<line x1="{left - 5}" y1="{tick.at:.1f}" x2="{WIDTH - RIGHT}" y2="{tick.at:.1f}" stroke="{GRID}"/>')
        out.append(f'<text x="{left - 8}" y="{tick.at + 4:.1f}" text-anchor="end">{tick.label}</text>')
    out.append(f'<text x="{(left + WIDTH - RIGHT) / 2}" y="{HEIGHT - 12}" text-anchor="middle">{escape(plot.x_label)}</text>')
    out.append(
        f'<text transform="translate(16 {(TOP + bottom) / 2}) rotate(-90)" text-anchor="middle">{escape(plot.y_label)}</text>'
    )
    return out


def _label(plot: Plot) -> str:
    """The query point's label, haloed so the points behind don't hide it."""
    x, anchor = (plot.query[0] - 9, "end") if plot.label_on_left else (plot.query[0] + 9, "start")
    return (
        f'<text x="{x:.1f}" y="{plot.label_y:.1f}" text-anchor="{anchor}" fill="{QUERY}" font-weight="bold" '
        f'stroke="white" stroke-width="3" paint-order="stroke">{escape(plot.query_label)}</text>'
    )
