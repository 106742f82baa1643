"""Hostile requests for the local service, built deterministically from a seed, and a raw wire client.

Each generator yields whole requests (head and body, as bytes).  Every one of them is
malformed or unauthorised in some way the service must answer with a 4xx (or a 503):
never a 500, never a logged traceback.  SOAP bodies are mutated so that they are sure
to be malformed XML (a NUL, ``"< "``, ``"& "``, a cut before the last ``>``, a
DOCTYPE...), since a well-formed envelope that fails its schema is a SOAP fault, which
SOAP 1.1 sends with HTTP 500 by design.
"""

from __future__ import annotations

import base64
import contextlib
import json
import random
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from boomi_soap.connectnow import EXTRA_OPERATIONS, OPERATIONS
from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER
from boomi_soap.localservice.contract import NS_DATA
from tests.boomi_soap.localservice.helpers import envelope

GOOD_AUTH = base64.b64encode(f"{DEFAULT_USER}:{DEFAULT_PASSWORD}".encode()).decode()
_QUERY = "<soap:query><api:objectType>Role</api:objectType></soap:query>"
_CONTROLS = ("\r", "\n", "\x00", "\x0b", "\x7f", "\r\r", "\x00\r\n")
# Every operation the client knows, and one the service must refuse.
_CONNECT_NOW = (*OPERATIONS, *EXTRA_OPERATIONS, "noSuchOperation")
_REST_PATHS = (
    "/Environment",
    "/Environment/query",
    "/Environment/queryMore",
    "/Environment/bulk",
    "/Environment/{id}",
    "/Process/query",
    "/Process/{id}",
    "/Role/query",
    "/ExecutionRecord/query",
    "/ExecutionRecord/async/{id}",
    "/executeProcess",
    "/cancelExecution/{id}",
    "/getAssignableRoles",
    "/Atom/query",
    "/EnvironmentExtensions/{id}",
    "/Deployment",
    "/PackagedComponent/query",
    "/openapi.json",
    "/%00/%ff",
    "/Environment/%2e%2e/%2e%2e",
    "/" + "a/" * 40,
    "/Environment;x=1/query",
)


def request(method: str, path: str, headers: dict[str, str], body: bytes, *, version: str = "HTTP/1.1") -> bytes:
    """One request on the wire, with an exact Content-Length."""
    lines = [f"{method} {path} {version}", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers.items())]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace") + body


def _text(rng: random.Random) -> str:
    """A hostile string: control characters, lone surrogates, markup, long runs, names that are no names."""
    return rng.choice(
        [
            "",
            "x",
            "\x00",
            "\x01\x02",
            "\ud800",
            "\udfff\ud800",
            "<a>",
            "&amp;",
            "]]>",
            "a b",
            "1x",
            "{urn:x}y",
            "xml:lang",
            ":",
            "\u202e",
            "\ufffe",
            "é" * 50,
            "A" * rng.randint(100, 5000),
            str(rng.random()),
            "Environment",
            "Process",
            "@type",
        ]
    )


