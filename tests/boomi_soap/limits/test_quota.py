"""The daily quota budget against the local service's daily quota, and `boomi-soap quota`."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from boomi_soap.cli import main
from boomi_soap.client import Client
from boomi_soap.credentials import Credentials, Endpoint
from boomi_soap.exceptions import BoomiSoapError, QuotaBudgetExceeded
from boomi_soap.limits.limiter import HostBackend, MemoryBackend
from boomi_soap.limits.quota import QuotaBudget
from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER, LocalService, ServiceConfig
from boomi_soap.settings import ClientSettings
from boomi_soap.snapshot.cache import CacheStore, refresh

CREDENTIALS = Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD)


def test_the_201st_call_is_refused_locally(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with LocalService(ServiceConfig(rate_limit=None, daily_quota=200)) as service:
        snapshot = refresh(
            CacheStore(tmp_path / "cache"), Endpoint(DEFAULT_ACCOUNT, service.base_url, service.flavour), CREDENTIALS
        ).snapshot
        settings = ClientSettings(rate_limit=None, limiter="host", limits_dir=tmp_path / "limits", daily_quota=200)
        client = Client(snapshot, CREDENTIALS, settings=settings, compiled_dir=tmp_path / "compiled")
        warned_at: list[int] = []
        with caplog.at_level(logging.WARNING, logger="boomi_soap.client"):
            for n in range(1, 201):
                before = len(caplog.records)
                client.get("Account", DEFAULT_ACCOUNT)
                if len(caplog.records) > before:
                    warned_at.append(n)
            with pytest.raises(QuotaBudgetExceeded) as refused:
                client.get("Account", DEFAULT_ACCOUNT)
        stats = service.limit_stats()
    assert isinstance(refused.value, BoomiSoapError)
    assert (refused.value.used, refused.value.limit) == (200, 200)
    assert "not sent" in str(refused.value)
    assert stats.accepted == 200  # the service saw exactly 200
    assert stats.quota_exceeded == 0  # and never had to refuse one
    assert warned_at == [160]
    assert "160 of the daily budget of 200" in caplog.records[0].getMessage()


def test_budget_counts_in_hourly_buckets_over_24_hours(tmp_path: Path) -> None:
    backend = HostBackend(tmp_path / "limits")
    budget = QuotaBudget(backend, "acct", limit=10)
    now = 1_800_000_000.0
    budget._clock = lambda: now - 30 * 3600  # 30 hours ago: out of every window below
    for _ in range(8):
        budget.spend()
    budget._clock = lambda: now - 3 * 3600
    for _ in range(4):
        budget.spend()
    budget._clock = lambda: now
    report = budget.report()
    assert report.used == 4
    assert len(report.hours) == 24
    assert report.hours[-4] == ((int(now // 3600) - 3) * 3600, 4)
    for _ in range(6):
        budget.spend()
    with pytest.raises(QuotaBudgetExceeded):
        budget.spend()
    budget._clock = lambda: now + 22 * 3600  # the 4 of three hours ago dropped out
    assert budget.spend() == 7
    backend.close()


def test_warning_comes_again_after_the_window_rolls(caplog: pytest.LogCaptureFixture) -> None:
    budget = QuotaBudget(MemoryBackend(), "acct", limit=5, warn_share=0.6)
    start = time.time()
    with caplog.at_level(logging.WARNING, logger="boomi_soap.client"):
        for _ in range(4):
            budget.spend()
        budget._clock = lambda: start + 25 * 3600
        for _ in range(3):
            budget.spend()
    assert [r.getMessage().split(":")[1].split(" of")[0].strip() for r in caplog.records] == ["3", "3"]


def test_quota_command_shows_usage_per_hour(tmp_path: Path) -> None:
    backend = HostBackend(tmp_path / "limits")
    for _ in range(3):
        backend.reserve("acme-ABC123", None, time.time())
    backend.close()
    env = {"BOOMI_SOAP_CACHE_DIR": str(tmp_path), "BOOMI_SOAP_LIMITER": "host"}
    result = CliRunner().invoke(main, ["quota", "--account", "acme-ABC123", "--daily-quota", "10"], env=env)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 25
    assert lines[-2].endswith("      3")
    assert lines[-1] == "acme-ABC123: 3 calls in the last 24 hours of 10 (30%)"
    result = CliRunner().invoke(main, ["quota", "--account", "acme-ABC123", "--format", "json"], env=env)
    assert json.loads(result.stdout)["used"] == 3
    result = CliRunner().invoke(main, ["quota", "--account", "x", "--limiter", "nope"], env=env)
    assert result.exit_code == 2
    assert "unknown limiter" in result.output


def test_an_address_keeps_the_gate_of_its_account() -> None:
    """The gate found for an address is its account's, the first time and every time after."""
    from boomi_soap.limits.quota import Gates

    gates = Gates(ClientSettings(rate_limit=5))
    first = gates.gate("https://api.boomi.com/api/soap/v1/acct-1")
    assert gates.gate("https://api.boomi.com/api/soap/v1/acct-1") is first
    assert gates.gate("https://api.boomi.com/api/soap/v1/acct-1/") is first  # another spelling, the same account
    other = gates.gate("https://api.boomi.com/api/soap/v1/acct-2")
    assert other is not first
    assert gates.gate("https://api.boomi.com/api/soap/v1/acct-2") is other
    assert sorted(gates._gates) == ["acct-1", "acct-2"]
