"""The charts: the SVG well-formed, every point (up to a cap), the line, the asked-about lot inside the picture; the PNG the same plot."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image

from handlers.price_chart import chart_svg
from handlers.price_chart_png import SCALE, chart_png
from handlers.price_plot import HEIGHT, LINE, MAX_POINTS, QUERY, WIDTH, Plot, compact, plot
from handlers.regression import fit_gradient_descent

SVG = "{http://www.w3.org/2000/svg}"


def laid_out(x: np.ndarray, y: np.ndarray, query_x: float, title: str = "price against lotsize") -> Plot:
    fit = fit_gradient_descent(x, y)
    return plot(
        x, y, fit, query=(query_x, fit.predict(query_x)), query_label="$67,100",
        x_label="lotsize (sq ft)", y_label="price", title=title,
    )


def draw(x: np.ndarray, y: np.ndarray, query_x: float, title: str = "price against lotsize") -> ET.Element:
    return ET.fromstring(chart_svg(laid_out(x, y, query_x, title)))


def windsor_like(n: int = 546) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    x = rng.uniform(1650, 16200, n)
    return x, 6.6 * x + 34000 + rng.normal(0, 20000, n)


def circles(root: ET.Element) -> list[ET.Element]:
    return list(root.iter(f"{SVG}circle"))


def inside(circle: ET.Element) -> bool:
    return 0 <= float(circle.get("cx", -1)) <= WIDTH and 0 <= float(circle.get("cy", -1)) <= HEIGHT


@pytest.mark.parametrize("query_x", [5000.0, 90_000.0, 100.0])
def test_points_line_and_query_are_all_in_the_picture(query_x: float) -> None:
    x, y = windsor_like()
    root = draw(x, y, query_x)

    dots = circles(root)
    assert len(dots) == 546 + 1
    assert all(inside(c) for c in dots)
    query = dots[-1]
    assert query.get("fill") == "#d62728" and query.get("r") == "6"
    (line,) = [e for e in root.iter(f"{SVG}line") if e.get("stroke") == "#ff7f0e"]
    assert all(0 <= float(line.get(k, -1)) <= WIDTH for k in ("x1", "x2"))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert {"price against lotsize", "$67,100", "lotsize (sq ft)", "price"} <= set(texts)


def test_a_large_data_set_is_sampled() -> None:
    x = np.arange(50_000, dtype=np.float64)
    root = draw(x, 2 * x + 1, 100.0)
    assert len(circles(root)) == MAX_POINTS + 1


def test_names_are_escaped() -> None:
    x = np.array([1.0, 2.0, 3.0])
    root = draw(x, x * 2, 2.0, title='price <in "dollars"> & cents')
    assert root.find(f"{SVG}title").text == 'price <in "dollars"> & cents'  # type: ignore[union-attr]


@pytest.mark.parametrize(("value", "label"), [(0, "0"), (250, "250"), (20_000, "20k"), (1_500_000, "1.5M"), (-40_000, "-40k")])
def test_axis_labels_are_compact(value: float, label: str) -> None:
    assert compact(value) == label


def rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


@pytest.mark.parametrize("query_x", [5000.0, 90_000.0, 100.0])
def test_the_png_draws_the_same_plot(query_x: float) -> None:
    x, y = windsor_like()
    laid = laid_out(x, y, query_x)
    picture = Image.open(io.BytesIO(chart_png(laid))).convert("RGB")
    assert picture.size == (WIDTH * SCALE, HEIGHT * SCALE)
    qx, qy = laid.query
    assert picture.getpixel((round(qx * SCALE), round(qy * SCALE))) == rgb(QUERY)
    lx0, ly0, lx1, ly1 = laid.line
    middle = ((lx0 + lx1) / 2 * SCALE, (ly0 + ly1) / 2 * SCALE)
    assert picture.getpixel((round(middle[0]), round(middle[1]))) == rgb(LINE)


def test_the_png_writes_its_title_and_axis_names() -> None:
    x, y = windsor_like()
    picture = Image.open(io.BytesIO(chart_png(laid_out(x, y, 5000.0)))).convert("L")
    title_band = picture.crop((0, 0, WIDTH * SCALE, 30 * SCALE))
    y_name_band = picture.crop((0, 44 * SCALE, 26 * SCALE, (HEIGHT - 52) * SCALE))
    assert title_band.getextrema()[0] < 64 and y_name_band.getextrema()[0] < 64
    blank = picture.crop((0, (HEIGHT - 8) * SCALE, 20 * SCALE, HEIGHT * SCALE))
    assert blank.getextrema() == (255, 255)
