"""The price chart as a PNG, for channels that don't show SVG (Slack renders neither SVG files nor inline SVG).

Pillow draws it: a PNG encoder is a few lines, but axis labels need a font
rasteriser, and Pillow ships FreeType and a font in its wheel. The picture is
drawn at twice the plot's size so it stays sharp on high-density screens.
"""

from __future__ import annotations

import io
import math

from PIL import Image, ImageDraw, ImageFont

from handlers.price_plot import AXIS, BOTTOM, GRID, HEIGHT, LEFT, LINE, POINT, QUERY, RIGHT, TOP, WIDTH, Plot

SCALE = 2
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def chart_png(plot: Plot) -> bytes:
    """A PNG of ``plot``, ``SCALE`` times its size; blocking (tens of milliseconds), so call it off the event loop."""
    image = Image.new("RGB", (WIDTH * SCALE, HEIGHT * SCALE), "white")
    draw = ImageDraw.Draw(image, "RGBA")
    small, large = _font(12), _font(15)
    draw.text((_s(WIDTH / 2), _s(24)), plot.title, fill="black", font=large, anchor="ms")
    _axes(image, draw, plot, small)
    _points(draw, plot)
    draw.line([_s(v) for v in plot.line], fill=LINE, width=_s(2.5))
    _query(draw, plot, small)
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=6)
    return out.getvalue()


def _s(value: float) -> int:
    return round(value * SCALE)


def _font(size: int) -> Font:
    return ImageFont.load_default(size=size * SCALE)


def _axes(image: Image.Image, draw: ImageDraw.ImageDraw, plot: Plot, font: Font) -> None:
    bottom, right = HEIGHT - BOTTOM, WIDTH - RIGHT
    for tick in plot.y_ticks:
        draw.line((_s(LEFT - 5), _s(tick.at), _s(right), _s(tick.at)), fill=GRID, width=SCALE)
        draw.text((_s(LEFT - 8), _s(tick.at)), tick.label, fill="black", font=font, anchor="rm")
    for tick in plot.x_ticks:
        draw.line((_s(tick.at), _s(bottom), _s(tick.at), _s(bottom + 5)), fill=AXIS, width=SCALE)
        draw.text((_s(tick.at), _s(bottom + 18)), tick.label, fill="black", font=font, anchor="ms")
    draw.line([(_s(LEFT), _s(TOP)), (_s(LEFT), _s(bottom)), (_s(right), _s(bottom))], fill=AXIS, width=SCALE)
    draw.text((_s((LEFT + right) / 2), _s(HEIGHT - 12)), plot.x_label, fill="black", font=font, anchor="ms")
    _vertical_text(image, (_s(16), _s((TOP + bottom) / 2)), plot.y_label, font)


def _vertical_text(image: Image.Image, centre: tuple[int, int], text: str, font: Font) -> None:
    """Text turned a quarter left, as the y axis's name is read."""
    left, top, right, bottom = font.getbbox(text)
    strip = Image.new("L", (int(right - left) + 2, int(bottom - top) + 2), 0)
    ImageDraw.Draw(strip).text((1 - left, 1 - top), text, fill=255, font=font)
    turned = strip.rotate(90, expand=True)
    image.paste("black", (centre[0] - turned.width // 2, centre[1] - turned.height // 2), turned)


def _points(draw: ImageDraw.ImageDraw, plot: Plot) -> None:
    radius, colour = 2.5 * SCALE, _rgba(POINT, 0.45)
    for x, y in zip((plot.xs * SCALE).tolist(), (plot.ys * SCALE).tolist()):
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=colour)


def _query(draw: ImageDraw.ImageDraw, plot: Plot, font: Font) -> None:
    qx, qy = plot.query
    _dashed(draw, [(qx, HEIGHT - BOTTOM), (qx, qy), (LEFT, qy)])
    radius = 6 * SCALE
    draw.ellipse(
        (_s(qx) - radius, _s(qy) - radius, _s(qx) + radius, _s(qy) + radius), fill=QUERY, outline="white", width=_s(1.5)
    )
    x, anchor = (qx - 9, "rs") if plot.label_on_left else (qx + 9, "ls")
    draw.text(
        (_s(x), _s(plot.label_y)), plot.query_label, fill=QUERY, font=font, anchor=anchor,
        stroke_width=_s(1.5), stroke_fill="white",
    )


def _dashed(draw: ImageDraw.ImageDraw, path: list[tuple[float, float]], dash: float = 4, gap: float = 3) -> None:
    """A dashed polyline (Pillow draws only solid ones), dash and gap in plot pixels."""
    for (x0, y0), (x1, y1) in zip(path, path[1:]):
        length = math.hypot(x1 - x0, y1 - y0)
        start = 0.0
        while start < length:
            end = min(start + dash, length)
            a, b = start / length, end / length
            draw.line((_s(x0 + (x1 - x0) * a), _s(y0 + (y1 - y0) * a), _s(x0 + (x1 - x0) * b), _s(y0 + (y1 - y0) * b)),
                      fill=QUERY, width=SCALE)
            start = end + gap


def _rgba(colour: str, alpha: float) -> tuple[int, int, int, int]:
    rgb = int(colour[1:], 16)
    return rgb >> 16, (rgb >> 8) & 0xFF, rgb & 0xFF, round(alpha * 255)