def _json_value(rng: random.Random, depth: int = 0) -> object:
    kind = rng.randint(0, 9 if depth < 4 else 5)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.choice([0, -1, 2**63, 10**30, 1.5, -0.0, 1e308])
    if kind == 3:
        return float(rng.choice(["nan", "inf", "-inf"]))
    if kind in (4, 5):
        return _text(rng)
    if kind in (6, 7):
        return [_json_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {_text(rng) if rng.random() < 0.4 else rng.choice(_FIELDS): _json_value(rng, depth + 1) for _ in range(4)}


_FIELDS = (
    "@type",
    "name",
    "id",
    "classification",
    "QueryFilter",
    "expression",
    "operator",
    "property",
    "argument",
    "nestedExpression",
    "processId",
    "atomId",
    "ProcessProperties",
    "request",
    "type",
    "connections",
    "field",
    "value",
    "processPropertyContainers",
    "processProperties",
    "crossReferenceTables",
    "CrossReferenceRows",
    "row",
    "result",
    "Schedule",
    "Retry",
    "maxRetry",
    "integrationPackId",
    "environmentId",
    "date",
    "iPackInstanceId",
    "accountId",
    "auth",
)


def _json_body(rng: random.Random, extra: dict[str, object] | None = None) -> bytes:
    """A hostile JSON (or almost-JSON) body."""
    kind = rng.randint(0, 11)
    if kind == 0:
        return b"[" * rng.choice([100, 5000, 100_000]) + b"]" * rng.choice([0, 100])
    if kind == 1:
        return b'{"a":' * rng.choice([500, 50_000]) + b"1" + b"}" * 10
    if kind == 2:
        return bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 300)))
    if kind == 3:
        whole = json.dumps({**(extra or {}), "@type": _text(rng)}).encode()
        return whole[: rng.randint(0, len(whole) - 1)]
    if kind == 4:
        return b'{"@type": "Environment", "name": "' + b"\\u0000\\ud800\\u0001" * 10 + b'"}'
    if kind == 5:
        return b"\xef\xbb\xbf" + json.dumps(extra or {}).encode() + b"\xff"
    if kind == 6:
        return json.dumps(_json_value(rng)).encode()
    if kind == 7:
        return b'{"n": ' + b"9" * rng.choice([5000, 50_000]) + b"}"
    top = {rng.choice(_FIELDS): _json_value(rng) for _ in range(rng.randint(1, 6))}
    return json.dumps({**top, **(extra or {})}).encode()


def _broken_xml(rng: random.Random, document: bytes) -> bytes:
    """``document`` made surely malformed."""
    kind = rng.randint(0, 9)
    at = rng.randint(0, len(document) - 1)
    if kind == 0:
        return document[:at]  # cut before the last ">"
    if kind == 1:
        return document[:at] + b"\x00" + document[at:]
    if kind == 2:
        return document[:at] + b"< " + document[at:]
    if kind == 3:
        return document[:at] + b"& " + document[at:]
    if kind == 4:
        return b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + document
    if kind == 5:
        return document[:at] + b"<!DOCTYPE x>" + document[at:]
    if kind == 6:
        name = rng.choice(["UTF-7", "ISO-8859-1", "EBCDIC-US", "bogus", "UTF-32"])
        return f"<?xml version='1.0' encoding='{name}'?>".encode() + document[:at]
    if kind == 7:
        return b"\x00" + bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 400)))
    if kind == 8:
        return document.decode().encode("utf-32")[: 4 + at * 4]
    return b"<x>" * rng.choice([300, 20_000]) + document[:at]


def soap_requests(rng: random.Random, path: str, wrapper_ns: str) -> Iterator[bytes]:
    """SOAP POSTs with bodies that cannot be read as an envelope (signed in or not)."""
    headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'}
    while True:
        password = rng.choice([DEFAULT_PASSWORD, "wrong"])
        document = envelope(_QUERY, password=password, wrapper_ns=wrapper_ns)
        yield request("POST", path, headers, _broken_xml(rng, document))


def _basic(rng: random.Random) -> str:
    if rng.random() < 0.6:  # most sign in, so that their bodies reach the handlers
        return f"Basic {GOOD_AUTH}"
    return rng.choice(
        [
            "Basic " + base64.b64encode(b"demo@example.com:wrong").decode(),
            "Basic !!!",
            "Basic " + base64.b64encode(b"no-colon").decode(),
            "Basic " + base64.b64encode(b"\xff\xfe:\x00").decode(),
            "Bearer x",
            "Basic",
            "basic " + GOOD_AUTH,
        ]
    )


