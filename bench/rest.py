"""Benchmark: per-call overhead of the REST transport beside SOAP and beside bare ``requests``.

Run from the repository root:  python bench/rest.py

What one call costs before anything is sent (no network): building the request,
validating it against the schema, serialising it and preparing the HTTP request.

- ``soap``: zeep builds the envelope, the WS-Security token is added, the envelope is
  validated (the client's egress hook) and serialised; the client's session prepares the POST.
- ``rest``: the same, then the envelope is read back and mapped to its REST form
  (:meth:`boomi_soap._transports.rest.RestTransport.translate`), and the client's session prepares
  that request with its Basic auth header.
- ``bare``: a hand-written XML body in an f-string, and a plain ``requests.Session``
  prepares it (no validation, no schema: the floor).

The three run alternately in rounds, so drift on a shared machine hits each alike;
printed: medians per call, the ratios REST/SOAP and REST/bare (median and min-max
over rounds), and ``os.cpu_count()``.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import requests
from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from boomi_soap._transports.rest import RestTransport  # noqa: E402
from boomi_soap.client import Client  # noqa: E402
from boomi_soap.credentials import Credentials, Endpoint  # noqa: E402
from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER, LocalService  # noqa: E402
from boomi_soap.settings import ClientSettings  # noqa: E402
from boomi_soap.snapshot.cache import CacheStore, refresh  # noqa: E402

ROUNDS = 15
CALLS = 200  # per round and per kind
NS = "http://api.platform.boomi.com/"


def kinds(soap: Client, rest: Client) -> dict[str, dict[str, Callable[[int], object]]]:
    """For each operation, the three ways to get one request ready to send."""
    assert isinstance(rest._transport, RestTransport)
    transport = rest._transport
    soap_session = soap._transport.session  # each client's own session, as a call would use
    bare_session = requests.Session()
    url = transport.root
    auth = (DEFAULT_USER, DEFAULT_PASSWORD)

    def soap_message(client: Client, operation: str, **kwargs: object) -> bytes:
        envelope = client._zeep.create_message(client._service, operation, **kwargs)  # signs and validates
        return etree.tostring(envelope, encoding="utf-8")

    def soap_get(n: int) -> object:
        body = soap_message(soap, "get", objectType="Environment", objectId=f"e-{n}")
        return soap_session.prepare_request(
            requests.Request("POST", soap.address, data=body, headers={"SOAPAction": '""'})
        )

    def rest_get(n: int) -> object:
        body = soap_message(rest, "get", objectType="Environment", objectId=f"e-{n}")
        return transport.prepare(transport.translate(body, "get"))

    def bare_get(n: int) -> object:
        return bare_session.prepare_request(requests.Request("GET", f"{url}/Environment/e-{n}", auth=auth))

    environment = soap.type("Environment")

    def soap_create(n: int) -> object:
        body = soap_message(soap, "create", object=environment(name=f"Env {n}", classification="TEST"))
        return soap_session.prepare_request(
            requests.Request("POST", soap.address, data=body, headers={"SOAPAction": '""'})
        )

    def rest_create(n: int) -> object:
        body = soap_message(rest, "create", object=environment(name=f"Env {n}", classification="TEST"))
        return transport.prepare(transport.translate(body, "create"))

    def bare_create(n: int) -> object:
        body = f'<Environment xmlns="{NS}" name="Env {n}" classification="TEST"/>'
        headers = {"Content-Type": "application/xml"}
        return bare_session.prepare_request(
            requests.Request("POST", f"{url}/Environment", data=body, headers=headers, auth=auth)
        )

    return {
        "get": {"soap": soap_get, "rest": rest_get, "bare": bare_get},
        "create": {"soap": soap_create, "rest": rest_create, "bare": bare_create},
    }


def run(work: Callable[[int], object]) -> float:
    started = time.perf_counter()
    for n in range(CALLS):
        work(n)
    return (time.perf_counter() - started) / CALLS * 1e6  # µs per call


def main() -> None:
    credentials = Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD)
    with tempfile.TemporaryDirectory() as scratch:
        with LocalService() as service:
            endpoint = Endpoint(DEFAULT_ACCOUNT, service.base_url, service.flavour)
            snapshot = refresh(CacheStore(Path(scratch) / "cache"), endpoint, credentials).snapshot
        # The service is stopped: nothing below can reach a network.
        settings = ClientSettings(rate_limit=None)
        compiled = Path(scratch) / "compiled"
        soap = Client(snapshot, credentials, settings=settings, compiled_dir=compiled)
        rest = Client(snapshot, credentials, settings=settings, compiled_dir=compiled, transport="rest")
        measure(kinds(soap, rest))


def measure(table: dict[str, dict[str, Callable[[int], object]]]) -> None:
    for works in table.values():  # warm up caches and lazy imports
        for work in works.values():
            work(0)
    print(f"os.cpu_count() = {os.cpu_count()}; {ROUNDS} rounds x {CALLS} calls per kind, alternating")
    for operation, works in table.items():
        samples: dict[str, list[float]] = {name: [] for name in works}
        for round_number in range(ROUNDS):
            order = list(works) if round_number % 2 == 0 else list(reversed(works))
            for name in order:
                samples[name].append(run(works[name]))
        medians = {name: statistics.median(values) for name, values in samples.items()}
        rest_soap = [r / s for r, s in zip(samples["rest"], samples["soap"], strict=True)]
        rest_bare = [r / b for r, b in zip(samples["rest"], samples["bare"], strict=True)]
        print(
            f"{operation:7} median µs/call: soap {medians['soap']:.0f}, rest {medians['rest']:.0f},"
            f" bare {medians['bare']:.0f}"
        )
        print(
            f"        rest/soap {statistics.median(rest_soap):.2f} (min {min(rest_soap):.2f}, max {max(rest_soap):.2f});"
            f" rest/bare {statistics.median(rest_bare):.1f} (min {min(rest_bare):.1f}, max {max(rest_bare):.1f})"
        )


if __name__ == "__main__":
    main()
