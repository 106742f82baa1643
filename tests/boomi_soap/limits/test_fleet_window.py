"""The rate window's edge: a slot is counted until a second after its send's answer, not its grant.

The service counts a call when it arrives; the network may delay that arrival by any
part of the round trip.  A client window that counts from the grant (even widened by a
margin) lets the next send in a slot arrive less than a second after a late one; one
that counts from the answer cannot.  The service here adds a latency before it counts
each call, switched on and off while the calls run, longer than any margin.
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from boomi_soap.async_client import AsyncClient, fan_out
from boomi_soap.credentials import Credentials, Endpoint
from boomi_soap.limits.limiter import DEFAULT_MARGIN_MS, HostBackend, MemoryBackend
from boomi_soap.localservice import (
    DEFAULT_API_TOKEN,
    DEFAULT_PASSWORD,
    DEFAULT_USER,
    LocalService,
    ServiceConfig,
    User,
)
from boomi_soap.settings import ClientSettings, RetryPolicy
from boomi_soap.snapshot.cache import CacheStore, refresh

CREDENTIALS = Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD)
ACCOUNTS = ("edge-01", "edge-02")
RATE = 5


def test_a_slot_is_free_a_second_after_its_answer() -> None:
    limiter = MemoryBackend().limiter("acct", 2)
    limiter.acquire()
    limiter.acquire()
    (first, _), (second, _) = limiter._slots
    assert first is not None
    assert second is not None
    assert (
        0 < limiter._held(second) <= 1.001 + 1e-9
    )  # both unanswered (1e-9: float noise): look again a second later at the latest
    limiter.sent(first, first + 0.4)  # answered 400 ms after its grant
    assert limiter._held(first + 1.2) > 0  # a window from the grant would be over: this one is not
    assert limiter._held(first + 1.4) == pytest.approx(0.001, abs=1e-6)
    assert limiter._held(first + 1.402) == 0
    assert len(limiter._slots) == 1  # the freed slot is forgotten


def test_a_send_that_reports_no_answer_frees_its_slot_in_the_end() -> None:
    limiter = MemoryBackend().limiter("acct", 1)
    limiter.acquire()
    ((granted, answered),) = limiter._slots
    assert granted is not None
    assert answered is None
    assert limiter._held(granted + 1.9) > 0
    assert limiter._held(granted + 2.0) == 0
    limiter.sent(granted, granted + 2.5)  # an answer after the slot was given up: nothing held again
    assert limiter._held(granted + 2.6) == 0


def test_memory_needs_no_margin_a_shared_store_keeps_one(tmp_path: Path) -> None:
    assert MemoryBackend().limiter("acct", 5).window_ms == 1000
    assert HostBackend(tmp_path / "limits").limiter("acct", 5).window_ms == 1000 + DEFAULT_MARGIN_MS


@pytest.fixture
def edge() -> Iterator[LocalService]:
    user = User(DEFAULT_USER, password=DEFAULT_PASSWORD, api_token=DEFAULT_API_TOKEN, accounts=frozenset(ACCOUNTS))
    with LocalService(ServiceConfig(accounts=ACCOUNTS, users=(user,), rate_limit=RATE)) as running:
        yield running


def test_no_503_when_arrivals_are_late_by_more_than_any_margin(edge: LocalService, tmp_path: Path) -> None:
    snapshot = refresh(CacheStore(tmp_path / "cache"), Endpoint(ACCOUNTS[0], edge.base_url), CREDENTIALS).snapshot
    settings = ClientSettings(rate_limit=RATE, retry=RetryPolicy(max_retries=8, backoff=0.05))
    done = threading.Event()

    def jitter() -> None:
        # 0 or 350 ms before the service counts a call, changing every 40 ms.
        draw = random.Random(7)  # a test's schedule, not a secret
        while not done.wait(0.04):
            edge.injections.latency = draw.choice((0.0, 0.35))
        edge.injections.latency = 0.0

    async def task(client: AsyncClient) -> int:
        account = client.address.rsplit("/", 1)[1]
        answers = await asyncio.gather(*(client.get("Account", account) for _ in range(14)), return_exceptions=True)
        errors = [a for a in answers if isinstance(a, BaseException)]
        if errors:
            raise errors[0]
        return len(answers)

    async def main() -> dict[str, object]:
        client = AsyncClient.build(
            snapshot, CREDENTIALS, endpoint=Endpoint(ACCOUNTS[0], edge.base_url), settings=settings,
            compiled_dir=tmp_path / "compiled",
        )  # fmt: skip
        async with client:
            return await fan_out(client, ACCOUNTS, task, progress=False)  # type: ignore[return-value]

    thread = threading.Thread(target=jitter)
    thread.start()
    try:
        outcomes = asyncio.run(main())
    finally:
        done.set()
        thread.join()
    for account in ACCOUNTS:
        outcome = outcomes[account]
        assert outcome.ok, outcome.error  # type: ignore[attr-defined]
        stats = edge.limit_stats(account)
        assert (stats.rate_limited, stats.accepted) == (0, 14)
        assert stats.max_in_window <= RATE