def rest_requests(rng: random.Random, prefix: str, *, as_json: bool) -> Iterator[bytes]:
    """REST calls with hostile bodies, paths, queries and credentials."""
    while True:
        path = prefix + DEFAULT_ACCOUNT + rng.choice(_REST_PATHS).replace("{id}", rng.choice(["x", "%00", "é", "1"]))
        if rng.random() < 0.2:
            path += "?" + rng.choice(["overrideAccount=x", "a=%ff&a=%00", "=&&=", "x=" + "y" * 3000])
        method = rng.choice(["POST", "POST", "POST", "GET", "DELETE"])
        headers = {"Authorization": _basic(rng)}
        if as_json:
            headers["Content-Type"] = rng.choice(["application/json", "application/json; charset=utf-8"])
            headers["Accept"] = rng.choice(["application/json", "application/xml", "*/*"])
            body = _json_body(rng, {"@type": rng.choice(["Environment", "QueryConfig", "x"])})
        else:
            headers["Content-Type"] = "application/xml"
            headers["Accept"] = rng.choice(["application/json", "application/xml"])
            document = f'<Environment xmlns="{NS_DATA}" name="{rng.random()}" classification="TEST"/>'.encode()
            body = _broken_xml(rng, document)
        yield request(method, path, headers, body if method == "POST" else body[: rng.choice([0, 20])])


def connect_now_requests(rng: random.Random) -> Iterator[bytes]:
    """Connect Now calls with hostile JSON bodies, auth fields and headers."""
    while True:
        operation = rng.choice(_CONNECT_NOW)
        method = "DELETE" if operation == "deleteInstalledIPackInstance" and rng.random() < 0.8 else "POST"
        headers = {"Content-Type": "application/json"}
        if rng.random() < 0.5:
            headers["Authorization"] = _basic(rng)
        auth: object = rng.choice([GOOD_AUTH, GOOD_AUTH, "é", 5, None, ["x"], {"a": 1}, "!!!", "ZGVtbw=="])
        account: object = rng.choice([DEFAULT_ACCOUNT, DEFAULT_ACCOUNT, "localsub1-D4E5F6", 7, None, "x"])
        yield request(method, "/ws/simple/" + operation, headers, _json_body(rng, {"auth": auth, "accountId": account}))


def head_requests(rng: random.Random, soap_path: str, rest_prefix: str) -> Iterator[bytes]:
    """Requests whose line or headers are malformed (bare CR, NUL, framing, names, lengths)."""
    targets = [
        soap_path,
        soap_path + "?wsdl",
        rest_prefix + DEFAULT_ACCOUNT + "/Role/query",
        "/ws/simple/getInstalledIPacks",
    ]
    body = envelope(_QUERY)
    while True:
        target = rng.choice(targets)
        headers = {"Content-Type": "text/xml", "Authorization": f"Basic {GOOD_AUTH}"}
        kind = rng.randint(0, 13)
        method, version, payload = "POST", "HTTP/1.1", body
        if kind == 0:
            name = rng.choice(list(headers))
            value = headers[name]
            at = rng.randint(0, len(value))
            headers[name] = value[:at] + rng.choice(_CONTROLS) + value[at:]
        elif kind == 1:
            headers["X-Forwarded-For"] = "1.2.3.4" + rng.choice(_CONTROLS) + "Injected: yes"
        elif kind == 2:
            method = rng.choice(["GET\x00", "P OST", "", "PUT", "PATCH", "OPTIONS", "TRACE", "CONNECT", "BREW", "G<T"])
        elif kind == 3:
            version = rng.choice(["HTTP/2.0", "HTTP/1.1 x", "HTTP/9", "", "http/1.1", "HTTP/1.0"])
        elif kind == 4:
            target = rng.choice(["", "*", "http://127.0.0.2/x", target + "\x00", target + " x", "/" + "%" * 3000])
        elif kind == 5:
            headers["Transfer-Encoding"] = rng.choice(["chunked", "identity", "gzip, chunked"])
        elif kind == 6:
            headers[rng.choice(["Bad Name", "Bad:Name", "", "Näme", "(x)", "\tX"])] = "1"
        elif kind == 7:
            headers["X-Long"] = "v" * rng.choice([1000, 70_000])
        elif kind == 8:
            headers["Authorization"] = rng.choice(["Basic " + "A" * 5000, "Basic é", "Basic ====", "\x00"])
        elif kind == 9:
            headers["Expect"] = rng.choice(["100-continue-ish", "x"])
            headers["Connection"] = rng.choice(["close, keep-alive", "upgrade", "\x01"])
        elif kind == 10:
            payload = body[: rng.randint(0, len(body) - 1)]
        data = request(method, target, headers, payload, version=version)
        if kind == 11:  # Content-Length: absurd, negative, signed, spaced, doubled
            bad = rng.choice(["-1", "+5", " 5 5", "1e3", "9" * 40, "0x10", "5, 6"])
            data = data.replace(f"Content-Length: {len(payload)}".encode(), f"Content-Length: {bad}".encode())
        elif kind == 12:  # a second, different length
            data = data.replace(b"\r\n\r\n", f"\r\nContent-Length: {len(payload) + 1}\r\n\r\n".encode(), 1)
        elif kind == 13:  # obs-fold, and lines ended by LF alone
            data = data.replace(b"\r\nContent-Type", rng.choice([b"\r\n Content-Type", b"\nContent-Type"]), 1)
        yield data


