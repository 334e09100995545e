"""Percentiles and latency summaries shared by every benchmark."""

import statistics
from dataclasses import dataclass


def percentile(values: list[float], fraction: float) -> float:
    """The `fraction` (0.5 for the median, 0.99 for p99) percentile of `values`, inclusive method.

    Needs at least two values; with fewer than 100 the high percentiles interpolate towards the maximum."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(fraction * 100) - 1]


@dataclass(frozen=True)
class Summary:
    """Latencies in milliseconds: how many, and their p50, p95, p99 and maximum."""

    count: int
    p50: float
    p95: float
    p99: float
    max: float

    def line(self) -> str:
        """`p50 1.2 / p95 3.4 / p99 5.6 ms (n=100)`."""
        return f"p50 {self.p50:.1f} / p95 {self.p95:.1f} / p99 {self.p99:.1f} ms (n={self.count})"


def summarise(latencies_ms: list[float]) -> Summary | None:
    """The summary of `latencies_ms`, or None when there are none."""
    if not latencies_ms:
        return None
    return Summary(len(latencies_ms), percentile(latencies_ms, 0.5), percentile(latencies_ms, 0.95), percentile(latencies_ms, 0.99), max(latencies_ms))
