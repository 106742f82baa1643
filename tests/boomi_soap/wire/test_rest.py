"""The REST wire, without I/O: request wrappers to request records, REST answers to answers or typed errors."""

from __future__ import annotations

import base64

import pytest
from lxml import etree

from boomi_soap.credentials import Credentials
from boomi_soap.exceptions import (
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    QuotaExceededError,
    RateLimitedError,
    ResponseError,
    ServerError,
    SoapFaultError,
)
from boomi_soap.wire.records import CallRecord
from boomi_soap.wire.rest import RestWire
from boomi_soap.wire.restmap import RestMap, error_body
from tests.boomi_soap.wire.test_restmap import an_object, contract, wrapper

ROOT = "http://127.0.0.1:9/api/rest/v1/acct-1"
NS_ENVELOPE = "http://schemas.xmlsoap.org/soap/envelope/"


def wire_of(layout: str = "split") -> RestWire:
    credentials = Credentials.from_password("user@example.com", "Pw-123")
    return RestWire(RestMap(contract(layout)), credentials, ROOT, max_response_bytes=1 << 20, lenient=False)


def test_encode_gives_the_rest_request_and_no_envelope() -> None:
    wire = wire_of()
    c = wire.restmap.contract
    request = wire.encode(wrapper(c, "get", objectType="Environment", objectId="e-1"), "get")
    assert (request.method, request.url, request.body) == ("GET", f"{ROOT}/Environment/e-1", b"")
    assert request.headers["Accept"] == "application/xml"
    assert request.headers["Authorization"] == "Basic " + base64.b64encode(b"user@example.com:Pw-123").decode()
    assert "Pw-123" not in repr(wire)
    created = wire.encode(wrapper(c, "create", object=an_object(c, "Environment")), "create")
    assert (created.method, created.url) == ("POST", f"{ROOT}/Environment")
    assert created.headers["Content-Type"] == "application/xml"
    assert NS_ENVELOPE.encode() not in created.body
    assert etree.fromstring(created.body).get("name") == "n"
    elsewhere = wire.encode(wrapper(c, "get", objectType="Environment", objectId="e-1"), root="http://127.0.0.1:9/x")
    assert elsewhere.url == "http://127.0.0.1:9/x/Environment/e-1"


def test_decode_gives_the_response_wrapper() -> None:
    wire = wire_of()
    c = wire.restmap.contract
    request = wire.encode(wrapper(c, "get", objectType="Environment", objectId="e-1"), "get")
    body = f'<bns:Environment xmlns:bns="{c.data_namespace}" id="e-1" name="x" classification="TEST"/>'.encode()
    answer = wire.decode(request, 200, body, CallRecord("get"))
    assert answer.tag == c.operations["get"].response
    assert answer[0].get("name") == "x"
    with pytest.raises(ResponseError, match="HTTP 200"):
        wire.decode(request, 200, b"not xml", CallRecord("get"))


def test_a_delete_of_what_does_not_exist_is_successful_false() -> None:
    wire = wire_of()
    request = wire.encode(wrapper(wire.restmap.contract, "delete", objectType="Environment", objectId="gone"))
    answer = wire.decode(request, 404, error_body("Environment with id gone does not exist"), CallRecord("delete"))
    assert [child.text for child in answer] == ["false"]


@pytest.mark.parametrize(
    ("status", "message", "kind", "code"),
    [
        (404, "no such thing", NotFoundError, "NOT_FOUND"),
        (400, "Process with id p-1 does not exist", NotFoundError, "NOT_FOUND"),
        (400, "the filter is wrong", InvalidRequestError, "INVALID_REQUEST"),
        (403, "Access denied", PermissionDeniedError, "PERMISSION"),
        (503, "too many requests", RateLimitedError, None),
        (503, "the account's quota is spent", QuotaExceededError, None),
        (500, "it broke", ServerError, None),
    ],
)
def test_an_error_answer_is_the_fault_tables_typed_error(
    status: int, message: str, kind: type[SoapFaultError], code: str | None
) -> None:
    wire = wire_of()
    request = wire.encode(wrapper(wire.restmap.contract, "get", objectType="Process", objectId="p-1"), "get")
    record = CallRecord("get")
    record.status = status
    with pytest.raises(SoapFaultError) as raised:
        wire.decode(request, status, error_body(message), record)
    assert type(raised.value) is kind
    assert raised.value.code == code
    assert raised.value.http_status == status
    assert message in str(raised.value)


def test_a_query_token_remembers_its_object_type_for_query_more() -> None:
    wire = wire_of()
    c = wire.restmap.contract
    with pytest.raises(InvalidRequestError, match="needs the object type"):
        wire.encode(wrapper(c, "queryMore", queryToken="tok-1"), "queryMore")
    query = wire.encode(wrapper(c, "query", objectType="Environment"), "query")
    page = (
        f'<bns:QueryResult xmlns:bns="{c.data_namespace}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        ' numberOfResults="1"><bns:queryToken>tok-1</bns:queryToken>'
        '<bns:result xsi:type="bns:Environment" id="e-1" name="x" classification="TEST"/></bns:QueryResult>'
    ).encode()
    wire.decode(query, 200, page, CallRecord("query"))
    more = wire.encode(wrapper(c, "queryMore", queryToken="tok-1"), "queryMore")
    assert more.url.startswith(f"{ROOT}/Environment/queryMore")
