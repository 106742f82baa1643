"""Benchmark: one client thread against the local service, no rate limit.

Run from the repository root:  python bench/service.py

Two sides, measured in alternating rounds (so a busy neighbour hurts both alike),
medians printed:

- ``client``: ``get`` through the project's ``Client`` (build, validate, WS-Security,
  parse), on one reused connection;
- ``raw``: the same request bytes posted with ``http.client`` on one reused
  connection, which is the service's own cost plus the loopback round trip.

A reused connection that waited for a delayed ACK (Nagle) would show ~25 calls/s.
"""

from __future__ import annotations

import http.client
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from boomi_soap.cache import CacheStore, refresh  # noqa: E402
from boomi_soap.client import Client  # noqa: E402
from boomi_soap.credentials import Credentials, Endpoint  # noqa: E402
from boomi_soap.localservice import (  # noqa: E402
    DEFAULT_ACCOUNT,
    DEFAULT_PASSWORD,
    DEFAULT_USER,
    LocalService,
    ServiceConfig,
)
from boomi_soap.settings import ClientSettings  # noqa: E402

ROUNDS = 5
SECONDS = 2.0
REQUEST = f"""<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/">
<S:Header><wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">
<wsse:UsernameToken><wsse:Username>{DEFAULT_USER}</wsse:Username>
<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">{DEFAULT_PASSWORD}</wsse:Password>
</wsse:UsernameToken></wsse:Security></S:Header>
<S:Body><ns:get xmlns:ns="http://soap.api.platform.boomi.com/" xmlns:api="http://api.platform.boomi.com/">
<api:objectType>Account</api:objectType><api:objectId>{DEFAULT_ACCOUNT}</api:objectId></ns:get></S:Body>
</S:Envelope>""".encode()


def rate(call: Callable[[], object]) -> float:
    """Calls per second of ``call`` over about ``SECONDS``."""
    calls, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < SECONDS:
        call()
        calls += 1
    return calls / elapsed


def main() -> None:
    credentials = Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD)
    with tempfile.TemporaryDirectory() as scratch, LocalService(ServiceConfig(rate_limit=None)) as service:
        snapshot = refresh(
            CacheStore(Path(scratch) / "cache"), Endpoint(DEFAULT_ACCOUNT, service.base_url), credentials
        ).snapshot
        client = Client(
            snapshot, credentials, settings=ClientSettings(rate_limit=None), compiled_dir=Path(scratch) / "compiled"
        )
        url = urlsplit(service.endpoint())
        connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=10)

        def raw() -> None:
            connection.request("POST", url.path, body=REQUEST, headers={"Content-Type": "text/xml; charset=utf-8"})
            response = connection.getresponse()
            assert response.status == 200, response.read()[:300]
            response.read()

        sides: dict[str, tuple[Callable[[], object], list[float]]] = {
            "client": (lambda: client.get("Account", DEFAULT_ACCOUNT), []),
            "raw": (raw, []),
        }
        for call, _ in sides.values():  # warm up both
            for _ in range(20):
                call()
        for _ in range(ROUNDS):
            for call, rates in sides.values():
                rates.append(rate(call))
        connection.close()
    print(f"One thread, local service without rate limit, {ROUNDS} alternating rounds of {SECONDS:g} s, median:")
    for name, (_, rates) in sides.items():
        print(f"   {name:6} {statistics.median(rates):7.1f} calls/s   (rounds: {', '.join(f'{r:.0f}' for r in rates)})")


if __name__ == "__main__":
    main()
