"""Rate limits: a burst is allowed, then one request every 60/limit seconds per client."""

from __future__ import annotations

import pytest

from navguide.ratelimit import RateLimiter, client_of, parse_networks, retry_after
from navguide.settings import SettingsError


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_client_over_its_limit_is_told_when_to_try_again():
    clock = Clock()
    limiter = RateLimiter(30, clock=clock)
    assert all(limiter.hit("a") == 0 for _ in range(30))
    wait = limiter.hit("a")
    assert 1.9 < wait <= 2.0  # 30 a minute: one token every 2 s
    assert retry_after(wait) == "2"
    clock.now += 2.0
    assert limiter.hit("a") == 0
    assert limiter.hit("a") > 0
    assert limiter.refused == 2


def test_one_client_flooding_does_not_limit_another():
    limiter = RateLimiter(5, clock=Clock())
    for _ in range(1000):
        limiter.hit("flood")
    assert limiter.hit("other") == 0


def test_zero_turns_the_limit_off():
    limiter = RateLimiter(0, clock=Clock())
    assert all(limiter.hit("a") == 0 for _ in range(1000))


def test_idle_clients_are_forgotten_when_there_are_too_many(monkeypatch):
    import navguide.ratelimit as ratelimit

    monkeypatch.setattr(ratelimit, "MAX_CLIENTS", 10)
    clock = Clock()
    limiter = RateLimiter(5, clock=clock)
    for n in range(10):
        limiter.hit(f"c{n}")
    clock.now += 60
    limiter.hit("new")
    assert len(limiter._buckets) == 1


TRUSTED = parse_networks(["127.0.0.1", "::1", "10.0.0.0/8"])


@pytest.mark.parametrize(("peer", "forwarded", "client"), [
    ("203.0.113.7", None, "203.0.113.7"),
    # an untrusted peer cannot choose its address by writing the header
    ("203.0.113.7", "198.51.100.1", "203.0.113.7"),
    ("127.0.0.1", "198.51.100.1", "198.51.100.1"),
    # the nearest untrusted hop counts; what the client wrote further left does not
    ("127.0.0.1", "1.1.1.1, 198.51.100.1, 10.0.0.5", "198.51.100.1"),
    ("127.0.0.1", "garbage", "127.0.0.1"),
    ("127.0.0.1", None, "127.0.0.1"),
    ("2001:db8:1:2:3:4:5:6", None, "2001:db8:1:2::/64"),
    ("::ffff:192.0.2.1", None, "192.0.2.1"),
    ("127.0.0.1", "[2001:db8::1]:443", "2001:db8::/64"),
    (None, None, "unknown"),
])
def test_the_client_is_the_peer_or_what_a_trusted_proxy_says(peer, forwarded, client):
    assert client_of(peer, forwarded, TRUSTED) == client


def test_a_bad_trusted_proxy_is_a_settings_error():
    with pytest.raises(SettingsError, match="trusted_proxies"):
        parse_networks(["localhost"])


def test_a_shared_limiter_counts_across_forked_processes():
    import multiprocessing

    from navguide.ratelimit import SharedRateLimiter

    limiter = SharedRateLimiter(10, clock=lambda: 1000.0)  # no refill while it runs
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=lambda: [limiter.hit("a") for _ in range(4)])
               for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    # 8 taken by the two other processes: 2 left here, then refused; others unaffected
    assert [limiter.hit("a") == 0 for _ in range(3)] == [True, True, False]
    assert limiter.hit("b") == 0
