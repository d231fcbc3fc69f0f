"""`/metrics`: what the service did, in the Prometheus text format.

Built on prometheus_client (the Prometheus project's own library: the text
format, histogram buckets and escaping are its job, not ours). Each app has a
registry of its own, so tests and several apps in one process do not mix
figures. Nothing here names a learner: counts by route, status and reply kind.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, InfoMetricFamily
from prometheus_client.registry import Collector

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class _StateCollector(Collector):
    """Figures read when scraped: the record store's counts, the knowledge version."""

    def __init__(self, state: Callable[[], dict[str, object]]) -> None:
        self.state = state

    def collect(self) -> Iterator[object]:
        state = self.state()
        records = state.get("records")
        if isinstance(records, dict):
            for name, help_text in (("written", "Records written to the store."),
                                    ("dropped", "Records dropped (queue full or store down).")):
                family = CounterMetricFamily(f"navguide_records_{name}", help_text)
                family.add_metric([], float(records.get(name, 0)))  # type: ignore[arg-type]
                yield family
            queued = GaugeMetricFamily("navguide_records_queued", "Records waiting to be written.")
            queued.add_metric([], float(records.get("queued", 0)))  # type: ignore[arg-type]
            yield queued
            failing = GaugeMetricFamily("navguide_records_failing",
                                        "1 while the record store cannot be written.")
            failing.add_metric([], 1.0 if records.get("state") == "failing" else 0.0)
            yield failing
        version = state.get("knowledge")
        if isinstance(version, str):
            info = InfoMetricFamily("navguide_knowledge", "The knowledge being served.")
            info.add_metric([], {"version": version})
            yield info
        rejected = GaugeMetricFamily("navguide_knowledge_rejected",
                                     "1 while the last knowledge edit was rejected.")
        rejected.add_metric([], 1.0 if state.get("rejected") else 0.0)
        yield rejected


class Metrics:
    def __init__(self, state: Callable[[], dict[str, object]]) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("navguide_requests", "HTTP requests answered.",
                                ["route", "status"], registry=self.registry)
        self.latency = Histogram("navguide_request_seconds", "Time to answer a request.",
                                 ["route"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.replies = Counter("navguide_replies", "Chat replies by kind.", ["kind"],
                               registry=self.registry)
        self.handoffs = Counter("navguide_handoffs", "Chat replies handed off to a human.",
                                registry=self.registry)
        self.limited = Counter("navguide_rate_limited", "Requests refused by a rate limit.",
                               ["route"], registry=self.registry)
        self.registry.register(_StateCollector(state))

    def reply(self, kind: str, handoff: bool) -> None:
        self.replies.labels(kind).inc()
        if handoff:
            self.handoffs.inc()

    def observe(self, route: str, status: int, seconds: float) -> None:
        self.requests.labels(route, str(status)).inc()
        if status == 429:
            self.limited.labels(route).inc()
        self.latency.labels(route).observe(seconds)

    def text(self) -> bytes:
        return generate_latest(self.registry)


def route_name(request: web.Request) -> str:
    """The route's name, never the path a client typed (that would grow without bound)."""
    route = request.match_info.route
    name = getattr(route, "name", None)
    if name:
        return str(name)
    resource = route.resource
    return resource.canonical if resource is not None else "unmatched"


def metrics_middleware(metrics: Metrics):  # type: ignore[no-untyped-def]
    @web.middleware
    async def count(request: web.Request, handler):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        finally:
            metrics.observe(route_name(request), status, time.perf_counter() - start)
    return count
