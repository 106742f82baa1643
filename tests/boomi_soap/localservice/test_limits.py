"""Rate limit and daily quota: over either, HTTP 503 as Boomi answers; and the throttle on failed sign-ins."""

from __future__ import annotations

import pytest

from boomi_soap.localservice import LocalService, ServiceConfig
from boomi_soap.localservice import limits as limits_module
from boomi_soap.localservice.errors import ApiFault, FaultCode
from boomi_soap.localservice.limits import AccountLimits, SignInThrottle
from tests.boomi_soap.localservice.helpers import RawSoap

QUERY = "<soap:query><api:objectType>Role</api:objectType></soap:query>"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_sliding_window_admits_exactly_the_rate() -> None:
    clock = FakeClock()
    limits = AccountLimits(rate=5, clock=clock)
    for _ in range(5):
        limits.admit()
    with pytest.raises(ApiFault) as refused:
        limits.admit()
    assert (refused.value.code, refused.value.http_status) == (FaultCode.RATE_LIMIT, 503)
    clock.now += 0.999
    with pytest.raises(ApiFault):
        limits.admit()
    clock.now += 0.001
    limits.admit()
    stats = limits.stats()
    assert (stats.accepted, stats.rate_limited, stats.max_in_window) == (6, 2, 5)


def test_rolling_quota() -> None:
    clock = FakeClock()
    limits = AccountLimits(rate=None, daily_quota=3, clock=clock)
    for _ in range(3):
        limits.admit()
        clock.now += 10
    with pytest.raises(ApiFault) as refused:
        limits.admit()
    assert refused.value.code is FaultCode.QUOTA
    clock.now += 24 * 3600 - 29  # the first call leaves the window
    limits.admit()
    assert limits.stats().quota_exceeded == 1


def test_http_503_over_the_rate(contract: str) -> None:
    with LocalService(ServiceConfig(rate_limit=3, contract=contract)) as service:
        soap = RawSoap(service)
        replies = [soap.call(QUERY) for _ in range(8)]
        statuses = [r.status for r in replies]
        assert statuses.count(200) >= 3
        refused = [r for r in replies if r.status == 503]
        assert refused, statuses
        faultcode, message, code = refused[0].fault()
        assert (faultcode, code) == ("S:Server", "RATE_LIMIT")
        assert "rate limits have been exceeded" in message
        stats = service.limit_stats()
        assert stats.max_in_window <= 3
        assert stats.rate_limited == len(refused)


def test_http_503_over_the_daily_quota(contract: str) -> None:
    with LocalService(ServiceConfig(rate_limit=None, daily_quota=2, contract=contract)) as service:
        soap = RawSoap(service)
        assert [soap.call(QUERY).status for _ in range(2)] == [200, 200]
        over = soap.call(QUERY)
        assert over.status == 503
        assert over.fault()[2] == "QUOTA"


def test_refused_credentials_do_not_spend_the_quota(contract: str) -> None:
    with LocalService(ServiceConfig(rate_limit=None, daily_quota=1, contract=contract)) as service:
        soap = RawSoap(service)
        assert soap.call(QUERY, password="wrong").fault()[2] == "AUTHENTICATION"
        assert soap.call(QUERY).status == 200


def test_sign_in_throttle_counts_failures_per_user_and_per_address() -> None:
    clock = FakeClock()
    throttle = SignInThrottle(failures=3, window=10.0, clock=clock)
    for n in range(3):
        assert throttle.wait("alice", f"10.0.0.{n}") == 0
        throttle.failed("alice", f"10.0.0.{n}")
    assert throttle.wait("alice", "10.0.0.9") == 10.0  # the user, from anywhere
    assert throttle.wait("bob", "10.0.0.0") == 0  # one failure from that address: not yet
    clock.now += 4
    assert throttle.wait("alice", "10.0.0.9") == 6.0
    clock.now += 6
    assert throttle.wait("alice", "10.0.0.9") == 0  # the oldest failure left the window
    for name in ("u1", "u2", "u3"):
        throttle.failed(name, "10.9.9.9")
    assert throttle.wait("anyone", "10.9.9.9") > 0  # the address, whatever the user


def test_sign_in_throttle_memory_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits_module, "_MAX_KEYS", 100)
    throttle = SignInThrottle(failures=2, window=60.0, clock=FakeClock())
    for n in range(1000):
        throttle.failed("x" * 10_000 + str(n), "127.0.0.1")
    assert len(throttle._seen) == 100
    assert all(len(key) == 32 for key in throttle._seen)  # digests, not the names sent
