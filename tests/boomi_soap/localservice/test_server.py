"""WSDL and schema downloads over real HTTP: auth, rewriting, caching headers, releases."""

from __future__ import annotations

import base64

import pytest
import requests
import zeep
from lxml import etree
from zeep.transports import Transport

from boomi_soap._xml.safe import parse_xml
from boomi_soap.localservice import (
    DEFAULT_ACCOUNT,
    DEFAULT_API_TOKEN,
    DEFAULT_PASSWORD,
    DEFAULT_USER,
    LocalService,
    ServiceConfig,
    User,
)

XS = "http://www.w3.org/2001/XMLSchema"
WSDL_SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"
AUTH = (DEFAULT_USER, DEFAULT_PASSWORD)


def test_wsdl_requires_basic_auth(service: LocalService) -> None:
    reply = requests.get(service.wsdl_url(), timeout=5)
    assert reply.status_code == 401
    assert reply.headers["WWW-Authenticate"].startswith("Basic ")
    assert requests.get(service.wsdl_url(), auth=(DEFAULT_USER, "wrong"), timeout=5).status_code == 401
    garbage = {"Authorization": "Basic !!!not-base64"}
    assert requests.get(service.wsdl_url(), headers=garbage, timeout=5).status_code == 401


@pytest.mark.parametrize(
    "auth", [AUTH, (f"BOOMI_TOKEN.{DEFAULT_USER}", DEFAULT_API_TOKEN)], ids=["password", "api-token"]
)
def test_wsdl_with_credentials(service: LocalService, auth: tuple[str, str]) -> None:
    reply = requests.get(service.wsdl_url(), auth=auth, timeout=5)
    assert reply.status_code == 200
    assert reply.headers["Content-Type"].startswith("text/xml")
    root = parse_xml(reply.content)
    locations = sorted(i.get("schemaLocation") for i in root.iter(f"{{{XS}}}import"))
    endpoint = service.endpoint()
    documents = 1 if service.release.layout == "single" else 2  # one schema document when wrappers share it
    assert locations == [f"{endpoint}?xsd={n}" for n in range(1, documents + 1)]
    assert [a.get("location") for a in root.iter(f"{{{WSDL_SOAP}}}address")] == [endpoint]


def test_token_is_not_a_password(service: LocalService) -> None:
    assert requests.get(service.wsdl_url(), auth=(DEFAULT_USER, DEFAULT_API_TOKEN), timeout=5).status_code == 401
    token_user = f"BOOMI_TOKEN.{DEFAULT_USER}"
    assert requests.get(service.wsdl_url(), auth=(token_user, DEFAULT_PASSWORD), timeout=5).status_code == 401


def test_schemas_are_served_like_jax_ws(service: LocalService) -> None:
    endpoint = service.endpoint()
    xsd1 = requests.get(f"{endpoint}?xsd=1", auth=AUTH, timeout=5)
    assert xsd1.status_code == 200
    assert xsd1.content.count(b"schemaLocation") == 0
    assert parse_xml(xsd1.content).get("targetNamespace") == "http://api.platform.boomi.com/"
    xsd2 = requests.get(f"{endpoint}?xsd=2", auth=AUTH, timeout=5)
    if service.release.layout == "single":  # wrappers and data in one document: there is no ?xsd=2
        assert xsd2.status_code == 404
        return
    imports = parse_xml(xsd2.content).iter(f"{{{XS}}}import")
    assert [i.get("schemaLocation") for i in imports] == [f"{endpoint}?xsd=1"]


def test_forbidden_account_and_unknown_paths() -> None:
    config = ServiceConfig(
        accounts=("acme-ABC123", "other-XYZ789"),
        users=(User("ann@example.com", password="pw-ann", accounts=frozenset({"acme-ABC123"})),),
    )
    with LocalService(config) as service:
        auth = ("ann@example.com", "pw-ann")
        assert requests.get(service.wsdl_url("acme-ABC123"), auth=auth, timeout=5).status_code == 200
        assert requests.get(service.wsdl_url("other-XYZ789"), auth=auth, timeout=5).status_code == 403
        assert requests.get(service.wsdl_url("nobody-000000"), auth=auth, timeout=5).status_code == 403
        assert requests.get(service.endpoint("acme-ABC123") + "?xsd=9", auth=auth, timeout=5).status_code == 404
        assert requests.get(service.base_url + "/api/rest/v1/acme-ABC123", auth=auth, timeout=5).status_code == 404
        assert requests.put(service.wsdl_url("acme-ABC123"), auth=auth, timeout=5).status_code == 405


def test_conditional_get(service: LocalService) -> None:
    first = requests.get(service.wsdl_url(), auth=AUTH, timeout=5)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    again = requests.get(service.wsdl_url(), auth=AUTH, headers={"If-None-Match": etag}, timeout=5)
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["ETag"] == etag
    since = requests.get(service.wsdl_url(), auth=AUTH, headers={"If-Modified-Since": modified}, timeout=5)
    assert since.status_code == 304
    stale = requests.get(service.wsdl_url(), auth=AUTH, headers={"If-None-Match": '"other"'}, timeout=5)
    assert stale.status_code == 200
    assert stale.content == first.content
    old = requests.get(
        service.wsdl_url(), auth=AUTH, headers={"If-Modified-Since": "Mon, 01 Jan 2024 00:00:00 GMT"}, timeout=5
    )
    assert old.status_code == 200


@pytest.mark.contracts("split", why="the drifted 'next' release is published in the split layout only")
def test_release_switch_changes_documents_and_validators(service: LocalService) -> None:
    before = requests.get(service.wsdl_url(), auth=AUTH, timeout=5)
    service.set_release("next")
    after = requests.get(service.wsdl_url(), auth=AUTH, headers={"If-None-Match": before.headers["ETag"]}, timeout=5)
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert b"renewRuntimeCertificate" in after.content
    assert b"renewRuntimeCertificate" not in before.content
    xsd1 = requests.get(service.endpoint() + "?xsd=1", auth=AUTH, timeout=5).content
    assert b'value="ENDS_WITH"' in xsd1


def test_zeep_loads_the_served_wsdl_with_basic_auth(service: LocalService) -> None:
    session = requests.Session()
    session.auth = AUTH
    client = zeep.Client(service.wsdl_url(), transport=Transport(session=session))
    operations = sorted(client.service._binding._operations)
    assert operations == sorted(
        [
            "cancelExecution", "changeListenerStatus", "cloudAttachmentSecretsConfiguration", "create", "delete",
            "execute", "executeProcess", "get", "getAssignableRoles", "query", "queryMore", "refreshSecretsManager",
            "update",
        ]
    )  # fmt: skip
    assert client.service._binding_options["address"] == service.endpoint()


def test_basic_header_with_colon_in_password() -> None:
    config = ServiceConfig(users=(User("bob@example.com", password="a:b:c", accounts=frozenset({DEFAULT_ACCOUNT})),))
    with LocalService(config) as service:
        header = {"Authorization": "Basic " + base64.b64encode(b"bob@example.com:a:b:c").decode()}
        assert requests.get(service.wsdl_url(), headers=header, timeout=5).status_code == 200


def test_served_wsdl_is_hardened_xml(service: LocalService) -> None:
    body = requests.get(service.wsdl_url(), auth=AUTH, timeout=5).content
    assert body.startswith(b"<?xml")
    assert b"<!DOCTYPE" not in body
    assert etree.fromstring(body).tag == "{http://schemas.xmlsoap.org/wsdl/}definitions"
