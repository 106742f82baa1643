"""The sync driver (requests) and the asyncio one (httpx) against the same hostile servers: the same outcome.

Each row of ``HOSTILE`` is a real loopback server misbehaving one way; each is run on
both drivers, and both must raise the same exception type (the ``expected`` one),
with the sentinel credentials at DEBUG, so every error and log record lands in the
evidence that ``test_zz_secret_scan.py`` hunts through.  ``bench/drivers.py`` prints
the same rows as a table.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from boomi_soap.async_client import AsyncClient
from boomi_soap.client import Client
from boomi_soap.credentials import Credentials
from boomi_soap.exceptions import (
    BoomiSoapError,
    RateLimitedError,
    RedirectRefusedError,
    ResponseError,
    ServerError,
    ServiceTimeoutError,
    TransportError,
)
from boomi_soap.localservice import DEFAULT_ACCOUNT
from boomi_soap.settings import ClientSettings, RetryPolicy
from boomi_soap.snapshot.cache import pinned_store
from tests.hostile import HOSTILE as HOSTILE_XML
from tests.reliability.conftest import PASSWORD, USER, Evidence
from tests.scripted import (
    Answer,
    Scripted,
    drip,
    flood,
    forward_proxy,
    gzip_bomb,
    huge_fault,
    reply,
    scripted,
    self_signed,
    server_tls,
    stall,
    truncated,
)

CAP = 256 * 1024
BOUNDED = ClientSettings(
    rate_limit=None,
    read_timeout=5,
    total_timeout=1.5,
    max_response_bytes=CAP,
    retry=RetryPolicy(max_retries=1, backoff=0.01, max_backoff=0.02),
)
# The rows that wait for the total timeout: a shorter one (each byte still comes well within
# the read timeout, so only the total deadline can end the call).
CUT = replace(BOUNDED, total_timeout=0.5)
MIB = 1024 * 1024
LIMIT_FAULT = (
    b'<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body><S:Fault>'
    b"<faultcode>S:Server</faultcode><faultstring>The Boomi server is currently unavailable or your"
    b" account's rate limits have been exceeded. Retry later.</faultstring></S:Fault></S:Body></S:Envelope>"
)
HTML = b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>login</body></html>"


@dataclass(frozen=True)
class Hostile:
    name: str
    answer: Callable[[], Answer]
    expected: type[BoomiSoapError]
    says: str = ""  # a piece of the message both drivers give
    operation: str = "get"
    settings: ClientSettings = BOUNDED


HOSTILE = [
    Hostile("302 redirect", lambda: reply(302, headers={"Location": "http://127.0.0.1:9/x"}), RedirectRefusedError),
    Hostile("307 redirect", lambda: reply(307, headers={"Location": "http://127.0.0.1:9/x"}), RedirectRefusedError),
    Hostile("status line dripped", lambda: drip(0.1), ServiceTimeoutError, "within the total timeout", settings=CUT),
    Hostile(
        "headers, then body dripped",
        lambda: drip(0.1, headers_first=True),
        ServiceTimeoutError,
        "total timeout",
        settings=CUT,
    ),
    Hostile(
        "headers, then body dripped (no length)",
        lambda: drip(0.1, headers_first=True, length=False),
        ServiceTimeoutError,
        "within the total timeout",
        settings=CUT,
    ),
    Hostile("silence past the total timeout", stall, ServiceTimeoutError, "within the total timeout", settings=CUT),
    Hostile("4 MiB flood (no length)", lambda: flood(4 * MIB), ResponseError, f"answer larger than {CAP} bytes"),
    Hostile("3 MiB fault (declared)", lambda: huge_fault(3 * MIB), ResponseError, f"answer larger than {CAP} bytes"),
    Hostile(
        "3 MiB fault (no length)",
        lambda: huge_fault(3 * MIB, declared=False),
        ResponseError,
        f"answer larger than {CAP} bytes",
    ),
    Hostile(
        "3 MiB fault under an 8 MiB cap",
        lambda: huge_fault(3 * MIB),
        ServerError,
        "[... cut at 2000 of 3145728 characters]",
        settings=replace(BOUNDED, max_response_bytes=8 * MIB),
    ),
    Hostile("gzip bomb (256 MiB)", lambda: gzip_bomb(256 * MIB), ResponseError, f"answer larger than {CAP} bytes"),
    Hostile(
        "gzip bomb, twice encoded (256 MiB)",
        lambda: gzip_bomb(256 * MIB, layers=2),
        ResponseError,
        f"answer larger than {CAP} bytes",
    ),
    Hostile(
        "gzip claimed, not gzip",
        lambda: reply(200, b"<x/>", {"Content-Encoding": "gzip"}),
        ResponseError,
    ),
    Hostile("HTML login page (200)", lambda: reply(200, HTML, {"Content-Type": "text/html"}), ResponseError, "(HTML)"),
    Hostile("HTML error page (502)", lambda: reply(502, HTML, {"Content-Type": "text/html"}), ResponseError, "(HTML)"),
    Hostile("truncated body", truncated, ResponseError),
    Hostile("not XML (200)", lambda: reply(200, b"hello", {"Content-Type": "text/xml"}), ResponseError),
    Hostile("bare 503 on every try (a read)", lambda: reply(503, b""), ResponseError, "not a SOAP message"),
    Hostile(
        "bare 503 after a create",
        lambda: reply(503, b"Service Unavailable", {"Content-Type": "text/plain"}),
        TransportError,
        "the call may have run",
        "create",
    ),
    Hostile(
        "Boomi's own 503 on every try (a create)",
        lambda: reply(503, LIMIT_FAULT, {"Content-Type": "text/xml"}),
        RateLimitedError,
        "rate limits",
        "create",
    ),
]


def sync_call(base_url: str, workdir: Path, operation: str = "get", settings: ClientSettings = BOUNDED) -> None:
    client = Client(
        pinned_store().current(DEFAULT_ACCOUNT), Credentials.from_password(USER, PASSWORD),
        endpoint=f"{base_url}/api/soap/v1/{DEFAULT_ACCOUNT}", settings=settings, compiled_dir=workdir / "compiled",
    )  # fmt: skip
    if operation == "create":
        client.create("Environment", name="parity", classification="TEST")
    else:
        client.get("Account", DEFAULT_ACCOUNT)


def async_call(base_url: str, workdir: Path, operation: str = "get", settings: ClientSettings = BOUNDED) -> None:
    async def main() -> None:
        client = AsyncClient.build(
            pinned_store().current(DEFAULT_ACCOUNT), Credentials.from_password(USER, PASSWORD),
            endpoint=f"{base_url}/api/soap/v1/{DEFAULT_ACCOUNT}", settings=settings, compiled_dir=workdir / "compiled",
        )  # fmt: skip
        async with client:
            if operation == "create":
                await client.create("Environment", name="parity", classification="TEST")
            else:
                await client.get("Account", DEFAULT_ACCOUNT)

    asyncio.run(main())


DRIVERS = {"sync (requests)": sync_call, "async (httpx)": async_call}


def outcome(hostile: Hostile, driver: str, workdir: Path, evidence: Evidence) -> BoomiSoapError:
    with scripted(hostile.answer()) as server, pytest.raises(BoomiSoapError) as caught:
        DRIVERS[driver](server.base_url, workdir, hostile.operation, hostile.settings)
    evidence.error(caught.value)
    return caught.value


@pytest.mark.timeout(60)
@pytest.mark.parametrize("hostile", HOSTILE, ids=[h.name for h in HOSTILE])
def test_both_drivers_meet_a_hostile_server_alike(hostile: Hostile, workdir: Path, evidence: Evidence) -> None:
    found = {driver: outcome(hostile, driver, workdir, evidence) for driver in DRIVERS}
    kinds = {driver: type(error) for driver, error in found.items()}
    assert set(kinds.values()) == {hostile.expected}, kinds
    for error in found.values():
        assert hostile.says in str(error)
        assert len(str(error)) < 2500  # a cut answer never lands in the message, nor a huge faultstring whole
        if isinstance(error, TransportError) and hostile.operation == "create":
            assert error.sent is (True if hostile.expected is TransportError else None)


# -- proxies, CA bundle and client certificate: the same on both drivers --------------------

NOT_XML = reply(200, b"hello", {"Content-Type": "text/xml"})  # reached: the call ends in a ResponseError


@pytest.fixture
def environment_proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[Scripted]:
    """A proxy named by ``HTTP_PROXY``/``HTTPS_PROXY`` (and no ``NO_PROXY``) that forwards what it gets."""
    with scripted(forward_proxy()) as proxy:
        for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
            monkeypatch.setenv(name, proxy.base_url)
        for name in ("NO_PROXY", "no_proxy"):
            monkeypatch.delenv(name, raising=False)
        yield proxy


@pytest.mark.parametrize("driver", DRIVERS)
def test_plain_http_loopback_never_goes_through_an_environment_proxy(
    driver: str, environment_proxy: Scripted, workdir: Path, evidence: Evidence
) -> None:
    with scripted(NOT_XML) as server, pytest.raises(ResponseError) as caught:
        DRIVERS[driver](server.base_url, workdir)
    evidence.error(caught.value)
    assert environment_proxy.received == []  # the WS-Security password did not go in clear to the proxy host
    assert PASSWORD in server.text()


@pytest.mark.parametrize("driver", DRIVERS)
def test_a_configured_proxy_is_used(driver: str, workdir: Path, evidence: Evidence) -> None:
    with scripted(forward_proxy()) as proxy, scripted(NOT_XML) as server:
        settings = replace(BOUNDED, proxies={"http": proxy.base_url})
        with pytest.raises(ResponseError) as caught:
            DRIVERS[driver](server.base_url, workdir, "get", settings)
    evidence.error(caught.value)
    assert [r.path for r in proxy.received] == [f"{server.base_url}/api/soap/v1/{DEFAULT_ACCOUNT}"]
    assert len(server.received) == 1  # forwarded by the proxy


@pytest.mark.parametrize("driver", DRIVERS)
def test_the_ca_bundle_decides_which_server_is_trusted(
    driver: str, tmp_path: Path, workdir: Path, evidence: Evidence
) -> None:
    certificate = self_signed(tmp_path, "server")
    with scripted(NOT_XML, tls=server_tls(certificate)) as server:
        with pytest.raises(TransportError, match="TLS certificate verification failed") as untrusted:
            DRIVERS[driver](server.base_url, workdir)
        assert server.received == []
        with pytest.raises(ResponseError) as reached:
            DRIVERS[driver](server.base_url, workdir, "get", replace(BOUNDED, ca_bundle=certificate.cert))
    evidence.error(untrusted.value)
    evidence.error(reached.value)
    assert untrusted.value.sent is False
    assert len(server.received) == 1


@pytest.mark.parametrize("driver", DRIVERS)
def test_the_client_certificate_is_presented(driver: str, tmp_path: Path, workdir: Path, evidence: Evidence) -> None:
    certificate, mine = self_signed(tmp_path, "server"), self_signed(tmp_path, "client")
    trusted = replace(BOUNDED, ca_bundle=certificate.cert, retry=RetryPolicy(max_retries=0))
    with scripted(NOT_XML, tls=server_tls(certificate, client_ca=mine.cert)) as server:
        with pytest.raises(TransportError) as refused:
            DRIVERS[driver](server.base_url, workdir, "get", trusted)
        assert server.received == []  # no certificate, no request
        with pytest.raises(ResponseError) as reached:
            DRIVERS[driver](server.base_url, workdir, "get", replace(trusted, client_cert=(mine.cert, mine.key)))
    evidence.error(refused.value)
    evidence.error(reached.value)
    assert len(server.received) == 1


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", sorted(HOSTILE_XML))
def test_both_drivers_refuse_hostile_xml_alike(name: str, workdir: Path, evidence: Evidence) -> None:
    row = Hostile(name, lambda: reply(200, HOSTILE_XML[name], {"Content-Type": "text/xml"}), ResponseError)
    found = {driver: outcome(row, driver, workdir, evidence) for driver in DRIVERS}
    assert {driver: type(error) for driver, error in found.items()} == dict.fromkeys(DRIVERS, ResponseError)
