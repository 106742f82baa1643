"""An asyncio client with the guarantees of :class:`~boomi_soap.client.Client`, and a fan-out over accounts.

:class:`AsyncClient` wraps a :class:`~boomi_soap.client.Client` and shares its call core
(:class:`~boomi_soap.wire.call.CallCore`: override, validation, WS-Security or HTTP Basic,
SOAP or REST, the answer's check and typed errors) and its zeep model; only the sending is
its own, by the asyncio driver (:class:`~boomi_soap._transports.asyncio.AsyncSafeTransport`)
under the same gate (rate window and quota budget, shared with the wrapped client and every
client on the same limiter backend), the same retry decision
(:func:`~boomi_soap.wire.attempts.attempts`) and the same bounds.  So the two clients send
the same bytes and read answers alike by construction.

:func:`fan_out` runs one coroutine per account, each on a client of its own account
that shares the schema, the HTTP connection pool and the limiter backend, with each
account held to its own rate and a global cap on calls in flight.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

import httpx
from lxml import etree

from boomi_soap._async_features import AsyncFeatures
from boomi_soap._transports.asyncio import AsyncSafeTransport
from boomi_soap._xml.redact import redact_url
from boomi_soap.client import Client
from boomi_soap.credentials import Credentials, Endpoint, Flavour, same_origin
from boomi_soap.exceptions import ConfigurationError, RequestRefusedError
from boomi_soap.query import AsyncQueryResults, Expression
from boomi_soap.settings import ClientSettings
from boomi_soap.snapshot.cache import Snapshot
from boomi_soap.wire.soap import execution_arguments, log_call
from boomi_soap.wire.tolerance import Deviations

__all__ = ["AccountOutcome", "AsyncClient", "AsyncQueryResults", "AsyncSafeTransport", "fan_out"]

T = TypeVar("T")
_log = logging.getLogger("boomi_soap.client")


class AsyncClient(AsyncFeatures):
    """The asyncio twin of :class:`~boomi_soap.client.Client`, for one account.

    Attributes:
        sync: The wrapped client: its snapshot, schema, validator and settings.
        address: Where calls go.
    """

    def __init__(
        self,
        client: Client,
        *,
        http: httpx.AsyncClient | None = None,
        address: str | None = None,
        in_flight: asyncio.Semaphore | None = None,
    ) -> None:
        """Wrap a client; its call core, gate, retries and bounds apply to the async calls too.

        Args:
            client: The client whose snapshot, credentials and settings to use.
            http: An httpx client to send with (a new one by default).
            address: Another account's endpoint on the same service (see :meth:`other_account`).
            in_flight: Caps the calls in flight across every client sharing it.
        """
        self.sync = client
        if address is not None and not same_origin(address, client.address):
            # The credentials go wherever the calls go: another account, never another host.
            raise ConfigurationError(f"address {redact_url(address)!r} is not on the origin of {client.address}")
        self.address = address or client.address
        self._core = client.core if self.address == client.address else client.core.at(self.address)
        driver = client.driver
        self._driver = AsyncSafeTransport(client.settings, driver.gates, driver.outage, http=http, in_flight=in_flight)

    @classmethod
    def from_cache(
        cls,
        account_id: str | None = None,
        *,
        cache_dir: Path | None = None,
        flavour: Flavour = "platform",
        credentials: Credentials | None = None,
        base_url: str | None = None,
        settings: ClientSettings | None = None,
        env: Mapping[str, str] | None = None,
    ) -> AsyncClient:
        """Build from the account's cached snapshot; the arguments of :meth:`Client.from_cache`."""
        return cls(
            Client.from_cache(
                account_id, cache_dir=cache_dir, flavour=flavour, credentials=credentials, base_url=base_url,
                settings=settings, env=env,
            )
        )  # fmt: skip

    @classmethod
    def build(
        cls,
        snapshot: Snapshot,
        credentials: Credentials,
        *,
        endpoint: Endpoint | str | None = None,
        settings: ClientSettings | None = None,
        compiled_dir: Path | None = None,
    ) -> AsyncClient:
        """Build from a snapshot, with the arguments of :class:`~boomi_soap.client.Client`."""
        return cls(Client(snapshot, credentials, endpoint=endpoint, settings=settings, compiled_dir=compiled_dir))

    def other_account(self, account_id: str, *, in_flight: asyncio.Semaphore | None = None) -> AsyncClient:
        """A client of another account on the same service, sharing schema, settings and limiter backend.

        Its calls go to that account's own endpoint (``.../{account_id}``) and are held
        to that account's rate limit.  It has connections of its own (close it with
        :meth:`aclose`): httpx scans its whole pool on every request, so one pool for
        many accounts costs more CPU per call the more accounts there are, and past its
        keep-alive limit it reconnects.
        """
        prefix = self.address.rsplit("/", 1)[0]
        return AsyncClient(self.sync, address=f"{prefix}/{account_id}", in_flight=in_flight)

    def for_account(self, sub_account_id: str, *, in_flight: asyncio.Semaphore | None = None) -> AsyncClient:
        """The Partner API view acting on a sub-account, as :meth:`boomi_soap.client.Client.for_account`.

        Every call carries the override and goes to this client's (the parent's)
        endpoint, held to the parent's rate limit, as Boomi counts it; calls Boomi
        refuses with an override are refused before sending.  Close it with :meth:`aclose`.

        Raises:
            ConfigurationError: If the WSDL is not the Partner API, or the id is not a sub-account id.
        """
        return AsyncClient(self.sync.for_account(sub_account_id), address=self.address, in_flight=in_flight)

    def __repr__(self) -> str:
        return f"AsyncClient(address={self.address!r}, user={self._core.credentials.username!r})"

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self._driver.aclose()  # type: ignore[no-untyped-call]

    async def __aenter__(self) -> Self:
        """Use as ``async with``."""
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        """Close the connections."""
        await self.aclose()

    # -- plumbing -------------------------------------------------------------------
    def type(self, name: str) -> Any:
        """The zeep type of a data-schema type (``Process``, ``Environment`` ...)."""
        return self.sync.type(name)

    @property
    def deviations(self) -> Deviations:
        """The answers' deviations from the snapshot, counted with the wrapped client's (one reader for both)."""
        return self.sync.deviations

    @property
    def operations(self) -> tuple[str, ...]:
        """Names of the WSDL's operations."""
        return self.sync.operations

    # -- the call path: the sync client's core, this driver's I/O ---------------------------
    async def call_xml(self, payload: etree._Element) -> etree._Element:
        """Send an operation's request wrapper element; return the response wrapper element.

        As :meth:`Client.call_xml <boomi_soap.client.Client.call_xml>`: the same core encodes
        and decodes it, so it is validated, signed, gated and retried alike, over SOAP or REST.

        Raises:
            InvalidRequestError: If ``payload`` is not a request wrapper of this account's WSDL.
            RequestValidationError: If the request breaks the schema.
        """
        return await self._send(payload)

    def describe(self, payload: etree._Element) -> str:
        """What :meth:`call_xml` would send for ``payload`` (the envelope, or REST's request), secrets masked."""
        return self._core.describe(payload)

    async def _send(self, payload: etree._Element, *, own: bool = False) -> etree._Element:
        core = self._core
        record = self._driver.begin(core.operation_of(core.with_override(payload)))
        started, outcome = time.perf_counter(), "error"
        try:
            out = core.encode(payload, own=own)
            got = await self._driver.send(out.method, out.url, out.body, out.headers, account_address=out.gate)
            answer = core.decode(out, got.status_code, got.content, record)
            outcome = "ok"
            return answer
        finally:
            log_call(record.operation, outcome, started, record)

    async def _invoke(self, operation: str, payload: etree._Element | None = None, /, **arguments: Any) -> Any:
        objects = self.sync.zeep_objects
        objects.binding  # noqa: B018 - zeep reads the answer: built first, so a snapshot it refuses costs no call
        if payload is None:
            self._core.refuse(operation, arguments)
            payload = objects.payload(operation, arguments)
        return objects.read(operation, await self._send(payload, own=True))

    async def _texts(self, operation: str, **texts: str) -> Any:
        return await self._invoke(operation, self._core.text_payload(operation, texts), **texts)

    # -- operations -----------------------------------------------------------------
    async def get(self, object_type: str, object_id: str) -> Any:
        """Return one object; its class follows the result's ``xsi:type``."""
        return await self._texts("get", objectType=object_type, objectId=object_id)

    def query(
        self,
        object_type: str,
        where: Expression | None = None,
        *,
        sort: Mapping[str, str] | None = None,
        on_page: Callable[[int, int], None] | None = None,
    ) -> AsyncQueryResults:
        """Query objects: ``async for result in client.query(...)``, following pages lazily.

        Raises:
            QueryFilterError: If an operator is not in the account's schema.
        """
        config = self.sync.query_config(where, sort=sort)

        async def first() -> Any:
            return await self._invoke("query", objectType=object_type, queryConfig=config)

        async def more(token: str) -> Any:
            return await self._texts("queryMore", queryToken=token)

        return AsyncQueryResults(first, more, on_page)

    async def create(self, obj: Any = None, /, object_type: str | None = None, **fields: Any) -> Any:
        """Create an object from its type name and fields, or from a zeep object."""
        payload, arguments = self.sync.zeep_objects.object_request("create", obj, object_type, fields)
        return await self._invoke("create", payload, **arguments)

    async def update(self, obj: Any = None, /, object_type: str | None = None, **fields: Any) -> Any:
        """Replace an object (Boomi's UPDATE overwrites it whole); same arguments as :meth:`create`."""
        payload, arguments = self.sync.zeep_objects.object_request("update", obj, object_type, fields)
        return await self._invoke("update", payload, **arguments)

    async def delete(self, object_type: str, object_id: str) -> bool:
        """Delete an object; ``False`` if it did not exist."""
        return bool(await self._texts("delete", objectType=object_type, objectId=object_id))

    async def execute_process(
        self,
        atom_id: str,
        *,
        process_id: str | None = None,
        process_name: str | None = None,
        properties: Mapping[str, str] | None = None,
    ) -> None:
        """Start a process on an Atom; sent once (never retried after it may have arrived)."""
        await self._invoke("executeProcess", **execution_arguments(atom_id, process_id, process_name, properties))

    async def get_linked(self, url: str, *, max_bytes: int, operation: str) -> tuple[int, bytes]:
        """GET a resource an answer linked to (a record URL, a log download): its HTTP status and body.

        As :meth:`Client.get_linked <boomi_soap.client.Client.get_linked>`: with the
        client's credentials, only on its own origin, never following a redirect,
        counted against its rate limit, at most ``max_bytes``, within the total timeout.
        """
        core = self._core
        return await self._driver.get_linked(url, core.credentials, core.gate, max_bytes=max_bytes, operation=operation)

    async def post_linked(
        self, url: str, body: bytes, *, content_type: str, max_bytes: int, operation: str
    ) -> tuple[int, bytes]:
        """POST to a REST resource of the account (an asynchronous query, a bulk request): its status and body.

        As :meth:`Client.post_linked <boomi_soap.client.Client.post_linked>`: the rules and
        bounds of :meth:`get_linked`, never retried.
        """
        core = self._core
        return await self._driver.post_linked(
            url, body, content_type, core.credentials, core.gate, max_bytes=max_bytes, operation=operation
        )

    async def call(self, operation: str, **kwargs: Any) -> Any:
        """Any other operation of the WSDL (``getAssignableRoles``, ``cancelExecution`` ...)."""
        if operation not in self.operations:
            raise RequestRefusedError(operation, "not an operation of this account's WSDL")
        return await self._invoke(operation, **kwargs)


