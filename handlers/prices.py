"""prices: what a lot would cost, by a line fitted to a data set of sales, with a chart.

``prices.predict`` takes ``area`` (``{"amount": 5000, "unit": "sq ft"}`` from the
area entity, or a number of square feet) and an optional ``dataset``;
``prices.use_dataset`` chooses the data set for the rest of the session. The
choice travels in the ``prices-dataset`` context (the conversation owns the
session record, so a context is how a handler's choice reaches the next turn).
Data set x columns are taken to be square feet.
"""

from __future__ import annotations

import math
from contextlib import asynccontextmanager
from functools import partial
from typing import Any, AsyncIterator, Mapping

from chatops.config import Settings
from chatops.fulfillment import HandlerCall, HandlerTable, Image, InputError, OutputContext, QuickReplies, Reply
from chatops.store.base import Dataset
from handlers.areas import Area, number, parse_area
from handlers.datasets import available, find_dataset, upload_dataset
from handlers.price_chart import chart_svg
from handlers.price_models import PriceModel, PriceModels
from handlers.price_plot import Plot, plot

table = HandlerTable("prices")

DATASET_CONTEXT = "prices-dataset"
_DATASET_LIFESPAN = 1000
# The range quoted with an estimate: about 95% of sales if the residuals were normal.
Z_95 = 1.96


@table.resource(PriceModels)
@asynccontextmanager
async def open_models(settings: Settings) -> AsyncIterator[PriceModels]:
    yield PriceModels()


@table.action("prices.predict")
async def prices_predict(call: HandlerCall) -> Reply:
    """Estimate the price of a lot of the given area."""
    if call.param("area") is None:
        raise InputError("How big is the lot? Say something like 'what would a 5000 sq ft lot cost?'")
    area = parse_area(call.param("area"))
    dataset = await find_dataset(call.store, _dataset_name(call))
    model = await call.resources.get(PriceModels).model(dataset)
    return _estimate(model, area, dataset)


@table.action("prices.use_dataset")
async def prices_use_dataset(call: HandlerCall) -> Reply:
    """Choose the data set later estimates use (and fit it now, so a problem shows at once)."""
    name = call.param("dataset")
    if name is None:
        names = await available(call.store)
        return Reply(
            text=f"Which data set? I have: {', '.join(names)}.",
            parts=(QuickReplies(tuple(f"use dataset {n}" for n in names[:5])),),
        )
    dataset = await find_dataset(call.store, str(name))
    model = await call.resources.get(PriceModels).model(dataset)
    fit = model.fit
    example = round(_round_sig((fit.x_min + fit.x_max) / 2, 2))
    return Reply(
        text=(
            f"Now using {dataset.name}: {fit.n:,} rows, {dataset.y} against {dataset.x}. "
            f"{_line(model)}\nAsk me something like 'how much for a lot of {example} sq ft?'"
        ),
        parts=(QuickReplies((f"how much for a lot of {example} sq ft?",)),),
        contexts=(OutputContext(DATASET_CONTEXT, lifespan=_DATASET_LIFESPAN, parameters={"name": dataset.name}),),
        data={"dataset": dataset.name, "rows": fit.n, "slope": fit.slope, "intercept": fit.intercept, "rmse": fit.rmse, "r2": fit.r2},
    )


@table.action("prices.upload_dataset")
async def prices_upload_dataset(call: HandlerCall) -> Reply:
    """Store an uploaded CSV as a data set (reached from the REST API and Slack file shares, not by an intent)."""
    upload = await upload_dataset(
        call.store, str(call.param("name", "")), str(call.param("csv", "")),
        x=str(call.param("x", "")), y=str(call.param("y", "")), owner=call.principal.id,
    )
    return Reply(text=upload.message, data={"dataset": upload.dataset.name, "rows": upload.rows})


def _dataset_name(call: HandlerCall) -> str:
    chosen = _context(call, DATASET_CONTEXT).get("name")
    return str(call.param("dataset") or chosen or call.settings.prices.dataset)


def _context(call: HandlerCall, name: str) -> Mapping[str, Any]:
    return next((c.parameters for c in call.contexts if c.name.rsplit("/", 1)[-1].lower() == name), {})


def _estimate(model: PriceModel, area: Area, dataset: Dataset) -> Reply:
    fit, sq_ft = model.fit, area.square_feet
    price = fit.predict(sq_ft)
    low, high = price - Z_95 * fit.rmse, price + Z_95 * fit.rmse
    outside = not fit.x_min <= sq_ft <= fit.x_max
    about = f"{_line(model)} Based on {dataset.name} ({fit.n:,} rows)."
    if price <= 0:
        text = (
            f"For a lot of {area.describe()} the fitted line gives no positive price, so I can't estimate one: "
            f"the data set's lots run from {number(fit.x_min)} to {number(fit.x_max)} sq ft.\n{about}"
        )
    else:
        likely = f"between {money(low)} and {money(high)}" if low > 0 else f"under {money(high)}"
        text = f"A house on a lot of {area.describe()} would cost about {money(price)} (likely {likely}).\n{about}"
        if outside:
            text += (
                f"\nCareful: {number(sq_ft)} sq ft is outside the lots in {dataset.name} "
                f"({number(fit.x_min)} to {number(fit.x_max)} sq ft), so this is an extrapolation and may be far off."
            )
    chart = model.chart(sq_ft, lambda: _chart(model, dataset, sq_ft, price))
    bigger = round(_round_sig(sq_ft * 2, 2))
    return Reply(
        text=text,
        parts=(chart, QuickReplies((f"how much for a lot of {bigger} sq ft?",))),
        data={
            "dataset": dataset.name, "rows": fit.n, "area_sq_ft": sq_ft, "estimate": price, "low": low, "high": high,
            "rmse": fit.rmse, "r2": fit.r2, "slope": fit.slope, "intercept": fit.intercept, "extrapolated": outside,
        },
    )


def _chart(model: PriceModel, dataset: Dataset, sq_ft: float, price: float) -> Image:
    laid_out = plot(
        model.sample_x, model.sample_y, model.fit,
        query=(sq_ft, price), query_label=money(price), x_label=f"{dataset.x} (sq ft)", y_label=dataset.y,
        title=f"{dataset.y} against {dataset.x} in {dataset.name}",
    )
    alt = f"{dataset.y} against {dataset.x} in {dataset.name}, with the fitted line and your {number(sq_ft)} sq ft lot"
    return Image(alt=alt, data=chart_svg(laid_out), mime="image/svg+xml", png=partial(_png, laid_out))


def _png(laid_out: Plot) -> bytes:
    # Pillow is imported when a channel first asks for a PNG (Slack): 2 MiB of every worker otherwise.
    from handlers.price_chart_png import chart_png

    return chart_png(laid_out)


def _line(model: PriceModel) -> str:
    fit = model.fit
    sign = "+" if fit.intercept >= 0 else "-"
    return (
        f"The fitted line is {model.y_name} = {fit.slope:.4g} x {model.x_name} {sign} {number(abs(round(fit.intercept)))} "
        f"(RMSE {number(round(fit.rmse))}, R² {fit.r2:.2f})."
    )


def money(value: float) -> str:
    """A price as people say it: three significant figures, "$67,100"."""
    return f"${number(_round_sig(value, 3))}"


def _round_sig(value: float, digits: int) -> float:
    if value == 0:
        return 0.0
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))
