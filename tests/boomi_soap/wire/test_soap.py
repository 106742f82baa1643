"""The SOAP wire without I/O: the envelope built, signed, and an answer read back or refused."""

from __future__ import annotations

import pytest
from lxml import etree

from boomi_soap.exceptions import ResponseError, SoapFaultError
from boomi_soap.wire.records import CallRecord
from boomi_soap.wire.soap import NS_ENVELOPE, NS_WSSE, read_answer, sign, wrap

ENV = f'<S:Envelope xmlns:S="{NS_ENVELOPE}"><S:Body>{{}}</S:Body></S:Envelope>'


def test_wrap_and_sign_build_the_envelope_zeep_would() -> None:
    payload = etree.Element("{http://soap.api.platform.boomi.com/}get")
    envelope = sign(wrap(payload), "user@example.com", "pw")
    assert envelope.find(f"{{{NS_ENVELOPE}}}Body")[0] is payload
    token = envelope.find(f"{{{NS_ENVELOPE}}}Header/{{{NS_WSSE}}}Security/{{{NS_WSSE}}}UsernameToken")
    assert token is not None
    assert token.findtext(f"{{{NS_WSSE}}}Username") == "user@example.com"


def test_read_answer_gives_the_response_wrapper() -> None:
    child = read_answer("get", 200, ENV.format('<r:getResponse xmlns:r="urn:x"/>').encode(), CallRecord("get"))
    assert etree.QName(child).localname == "getResponse"


def test_a_fault_is_a_typed_error() -> None:
    fault = "<S:Fault><faultcode>S:Client</faultcode><faultstring>no such object</faultstring></S:Fault>"
    with pytest.raises(SoapFaultError, match="no such object"):
        read_answer("get", 500, ENV.format(fault).encode(), CallRecord("get", attempts=1, status=500))


@pytest.mark.parametrize(
    ("body", "says"),
    [(b"not xml", "not a SOAP message"), (ENV.format("").encode(), "no SOAP Body")],
    ids=["not-xml", "empty-body"],
)
def test_what_is_not_an_answer_is_a_response_error(body: bytes, says: str) -> None:
    with pytest.raises(ResponseError, match=says):
        read_answer("get", 200, body, CallRecord("get", attempts=1))
