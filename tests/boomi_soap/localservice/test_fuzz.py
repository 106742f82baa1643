"""A bounded fuzz of the local service: hostile requests over real sockets, never a 500 or a traceback.

Five kinds of input (malformed heads, SOAP bodies that are no envelope, REST JSON, REST
XML, Connect Now), 3,100 requests each, from fixed seeds: 15,500 in all.  Each is
answered (4xx, or 503), none with HTTP 500, and the service logs no traceback and
raises nothing in any thread; afterwards it still serves a legitimate call.  A SOAP
body whose Header signs in with a wrong password gets the ``wsse:FailedAuthentication``
fault with HTTP 401 (Boomi's status for bad credentials) before its malformed rest is
read.
"""

from __future__ import annotations

import collections
import logging
import random
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from boomi_soap.localservice import LocalService, ServiceConfig
from boomi_soap.localservice.rest import rest_prefix
from tests.boomi_soap.localservice import fuzz
from tests.boomi_soap.localservice.helpers import RawSoap

PER_KIND = 3_100
KINDS = ("heads", "soap", "rest_json", "rest_xml", "connect_now")
QUERY = "<soap:query><api:objectType>Role</api:objectType></soap:query>"


class _Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def logged() -> Iterator[list[logging.LogRecord]]:
    """Every record of the service's logger at WARNING or above, and every exception a thread let out."""
    handler = _Kept()
    handler.setLevel(logging.WARNING)
    logger = logging.getLogger("boomi_soap.localservice")
    logger.addHandler(handler)
    escaped: list[logging.LogRecord] = []
    previous = threading.excepthook

    def hook(args: threading.ExceptHookArgs) -> None:
        escaped.append(logging.LogRecord("thread", logging.ERROR, "", 0, str(args.exc_value), None, None))

    threading.excepthook = hook
    try:
        yield handler.records
        handler.records.extend(escaped)
    finally:
        threading.excepthook = previous
        logger.removeHandler(handler)


@pytest.mark.parametrize("kind", KINDS)
def test_hostile_requests_get_no_500_and_no_traceback(kind: str, logged: list[logging.LogRecord]) -> None:
    # No sign-in throttle here: the requests that do sign in must reach the handlers.
    contract = "partner" if kind == "connect_now" else "split"
    config = ServiceConfig(rate_limit=None, contract=contract, sign_in_failures=10**9)
    with LocalService(config) as service:
        url = urlsplit(service.base_url)
        wire = fuzz.Wire((url.hostname or "", url.port or 0))
        rng = random.Random(f"fuzz-{kind}")
        soap_path = urlsplit(service.endpoint()).path
        rest = rest_prefix(service.release)
        generators = {
            "heads": fuzz.head_requests(rng, soap_path, rest),
            "soap": fuzz.soap_requests(rng, soap_path, RawSoap(service).wrapper_ns),
            "rest_json": fuzz.rest_requests(rng, rest, as_json=True),
            "rest_xml": fuzz.rest_requests(rng, rest, as_json=False),
            "connect_now": fuzz.connect_now_requests(rng),
        }
        generator = generators[kind]
        sent = 0
        for data in generator:
            if kind == "heads":
                wire.one_shot(data)  # a broken head may frame anything: one connection each
            else:
                wire.exchange(data)
            sent += 1
            if sent == PER_KIND:
                break
        wire.close()
        assert RawSoap(service).call(QUERY).status == 200  # still serving
    statuses = collections.Counter(wire.statuses)
    assert sent == PER_KIND
    assert statuses[500] == 0, (statuses, wire.faults[:3])
    assert statuses[0] == 0, statuses  # every request was answered
    assert all(400 <= s < 500 or s in (200, 202, 204, 304, 503) for s in statuses), statuses
    assert [r.getMessage() for r in logged] == []
    if kind != "heads":
        assert wire.connects < PER_KIND  # keep-alive held for most requests