@dataclass(frozen=True)
class AccountOutcome(Generic[T]):
    """What a fan-out's task did for one account.

    Attributes:
        account: The account id.
        result: The task's return value, if it succeeded.
        error: What it raised, if it failed.
        seconds: How long it ran.
    """

    account: str
    result: T | None = None
    error: Exception | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Whether the task succeeded."""
        return self.error is None


async def fan_out(
    client: AsyncClient,
    accounts: Iterable[str],
    task: Callable[[AsyncClient], Awaitable[T]],
    *,
    concurrency: int = 32,
    progress: bool | None = None,
    sub_accounts: bool | None = None,
) -> dict[str, AccountOutcome[T]]:
    """Run ``task`` once per account, concurrently, and collect every result and error.

    Each account gets a client of its own.  Accounts of the platform API get one on
    their own endpoint (:meth:`AsyncClient.other_account`), so each is held to its own
    rate limit (and quota budget) by the shared limiter backend.  Sub-accounts of a
    Partner API client get an override view (:meth:`AsyncClient.for_account`), all
    held to the parent's limit, as Boomi counts them.  ``concurrency`` caps the calls
    in flight across all accounts.  One
    account's failure does not stop the others.  Each account's client is closed
    when its task returns, so a task must not leave calls running (gather them with
    ``return_exceptions=True``).

    Args:
        client: A client of any account on the service, with the settings to use.
        accounts: Account ids.
        task: A coroutine function given each account's client.
        concurrency: Most calls in flight at once over all accounts.
        progress: Show progress on stderr; default: only when stderr is a terminal.
        sub_accounts: Act on the accounts through the Partner API override; default:
            when ``client``'s WSDL is the Partner API.

    Returns:
        Each account's outcome, in the order given.
    """
    accounts = list(dict.fromkeys(accounts))
    show = sys.stderr.isatty() if progress is None else progress
    in_flight = asyncio.Semaphore(concurrency)
    outcomes: dict[str, AccountOutcome[T]] = {}
    if sub_accounts is None:
        sub_accounts = client.sync.contract.override is not None
    view = client.for_account if sub_accounts else client.other_account

    async def one(account: str) -> None:
        started = time.monotonic()
        try:
            async with view(account, in_flight=in_flight) as account_client:
                result = await task(account_client)
            outcomes[account] = AccountOutcome(account, result=result, seconds=time.monotonic() - started)
        except Exception as exc:  # each account's failure is reported, not raised
            outcomes[account] = AccountOutcome(account, error=exc, seconds=time.monotonic() - started)
        if show:
            failed = sum(not o.ok for o in outcomes.values())
            sys.stderr.write(f"\r{len(outcomes)}/{len(accounts)} accounts done, {failed} failed")
            sys.stderr.flush()

    await asyncio.gather(*(one(account) for account in accounts))
    if show:
        sys.stderr.write("\n")
    return {account: outcomes[account] for account in accounts}
