"""The hand-written exposition, read back by prometheus-client's parser (an independent implementation)."""

from __future__ import annotations

import math

import pytest
from prometheus_client.parser import text_string_to_metric_families

from chatops.observability.metrics import Counter, Gauge, Histogram, Registry


def parsed(registry: Registry) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    """{sample name: {sorted labels: value}} as Prometheus reads the text."""
    samples: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
    for family in text_string_to_metric_families(registry.render()):
        for sample in family.samples:
            samples.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return samples


def test_counter_and_gauge_values_round_trip_with_awkward_label_values() -> None:
    registry = Registry()
    requests = registry.add(Counter("t_requests_total", "Requests.\nTwo lines, a \\ too.", ("route", "status")))
    flight = registry.add(Gauge("t_in_flight", "In flight."))
    awkward = 'say "hi"\\ \n next line'
    requests.inc(awkward, "200")
    requests.inc(awkward, "200", amount=2.5)
    requests.inc("/x", "500")
    flight.add(3)
    flight.add(-1)
    samples = parsed(registry)
    assert samples["t_requests_total"] == {(("route", awkward), ("status", "200")): 3.5, (("route", "/x"), ("status", "500")): 1.0}
    assert samples["t_in_flight"] == {(): 2.0}


def test_histogram_buckets_are_cumulative_with_sum_and_count() -> None:
    registry = Registry()
    latency = registry.add(Histogram("t_seconds", "Latency.", ("action",), buckets=(0.1, 1.0)))
    for value in (0.05, 0.1, 0.5, 3.0):  # 0.1 lands in le=0.1: buckets are upper-inclusive
        latency.observe(value, "a")
    samples = parsed(registry)
    buckets = {dict(labels)["le"]: value for labels, value in samples["t_seconds_bucket"].items()}
    assert {float(le): v for le, v in buckets.items()} == {0.1: 2.0, 1.0: 3.0, math.inf: 4.0}
    assert samples["t_seconds_count"] == {(("action", "a"),): 4.0}
    assert samples["t_seconds_sum"][(("action", "a"),)] == pytest.approx(3.65)
    assert latency.count("a") == 4 and latency.count("b") == 0


def test_a_family_without_samples_still_declares_itself() -> None:
    registry = Registry()
    registry.add(Counter("t_never_total", "Never incremented.", ("x",)))
    text = registry.render()
    assert text == "# HELP t_never_total Never incremented.\n# TYPE t_never_total counter\n"
    assert [f.name for f in text_string_to_metric_families(text)] == ["t_never"]


def test_names_are_checked() -> None:
    registry = Registry()
    registry.add(Gauge("t_g", "g"))
    with pytest.raises(ValueError, match="already registered"):
        registry.add(Gauge("t_g", "again"))
    with pytest.raises(ValueError, match="_total"):
        Counter("t_requests", "no suffix")
    with pytest.raises(ValueError, match="reserved"):
        Histogram("t_h", "h", ("le",))
