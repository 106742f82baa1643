"""Stage 6: the client facade: one account, every operation over one call path.

Built from a cached snapshot (it never fetches), credentials and an endpoint.  Every call
goes the same way: the sans-IO core (:class:`~boomi_soap.wire.call.CallCore`: override,
validation, WS-Security or HTTP Basic, SOAP or REST) encodes the request wrapper, the sync
driver (:class:`~boomi_soap._transports.sync.SafeTransport`: rate limit, retries, bounds,
redacted logs) sends it, and the core decodes the answer or raises its typed error.  The
zeep-object methods have zeep serialize the arguments and read the answer
(:mod:`boomi_soap.wire.zeepobjects`); zeep is built on first need.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

from lxml import etree

from boomi_soap._dryrun import DryRun
from boomi_soap._features import Features
from boomi_soap._sources import cached_sources, checked_address, checked_transport, log_sources, rest_wire
from boomi_soap._subaccount import SubAccountFeatures
from boomi_soap._transports.sync import SafeTransport
from boomi_soap.credentials import Credentials, Endpoint, Flavour
from boomi_soap.exceptions import ConfigurationError, RequestRefusedError
from boomi_soap.settings import ClientSettings
from boomi_soap.snapshot.contract import Contract, contract_of
from boomi_soap.snapshot.schema import load_schema
from boomi_soap.validate import SchemaValidator
from boomi_soap.wire.call import CallCore, Override, check_sub_account
from boomi_soap.wire.soap import NS_ENVELOPE, NS_WSSE, execution_arguments, log_call, sign
from boomi_soap.wire.tolerance import Deviations
from boomi_soap.wire.zeepobjects import ZeepObjects

if TYPE_CHECKING:
    from collections.abc import Callable

    import requests
    import zeep

    from boomi_soap.query import Expression, QueryResults
    from boomi_soap.snapshot.cache import Snapshot

__all__ = ["NS_ENVELOPE", "NS_WSSE", "Client", "QueryResults", "SubAccountClient", "Transport", "sign"]

Transport = Literal["soap", "rest"]
_log = logging.getLogger("boomi_soap.client")
_warned = threading.Event()


def __getattr__(name: str) -> Any:
    # The filter language loads on first use (its patterns take a start-up as long as
    # zeep's reading of a small schema): a client that never queries does not pay for it.
    if name == "QueryResults":
        from boomi_soap.query import QueryResults

        return QueryResults
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class Client(Features, DryRun):
    """A typed, validating, rate-limited client for one account, over SOAP or REST."""

    def __init__(
        self,
        snapshot: Snapshot,
        credentials: Credentials,
        *,
        endpoint: Endpoint | str | None = None,
        settings: ClientSettings | None = None,
        session: requests.Session | None = None,
        compiled_dir: Path | None = None,
        transport: Transport = "soap",
        format: Literal["xml", "json"] = "xml",  # noqa: A002 - the word Boomi's docs use
    ) -> None:
        """Build a client from a verified snapshot; nothing is downloaded (where calls go: ``checked_address``).

        Args:
            snapshot: The account's cached WSDL and schemas.
            credentials: WS-Security user name and password or API token.
            endpoint: Where to send calls (default: the endpoint the snapshot came from).
            settings: Rate limit, timeouts, bounds, retries, validation, opt-ins.
            session: HTTP session (a new one by default).
            compiled_dir: Where compiled schemas are kept (see :mod:`boomi_soap.snapshot.schema`).
            transport: ``"soap"``, or ``"rest"`` (Boomi's RESTish API: same calls, validation, limits, errors).
            format: On REST, ``"json"`` sends and reads Boomi's JSON form of the same schema.

        Raises:
            ConfigurationError: If the endpoint or the transport is refused (one line, no secret).
        """
        self.snapshot = snapshot
        self.settings = settings or ClientSettings()
        self.address = checked_address(snapshot, endpoint, self.settings)
        self.schema = load_schema(snapshot, compiled_dir=compiled_dir)
        self.validator = SchemaValidator(self.schema)
        #: What tolerant reads of this client's answers saw (see ``ClientSettings.responses``).
        self.deviations = Deviations()
        self.transport, self.format = checked_transport(transport, format)
        self._credentials = credentials
        self.driver = SafeTransport(self.settings, session)
        if not self.settings.validate_requests and not _warned.is_set():
            _warned.set()
            _log.warning("request validation is off: invalid requests will reach the service")
        wire = None
        if self.transport == "rest":
            wire = rest_wire(self.contract, credentials, self.address, self.settings, snapshot, self.format)
        self.core = CallCore(
            self.contract, self.validator, credentials, self.settings, self.deviations, self.address, self.address, wire
        )
        strict = self.settings.responses == "strict"
        self.zeep_objects = ZeepObjects(snapshot, self.schema, self.core, credentials, self.driver, strict=strict)

    @classmethod
    def from_cache(
        cls,
        account_id: str | None = None,
        *,
        cache_dir: Path | None = None,
        flavour: Flavour | None = None,
        credentials: Credentials | None = None,
        base_url: str | None = None,
        settings: ClientSettings | None = None,
        env: Mapping[str, str] | None = None,
        region: Literal["na", "eu"] | None = None,
        transport: Transport | None = None,
        format: Literal["xml", "json"] = "xml",  # noqa: A002 - the word Boomi's docs use
    ) -> Client:
        """Build a client from the account's current cached snapshot.

        Each setting comes from the argument, else the environment (``BOOMI_ACCOUNT_ID``,
        ``BOOMI_FLAVOUR``, ``BOOMI_USERNAME`` + ``BOOMI_PASSWORD``/``BOOMI_API_TOKEN``,
        ``BOOMI_BASE_URL``, ``BOOMI_TRANSPORT``), else the snapshot or the default.  With no
        base URL configured, the snapshot's endpoint must be on ``https://api.boomi.com``
        (``region="eu"``: Boomi's EU host): a cache does not choose where the password goes;
        configure its host as the base URL, or pass ``ClientSettings(allow_other_host=True)``.

        Raises:
            ConfigurationError: If the account or credentials are missing, or the endpoint is refused.
            SnapshotNotFoundError: If nothing is cached (run ``boomi-soap fetch``).
            CacheIntegrityError: If the snapshot is damaged.
            CachePermissionError: If the cache is a link, another user's or writable by others.
        """
        settings = settings or ClientSettings()
        sources = cached_sources(
            account_id, cache_dir=cache_dir, flavour=flavour, credentials=credentials, base_url=base_url,
            settings=settings, env=env, region=region, transport=transport,
        )  # fmt: skip
        client = cls(
            sources.snapshot, sources.credentials, endpoint=sources.endpoint, settings=settings,
            transport=cast("Transport", sources.transport), format=format,
        )  # fmt: skip
        log_sources(sources, client.address)
        return client

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP connections; the client is not used afterwards."""
        self.driver.session.close()

    @property
    def zeep_client(self) -> zeep.Client:
        """The underlying :class:`zeep.Client` (SOAP only); its calls pass the driver and validation, not the fault map.

        Raises:
            ConfigurationError: On a ``transport="rest"`` client: zeep speaks SOAP.
        """
        if self.transport != "soap":
            raise ConfigurationError("zeep_client speaks SOAP; build the client with transport='soap' for it")
        return self.zeep_objects.client

    @property
    def endpoint_url(self) -> str:
        """Where calls are sent: the SOAP endpoint, or with ``transport="rest"`` the account's REST root."""
        rest = self.core.rest
        return rest.root if rest is not None else self.address

    def __repr__(self) -> str:
        user = self._credentials.username
        via = "" if self.transport == "soap" else f", transport={self.transport!r}, format={self.format!r}"
        return f"Client(account={self.snapshot.account_id!r}, address={self.address!r}, user={user!r}{via})"

    @functools.cached_property
    def contract(self) -> Contract:
        """The operations of the snapshot's WSDL: wrapper names, children, qualification."""
        return contract_of(self.snapshot)

    @functools.cached_property
    def operations(self) -> tuple[str, ...]:
        """Names of the WSDL's operations."""
        # From whichever reading of the WSDL is at hand: the contract's, or zeep's (an
        # operation the contract could not resolve may still be zeep's).
        if not self.zeep_objects.built and not self.contract.problems:
            return tuple(sorted(self.contract.operations))
        return self.zeep_objects.operations()

    # -- the call path ------------------------------------------------------------------
    def call_xml(self, payload: etree._Element) -> etree._Element:
        """Send an operation's request wrapper element; return the response wrapper element.

        Used by generated bindings.  Validated, signed (or HTTP Basic over REST), rate-limited
        and retried like every call; the answer checked as ``settings.responses`` says.

        Raises:
            InvalidRequestError: If ``payload`` is not a request wrapper of this account's WSDL.
            RequestValidationError: If the request breaks the schema.
        """
        return self._send(payload)

    def _send(self, payload: etree._Element, *, own: bool = False) -> etree._Element:
        record = self.driver.begin(self.core.operation_of(self.core.with_override(payload)))
        started, outcome = time.perf_counter(), "error"
        try:
            out = self.core.encode(payload, own=own)
            got = self.driver.send(out.method, out.url, out.body, out.headers, account_address=out.gate)
            answer = self.core.decode(out, got.status_code, got.content, record)
            outcome = "ok"
            return answer
        finally:
            log_call(record.operation, outcome, started, record)

    def _invoke(self, operation: str, payload: etree._Element | None = None, /, **arguments: Any) -> Any:
        """Send ``payload`` (else zeep's serialization of ``arguments``); the answer as zeep's objects."""
        self.zeep_objects.binding  # noqa: B018 - zeep reads the answer: built first, so a snapshot it refuses costs no call
        if payload is None:
            self.core.refuse(operation, arguments)
            payload = self.zeep_objects.payload(operation, arguments)
        return self.zeep_objects.read(operation, self._send(payload, own=True))

    def _texts(self, operation: str, **texts: str) -> Any:
        payload = self.core.text_payload(operation, texts)
        return self._invoke(operation, payload, **texts)

    # -- operations ---------------------------------------------------------------------
    def get(self, object_type: str, object_id: str) -> Any:
        """Return one object; its class follows the result's ``xsi:type``."""
        return self._texts("get", objectType=object_type, objectId=object_id)

    def query(
        self,
        object_type: str,
        where: Expression | None = None,
        *,
        sort: Mapping[str, str] | None = None,
        on_page: Callable[[int, int], None] | None = None,
        limit: int | None = None,
    ) -> QueryResults:
        """Query objects; the iterator follows ``queryToken`` pages lazily.

        Args:
            object_type: The object type.
            where: A filter built with :class:`~boomi_soap.query.F`; ``None`` for all.
            sort: ``{field: "ASC" | "DESC"}`` (where the object supports sorting).
            on_page: Called with (pages so far, results so far) after each page.
            limit: Stop after this many results (no page past the one that holds the last is asked for).

        Raises:
            QueryFilterError: If an operator is not in the account's schema.
        """
        from boomi_soap.query import QueryResults

        config = self.query_config(where, sort=sort)
        if limit is not None and limit < 0:
            raise ValueError("limit must be 0 or more")
        first = lambda: self._invoke("query", objectType=object_type, queryConfig=config)  # noqa: E731
        return QueryResults(first, lambda token: self._texts("queryMore", queryToken=token), on_page, limit)

    def query_config(self, where: Expression | None, *, sort: Mapping[str, str] | None = None) -> Any:
        """The ``queryConfig`` value of a filter and sort (``None``: every object, unsorted).

        Raises:
            QueryFilterError: If an operator is not in the account's schema.
        """
        return self.zeep_objects.query_config(where, sort)

    def create(self, obj: Any = None, /, object_type: str | None = None, **fields: Any) -> Any:
        """Create an object: ``create("Environment", name=..., classification=...)`` or ``create(obj)``."""
        payload, arguments = self.zeep_objects.object_request("create", obj, object_type, fields)
        return self._invoke("create", payload, **arguments)

    def update(self, obj: Any = None, /, object_type: str | None = None, **fields: Any) -> Any:
        """Replace an object (Boomi's UPDATE overwrites it whole); same arguments as :meth:`create`."""
        payload, arguments = self.zeep_objects.object_request("update", obj, object_type, fields)
        return self._invoke("update", payload, **arguments)

    def delete(self, object_type: str, object_id: str) -> bool:
        """Delete an object; ``False`` if it did not exist."""
        return bool(self._texts("delete", objectType=object_type, objectId=object_id))

    def execute_process(
        self,
        atom_id: str,
        *,
        process_id: str | None = None,
        process_name: str | None = None,
        properties: Mapping[str, str] | None = None,
    ) -> None:
        """Start a process on an Atom, fire-and-forget (:meth:`run_process` follows a run); sent once, never retried."""
        self._invoke("executeProcess", **execution_arguments(atom_id, process_id, process_name, properties))

    def call(self, operation: str, **kwargs: Any) -> Any:
        """Any other operation of the WSDL (``getAssignableRoles``, ``cancelExecution`` ...)."""
        if operation not in self.operations:
            raise RequestRefusedError(operation, "not an operation of this account's WSDL")
        return self._invoke(operation, **kwargs)

    # -- zeep objects without a call ------------------------------------------------------
    def type(self, name: str) -> Any:
        """The zeep type of a data-schema type (``Process``, ``Environment`` ...)."""
        return self.zeep_objects.type(name)

    def new_object(self, object_type: str, **fields: Any) -> Any:
        """Make an object of a data-schema type from its fields, without sending anything.

        Raises:
            InvalidRequestError: If the type is unknown or a field does not exist, naming the allowed ones.
        """
        return self.zeep_objects.new_object(object_type, fields)

    def from_xml(self, element: etree._Element) -> Any:
        """Read an object element (``<object xsi:type="api:Process" ...>``) as a call's result would be read.

        Raises:
            InvalidRequestError: If the element has no ``xsi:type`` of this account's schema, or does not fit it.
        """
        return self.zeep_objects.from_xml(element, data_namespace=self.contract.data_namespace)

    # -- linked resources -------------------------------------------------------------------
    def get_linked(self, url: str, *, max_bytes: int, operation: str) -> tuple[int, bytes]:
        """GET a resource an answer linked to (a record URL, a log download): its HTTP status and body.

        With the client's credentials (HTTP Basic), only on its own origin, never following a
        redirect, counted against its rate limit, at most ``max_bytes``.
        """
        gate = self.core.gate  # the account whose window counts it (a sub-account's own, with its own limit)
        return self.driver.get_linked(url, self._credentials, gate, max_bytes=max_bytes, operation=operation)

    def post_linked(
        self, url: str, body: bytes, *, content_type: str, max_bytes: int, operation: str
    ) -> tuple[int, bytes]:
        """POST to a REST resource of the account (an asynchronous query) with :meth:`get_linked`'s rules."""
        return self.driver.post_linked(
            url, body, content_type, self._credentials, self.core.gate, max_bytes=max_bytes, operation=operation
        )

    def for_account(self, sub_account_id: str, *, per_sub_account_limit: bool = False) -> SubAccountClient:
        """A view acting on a sub-account through the Partner API override; see :mod:`boomi_soap.platform.partner`.

        ``per_sub_account_limit=True`` (REST only, for accounts with Boomi's override rate limit
        enabled) holds the view's calls to the sub-account's own rate window and quota budget.

        Raises:
            ConfigurationError: If the WSDL is not the Partner API, the id is empty or the parent's own,
                or ``per_sub_account_limit`` is asked of SOAP.
        """
        override, account = self.contract.override, self.snapshot.account_id
        kind, own = self.transport, per_sub_account_limit
        sub = check_sub_account(override, self.address, account, sub_account_id, transport=kind, own_limit=own)
        assert override is not None
        gate = f"{self.address.rsplit('/', 1)[0]}/{sub}" if own else None  # the sub-account's own gate
        return SubAccountClient(self, sub, override, gate=gate)


class SubAccountClient(SubAccountFeatures, Client):
    """A client whose every call acts on one sub-account through the Partner API override.

    Made by :meth:`Client.for_account` (see :mod:`boomi_soap.platform.partner`): it shares the
    parent's snapshot, schema, driver (so its rate limit) and zeep model, and has a call core
    of its own that carries the override.  Closing either closes both.
    """

    def __init__(self, parent: Client, sub_account: str, override: str, *, gate: str | None = None) -> None:
        """The view of ``parent`` acting on ``sub_account`` (``override``: the WSDL's child that carries it)."""
        self.parent, self.sub_account = parent, sub_account
        self.snapshot, self.settings, self.address = parent.snapshot, parent.settings, parent.address
        self.schema, self.validator, self.deviations = parent.schema, parent.validator, parent.deviations
        self.transport, self.format = parent.transport, parent.format
        self._credentials, self.driver, self.zeep_objects = parent._credentials, parent.driver, parent.zeep_objects
        self.core = parent.core.at(parent.address, override=Override(sub_account, override), gate=gate)
        self.__dict__["contract"] = parent.contract  # the cached property, already read by the parent

    def for_account(self, sub_account_id: str, *, per_sub_account_limit: bool = False) -> SubAccountClient:
        """Another sub-account of the same parent."""
        parent: Client = self.parent
        return parent.for_account(sub_account_id, per_sub_account_limit=per_sub_account_limit)
