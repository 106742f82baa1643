"""The call core: one encoding and one reading for every operation, shared by the sync and the async client.

The two clients differ only in their drivers (requests, httpx), so for the same calls
they must put the same bytes on the wire and read the same answers.  A recording gateway
in front of the local service captures what each sends; the lists must be equal, request
for request, on SOAP and on REST (XML and JSON).
"""

from __future__ import annotations

import asyncio
import copy
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from lxml import etree
from zeep.helpers import serialize_object

from boomi_soap.async_client import AsyncClient
from boomi_soap.client import Client
from boomi_soap.credentials import Credentials
from boomi_soap.exceptions import InvalidRequestError, NotFoundError, RequestValidationError
from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER, LocalService
from boomi_soap.query import F
from boomi_soap.settings import ClientSettings
from boomi_soap.snapshot.cache import Snapshot
from boomi_soap.wire.records import CallRecord
from boomi_soap.wire.soap import sign, wrap
from tests.scripted import Received, gateway, scripted

CREDENTIALS = Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD)
SETTINGS = ClientSettings(rate_limit=None)
FORMS = [("soap", "xml"), ("rest", "xml"), ("rest", "json")]
# What each driver adds of its own (its library's defaults): not the request's content.
OWN_HEADERS = frozenset({"host", "user-agent", "accept-encoding", "connection", "content-length"})

pytestmark = pytest.mark.contracts("split", why="what the drivers send does not depend on the layout")


def wire_of(received: list[Received]) -> list[tuple[str, str, dict[str, str], bytes]]:
    return [
        (r.method, r.path, {k.lower(): v for k, v in r.headers.items() if k.lower() not in OWN_HEADERS}, r.body)
        for r in received
    ]


def plain(value: Any) -> Any:
    return serialize_object(value, dict)  # type: ignore[no-untyped-call]


def sync_calls(client: Client, process: str) -> list[Any]:
    account = client.get("Account", DEFAULT_ACCOUNT)
    found = list(client.query("Process", F("name") == process))
    created = client.create("Environment", name="one call path", classification="TEST")
    try:
        client.get("Environment", "no-such-environment")
    except NotFoundError as exc:
        missing = str(exc)
    return [plain(account), plain(found), created.name, missing]


async def async_calls(client: AsyncClient, process: str) -> list[Any]:
    account = await client.get("Account", DEFAULT_ACCOUNT)
    found = [result async for result in client.query("Process", F("name") == process)]
    created = await client.create("Environment", name="one call path", classification="TEST")
    try:
        await client.get("Environment", "no-such-environment")
    except NotFoundError as exc:
        missing = str(exc)
    return [plain(account), plain(found), created.name, missing]


@pytest.mark.parametrize(("transport", "body_format"), FORMS, ids=["soap", "rest-xml", "rest-json"])
def test_both_drivers_send_the_same_bytes_and_read_the_same_answers(
    snapshot: Snapshot, compiled_dir: Path, service: LocalService, transport: str, body_format: str
) -> None:
    parts = urlsplit(snapshot.endpoint)
    process = service.store().all("Process")[0].element.get("name") or ""
    with scripted(gateway(f"{parts.scheme}://{parts.netloc}", lambda _r, _n: False)) as proxy:
        client = Client(
            snapshot, CREDENTIALS, endpoint=proxy.base_url + parts.path, settings=SETTINGS, compiled_dir=compiled_dir,
            transport=transport, format=body_format,  # type: ignore[arg-type]
        )  # fmt: skip
        sync_read = sync_calls(client, process)
        sent_sync = wire_of(proxy.received)
        proxy.received.clear()

        async def run() -> list[Any]:
            async with AsyncClient(client) as twin:
                return await async_calls(twin, process)

        async_read = asyncio.run(run())
        sent_async = wire_of(proxy.received)
    assert len(sent_sync) == 4
    assert sent_async == sent_sync  # the same requests, byte for byte
    assert async_read == sync_read  # read alike
    assert sync_read[2] == "one call path"
    assert "no-such-environment" in sync_read[3]  # an unknown id is the same typed error on both


def test_a_refused_request_is_refused_by_the_core_before_either_driver_sends(
    snapshot: Snapshot, compiled_dir: Path
) -> None:
    client = Client(snapshot, CREDENTIALS, settings=SETTINGS, compiled_dir=compiled_dir)
    shape = client.contract.operations["get"]
    wrong = etree.Element(shape.request)
    etree.SubElement(wrong, "{urn:nowhere}objectType").text = "Account"
    with pytest.raises(RequestValidationError):
        client.core.encode(wrong)
    with pytest.raises(InvalidRequestError, match="expects get in http://"):
        client.core.encode(etree.Element("{urn:nowhere}get"))  # one line: where the WSDL has it
    with pytest.raises(InvalidRequestError, match="not an operation wrapper"):
        client.core.encode(etree.Element("{urn:nowhere}noSuchOperation"))

    async def run() -> None:
        async with AsyncClient(client) as twin:
            await twin.call_xml(wrong)

    with pytest.raises(RequestValidationError):
        asyncio.run(run())


