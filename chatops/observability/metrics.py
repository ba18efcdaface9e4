"""Prometheus metrics: counters, histograms and gauges rendered in the text exposition format (0.0.4).

Written by hand rather than with prometheus-client: the service needs three
metric kinds, one registry per app (prometheus-client's default registry is a
process-wide singleton tests would share) and a gauge read from the store at
scrape time, which is an async call its collectors cannot make. The format is
checked in tests against prometheus-client's own parser.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from typing import Iterable, Iterator

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Seconds: chat turns answer in milliseconds, handlers calling clusters or AWS in seconds.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

Labels = tuple[str, ...]
Sample = tuple[str, Labels, Labels, float]  # name suffix, label names, label values, value


def _escape_label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _number(value: float) -> str:
    value = float(value)
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if math.isnan(value):
        return "NaN"
    return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)


class Metric:
    """A named family with fixed label names; subclasses hold the values."""

    kind = "untyped"

    def __init__(self, name: str, help: str, labels: Labels = ()) -> None:
        self.name = name
        self.help = help
        self.labels = labels

    def samples(self) -> Iterator[Sample]:
        raise NotImplementedError

    def render(self) -> Iterator[str]:
        yield f"# HELP {self.name} {_escape_help(self.help)}"
        yield f"# TYPE {self.name} {self.kind}"
        for suffix, names, values, value in self.samples():
            pairs = ",".join(f'{n}="{_escape_label(v)}"' for n, v in zip(names, values))
            yield f"{self.name}{suffix}{{{pairs}}} {_number(value)}" if pairs else f"{self.name}{suffix} {_number(value)}"


class Counter(Metric):
    """A value that only goes up, one per combination of label values."""

    kind = "counter"

    def __init__(self, name: str, help: str, labels: Labels = ()) -> None:
        if not name.endswith("_total"):
            raise ValueError(f"counter {name} must end in _total")
        super().__init__(name, help, labels)
        self._values: dict[Labels, float] = {}

    def inc(self, *values: str, amount: float = 1.0) -> None:
        self._values[values] = self._values.get(values, 0.0) + amount

    def value(self, *values: str) -> float:
        return self._values.get(values, 0.0)

    def samples(self) -> Iterator[Sample]:
        for values, value in sorted(self._values.items()):
            yield "", self.labels, values, value


class Gauge(Metric):
    """A value set from outside (in-flight requests, jobs read from the store)."""

    kind = "gauge"

    def __init__(self, name: str, help: str, labels: Labels = ()) -> None:
        super().__init__(name, help, labels)
        self._values: dict[Labels, float] = {}

    def set(self, value: float, *values: str) -> None:
        self._values[values] = value

    def add(self, amount: float, *values: str) -> None:
        self._values[values] = self._values.get(values, 0.0) + amount

    def value(self, *values: str) -> float:
        return self._values.get(values, 0.0)

    def samples(self) -> Iterator[Sample]:
        for values, value in sorted(self._values.items()):
            yield "", self.labels, values, value


class _Series:
    __slots__ = ("counts", "sum")

    def __init__(self, size: int) -> None:
        self.counts = [0] * size
        self.sum = 0.0


class Histogram(Metric):
    """Observations counted into cumulative buckets, with their sum and count."""

    kind = "histogram"

    def __init__(self, name: str, help: str, labels: Labels = (), buckets: tuple[float, ...] = LATENCY_BUCKETS) -> None:
        if "le" in labels:
            raise ValueError("'le' is reserved for histogram buckets")
        super().__init__(name, help, labels)
        self.buckets = tuple(sorted(buckets))
        self._series: dict[Labels, _Series] = {}

    def observe(self, amount: float, *values: str) -> None:
        series = self._series.get(values)
        if series is None:
            series = self._series[values] = _Series(len(self.buckets) + 1)
        # Stored per bucket (not cumulative) so an observation costs one increment.
        series.counts[bisect_left(self.buckets, amount)] += 1
        series.sum += amount

    def count(self, *values: str) -> int:
        series = self._series.get(values)
        return sum(series.counts) if series else 0

    def samples(self) -> Iterator[Sample]:
        names = (*self.labels, "le")
        for values, series in sorted(self._series.items()):
            running = 0
            for bound, count in zip((*self.buckets, math.inf), series.counts):
                running += count
                yield "_bucket", names, (*values, _number(bound)), float(running)
            yield "_sum", self.labels, values, series.sum
            yield "_count", self.labels, values, float(running)


class Registry:
    """The metrics of one app, rendered in registration order."""

    def __init__(self) -> None:
        self._metrics: dict[str, Metric] = {}

    def add(self, metric: Metric) -> Metric:
        if metric.name in self._metrics:
            raise ValueError(f"metric {metric.name} is already registered")
        self._metrics[metric.name] = metric
        return metric

    def __iter__(self) -> Iterator[Metric]:
        return iter(self._metrics.values())

    def render(self) -> str:
        return render(self)


def render(metrics: Iterable[Metric]) -> str:
    """The text exposition of ``metrics``, ending with a newline as the format requires."""
    return "".join(line + "\n" for metric in metrics for line in metric.render())
