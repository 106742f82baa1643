"""Bad requests get a fault or an HTTP error; none of them harms the server."""

from __future__ import annotations

import http.client
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest

from boomi_soap.localservice import DEFAULT_API_TOKEN, DEFAULT_USER, LocalService, ServiceConfig
from tests.boomi_soap.localservice.helpers import RawSoap, envelope

QUERY = "<soap:query><api:objectType>Role</api:objectType></soap:query>"
SIGNED_IN = envelope(QUERY)


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"this is not xml", "Malformed request"),
        (b"", "empty document"),
        # Signed in: an unauthenticated request gets the sign-in fault before anything else.
        (SIGNED_IN[: SIGNED_IN.index(b"<soapenv:Body>") + 14], "Malformed request"),
        (b"<a/>", "not a SOAP 1.1 Envelope"),
        (b"<e:Envelope xmlns:e='http://www.w3.org/2003/05/soap-envelope'/>", "SOAP 1.2 is not supported"),
        (envelope(""), "exactly one element"),
    ],
)
def test_malformed_requests_are_client_faults(soap: RawSoap, data: bytes, needle: str) -> None:
    reply = soap.post(data)
    assert reply.status == 400  # not a SOAP 1.1 envelope at all (WS-I BP R1113); other faults keep 500
    faultcode, message, code = reply.fault()
    assert (faultcode, code) == ("S:Client", "INVALID_REQUEST")
    assert needle in message


def test_entities_and_dtds_are_refused_without_expansion(soap: RawSoap) -> None:
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10)
        )
        + "]>"
    ).encode() + envelope(QUERY.replace("Role", "&lol9;"))
    reply = soap.post(laughs)
    assert "DOCTYPE" in reply.fault()[1]
    external = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + envelope(
        QUERY.replace("Role", "&e;")
    )
    reply = soap.post(external)
    assert "root:" not in reply.body.decode()
    assert reply.fault()[2] == "INVALID_REQUEST"


def test_deep_nesting_is_refused(soap: RawSoap) -> None:
    deep = envelope("<soap:query>" + "<a>" * 10_000 + "</a>" * 10_000 + "</soap:query>")
    reply = soap.post(deep)
    assert reply.fault()[2] == "INVALID_REQUEST"


def test_oversized_body_is_refused_unread() -> None:
    with LocalService(ServiceConfig(rate_limit=None, max_body_bytes=2048)) as service:
        soap = RawSoap(service)
        big = envelope("<soap:query><api:objectType>" + "R" * 4096 + "</api:objectType></soap:query>")
        reply = soap.post(big)
        assert reply.status == 413
        assert soap.call(QUERY).status == 200


def test_missing_content_length_is_refused(service: LocalService) -> None:
    url = urlsplit(service.endpoint())
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=5)
    connection.putrequest("POST", url.path)
    connection.putheader("Transfer-Encoding", "chunked")
    connection.endheaders()
    connection.send(b"0\r\n\r\n")
    try:
        assert connection.getresponse().status == 411
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("kwargs", "header", "message"),
    [
        ({"password": "wrong"}, None, "The security token could not be authenticated or authorized"),
        ({"username": "nobody@example.com"}, None, "The security token could not be authenticated or authorized"),
        ({}, "", "A WS-Security UsernameToken is required"),
        (
            {},
            "<soapenv:Header><wsse:Security xmlns:wsse='http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd'>"
            "<wsse:UsernameToken><wsse:Username>u</wsse:Username><wsse:Password Type='http://docs.oasis-open.org/wss/2004/01/"
            "oasis-200401-wss-username-token-profile-1.0#PasswordDigest'>x</wsse:Password></wsse:UsernameToken>"
            "</wsse:Security></soapenv:Header>",
            "Only the PasswordText password type is supported",
        ),
    ],
)
def test_bad_credentials_are_authentication_faults(
    soap: RawSoap, kwargs: dict[str, str], header: str | None, message: str
) -> None:
    reply = soap.post(envelope(QUERY, header=header, **kwargs))
    assert reply.status == 500
    assert reply.fault() == ("wsse:FailedAuthentication", message, "AUTHENTICATION")
    assert b"wrong" not in reply.body


def test_api_token_signs_in(soap: RawSoap) -> None:
    assert soap.call(QUERY, username=f"BOOMI_TOKEN.{DEFAULT_USER}", password=DEFAULT_API_TOKEN).status == 200


def test_unknown_account_is_a_permission_fault(soap: RawSoap) -> None:
    reply = soap.post(envelope(QUERY), account="someone-ZZZ999")
    assert reply.fault() == ("S:Client", "Access denied due to insufficient permissions.", "PERMISSION")


def test_a_wrapper_in_another_layouts_namespace_is_named_as_such(soap: RawSoap) -> None:
    data, soap_ns = "http://api.platform.boomi.com/", "http://soap.api.platform.boomi.com/"
    wrong = soap_ns if soap.wrapper_ns == data else data  # the namespace the other layout uses
    reply = soap.call(
        f'<w:get xmlns:w="{wrong}"><api:objectType>Process</api:objectType><api:objectId>x</api:objectId></w:get>'
    )
    _, message, code = reply.fault()
    assert code == "INVALID_REQUEST"
    assert f"expects get in {soap.wrapper_ns}; the request has it in {wrong}" in message


def test_concurrent_invalid_requests_each_get_their_own_fault(service: LocalService) -> None:
    soap = RawSoap(service)
    bodies = [f"<soap:get><api:objectType>Process</api:objectType><api:unexpected{n}/></soap:get>" for n in range(200)]
    with ThreadPoolExecutor(max_workers=50) as pool:
        replies = list(pool.map(lambda body: soap.call(body), bodies))
    for n, reply in enumerate(replies):
        faultcode, message, code = reply.fault()
        assert (faultcode, code) == ("S:Client", "INVALID_REQUEST")
        assert message.startswith("Invalid request (line ")
        assert f"unexpected{n}" in message  # this request's own error, not a neighbour's
