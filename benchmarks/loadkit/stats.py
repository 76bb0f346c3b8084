"""Latencies per kind of request, errors, throughput: recorded by the virtual users, summed up per phase."""

import math
import os
import threading
import time
from collections import Counter
from dataclasses import dataclass, field


def percentile(values: list[float], fraction: float) -> float:
    """Nearest rank: the smallest value with at least `fraction` of the values at or below it."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


@dataclass(frozen=True)
class Summary:
    kind: str
    requests: int
    errors: int
    p50: float
    p95: float
    p99: float

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "requests": self.requests,
            "errors": self.errors,
            "p50_ms": self.p50,
            "p95_ms": self.p95,
            "p99_ms": self.p99,
        }


@dataclass
class Recorder:
    """Thread-safe. A request counts from before it is sent until its whole answer is read; an error is an
    exception or an answer other than the one a browser would get (a redirect to the sign-in page, say)."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float, error: str = "") -> None:
        with self.lock:
            self.latencies.setdefault(kind, []).append(seconds * 1000)
            if error:
                self.errors[kind] += 1
                self.reasons[f"{kind}: {error}"] += 1

    def summary(self, kind: str, kinds: list[str] | None = None) -> Summary:
        """One kind, or several together under the name `kind` ("all")."""
        with self.lock:
            names = kinds if kinds is not None else [kind]
            values = [v for name in names for v in self.latencies.get(name, [])]
            errors = sum(self.errors[name] for name in names)
        return Summary(
            kind, len(values), errors, percentile(values, 0.5), percentile(values, 0.95), percentile(values, 0.99)
        )

    def count(self, kinds: list[str]) -> int:
        with self.lock:
            return sum(len(self.latencies.get(name, [])) for name in kinds)


class Timer:
    def __init__(self) -> None:
        self.start = time.perf_counter()

    def seconds(self) -> float:
        return time.perf_counter() - self.start


def loadavg() -> str:
    try:
        with open("/proc/loadavg") as source:
            return " ".join(source.read().split()[:3])
    except OSError:
        return "unknown"


def cpu_times(parents: list[int], others: list[int]) -> dict[int, float]:
    """CPU time (user + system, seconds) used so far by each child of `parents` (gunicorn's workers) and
    each of `others` (the database's server processes for the run's connections)."""
    tick = os.sysconf("SC_CLK_TCK")
    wanted, children_of = set(others), set(parents)
    times: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as source:
                fields = source.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        if int(entry) in wanted or int(fields[1]) in children_of:  # fields[1]: the parent's pid
            times[int(entry)] = (int(fields[11]) + int(fields[12])) / tick
    return times
