"""Rate limit and daily quota: over either, HTTP 503 as Boomi answers."""

from __future__ import annotations

import pytest

from boomi_soap.localservice import LocalService, ServiceConfig
from boomi_soap.localservice.errors import ApiFault, FaultCode
from boomi_soap.localservice.limits import AccountLimits
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
