"""The HTTP/1.1 server of the local AtomSphere service, and its Python API.

Routes (``{account}`` is an account id of the service)::

    GET  /api/soap/v1/{account}?wsdl     the WSDL          (HTTP Basic auth)
    GET  /api/soap/v1/{account}?xsd=1    the data schema   (HTTP Basic auth)
    GET  /api/soap/v1/{account}?xsd=2    the wrapper schema (HTTP Basic auth)
    POST /api/soap/v1/{account}          SOAP 1.1 calls    (WS-Security UsernameToken)

Downloads carry ``ETag`` and ``Last-Modified`` and answer a matching conditional
GET with 304.  Use :class:`LocalService` as a context manager in tests::

    with LocalService() as service:
        url = service.wsdl_url()
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import logging
import socket
import threading
import time
from dataclasses import dataclass
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Final, Self
from urllib.parse import unquote, urlsplit

from boomi_soap.credentials import Flavour
from boomi_soap.exceptions import ServiceError
from boomi_soap.localservice import executions
from boomi_soap.localservice.config import ServiceConfig, User
from boomi_soap.localservice.contract import Release, load_release
from boomi_soap.localservice.errors import ApiFault, FaultCode
from boomi_soap.localservice.injection import Injection, InjectionPlan
from boomi_soap.localservice.limits import AccountLimits, LimitStats
from boomi_soap.localservice.seed import seed_account
from boomi_soap.localservice.soap import fault_envelope, handle_soap
from boomi_soap.localservice.store import AccountStore

__all__ = ["LocalService"]

_XML: Final = "text/xml; charset=utf-8"
_DOCUMENTS: Final = {"wsdl": "wsdl", "xsd=1": "xsd1", "xsd=2": "xsd2"}
_log = logging.getLogger("boomi_soap.localservice")


@dataclass
class _Account:
    store: AccountStore
    limits: AccountLimits


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # SO_REUSEADDR lets a restarted service rebind over TIME_WAIT sockets; on Linux it
    # never lets two live listeners share a port.
    allow_reuse_address = True
    service: LocalService


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "AtomSphereLocal/1.0"
    server: _Server

    def version_string(self) -> str:
        return self.server_version

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.service.config.request_timeout)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        # The request line holds only method and path; credentials travel in headers and body.
        _log.debug("%s %s", self.address_string(), format % args)

    # -- plumbing -------------------------------------------------------------------
    def _send(self, status: int, body: bytes, content_type: str = _XML, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _plain(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        self._send(status, (message + "\n").encode(), "text/plain; charset=utf-8", headers)

    def _account_id(self) -> str | None:
        path = urlsplit(self.path).path
        prefix = self.server.service.release.path_prefix
        if not path.startswith(prefix):
            return None
        account = unquote(path[len(prefix) :])
        return account if account and "/" not in account else None

    def _basic_user(self) -> User | None:
        header = self.headers.get("Authorization", "")
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            username, sep, secret = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return self.server.service.config.authenticate(username, secret) if sep else None

    # -- GET: WSDL and schemas ------------------------------------------------------
    def do_GET(self) -> None:
        service = self.server.service
        if self._rest_get():
            return
        account_id = self._account_id()
        kind = _DOCUMENTS.get(urlsplit(self.path).query)
        if account_id is None or kind is None or kind not in service.release.files:
            self._plain(404, "Endpoint is invalid or no longer exists.")
            return
        user = self._basic_user()
        if user is None:
            self._plain(401, "Authentication required.", {"WWW-Authenticate": 'Basic realm="AtomSphere API"'})
            return
        if account_id not in user.accounts or service.account(account_id) is None:
            self._plain(403, "Access denied due to insufficient permissions.")
            return
        release = service.release
        endpoint = service.endpoint(account_id)
        etag = release.etag(kind, endpoint)
        headers = {
            "ETag": etag,
            "Last-Modified": format_datetime(release.published, usegmt=True),
            "Cache-Control": "private, no-cache",
        }
        if self._not_modified(etag, release):
            self.send_response(304)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            return
        self._send(200, release.document(kind, endpoint), headers=headers)

    do_HEAD = do_GET  # noqa: N815 - stdlib naming

    def _rest_get(self) -> bool:
        """Serve the REST resources a SOAP answer links to; ``False`` if the path is not one.

        ``{endpoint}/ExecutionRecord/async/{requestId}`` (an ExecutionRequest's
        ``recordUrl``) and ``{endpoint}/log/{token}`` (a LogDownload's ``url``).  Both
        need HTTP Basic auth and count against the account's rate limit, as on Boomi.
        """
        service = self.server.service
        path = urlsplit(self.path).path
        prefix = service.release.path_prefix
        if not path.startswith(prefix):
            return False
        account_id, _, rest = unquote(path[len(prefix) :]).partition("/")
        kind, _, key = rest.rpartition("/")
        if kind not in ("ExecutionRecord/async", "log") or not key:
            return False
        user = self._basic_user()
        if user is None:
            self._plain(401, "Authentication required.", {"WWW-Authenticate": 'Basic realm="AtomSphere API"'})
            return True
        account = service.account(account_id)
        if account is None or account_id not in user.accounts:
            self._plain(403, "Access denied due to insufficient permissions.")
            return True
        try:
            account.limits.admit()
            if kind == "log":
                body = executions.log_body(account.store, key)
                if body is None:
                    raise ApiFault(FaultCode.NOT_FOUND, "Endpoint is invalid or no longer exists.")
                self._send(200, body, "text/plain; charset=utf-8")
            else:
                self._send(200, executions.async_record(account.store, service.release, key))
        except ApiFault as fault:
            status = 404 if fault.code is FaultCode.NOT_FOUND else fault.http_status
            self._plain(status, fault.message)
        return True

    def _not_modified(self, etag: str, release: Release) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
            return "*" in tags or etag in tags
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                return parsedate_to_datetime(since) >= release.published
            except (TypeError, ValueError):
                return False
        return False

    # -- POST: SOAP calls -----------------------------------------------------------
    def do_POST(self) -> None:
        service = self.server.service
        account_id = self._account_id()
        if account_id is None:
            self.close_connection = True
            self._plain(404, "Endpoint is invalid or no longer exists.")
            return
        length_header = self.headers.get("Content-Length")
        if length_header is None or not length_header.isdigit():
            self.close_connection = True
            self._plain(411, "A Content-Length header is required.")
            return
        length = int(length_header)
        if length > service.config.max_body_bytes:
            # The body is not read, so the connection cannot be reused.
            self.close_connection = True
            self._plain(413, f"The request body exceeds {service.config.max_body_bytes} bytes.")
            return
        injected = service.injections.take()
        if injected is Injection.DROP_BEFORE:
            self._drop()
            return
        data = self.rfile.read(length)
        if service.injections.latency:
            time.sleep(service.injections.latency)
        if injected is Injection.HTTP_503:
            self._send(
                503, fault_envelope(ApiFault(FaultCode.INJECTED, "Service Unavailable (injected)", http_status=503))
            )
            return
        if injected is Injection.HTML_ERROR:
            page = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
            self._send(502, page, "text/html; charset=utf-8")
            return
        if injected is Injection.SOAP_FAULT:
            self._send(500, fault_envelope(ApiFault(FaultCode.INJECTED, "Internal server error (injected)")))
            return
        account = service.account(account_id)
        reply = handle_soap(
            data,
            account_id=account_id,
            config=service.config,
            release=service.release,
            store=account.store if account else None,
            endpoint=service.endpoint(account_id),
            admit=account.limits.admit if account else (lambda: None),
            sub_accounts=service.sub_accounts,
            store_of=lambda other: found.store if (found := service.account(other)) else None,
        )
        if injected is Injection.DROP_AFTER:
            self._drop()
        elif injected is Injection.TRUNCATED:
            self.close_connection = True
            self.send_response(reply.status)
            self.send_header("Content-Type", _XML)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body[: len(reply.body) // 2])
            self.wfile.flush()
            self._drop()
        elif injected is Injection.NOT_XML:
            self._send(200, b"Service temporarily degraded; try again\x00\xff", _XML)
        else:
            self._send(reply.status, reply.body)

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):  # the peer may have gone already
            self.connection.shutdown(socket.SHUT_RDWR)

    def _refuse(self) -> None:
        self.close_connection = True
        self._plain(405, "Method not allowed.", {"Allow": "GET, HEAD, POST"})

    do_PUT = do_DELETE = do_PATCH = _refuse  # noqa: N815 - stdlib naming


class LocalService:
    """A local AtomSphere platform API on loopback, for tests, demos and development.

    It runs a real threaded HTTP/1.1 server; :meth:`start` returns once it listens.
    """

    def __init__(self, config: ServiceConfig | None = None) -> None:
        """Create the service (not yet listening).

        Args:
            config: Settings; the defaults serve one demo account on a free port.
        """
        self.config = config or ServiceConfig()
        self.injections = InjectionPlan()
        self._release = load_release(self.config.release, self.config.contract)
        self._accounts: dict[str, _Account] = {}
        self._accounts_lock = threading.Lock()
        for account_id in self.config.accounts:
            self._add_account(account_id)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------
    def start(self) -> Self:
        """Bind the port and serve in a background thread.

        Returns:
            The service itself.

        Raises:
            ServiceError: If the address cannot be bound.
        """
        server = self.bind()
        self._thread = threading.Thread(
            # A short poll keeps stop() fast: shutdown() waits for the loop to notice.
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="atomsphere-local",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted (binds first if needed)."""
        server = self._server or self.bind()
        try:
            server.serve_forever()
        finally:
            server.server_close()
            self._server = None

    def bind(self) -> _Server:
        """Bind the listening socket without serving yet, so :attr:`base_url` is known.

        Returns:
            The bound server.

        Raises:
            ServiceError: If the address cannot be bound.
        """
        if self._server is not None:
            return self._server
        try:
            server = _Server((self.config.host, self.config.port), _Handler)
        except OSError as exc:
            raise ServiceError(f"cannot listen on {self.config.host}:{self.config.port}: {exc.strerror}") from None
        server.service = self
        self._server = server
        return server

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> Self:
        """Start the service."""
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop the service."""
        self.stop()

    # -- addresses ------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        """``http://host:port`` of the running service."""
        if self._server is None:
            raise ServiceError("the service is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def endpoint(self, account_id: str | None = None) -> str:
        """The SOAP endpoint of an account (the first account by default)."""
        return f"{self.base_url}{self._release.path_prefix}{account_id or self.config.accounts[0]}"

    def wsdl_url(self, account_id: str | None = None) -> str:
        """The WSDL URL of an account (the first account by default)."""
        return self.endpoint(account_id) + "?wsdl"

    @property
    def flavour(self) -> Flavour:
        """The API flavour a client fetches from this service (``partner`` for the Partner contract)."""
        return "partner" if self.config.contract == "partner" else "platform"

    # -- state ----------------------------------------------------------------------
    @property
    def accounts(self) -> tuple[str, ...]:
        """Account ids served."""
        return self.config.accounts

    @property
    def release(self) -> Release:
        """The contract currently published and enforced."""
        return self._release

    def set_release(self, name: str) -> None:
        """Publish another release (``"current"`` or ``"next"``), as a Boomi upgrade would.

        Raises:
            ServiceError: If ``name`` is not a bundled release.
        """
        try:
            self._release = load_release(name, self.config.contract)
        except KeyError:
            raise ServiceError(
                f"unknown release {name!r} for the {self.config.contract!r} contract (use 'current' or 'next')"
            ) from None

    def _add_account(self, account_id: str) -> _Account:
        store = AccountStore(account_id)
        seed_account(store, self._release.index)
        limits = AccountLimits(rate=self.config.rate_limit, daily_quota=self.config.daily_quota)
        self._accounts[account_id] = account = _Account(store, limits)
        return account

    def account(self, account_id: str) -> _Account | None:
        """The store and limits of an account (a sub-account is seeded on first use), or ``None``."""
        found = self._accounts.get(account_id)
        if found is None and account_id in self.config.sub_accounts:
            with self._accounts_lock:
                found = self._accounts.get(account_id) or self._add_account(account_id)
        return found

    def sub_accounts(self, account_id: str) -> tuple[str, ...]:
        """The sub-accounts of ``account_id`` (the first account is the parent of all)."""
        return self.config.sub_accounts if account_id == self.config.accounts[0] else ()

    def store(self, account_id: str | None = None) -> AccountStore:
        """The object store of an account (the first account by default)."""
        found = self.account(account_id or self.config.accounts[0])
        if found is None:
            raise ServiceError(f"no account {account_id!r} on this service")
        return found.store

    def limit_stats(self, account_id: str | None = None) -> LimitStats:
        """Traffic counters of an account (the first account by default)."""
        return self._accounts[account_id or self.config.accounts[0]].limits.stats()

    def inject(self, kind: Injection | str, times: int = 1) -> None:
        """Make the next ``times`` SOAP calls fail with ``kind`` (see :mod:`.injection`)."""
        self.injections.add(Injection(kind), times)