@dataclass
class Wire:
    """A raw HTTP/1.1 client on one keep-alive socket, reconnecting when the server closes."""

    address: tuple[str, int]
    source: str = "127.0.0.1"
    connects: int = 0
    _sock: socket.socket | None = None
    _pending: bytes = b""
    statuses: list[int] = field(default_factory=list)
    faults: list[bytes] = field(default_factory=list)  # the bodies of 500 answers

    def _connect(self) -> socket.socket:
        if self._sock is None:
            self._sock = socket.create_connection(self.address, timeout=20, source_address=(self.source, 0))
            self._pending = b""
            self.connects += 1
        return self._sock

    def close(self) -> None:
        """Close the socket (the next exchange reconnects)."""
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def _fill(self, sock: socket.socket) -> bool:
        try:
            chunk = sock.recv(65536)
        except OSError:
            chunk = b""
        self._pending += chunk
        return bool(chunk)

    def _response(self, sock: socket.socket) -> tuple[int, bool] | None:
        """Read one response: (status, whether the server closes after it); ``None`` at EOF."""
        while b"\r\n\r\n" not in self._pending:
            if not self._fill(sock):
                return None
        head, _, self._pending = self._pending.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        length = int(headers.get("content-length", "0"))
        while len(self._pending) < length:
            if not self._fill(sock):
                break
        if status == 500:
            self.faults.append(self._pending[:length])
        self._pending = self._pending[length:]
        return status, headers.get("connection", "").lower() == "close"

    def exchange(self, data: bytes) -> int:
        """Send one request on the keep-alive socket; its final status (0: closed without one)."""
        sock = self._connect()
        with contextlib.suppress(OSError):  # refused early: the server may stop reading
            sock.sendall(data)
        while True:
            answer = self._response(sock)
            if answer is None:
                self.close()
                self.statuses.append(0)
                return 0
            status, close = answer
            if status != 100:
                break
        self.statuses.append(status)
        if close:
            self.close()
        return status

    def one_shot(self, data: bytes) -> list[int]:
        """Send ``data`` on a fresh connection, end the sending side, and read every answer until EOF."""
        self.close()
        sock = self._connect()
        with contextlib.suppress(OSError):
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
        found: list[int] = []
        while (answer := self._response(sock)) is not None:
            if answer[0] != 100:
                found.append(answer[0])
        self.close()
        self.statuses.extend(found or [0])
        return found


Generator = Callable[[random.Random], Iterator[bytes]]
