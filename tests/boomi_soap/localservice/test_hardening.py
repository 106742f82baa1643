"""Bad requests get a fault or an HTTP error; none of them harms the server."""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import socket
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
import requests.adapters

from boomi_soap.localservice import (
    DEFAULT_ACCOUNT,
    DEFAULT_API_TOKEN,
    DEFAULT_PASSWORD,
    DEFAULT_USER,
    LocalService,
    ServiceConfig,
)
from boomi_soap.localservice.contract import NS_DATA
from boomi_soap.localservice.rest import rest_prefix
from tests.boomi_soap.localservice.helpers import RawSoap, Reply, envelope

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
    assert reply.status == 401  # Boomi's status for bad credentials; the fault says which
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


# -- the unauthenticated cannot make the service hold their bodies ----------------------
TEN_MIB = 10 * 1024 * 1024
WRONG = base64.b64encode(f"{DEFAULT_USER}:wrong".encode()).decode()
GOOD = base64.b64encode(f"{DEFAULT_USER}:{DEFAULT_PASSWORD}".encode()).decode()


def _address(service: LocalService) -> tuple[str, int]:
    url = urlsplit(service.base_url)
    return url.hostname or "", url.port or 0


def _head(method: str, path: str, length: int, headers: dict[str, str] | None = None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: x", f"Content-Length: {length}"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _answer_unsent(service: LocalService, data: bytes, *, source: str = "127.0.0.1") -> bytes:
    """Send ``data`` (a head, perhaps a prefix of its body), never the rest; the answer the server gives."""
    with socket.create_connection(_address(service), timeout=10, source_address=(source, 0)) as sock:
        sock.sendall(data)
        chunks = []
        with contextlib.suppress(OSError):
            while chunk := sock.recv(65536):
                chunks.append(chunk)
                if b"\r\n\r\n" in b"".join(chunks) and chunks[-1].endswith((b">", b"}", b"\n")):
                    break
        return b"".join(chunks)


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def _rest(service: LocalService, tail: str) -> str:
    return urlsplit(service.base_url).path + rest_prefix(service.release) + DEFAULT_ACCOUNT + tail


@pytest.mark.parametrize("authorization", [None, f"Basic {WRONG}", "Basic !!!", "Bearer x"])
def test_rest_sign_in_is_decided_before_the_body(service: LocalService, authorization: str | None) -> None:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if authorization:
        headers["Authorization"] = authorization
    # Ten MiB announced, none sent: the answer comes all the same.
    answer = _answer_unsent(service, _head("POST", _rest(service, "/Environment"), TEN_MIB, headers))
    assert _status(answer) == 401
    assert b"WWW-Authenticate: Basic" in answer
    assert b"Connection: close" in answer  # the unread body is not waited for


@pytest.mark.parametrize(
    "headers",
    [{"Authorization": f"Basic {WRONG}"}, {}],
    ids=["wrong-header", "no-header-large-body"],
)
def test_connect_now_sign_in_is_decided_before_the_body(service: LocalService, headers: dict[str, str]) -> None:
    head = _head("POST", "/ws/simple/getInstalledIPacks", TEN_MIB, {"Content-Type": "application/json", **headers})
    answer = _answer_unsent(service, head)
    assert _status(answer) == 401
    assert b'"errorMessage"' in answer


def test_connect_now_small_body_may_carry_its_own_auth(service: LocalService) -> None:
    body = json.dumps({"auth": GOOD, "accountId": DEFAULT_ACCOUNT}).encode()
    reply = requests.post(f"{service.base_url}/ws/simple/getBoomiAccountProfile", data=body, timeout=10)
    assert reply.status_code == 200


@pytest.mark.parametrize(
    ("prefix", "code"),
    [
        (envelope(QUERY, password="wrong"), "AUTHENTICATION"),
        (b"<!DOCTYPE x [<!ENTITY a 'b'>]>" + envelope(QUERY), "INVALID_REQUEST"),
        (b"<soapenv:Envelope xmlns:soapenv='http://schemas.xmlsoap.org/soap/envelope/'><a></b>", "INVALID_REQUEST"),
        # A Header that never ends: the scan stops at the unauthenticated allowance.
        (envelope(QUERY).replace(b"<soapenv:Header>", b"<soapenv:Header>" + b"<!-- pad -->" * 6000), "AUTHENTICATION"),
    ],
    ids=["wrong-password", "doctype-first", "malformed", "header-never-ends"],
)
def test_soap_reads_no_more_than_a_prefix_before_sign_in(service: LocalService, prefix: bytes, code: str) -> None:
    path = urlsplit(service.endpoint()).path
    head = _head("POST", path, TEN_MIB, {"Content-Type": "text/xml"})
    answer = _answer_unsent(service, head + prefix[:70_000])  # of ten MiB: the rest never comes
    body = answer.partition(b"\r\n\r\n")[2]
    assert RawSoapReply(answer).fault()[2] == code, body[:300]
    assert b"Connection: close" in answer


class RawSoapReply:
    """The fault of a raw answer."""

    def __init__(self, answer: bytes) -> None:
        self.reply = Reply(_status(answer), {}, answer.partition(b"\r\n\r\n")[2])

    def fault(self) -> tuple[str, str, str]:
        return self.reply.fault()


def test_a_body_starting_with_doctype_is_refused_with_400(soap: RawSoap) -> None:
    reply = soap.post(b"<!DOCTYPE Envelope>" + envelope(QUERY, wrapper_ns=soap.wrapper_ns))
    assert reply.status == 400
    assert "DOCTYPE declarations are not allowed" in reply.fault()[1]


@pytest.mark.parametrize("bad", ["\r", "\x00", "\n", "\x0b"], ids=["CR", "NUL", "LF", "VT"])
def test_control_characters_in_header_values_are_refused(service: LocalService, bad: str) -> None:
    body = envelope(QUERY)
    path = urlsplit(service.endpoint()).path
    head = _head("POST", path, len(body), {"Content-Type": "text/xml", "X-Trace": f"a{bad}Injected: 1"})
    with socket.create_connection(_address(service), timeout=10) as sock:
        sock.sendall(head + body)
        sock.shutdown(socket.SHUT_WR)
        answer = b"".join(iter(lambda: sock.recv(65536), b""))
    assert _status(answer) == 400
    assert service.limit_stats().accepted == 0


# -- a service-wide cap on what is held ------------------------------------------------------
def test_bodies_past_the_buffer_cap_get_503_and_the_held_one_completes() -> None:
    config = ServiceConfig(rate_limit=None, max_buffered_bytes=1024 * 1024)
    with LocalService(config) as service:
        create = envelope(
            '<soap:create><object xsi:type="api:Environment" name="'
            + "N" * 700_000
            + '" classification="TEST"/></soap:create>'
        )
        path = urlsplit(service.endpoint()).path
        held = socket.create_connection(_address(service), timeout=10)
        try:
            held.sendall(_head("POST", path, len(create), {"Content-Type": "text/xml"}) + create[:-100])
            # The first body is signed in and 700 KB held: a second one does not fit.
            second = _answer_unsent(service, _head("POST", path, len(create), {"Content-Type": "text/xml"}) + create)
            assert _status(second) == 503
            assert b"Retry-After: 1" in second
            assert RawSoapReply(second).fault()[2] == "RATE_LIMIT"  # so a client retries it: nothing was done
            held.sendall(create[-100:])
            answer = held.recv(65536)
            assert _status(answer) == 200
        finally:
            held.close()
        assert RawSoap(service).post(create).status == 200  # room again


# -- eviction takes only idle connections ------------------------------------------------------
def test_a_flood_of_idle_sockets_never_cuts_an_upload_mid_body() -> None:
    config = ServiceConfig(rate_limit=None, max_connections=20)
    with LocalService(config) as service:
        create = envelope(
            '<soap:create><object xsi:type="api:Environment" name="Kept" classification="TEST"/></soap:create>'
        )
        path = urlsplit(service.endpoint()).path
        before = service.store().count("Environment")
        upload = socket.create_connection(_address(service), timeout=10)
        idle: list[socket.socket] = []
        try:
            upload.sendall(_head("POST", path, len(create), {"Content-Type": "text/xml"}) + create[:-10])
            for _ in range(100):  # five times the connection limit
                idle.append(socket.create_connection(_address(service), timeout=10))
            upload.sendall(create[-10:])
            assert _status(upload.recv(65536)) == 200
        finally:
            upload.close()
            for sock in idle:
                sock.close()
        assert service.store().count("Environment") == before + 1


def test_when_every_connection_is_mid_request_a_newcomer_is_refused() -> None:
    config = ServiceConfig(rate_limit=None, max_connections=5)
    with LocalService(config) as service:
        path = urlsplit(service.endpoint()).path
        busy = [socket.create_connection(_address(service), timeout=10) for _ in range(5)]
        try:
            for sock in busy:
                sock.sendall(_head("POST", path, 1000, {"Content-Type": "text/xml"}) + b"<")  # a body under way
            # Read or not yet by the reactor, each has bytes of a request: none is idle.
            with socket.create_connection(_address(service), timeout=10) as newcomer:
                answer = b"".join(iter(lambda: newcomer.recv(65536), b""))
            assert _status(answer) == 503
        finally:
            for sock in busy:
                sock.close()


# -- an account's store is bounded ------------------------------------------------------
def test_creates_past_the_store_cap_are_refused() -> None:
    config = ServiceConfig(rate_limit=None, max_stored_bytes=2_000_000)
    with LocalService(config) as service:
        soap = RawSoap(service)
        name = "N" * 600_000
        create = f'<soap:create><object xsi:type="api:Environment" name="{name}" classification="TEST"/></soap:create>'
        statuses = [soap.call(create).status for _ in range(5)]
        assert statuses[:2] == [200, 200]
        refused = soap.call(create)
        faultcode, message, code = refused.fault()
        assert (faultcode, code) == ("S:Client", "INVALID_REQUEST")
        assert "holds its maximum" in message
        rest = requests.post(
            service.base_url + rest_prefix(service.release) + DEFAULT_ACCOUNT + "/Environment",
            data=f'<Environment xmlns="{NS_DATA}" name="{name}" classification="TEST"/>',
            auth=(DEFAULT_USER, DEFAULT_PASSWORD),
            timeout=10,
        )
        assert rest.status_code == 413
        _, size = service.store().held
        assert size <= 2_000_000


def test_the_object_cap_counts_records() -> None:
    with LocalService(ServiceConfig(rate_limit=None)) as service:
        store = service.store()
        count, _ = store.held
        store.cap(count + 5, None)
        soap = RawSoap(service)
        create = '<soap:create><object xsi:type="api:Environment" name="E" classification="TEST"/></soap:create>'
        statuses = [soap.call(create).status for _ in range(10)]
        assert statuses[0] == 200
        assert 500 in statuses
        assert f"holds its maximum of {count + 5} objects" in soap.call(create).fault()[1]
        assert store.held[0] <= count + 5


# -- failed sign-ins are throttled per user and per address ------------------------------------------
def test_failed_sign_ins_are_throttled_per_address() -> None:
    config = ServiceConfig(rate_limit=None, sign_in_failures=3, sign_in_window=60)
    with LocalService(config) as service:
        path = urlsplit(service.endpoint()).path
        for n in range(3):  # three made-up users from one address
            body = envelope(QUERY, username=f"guess{n}@example.com", password="x")
            answer = _answer_unsent(service, _head("POST", path, len(body), {"Content-Type": "text/xml"}) + body)
            assert RawSoapReply(answer).fault()[1] == "The security token could not be authenticated or authorized"
        good = envelope(QUERY, wrapper_ns=RawSoap(service).wrapper_ns)
        head = _head("POST", path, len(good), {"Content-Type": "text/xml"})
        refused = RawSoapReply(_answer_unsent(service, head + good)).fault()
        assert refused[2] == "AUTHENTICATION"
        assert refused[1].startswith("Too many failed sign-ins for this user or address; retry in ")
        # Another address is not held back by this one's guesses.
        assert _status(_answer_unsent(service, head + good, source="127.0.0.2")) == 200
        rest = _answer_unsent(
            service, _head("GET", _rest(service, "/Role/query"), 0, {"Authorization": f"Basic {GOOD}"})
        )
        assert _status(rest) == 429
        assert b"Retry-After: " in rest


def test_failed_sign_ins_are_throttled_per_user() -> None:
    config = ServiceConfig(rate_limit=None, sign_in_failures=3, sign_in_window=60)
    with LocalService(config) as service:
        wsdl = f"{service.wsdl_url()}"
        for n in range(3):  # one user, guessed at from three addresses
            session = requests.Session()
            session.mount("http://", _SourceAdapter(f"127.0.0.{n + 2}"))
            assert session.get(wsdl, auth=(DEFAULT_USER, "guess"), timeout=10).status_code == 401
        session = requests.Session()
        session.mount("http://", _SourceAdapter("127.0.0.9"))
        throttled = session.get(wsdl, auth=(DEFAULT_USER, DEFAULT_PASSWORD), timeout=10)
        assert throttled.status_code == 429
        assert int(throttled.headers["Retry-After"]) >= 1
        # Other users sign in as before.
        assert service.sign_ins.wait("someone@example.com", "127.0.0.9") == 0


class _SourceAdapter(requests.adapters.HTTPAdapter):
    """Connects from a given loopback address."""

    def __init__(self, source: str) -> None:
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)
