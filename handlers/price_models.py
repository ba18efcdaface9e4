"""Fitted price models, one per data set version, fitted in a worker thread and kept for reuse.

A ``PriceModels`` is the prices table's resource: the server opens one per app,
so the cache lives as long as the app and no module-level state is needed.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from chatops.fulfillment import Image
from chatops.store.base import Dataset
from handlers.datasets import columns
from handlers.price_plot import MAX_POINTS
from handlers.regression import Array, LinearFit, fit_gradient_descent

_Key = tuple[str, float, str, str, int]


@dataclass(frozen=True)
class PriceModel:
    """A data set's fitted line, with a sample of its points for the chart."""

    dataset: str
    x_name: str
    y_name: str
    fit: LinearFit
    sample_x: Array
    sample_y: Array
    # Answers' charts by the asked-about area: a chart depends on nothing else, and drawing one was an eighth of a turn.
    charts: OrderedDict[float, Image] = field(default_factory=OrderedDict, compare=False, repr=False)

    def chart(self, area: float, draw: Callable[[], Image], *, keep: int = 32) -> Image:
        """The chart for ``area``, drawn by ``draw`` the first time; the ``keep`` most recent are kept."""
        if area in self.charts:
            self.charts.move_to_end(area)
            return self.charts[area]
        drawn = self.charts[area] = draw()
        while len(self.charts) > keep:
            self.charts.popitem(last=False)
        return drawn


class PriceModels:
    """Fits each data set once (per upload) and keeps the last ``capacity`` models."""

    def __init__(self, *, capacity: int = 16) -> None:
        self.capacity = capacity
        self.fits = 0
        self._models: OrderedDict[_Key, PriceModel] = OrderedDict()
        self._locks: dict[_Key, asyncio.Lock] = {}

    async def model(self, dataset: Dataset) -> PriceModel:
        """The fitted model of ``dataset``; concurrent first requests share one fit."""
        # A re-upload under the same name gets a new created_at (and usually a new size): a new key.
        key = (dataset.name, dataset.created_at, dataset.x, dataset.y, len(dataset.csv))
        async with self._locks.setdefault(key, asyncio.Lock()):
            if key in self._models:
                self._models.move_to_end(key)
                return self._models[key]
            try:
                model = await asyncio.to_thread(_fit, dataset)
            finally:
                self._locks.pop(key, None)
            self.fits += 1
            self._models[key] = model
            while len(self._models) > self.capacity:
                self._models.popitem(last=False)
            return model


def _fit(dataset: Dataset) -> PriceModel:
    x, y = columns(dataset)
    keep = np.unique(np.linspace(0, len(x) - 1, min(len(x), MAX_POINTS)).astype(int))
    return PriceModel(dataset.name, dataset.x, dataset.y, fit_gradient_descent(x, y), x[keep].copy(), y[keep].copy())
