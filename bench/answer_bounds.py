"""Benchmark: what a hostile answer costs before it is refused (issue 22, item 2).

Run from the repository root:  python bench/answer_bounds.py [--declarations N]

A loopback server answers every call with one SOAP answer carrying N namespace
declarations (160,000 by default: 4 MiB, the answer of issue 22 that cost 107 s of
CPU).  Each line gives the CPU time of the calling process (``time.process_time``,
every thread) for one call on a client whose zeep is already built, its wall time, and
the error, for both client paths (the typed ``get`` and zeep's ``query``) in UTF-8 and
in UTF-7 (where the byte counts cannot see the markup, so the answer is parsed once
and written out again in UTF-8 before it is counted).  Target: refused in well under
1 s of CPU, inside ``total_timeout``.  Then the byte check alone
(:func:`boomi_soap._xml.safe.check_bounds`) on the same bytes.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from boomi_soap._xml.safe import check_bounds
from boomi_soap.client import Client
from boomi_soap.credentials import Credentials
from boomi_soap.exceptions import BoomiSoapError, XMLInputError
from boomi_soap.localservice import DEFAULT_ACCOUNT
from boomi_soap.settings import ClientSettings, RetryPolicy
from boomi_soap.snapshot.cache import pinned_store
from tests.scripted import reply, scripted

ANSWER = (
    b'<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"%s><S:Body>'
    b'<ns4:queryResponse xmlns:ns4="http://soap.api.platform.boomi.com/" xmlns:bns="http://api.platform.boomi.com/"'
    b' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><bns:results numberOfResults="1">'
    b'<bns:result xsi:type="bns:Environment" id="e1" name="Production" classification="PROD"/>'
    b"</bns:results></ns4:queryResponse></S:Body></S:Envelope>"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--declarations", type=int, default=160_000)
    count = parser.parse_args().declarations
    declarations = b"".join(b' xmlns:n%d="urn:n%d"' % (i, i) for i in range(count))
    settings = ClientSettings(rate_limit=None, total_timeout=5, retry=RetryPolicy(max_retries=0))
    for encoding in ("UTF-8", "UTF-7"):
        body = ANSWER % declarations
        if encoding == "UTF-7":
            body = b'<?xml version="1.0" encoding="UTF-7"?>' + body
        with scripted(reply(200, body, {"Content-Type": "text/xml"})) as server, tempfile.TemporaryDirectory() as tmp:
            client = Client(
                pinned_store().current(DEFAULT_ACCOUNT), Credentials.from_password("bench@example.com", "pw"),
                endpoint=f"{server.base_url}/api/soap/v1/{DEFAULT_ACCOUNT}", settings=settings,
                compiled_dir=Path(tmp),
            )  # fmt: skip
            client._build_zeep()  # built once per client, not part of a call
            for path in ("typed get", "zeep query"):
                cpu, wall = time.process_time(), time.perf_counter()
                try:
                    if path == "typed get":
                        client.get("Environment", "e1")
                    else:
                        list(client.query("Environment"))
                    outcome = "read (not refused!)"
                except BoomiSoapError as exc:
                    outcome = f"{type(exc).__name__}: {str(exc)[:90]}"
                cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
                print(
                    f"{encoding:5} {path:10} {len(body) / 2**20:.1f} MiB, {count} declarations:"
                    f" {cpu:.3f} s CPU, {wall:.3f} s wall; {outcome}"
                )
    cpu = time.process_time()
    with contextlib.suppress(XMLInputError):
        check_bounds(ANSWER % declarations, source="answer")
    print(f"check_bounds alone on the UTF-8 answer: {(time.process_time() - cpu) * 1000:.1f} ms CPU")


if __name__ == "__main__":
    main()
