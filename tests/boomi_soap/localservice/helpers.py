"""A small raw-SOAP client for the local service tests: envelopes, replies, faults."""

from __future__ import annotations

import http.client
from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml import etree

from boomi_soap._xml.safe import parse_xml
from boomi_soap.localservice import DEFAULT_PASSWORD, DEFAULT_USER, LocalService
from boomi_soap.localservice.contract import NS_DATA, NS_SOAP

ENV = "http://schemas.xmlsoap.org/soap/envelope/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NS = {"S": ENV, "soap": NS_SOAP, "api": NS_DATA, "xsi": XSI}
PASSWORD_TEXT = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText"


def envelope(
    body: str,
    username: str = DEFAULT_USER,
    password: str = DEFAULT_PASSWORD,
    header: str | None = None,
    wrapper_ns: str = NS_SOAP,
) -> bytes:
    """A request envelope shaped like Boomi's documented ones; ``soap:`` is the wrapper namespace."""
    if header is None:
        header = f"""<soapenv:Header>
      <wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">
        <wsse:UsernameToken wsu:Id="UsernameToken" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">
          <wsse:Username>{username}</wsse:Username>
          <wsse:Password Type="{PASSWORD_TEXT}">{password}</wsse:Password>
        </wsse:UsernameToken>
      </wsse:Security>
    </soapenv:Header>"""
    return f"""<soapenv:Envelope xmlns:soapenv="{ENV}" xmlns:soap="{wrapper_ns}" xmlns:api="{NS_DATA}" xmlns:xsi="{XSI}">
    {header}
    <soapenv:Body>{body}</soapenv:Body>
</soapenv:Envelope>""".encode()


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def root(self) -> etree._Element:
        return parse_xml(self.body, source="reply")

    @property
    def payload(self) -> etree._Element:
        body = self.root.find(f"{{{ENV}}}Body")
        assert body is not None
        return body[0]

    def fault(self) -> tuple[str, str, str]:
        """(faultcode, faultstring, detail code) of a fault reply."""
        fault = self.payload
        assert fault.tag == f"{{{ENV}}}Fault", self.body
        return (
            fault.findtext("faultcode") or "",
            fault.findtext("faultstring") or "",
            fault.findtext(f"detail/{{{NS_DATA}}}ApiFault/code") or "",
        )


class RawSoap:
    """Posts envelopes with http.client, so tests see exactly what the server sends."""

    def __init__(self, service: LocalService) -> None:
        self.service = service

    def post(self, data: bytes, account: str | None = None, headers: dict[str, str] | None = None) -> Reply:
        url = urlsplit(self.service.endpoint(account))
        connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=10)
        try:
            connection.request(
                "POST",
                url.path,
                body=data,
                headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""', **(headers or {})},
            )
            response = connection.getresponse()
            return Reply(response.status, dict(response.getheaders()), response.read())
        finally:
            connection.close()

    @property
    def wrapper_ns(self) -> str:
        """The namespace of the service's operation wrappers (its contract's)."""
        return self.service.release.contract.wrapper_namespaces[0]

    def child(self, operation: str, name: str) -> str:
        """``api:name``, ``soap:name`` or ``name``: a request child as the service's contract qualifies it."""
        declared = self.service.release.contract.operations[operation].input(name)
        assert declared is not None
        prefix = {NS_DATA: "api:", self.wrapper_ns: "soap:", "": ""}[declared.namespace]
        return prefix + name

    def call(self, body: str, **kwargs: str) -> Reply:
        return self.post(envelope(body, wrapper_ns=self.wrapper_ns, **kwargs))

    def ok(self, body: str) -> etree._Element:
        """Call, assert success and schema validity of the reply, return the Body's child."""
        reply = self.call(body)
        assert reply.status == 200, reply.body.decode()
        payload = reply.payload
        schema = self.service.release.schema
        assert schema.validate(payload), schema.error_log
        return payload