def test_encode_and_decode_are_inverse_on_a_soap_answer(snapshot: Snapshot, compiled_dir: Path) -> None:
    """The core reads the answer element of what it encoded; no socket involved."""
    client = Client(snapshot, CREDENTIALS, settings=SETTINGS, compiled_dir=compiled_dir)
    payload = client.core.text_payload("delete", {"objectType": "Environment", "objectId": "e-1"})
    assert payload is not None
    out = client.core.encode(payload)
    assert out.method == "POST"
    assert out.url == client.address
    assert out.rest is None
    assert b"<wsse:Password" in out.body  # signed
    response = client.contract.operations["delete"].response
    body = (
        '<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>'
        f'<ns:{etree.QName(response).localname} xmlns:ns="{etree.QName(response).namespace}">'
        f"<successful>true</successful></ns:{etree.QName(response).localname}></S:Body></S:Envelope>"
    ).encode()
    answer = client.core.decode(out, 200, body, CallRecord("delete"))
    assert etree.QName(answer).localname == etree.QName(response).localname
    assert [(c.tag, c.text) for c in answer] == [("successful", "true")]
    assert not client.deviations.total  # read as sent: nothing to repair


def test_each_soap_request_is_the_bytes_sign_and_wrap_make(snapshot: Snapshot, compiled_dir: Path) -> None:
    """The signed shell the core copies gives what building the envelope each time gave, call after call."""
    client = Client(snapshot, CREDENTIALS, settings=SETTINGS, compiled_dir=compiled_dir)
    for object_id in ("e-1", "e-2 & <more>"):
        payload = client.core.text_payload("get", {"objectType": "Environment", "objectId": object_id})
        assert payload is not None
        built = etree.tostring(sign(wrap(copy.deepcopy(payload)), DEFAULT_USER, DEFAULT_PASSWORD), encoding="utf-8")
        assert client.core.encode(payload).body == built
    assert client.core.encode(payload).body.count(b"<wsse:Security") == 1  # a copy each time: nothing piles up
    other = Client(snapshot, Credentials.from_password("other", "pw"), settings=SETTINGS, compiled_dir=compiled_dir)
    assert b"<wsse:Username>other<" in other.core.encode(payload).body  # each core its own shell


@pytest.mark.parametrize("transport", ["soap", "rest"])
def test_an_invalid_request_is_reported_alike_over_both_transports(
    snapshot: Snapshot, compiled_dir: Path, transport: str
) -> None:
    """REST skips the envelope only for a valid request: the findings are the ones a SOAP call reports."""
    soap = Client(snapshot, CREDENTIALS, settings=SETTINGS, compiled_dir=compiled_dir)
    client = Client(snapshot, CREDENTIALS, settings=SETTINGS, compiled_dir=compiled_dir, transport=transport)  # type: ignore[arg-type]
    shape = client.contract.operations["get"]

    def wrong() -> etree._Element:
        payload = etree.Element(shape.request)
        etree.SubElement(payload, "{urn:nowhere}objectType").text = "Account"
        return payload

    with pytest.raises(RequestValidationError) as expected:
        soap.core.encode(wrong())
    with pytest.raises(RequestValidationError) as got:
        client.core.encode(wrong())
    assert got.value.issues == expected.value.issues
    assert got.value.issues


@pytest.mark.parametrize("transport", ["soap", "rest"])
def test_what_the_core_sends_keeps_its_secret_out_of_reprs(
    snapshot: Snapshot, compiled_dir: Path, transport: str
) -> None:
    secret = "s3cret-of-the-core"
    credentials = Credentials.from_password("someone@example.com", secret)
    client = Client(
        snapshot,
        credentials,
        settings=SETTINGS,
        compiled_dir=compiled_dir,
        transport=transport,  # type: ignore[arg-type]
    )
    payload = client.core.text_payload("get", {"objectType": "Account", "objectId": "a"})
    assert payload is not None
    out = client.core.encode(payload)
    assert secret.encode() in out.body or any(v.startswith("Basic ") for v in out.headers.values())  # it is sent
    for shown in (repr(out), str(out), repr(out.rest), repr(client.core), repr(client), client.describe(payload)):
        assert secret not in shown
        assert "Basic " + "c29tZW9uZ" not in shown  # the start of the Basic header's base64
