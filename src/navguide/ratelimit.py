"""Rate limits per client and per route, and who the client is behind a proxy.

Each (route, client) has a token bucket: `per_minute` tokens, refilled evenly,
so a client may send a short burst and then one request every 60/per_minute
seconds. A request over the limit costs one dictionary look-up and gets a 429
with `Retry-After`, so a flood from one client never slows another. The
buckets live in this process, or, with `--workers N`, in shared memory made
before the workers are forked (`SharedRateLimiter`), so all of them count one
client together.
"""

from __future__ import annotations

import ipaddress
import math
import mmap
import multiprocessing
import struct
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .settings import SettingsError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

MAX_CLIENTS = 50_000  # buckets kept per route before the full (idle) ones are forgotten


@dataclass(slots=True)  # one per client seen in the last minute: keep it small
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    """`per_minute` requests a minute per client, with a burst of as many."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.rate = per_minute / 60.0  # tokens a second
        self.clock = clock
        self.refused = 0
        self._buckets: dict[str, _Bucket] = {}

    def hit(self, client: str) -> float:
        """Take one token for `client`: 0 when allowed, else seconds until it may try again."""
        if self.per_minute <= 0:  # 0 turns the limit off
            return 0.0
        now = self.clock()
        bucket = self._buckets.get(client)
        if bucket is None:
            if len(self._buckets) >= MAX_CLIENTS:
                self._forget_idle(now)
            bucket = self._buckets[client] = _Bucket(float(self.per_minute), now)
        else:
            bucket.tokens = min(float(self.per_minute),
                                bucket.tokens + (now - bucket.at) * self.rate)
            bucket.at = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        self.refused += 1
        return (1.0 - bucket.tokens) / self.rate

    def _forget_idle(self, now: float) -> None:
        """Drop the buckets that have refilled: forgetting them changes nothing."""
        full = [client for client, bucket in self._buckets.items()
                if bucket.tokens + (now - bucket.at) * self.rate >= self.per_minute]
        for client in full:
            del self._buckets[client]
        if len(self._buckets) >= MAX_CLIENTS:  # a flood of distinct addresses: start over
            self._buckets.clear()


class SharedRateLimiter:
    """The same limit, its buckets in memory shared by the processes forked after it.

    A fixed table of SLOTS buckets, each client hashed to one: two clients
    sharing a slot share a bucket, which with 65,536 slots is rare, and costs
    at worst an early 429 for one of them. One lock (a semaphore shared by the
    processes) guards it; holding it is a few microseconds.
    """

    SLOTS = 65_536
    _BUCKET = struct.Struct("dd")  # tokens, when last filled (monotonic; 0: never used)

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.rate = per_minute / 60.0
        self.clock = clock
        self.refused = 0
        self._table = mmap.mmap(-1, self.SLOTS * self._BUCKET.size)  # MAP_SHARED, anonymous
        self._lock = multiprocessing.get_context("fork").Lock()

    def hit(self, client: str) -> float:
        if self.per_minute <= 0:
            return 0.0
        offset = (zlib.crc32(client.encode("utf-8", "replace")) % self.SLOTS) * self._BUCKET.size
        with self._lock:
            now = self.clock()
            tokens, at = self._BUCKET.unpack_from(self._table, offset)
            if at == 0.0:
                tokens = float(self.per_minute)
            else:
                tokens = min(float(self.per_minute), tokens + (now - at) * self.rate)
            allowed = tokens >= 1.0
            self._BUCKET.pack_into(self._table, offset, tokens - 1.0 if allowed else tokens, now)
        if allowed:
            return 0.0
        self.refused += 1
        return (1.0 - tokens) / self.rate


_shared: dict[tuple[str, int], SharedRateLimiter] = {}


def shared_limiter(route: str, per_minute: int) -> SharedRateLimiter:
    """One shared limiter per route for this process tree: made in the supervisor before
    the first fork, so a worker started again later finds the same table."""
    key = (route, per_minute)
    if key not in _shared:
        _shared[key] = SharedRateLimiter(per_minute)
    return _shared[key]


def retry_after(seconds: float) -> str:
    """The `Retry-After` value: whole seconds, at least 1."""
    return str(max(1, math.ceil(seconds)))


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """The `trusted_proxies` setting: addresses or networks (127.0.0.1, 10.0.0.0/8)."""
    found = []
    for value in values:
        try:
            found.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError as exc:
            raise SettingsError(f"trusted_proxies: {value!r} is not an address or network") \
                from exc
    return tuple(found)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [::1]:443
        text = text[1:text.index("]")]
    elif text.count(":") == 1:  # 1.2.3.4:5678
        text = text.split(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def client_of(peer: str | None, forwarded_for: str | None,
              trusted: tuple[Network, ...]) -> str:
    """Who sent the request, as the key its rate limits count under.

    The peer address, unless the peer is a trusted proxy: then the nearest
    address in `X-Forwarded-For` that is not itself a trusted proxy (the ones
    further left are whatever the client chose to write). An IPv6 client counts
    by its /64, since one machine is usually given a whole /64.
    """
    address = _address(peer or "")
    if address is None:
        return peer or "unknown"
    if forwarded_for and any(address in net for net in trusted):
        for hop in reversed(forwarded_for.split(",")):
            hop_address = _address(hop)
            if hop_address is None:
                break
            address = hop_address
            if not any(hop_address in net for net in trusted):
                break
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)
