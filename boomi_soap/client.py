"""Stage 6: the client facade over zeep.

A :class:`Client` is built from a cached snapshot (it never fetches), credentials
and an endpoint.  Every request is validated against the snapshot's schema at
zeep's egress hook before a byte is sent; WS-Security adds a ``UsernameToken`` with
a ``PasswordText`` password; the transport rate-limits, retries what is safe to
retry and logs envelopes with secrets redacted; faults and transport failures come
out as the typed exceptions of :mod:`boomi_soap.exceptions`.

Construction reads only what the first call needs.  zeep (its import and its parse
of the WSDL, most of a bare ``zeep.Client``'s start-up) is built on first use of a
method that needs it, from the signed form an earlier process kept
(:mod:`boomi_soap.wire.zeepform`) when there is one; the typed path
(:meth:`Client.call_xml`, used by generated bindings) builds, signs and reads
envelopes with lxml and never needs zeep.
"""

from __future__ import annotations

import copy
import functools
import itertools
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, TypeVar, cast

from lxml import etree

from boomi_soap._transports.sync import SafeTransport
from boomi_soap._xml.safe import bound_zeep_binding
from boomi_soap.credentials import DEFAULT_BASE_URL, EU_BASE_URL, Credentials, Endpoint, Flavour, check_url, origin
from boomi_soap.exceptions import (
    BoomiSoapError,
    ConfigurationError,
    InvalidRequestError,
    RequestValidationError,
    ResponseError,
)
from boomi_soap.settings import ClientSettings
from boomi_soap.snapshot.cache import CacheStore, Snapshot, default_cache_dir
from boomi_soap.snapshot.contract import Contract, contract_of, tag_of
from boomi_soap.snapshot.schema import SchemaBundle, load_schema
from boomi_soap.validate import SchemaValidator
from boomi_soap.wire.records import CallRecord
from boomi_soap.wire.soap import (
    NS_DATA,
    NS_ENVELOPE,
    NS_WSSE,
    NS_XS,
    NS_XSI,
    SOAP_HEADERS,
    execution_arguments,
    log_call,
    one_call,
    read_answer,
    sign,
    wrap,
)
from boomi_soap.wire.tolerance import Deviations, check_answer

if TYPE_CHECKING:  # runs and deploy build on Client; their classes only annotate here
    import requests
    import zeep
    import zeep.exceptions

    from boomi_soap.platform.deploy import Promotion
    from boomi_soap.platform.partner import SubAccountClient
    from boomi_soap.platform.polling import Backoff
    from boomi_soap.platform.runs import Execution, RequestId
    from boomi_soap.query import Expression
    from boomi_soap.wire.bulk import BulkResults
    from boomi_soap.wire.rest import RestRequest, RestWire

__all__ = ["NS_ENVELOPE", "NS_WSSE", "Client", "QueryResults", "Transport", "sign"]

Transport = Literal["soap", "rest"]
TRANSPORTS: Final[tuple[Transport, ...]] = ("soap", "rest")
_T = TypeVar("_T")

_log = logging.getLogger("boomi_soap.client")
_REGIONS: Final = {"na": DEFAULT_BASE_URL, "eu": EU_BASE_URL}


class _ValidationPlugin:
    """zeep hooks: refuse to send an invalid request; check an answer before zeep reads it.

    zeep calls ``egress`` and ``ingress`` by name; not deriving from ``zeep.Plugin``
    keeps zeep out of the import of this module.
    """

    def __init__(self, client: Client) -> None:
        self.client = client

    def egress(
        self, envelope: etree._Element, http_headers: dict[str, str], operation: Any, binding_options: Any
    ) -> tuple[etree._Element, dict[str, str]]:
        if self.client.settings.validate_requests:
            issues = tuple(self.client.validator.iter_errors(envelope, source=f"{operation.name} request"))
            if issues:
                raise RequestValidationError(operation.name, issues)
        return envelope, http_headers

    def ingress(
        self, envelope: etree._Element, http_headers: dict[str, str], operation: Any
    ) -> tuple[etree._Element, dict[str, str]]:
        body = envelope.find(f"{{{NS_ENVELOPE}}}Body")
        child = next((c for c in body if isinstance(c.tag, str)), None) if body is not None else None
        if child is None or child.tag == f"{{{NS_ENVELOPE}}}Fault":
            return envelope, http_headers  # zeep reports both; the fault path is _fault's
        _check_answer(self.client, operation.name, child)
        _keep_empty_strings(child)
        return envelope, http_headers


def _check_answer(client: Client, operation: str, child: etree._Element) -> None:
    """Refuse an answer whose Body is not the operation's response wrapper or does not fit the schema."""
    shape = client.contract.operations.get(operation)
    if shape is not None and tag_of(child) != shape.response:
        raise ResponseError(operation, f"the answer's Body holds {tag_of(child)}, not the expected {shape.response}")
    check_fits(client, operation, child)


def check_fits(client: Client, operation: str, answer: etree._Element) -> None:
    """Check an answer (a SOAP response wrapper, a REST document) as ``settings.responses`` says.

    The one place every path reads through: in ``tolerant`` mode a drifted answer is
    repaired in place and each deviation counted on ``client.deviations``.
    """
    check_answer(
        client.validator, answer, mode=client.settings.responses, operation=operation, deviations=client.deviations
    )


def _keep_empty_objects(client: zeep.Client) -> None:
    """Make this client's complex types read a present, empty element as an empty object.

    zeep reads ``<SharedCommunicationChannel/>`` as ``None``, so sending the object
    back drops the element; the typed bindings keep it.  The types belong to this
    client's schema alone (zeep builds them per WSDL), so other zeep clients in the
    process are not touched.
    """
    from zeep.xsd.types.complex import ComplexType

    for xsd_type in client.wsdl.types.types:
        if isinstance(xsd_type, ComplexType):
            parse = xsd_type.parse_xmlelement

            def never_none(*args: Any, _parse: Any = parse, **kwargs: Any) -> Any:
                kwargs["allow_none"] = False
                return _parse(*args, **kwargs)

            xsd_type.parse_xmlelement = never_none  # type: ignore[method-assign]


def _lenient_bodies(client: zeep.Client, binding: Any) -> None:
    """Let zeep read a Body that lacks a required element, as the tolerant reader left it.

    zeep's ``strict=False`` would also parse a broken envelope in lxml's recover mode,
    so the envelope stays strict: only the reading of each operation's Body, after
    :func:`check_fits` has put it in order and dropped what the snapshot does not
    declare, runs with ``strict`` off (zeep keeps that switch per thread).
    """
    for operation in binding._operations.values():
        read = operation.process_reply

        def process_reply(envelope: Any, _read: Any = read) -> Any:
            with client.settings(strict=False):
                return _read(envelope)

        operation.process_reply = process_reply


def _keep_empty_strings(root: etree._Element) -> None:
    """Give empty leaf elements an empty text, so zeep reads ``<fax/>`` as ``''`` and not ``None``.

    zeep maps an element without text to ``None`` and then refuses to send ``None``
    for a required element: an object read by ``get`` could not go back in ``update``.
    The answer was validated first, so an empty leaf without attributes is a string
    (or ``anyType``) value; the typed bindings read it as ``''`` too.
    """
    for element in root.iter():
        # xsi:nil and xsi:type are attributes, so a nil or typed element is left alone.
        if isinstance(element.tag, str) and element.text is None and len(element) == 0 and not element.attrib:
            element.text = ""


def _enumeration(bundle: SchemaBundle, name: str) -> tuple[str, ...]:
    for path in sorted(bundle.directory.glob("*.xsd")):
        root = etree.parse(str(path), parser=etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
        for simple in root.iterfind(f"{{{NS_XS}}}simpleType[@name='{name}']"):
            return tuple(v.get("value", "") for v in simple.iter(f"{{{NS_XS}}}enumeration"))
    return ()


class QueryResults(Iterator[Any]):
    """A lazy iterator over every result of a query, following ``queryMore`` pages.

    Only one page (at most 100 results) is held at a time.

    Attributes:
        pages: Pages fetched so far.
        seen: Results yielded so far.
        exhausted: Whether the last page was reached.
    """

    def __init__(
        self,
        client: Client,
        first: Callable[[], Any],
        on_page: Callable[[int, int], None] | None,
        limit: int | None = None,
    ) -> None:
        self._client = client
        self._next_page: Callable[[], Any] | None = first
        self._buffer: list[Any] = []
        self._on_page = on_page
        self._limit = limit
        self.pages = 0
        self.seen = 0
        self.exhausted = False

    def __iter__(self) -> QueryResults:
        return self

    def __repr__(self) -> str:
        state = "exhausted" if self.exhausted else "more to read" if self._next_page or self._buffer else "last page"
        limit = f", limit={self._limit}" if self._limit is not None else ""
        return f"QueryResults(pages={self.pages}, seen={self.seen}{limit}, {state})"

    def __getitem__(self, index: slice) -> list[Any]:
        """``results[:10]``: the next results of a slice, read from the pages as needed (they are consumed).

        Raises:
            TypeError: For an index or a negative bound (the total is not known until the last page).
        """
        if not isinstance(index, slice):
            raise TypeError("QueryResults takes a slice (results[:10]); it is read once, front to back")
        if any(bound is not None and bound < 0 for bound in (index.start, index.stop, index.step)):
            raise TypeError("QueryResults slices take no negative bound: the total is known only at the last page")
        return list(itertools.islice(self, index.start, index.stop, index.step))

    def __next__(self) -> Any:
        if self._limit is not None and self.seen >= self._limit:
            self.exhausted = True
            raise StopIteration
        while not self._buffer:
            if self._next_page is None:
                self.exhausted = True
                raise StopIteration
            page = self._next_page()
            self.pages += 1
            self._buffer = list(page.result or []) if page is not None else []
            token = page.queryToken if page is not None else None
            self._next_page = (lambda t=token: self._client._call("queryMore", queryToken=t)) if token else None
            if self._on_page is not None:
                self._on_page(self.pages, self.seen + len(self._buffer))
        self.seen += 1
        return self._buffer.pop(0)

    def count(self) -> int:
        """Page through what is left and return the total number of results."""
        for _ in self:
            pass
        return self.seen


class Client:
    """A typed, validating, rate-limited SOAP client for one account."""

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
        """Build a client from a verified snapshot; nothing is downloaded.

        Where calls go, and the checks made on every construction:

        - ``endpoint=None``: to the endpoint recorded in the snapshot (sealed by its
          hash), which must be on the origin its WSDL was downloaded from, unless
          ``ClientSettings(allow_other_host=True)``.
        - ``endpoint=`` given: there.  Naming it in code is the opt-in to a host other
          than the snapshot's origin.
        - Always: ``http`` or ``https`` only, no user information in the URL, and plain
          ``http://`` only to loopback unless ``ClientSettings(allow_insecure=True)``.

        Args:
            snapshot: The account's cached WSDL and schemas.
            credentials: WS-Security user name and password or API token.
            endpoint: Where to send calls (default: the endpoint the snapshot came from).
            settings: Rate limit, timeouts, bounds, retries, validation, opt-ins.
            session: HTTP session (a new one by default).
            compiled_dir: Where compiled schemas are kept (see :mod:`boomi_soap.snapshot.schema`).
            transport: ``"soap"``, or ``"rest"`` for Boomi's RESTish API at
                ``.../api/rest/v1/{accountId}`` (same calls, validation, limits and
                errors; see :mod:`boomi_soap._transports.rest`).
            format: On REST, ``"json"`` sends and reads JSON (Boomi's JSON form of the
                same schema) instead of XML; the bindings and checks are the XML ones.

        Raises:
            ConfigurationError: If the endpoint or the transport is refused (one line, no secret).

        The schemas are read at the first call, not here: a snapshot whose documents
        refer to a file outside it raises :class:`~boomi_soap.exceptions.CacheIntegrityError`
        then, before anything is sent.
        """
        self.snapshot = snapshot
        self.settings = settings or ClientSettings()
        self._credentials = credentials
        self.address = endpoint.url if isinstance(endpoint, Endpoint) else endpoint or snapshot.endpoint
        insecure = self.settings.allow_insecure or (isinstance(endpoint, Endpoint) and endpoint.allow_insecure)
        check_url(self.address, what="endpoint", allow_insecure=insecure)
        if (
            endpoint is None
            and not self.settings.allow_other_host
            and origin(self.address) != origin(snapshot.origin_url)
        ):
            raise ConfigurationError(
                f"the snapshot's endpoint {self.address} is not on the origin its WSDL came from"
                f" ({snapshot.origin_url or 'unknown'}); pass endpoint= or ClientSettings(allow_other_host=True)"
            )
        self.schema = load_schema(snapshot, compiled_dir=compiled_dir)
        self.validator = SchemaValidator(self.schema)
        #: What tolerant reads of this client's answers saw (see ``ClientSettings.responses``).
        self.deviations = Deviations()
        self.transport: Transport = _check_transport(transport)
        self.format = _check_format(format, self.transport)
        self._transport = self._make_transport(session)
        self._transport.documents = self.schema.files()  # zeep reads the snapshot's files and nothing else
        if not self.settings.validate_requests:
            _warn_unvalidated()
        self._operators: tuple[tuple[str, ...], tuple[str, ...]] | None = None
        self._lock = threading.Lock()
        self._zeep_lock = threading.Lock()
        self._zeep_parts: tuple[zeep.Client, Any] | None = None
        self._lean: dict[tuple[str, ...], tuple[str, dict[str, str], tuple[str, ...]] | Literal[False]] = {}

    def _build_zeep(self) -> tuple[zeep.Client, Any]:
        """The zeep client and service proxy, built on first need (once, whichever thread asks first)."""
        parts = self._zeep_parts
        if parts is not None:
            return parts
        self.schema.checked()  # zeep reads the same schema files: only once no reference leaves the snapshot
        with self._zeep_lock:
            if self._zeep_parts is None:
                import zeep
                from zeep.wsse.username import UsernameToken

                zeep_settings = zeep.Settings(
                    strict=True, xml_huge_tree=False, forbid_dtd=True, forbid_entities=True, forbid_external=True
                )
                wsse = UsernameToken(self._credentials.username, self._credentials.secret, use_digest=False)  # type: ignore[no-untyped-call]
                from boomi_soap.wire.zeepform import load_document

                document = load_document(
                    self.snapshot.sha256, self.snapshot.wsdl_path, self._transport, zeep_settings, self.schema.compiled
                )
                client = zeep.Client(  # type: ignore[no-untyped-call]
                    document,
                    transport=self._transport,
                    wsse=wsse,
                    plugins=[_ValidationPlugin(self)],
                    settings=zeep_settings,
                )
                binding = next(iter(client.wsdl.bindings))
                service = client.create_service(binding, self.address)  # type: ignore[no-untyped-call]
                bound_zeep_binding(service._binding)  # the answer bounds of parse_xml, before zeep parses
                _keep_empty_objects(client)
                if self.settings.responses != "strict":
                    _lenient_bodies(client, service._binding)
                self._zeep_parts = (client, service)
            return self._zeep_parts

    @property
    def _zeep(self) -> zeep.Client:
        return self._build_zeep()[0]

    @property
    def _service(self) -> Any:
        return self._build_zeep()[1]

    def _make_transport(self, session: requests.Session | None) -> SafeTransport:
        if self.transport == "soap":
            return SafeTransport(self.settings, session)
        from boomi_soap._transports.rest import RestTransport
        from boomi_soap.wire.restmap import JsonBodies, RestError, RestMap

        json = None
        if self.format == "json":
            from boomi_soap.wire.jsonform import JsonForm

            json = JsonBodies(JsonForm.of(self.snapshot), self.contract.data_namespace)
        try:
            return RestTransport(
                self.settings,
                session,
                restmap=RestMap(self.contract),
                credentials=self._credentials,
                soap_address=self.address,
                json=json,
            )
        except RestError as exc:
            raise ConfigurationError(f"transport='rest': {exc}") from None

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

        Each setting is taken from the argument, else the environment, else the
        snapshot or the default, in that order (the CLI follows the same order).
        ``region="eu"`` is short for ``base_url="https://api.platform.gb.boomi.com"``.
        ``transport`` defaults to ``BOOMI_TRANSPORT``, else ``"soap"``.

        Account, flavour, credentials and base URL default to ``BOOMI_ACCOUNT_ID``,
        ``BOOMI_FLAVOUR`` (else ``platform``), ``BOOMI_USERNAME`` +
        ``BOOMI_PASSWORD``/``BOOMI_API_TOKEN`` and ``BOOMI_BASE_URL``.
        Calls go to the configured base URL.  With none configured, the base URL is
        ``https://api.boomi.com`` and the snapshot's endpoint must be on it: a cache
        does not get to choose where the password goes.  To call the host the snapshot
        came from instead, configure it as the base URL, or pass
        ``ClientSettings(allow_other_host=True)``.

        Raises:
            ConfigurationError: If the account or credentials are missing, or the endpoint is refused.
            SnapshotNotFoundError: If nothing is cached (run ``boomi-soap fetch``).
            CacheIntegrityError: If the snapshot is damaged.
            CachePermissionError: If the cache is a link, another user's or writable by others.
        """
        settings = settings or ClientSettings()
        if region is not None:
            if region not in _REGIONS:
                raise ConfigurationError(f"unknown region {region!r} (use {', '.join(_REGIONS)})")
            if base_url is not None and base_url.rstrip("/") != _REGIONS[region]:
                raise ConfigurationError(f"give base_url or region={region!r}, not both")
            base_url = _REGIONS[region]
        source = os.environ if env is None else env
        configured = bool(base_url or source.get("BOOMI_BASE_URL"))
        chosen = cast("Flavour", flavour or source.get("BOOMI_FLAVOUR") or "platform")  # Endpoint checks it
        endpoint = Endpoint.from_sources(
            account_id=account_id, base_url=base_url, flavour=chosen, env=env, allow_insecure=settings.allow_insecure
        )
        store = CacheStore(cache_dir or default_cache_dir(env), read_only=True)
        snapshot = store.current(endpoint.account_id, endpoint.flavour)
        credentials = credentials or Credentials.from_sources(env=env)
        if not configured and not settings.allow_other_host and origin(snapshot.endpoint) != origin(endpoint.url):
            raise ConfigurationError(
                f"the cached snapshot of {endpoint.account_id} calls {snapshot.endpoint}, not the configured base URL"
                f" {endpoint.base_url}; set BOOMI_BASE_URL (or base_url=) to the host to call,"
                " or pass ClientSettings(allow_other_host=True)"
            )
        chosen_transport = cast("Transport", transport or source.get("BOOMI_TRANSPORT") or "soap")
        client = cls(
            snapshot,
            credentials,
            endpoint=endpoint if configured else None,
            settings=settings,
            transport=chosen_transport,
            format=format,
        )
        # Say where calls go and why, as the CLI does on stderr (visible at INFO).
        _log.info(
            "account %s (%s), endpoint %s (%s), snapshot %s",
            endpoint.account_id, "argument" if account_id else "BOOMI_ACCOUNT_ID", client.address,
            "base_url=" if base_url else "BOOMI_BASE_URL" if configured else "the snapshot", snapshot.directory,
        )  # fmt: skip
        return client

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP connections; the client is not used afterwards."""
        self._transport.session.close()

    @property
    def zeep_client(self) -> zeep.Client:
        """The underlying :class:`zeep.Client`, for what this facade does not cover.

        Calls made through it still pass this client's transport (rate limit, retries,
        redacted logs) and validation plugin, but not its fault mapping.
        """
        return self._zeep

    @property
    def endpoint_url(self) -> str:
        """Where calls are sent: the SOAP endpoint, or with ``transport="rest"`` the account's REST root."""
        root = getattr(self._transport, "root", None)
        return root if self.transport == "rest" and isinstance(root, str) else self.address

    def __repr__(self) -> str:
        user = self._credentials.username
        via = "" if self.transport == "soap" else f", transport={self.transport!r}, format={self.format!r}"
        return f"Client(account={self.snapshot.account_id!r}, address={self.address!r}, user={user!r}{via})"

    # -- plumbing -------------------------------------------------------------------
    def type(self, name: str) -> Any:
        """The zeep type of a data-schema type (``Process``, ``Environment`` ...)."""
        import zeep.exceptions

        try:
            return self._zeep.get_type(f"{{{NS_DATA}}}{name}")  # type: ignore[no-untyped-call]
        except (zeep.exceptions.LookupError, ValueError):
            raise InvalidRequestError("type", f"{name} is not a type of this account's schema") from None

    def _call(self, operation: str, *args: Any, **kwargs: Any) -> Any:
        with one_call(operation, self._transport.begin(operation)):
            return getattr(self._service, operation)(*args, **kwargs)

    # -- operations -----------------------------------------------------------------
    def get(self, object_type: str, object_id: str) -> Any:
        """Return one object; its class follows the result's ``xsi:type``."""
        return self._call_lean("get", objectType=object_type, objectId=object_id)

    def _lean_shape(
        self, operation: str, names: tuple[str, ...]
    ) -> tuple[str, dict[str, str], tuple[str, ...]] | Literal[False]:
        """The request tag, prefixes and child tags of an all-text request; ``False`` if it is not one."""
        shape = self.contract.operations.get(operation)
        children = [shape.input(name) for name in names] if shape is not None else []
        if shape is None or any(child is None or child.repeated for child in children):
            return False
        wrapper_ns = etree.QName(shape.request).namespace
        nsmap = {"api": self.contract.data_namespace}
        if wrapper_ns and wrapper_ns != self.contract.data_namespace:
            nsmap["soap"] = wrapper_ns
        return shape.request, nsmap, tuple(child.tag for child in children if child is not None)

    def _call_lean(self, operation: str, **texts: str) -> Any:
        """Call an operation whose request children are all text, reading the answer as zeep does.

        The request is built with lxml from the snapshot's contract and sent by
        :meth:`call_xml` (validated, signed, rate-limited, faults mapped); zeep only
        reads the answer.  The same result as :meth:`_call` for a fraction of zeep's
        per-call work.  An operation the contract cannot build goes through zeep.
        """
        key = (operation, *texts)
        lean = self._lean.get(key)
        if lean is None:
            lean = self._lean[key] = self._lean_shape(operation, tuple(texts))
        if lean is False:
            return self._call(operation, **texts)
        request, nsmap, tags = lean
        payload = etree.Element(request, nsmap=nsmap)
        for tag, text in zip(tags, texts.values(), strict=True):
            if text is not None:
                etree.SubElement(payload, tag).text = text
        # zeep reads the answer: built before sending, so a snapshot it refuses costs no call.
        reader = self._service._binding.get(operation)
        answer = _call_xml(self, payload, own=True)
        _keep_empty_strings(answer)
        import zeep.exceptions

        root = answer.getroottree().getroot()
        if root is answer:  # a REST answer: the wrapper alone, which zeep's reader takes in an envelope
            root = wrap(answer)
        try:
            return reader.process_reply(root)
        except (zeep.exceptions.Error, TypeError, ValueError, LookupError) as exc:
            raise ResponseError(operation, f"the answer could not be read ({type(exc).__name__})") from None

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
        config = self.query_config(where, sort=sort)
        if limit is not None and limit < 0:
            raise ValueError("limit must be 0 or more")
        first = lambda: self._call("query", objectType=object_type, queryConfig=config)  # noqa: E731
        return QueryResults(self, first, on_page, limit)

    def query_config(self, where: Expression | None, *, sort: Mapping[str, str] | None = None) -> Any:
        """The ``queryConfig`` value of a filter and sort (``None``: every object, unsorted).

        Raises:
            QueryFilterError: If an operator is not in the account's schema.
        """
        from boomi_soap.query import check_expression

        check_expression(where)
        if where is None and not sort:
            return None
        # The schema requires a QueryFilter in a QueryConfig: with a sort alone, send an
        # empty "and" grouping, which every object matches.
        expression = self._expression(where) if where is not None else self.type("GroupingExpression")(operator="and")
        config: dict[str, Any] = {"QueryFilter": {"expression": expression}}
        if sort:
            config["QuerySort"] = {"sortField": [{"fieldName": k, "sortOrder": v} for k, v in sort.items()]}
        return config

    def from_xml(self, element: etree._Element) -> Any:
        """Read an object element (``<object xsi:type="api:Process" ...>``) as a call's result would be read.

        The element's ``xsi:type`` names its type; empty required elements read as ``''``.

        Raises:
            InvalidRequestError: If the element has no ``xsi:type`` of this account's schema, or does not fit it.
        """
        type_name = element.get(f"{{{NS_XSI}}}type", "")
        prefix, _, local = type_name.rpartition(":")
        if not local or element.nsmap.get(prefix or None) != self.contract.data_namespace:
            raise InvalidRequestError("object", f"{etree.QName(element).localname} has no xsi:type of the data schema")
        copied = copy.deepcopy(element)
        _keep_empty_strings(copied)
        import zeep.exceptions

        strict = self.settings.responses == "strict"
        try:
            with self._zeep.settings(strict=strict):
                return self.type(local).parse_xmlelement(copied, self._zeep.wsdl.types)
        except (zeep.exceptions.Error, TypeError, ValueError) as exc:
            raise InvalidRequestError("object", f"{local} does not fit the schema: {exc}") from None

    def _expression(self, expression: Expression) -> Any:
        with self._lock:
            if self._operators is None:
                self._operators = (
                    _enumeration(self.schema, "SimpleExpressionOperator"),
                    _enumeration(self.schema, "GroupingExpressionOperator"),
                )
        from boomi_soap.query import check_operators

        check_operators(expression, *self._operators)
        return self._zeep_expression(expression)

    def _zeep_expression(self, expression: Expression) -> Any:
        from boomi_soap.query import Grouping, Simple

        if isinstance(expression, Simple):
            return self.type("SimpleExpression")(
                operator=expression.operator, property=expression.property, argument=list(expression.arguments)
            )
        assert isinstance(expression, Grouping)
        nested = [self._zeep_expression(item) for item in expression.items]
        return self.type("GroupingExpression")(operator=expression.operator, nestedExpression=nested)

    def create(self, obj: Any = None, /, object_type: str | None = None, **fields: Any) -> Any:
        """Create an object: ``create("Environment", name=..., classification=...)`` or ``create(obj)``."""
        return self._call("create", object=self._object(obj, object_type, fields))

    def update(self, obj: Any = None, /, object_type: str | None = None, **fields: Any) -> Any:
        """Replace an object (Boomi's UPDATE overwrites it whole); same arguments as :meth:`create`."""
        return self._call("update", object=self._object(obj, object_type, fields, "update"))

    def _object(self, obj: Any, object_type: str | None, fields: dict[str, Any], operation: str = "create") -> Any:
        if isinstance(obj, str):
            if object_type is not None:  # update("Environment", env): the object would be dropped, unsent
                raise TypeError(
                    f"{operation}() takes an object, or a type name and its fields as keywords; got the type name"
                    f" {obj!r} and a {type(object_type).__name__} (pass the object alone: {operation}(obj))"
                )
            obj, object_type = None, obj
        if obj is not None:
            return obj
        if object_type is None:
            raise InvalidRequestError("create", "give an object or its type name")
        return self.new_object(object_type, **fields)

    def new_object(self, object_type: str, **fields: Any) -> Any:
        """Make an object of a data-schema type from its fields, without sending anything.

        Raises:
            InvalidRequestError: If the type is unknown or a field does not exist, naming the allowed ones.
        """
        xsd_type = self.type(object_type)
        allowed = [name for name, _ in (*xsd_type.elements, *xsd_type.attributes) if not name.startswith("_")]
        unknown = sorted(set(fields) - set(allowed))
        if unknown:  # zeep's own TypeError would print the type's whole signature
            raise InvalidRequestError(
                "create",
                f"{object_type} has no field {', '.join(map(repr, unknown))}; its fields are {', '.join(allowed)}",
            )
        return xsd_type(**fields)

    def delete(self, object_type: str, object_id: str) -> bool:
        """Delete an object; ``False`` if it did not exist."""
        return bool(self._call("delete", objectType=object_type, objectId=object_id))

    def execute_process(
        self,
        atom_id: str,
        *,
        process_id: str | None = None,
        process_name: str | None = None,
        properties: Mapping[str, str] | None = None,
    ) -> None:
        """Start a process on an Atom, fire-and-forget: nothing identifies the run afterwards.

        To know how a run ended, use :meth:`run_process`.  Sent once: a failure after the
        request may have arrived is not retried.
        """
        self._call("executeProcess", **execution_arguments(atom_id, process_id, process_name, properties))

    # -- REST only (transport="rest") ---------------------------------------------------
    def bulk_get(self, object_type: str, ids: Iterable[str]) -> BulkResults:
        """Get up to 100 objects: per-id objects and per-id errors (one call over REST; one get per id over SOAP).

        Raises:
            InvalidRequestError: With more than 100 ids (refused before sending).
        """
        if self.transport != "rest":
            return self._bulk_one_by_one(object_type, ids)
        from boomi_soap._transports.rest import bulk_get

        return bulk_get(self, self._transport, object_type, ids)

    def _bulk_one_by_one(self, object_type: str, ids: Iterable[str]) -> BulkResults:
        from boomi_soap.platform.bulk import bulk_get

        return bulk_get(self, object_type, ids)

    def execution_record(self, request_id: str) -> tuple[Any, ...] | None:
        """The ExecutionRecord of an ExecutionRequest's ``requestId`` (REST only); ``None`` while not yet there.

        Raises:
            InvalidRequestError: Over SOAP.
            NotFoundError: If the account never issued that request id.
        """
        from boomi_soap._transports.rest import execution_record

        return self._rest_only("ExecutionRecord/async", lambda: execution_record(self, self._transport, request_id))

    def openapi(self) -> dict[str, Any]:
        """The account's OpenAPI description of the RESTish API (REST only).

        Raises:
            InvalidRequestError: Over SOAP.
        """
        from boomi_soap._transports.rest import openapi

        return self._rest_only("openapi.json", lambda: openapi(self, self._transport))

    def _rest_only(self, operation: str, run: Callable[[], _T]) -> _T:
        if self.transport != "rest":
            raise InvalidRequestError(operation, "REST-only: build the client with transport='rest'")
        started = time.perf_counter()
        outcome = "error"
        try:
            result = run()
            outcome = "ok"
            return result
        finally:
            log_call(operation, outcome, started, self._transport._record())

    def envelope(self, operation: str, *, sign: bool = False, **kwargs: Any) -> etree._Element:
        """The request envelope ``operation`` would send with these arguments; nothing is sent.

        The request is validated as a call's would be.  Without ``sign`` the
        WS-Security header is left out, so the envelope holds no secret.

        Raises:
            InvalidRequestError: If ``operation`` is not in the account's WSDL or the arguments do not fit it.
            RequestValidationError: If the request breaks the schema.
        """
        self._build_zeep()  # before the check: zeep's reading of the WSDL then names the operations
        if operation not in self.operations:
            raise InvalidRequestError(operation, "not an operation of this account's WSDL")
        import zeep.exceptions

        try:
            envelope: etree._Element = self._zeep.create_message(self._service, operation, **kwargs)  # type: ignore[no-untyped-call]
        except zeep.exceptions.ValidationError as exc:
            raise InvalidRequestError(operation, f"bad arguments: {exc.message or exc}") from None
        except (TypeError, ValueError, LookupError) as exc:
            if isinstance(exc, BoomiSoapError):
                raise
            raise InvalidRequestError(operation, f"bad arguments: {exc}") from None
        if not sign:
            for security in envelope.iter(f"{{{NS_WSSE}}}Security"):
                security.getparent().remove(security)  # type: ignore[union-attr]
        return envelope

    @functools.cached_property
    def contract(self) -> Contract:
        """The operations of the snapshot's WSDL: wrapper names, children, qualification."""
        return contract_of(self.snapshot)

    def call_xml(self, payload: etree._Element) -> etree._Element:
        """Send an operation's request wrapper element; return the response wrapper element.

        Used by generated bindings, which convert their classes to and from XML exactly.
        The payload is validated, signed with the UsernameToken and rate-limited like
        every other call.
        """
        return _call_xml(self, payload)

    def overridden(self, operation: str, kwargs: dict[str, Any]) -> dict[str, Any]:
        """The arguments of ``operation`` as this client sends them: unchanged (a sub-account view adds its own)."""
        return kwargs

    def with_override(self, payload: etree._Element) -> etree._Element:
        """``payload`` as this client sends it: unchanged (a sub-account view adds its override)."""
        return payload

    def get_linked(self, url: str, *, max_bytes: int, operation: str) -> tuple[int, bytes]:
        """GET a resource an answer linked to (a record URL, a log download): its HTTP status and body.

        With the client's credentials (HTTP Basic), only on its own origin, never following a
        redirect, counted against its rate limit, at most ``max_bytes``.
        """
        return self._transport.get_linked(
            url, self._credentials, self.address, max_bytes=max_bytes, operation=operation
        )

    def post_linked(
        self, url: str, body: bytes, *, content_type: str, max_bytes: int, operation: str
    ) -> tuple[int, bytes]:
        """POST to a REST resource of the account (an asynchronous query) with :meth:`get_linked`'s rules."""
        return self._transport.post_linked(
            url, body, content_type, self._credentials, self.address, max_bytes=max_bytes, operation=operation
        )

    def signed_envelope(self, payload: etree._Element) -> etree._Element:
        """The envelope :meth:`call_xml` would send for ``payload``: validated and signed; nothing is sent.

        It holds the WS-Security password: mask it (:func:`boomi_soap._xml.redact.redact`) before showing it.

        Raises:
            InvalidRequestError: If ``payload`` is not a request wrapper of this account's WSDL.
            RequestValidationError: If the request breaks the schema.
        """
        return _signed(self, _shape(self, payload), payload)[0]

    def call(self, operation: str, **kwargs: Any) -> Any:
        """Any other operation of the WSDL (``getAssignableRoles``, ``cancelExecution`` ...)."""
        if operation not in self.operations:
            raise InvalidRequestError(operation, "not an operation of this account's WSDL")
        return self._call(operation, **kwargs)

    @functools.cached_property
    def operations(self) -> tuple[str, ...]:
        """Names of the WSDL's operations."""
        # From whichever reading of the WSDL is already at hand: the contract (the typed
        # path's) or zeep's; an operation the contract could not resolve may still be zeep's.
        if self._zeep_parts is None and not self.contract.problems:
            return tuple(sorted(self.contract.operations))
        binding = next(iter(self._zeep.wsdl.bindings.values()))
        return tuple(sorted(binding._operations))

    def for_account(self, sub_account_id: str, *, per_sub_account_limit: bool = False) -> SubAccountClient:
        """A view acting on a sub-account through the Partner API override; see :mod:`boomi_soap.platform.partner`."""
        from boomi_soap.platform.partner import for_account

        return for_account(self, sub_account_id, per_sub_account_limit=per_sub_account_limit)

    # -- runs and deployments (boomi_soap.platform.runs, boomi_soap.platform.deploy) ---------------------
    def run_process(
        self,
        process: str,
        atom: str,
        *,
        properties: Mapping[str, str] | None = None,
        wait: bool = True,
        timeout: float = 300.0,
        poll: Backoff | None = None,
    ) -> Execution:
        """Run a process and (by default) wait for how it ended; see :func:`boomi_soap.platform.runs.run_process`."""
        from boomi_soap.platform.runs import run_process

        return run_process(self, process, atom, properties=properties, wait=wait, timeout=timeout, poll=poll)

    def execution(self, request_id: RequestId, *, record_url: str | None = None) -> Execution:
        """Follow an earlier run by its request id; see :func:`boomi_soap.platform.runs.attach`."""
        from boomi_soap.platform.runs import attach

        return attach(self, request_id, record_url=record_url)

    def package(self, component: str, *, version: str | None = None, notes: str = "") -> Any:
        """Package a component version (``PackagedComponent``); see :func:`boomi_soap.platform.deploy.package`."""
        from boomi_soap.platform.deploy import package

        return package(self, component, version=version, notes=notes)

    def deploy(self, package_id: str, environment: str, *, notes: str = "") -> Any:
        """Deploy a package to an environment (``DeployedPackage``); see :func:`boomi_soap.platform.deploy.deploy`."""
        from boomi_soap.platform.deploy import deploy

        return deploy(self, package_id, environment, notes=notes)

    def undeploy(self, deployment_id: str) -> bool:
        """Remove a deployment; ``False`` if it did not exist."""
        from boomi_soap.platform.deploy import undeploy

        return undeploy(self, deployment_id)

    def promote(self, process: str, from_environment: str, to_environment: str, *, dry_run: bool = False) -> Promotion:
        """Deploy what runs in one environment to another; see :func:`boomi_soap.platform.deploy.promote`."""
        from boomi_soap.platform.deploy import promote

        return promote(self, process, from_environment, to_environment, dry_run=dry_run)


_warned = threading.Event()


def _check_format(format: object, transport: Transport) -> Literal["xml", "json"]:  # noqa: A002
    if format not in ("xml", "json"):
        raise ConfigurationError(f"unknown format {format!r} (use 'xml' or 'json')")
    if format == "json" and transport != "rest":
        raise ConfigurationError("format='json' needs transport='rest' (SOAP is XML)")
    return "json" if format == "json" else "xml"


def _check_transport(transport: object) -> Transport:
    for known in TRANSPORTS:
        if transport == known:
            return known
    raise ConfigurationError(f"unknown transport {transport!r} (use {' or '.join(map(repr, TRANSPORTS))})")


def _warn_unvalidated() -> None:
    if not _warned.is_set():
        _warned.set()
        _log.warning("request validation is off: invalid requests will reach the service")


def _signed(
    client: Client, operation: str, payload: etree._Element, *, own: bool = False
) -> tuple[etree._Element, dict[str, str]]:
    """The envelope around ``payload``, validated, with the WS-Security header; and its HTTP headers.

    ``payload`` is copied unless ``own`` says it was built for this call alone.
    """
    envelope = _validated(client, operation, payload, own=own)
    sign(envelope, client._credentials.username, client._credentials.secret)
    return envelope, dict(SOAP_HEADERS)


def _validated(client: Client, operation: str, payload: etree._Element, *, own: bool = False) -> etree._Element:
    """``payload`` in an envelope (copied unless ``own``), validated as the settings say; not signed."""
    envelope = wrap(payload if own else copy.deepcopy(payload))
    if client.settings.validate_requests:
        issues = tuple(client.validator.iter_errors(envelope, source=f"{operation} request"))
        if issues:
            raise RequestValidationError(operation, issues)
    return envelope


def _shape(client: Client, payload: etree._Element) -> str:
    """The operation whose request wrapper ``payload`` is, or a one-line error."""
    shape = client.contract.by_request(tag_of(payload))
    if shape is None:
        misplaced = client.contract.misplaced(tag_of(payload))
        name = etree.QName(payload).localname
        if misplaced is not None:
            raise InvalidRequestError(
                name,
                f"this account's WSDL expects {name} in {etree.QName(misplaced.request).namespace}, "
                f"not in {etree.QName(payload).namespace or 'no namespace'}",
            )
        raise InvalidRequestError(name, f"{tag_of(payload)} is not an operation wrapper of this account's WSDL")
    return shape.name


def outgoing_xml(client: Client, payload: etree._Element, *, own: bool = False) -> tuple[str, bytes, dict[str, str]]:
    """What :meth:`Client.call_xml` sends for ``payload``: its operation, the signed envelope and its headers.

    Shared by the sync and the async facade, so both validate and sign alike.

    Raises:
        InvalidRequestError: If ``payload`` is not a request wrapper of this account's WSDL.
        RequestValidationError: If the request breaks the schema.
    """
    payload = client.with_override(payload)
    operation = _shape(client, payload)
    envelope, headers = _signed(client, operation, payload, own=own)
    return operation, etree.tostring(envelope, encoding="utf-8"), headers


def answer_of(client: Client, operation: str, status: int, content: bytes, record: CallRecord) -> etree._Element:
    """The response wrapper of an answer to :func:`outgoing_xml`'s request, checked; or its typed error."""
    child = read_answer(operation, status, content, record)
    _check_answer(client, operation, child)
    return child


def outgoing_rest(
    client: Client, wire: RestWire, payload: etree._Element, *, own: bool = False, root: str | None = None
) -> tuple[str, RestRequest]:
    """The REST request record for ``payload`` (validated as a SOAP call's; no envelope is sent or signed).

    Shared by the sync and the async facade: one wire object per client.

    Raises:
        InvalidRequestError: If ``payload`` is no request wrapper of the WSDL, or has no REST form.
        RequestValidationError: If the request breaks the schema.
    """
    payload = client.with_override(payload)
    operation = _shape(client, payload)
    wrapper = _validated(client, operation, payload, own=own)[-1][0]  # the Body's child, as validated
    return operation, wire.encode(wrapper, operation, root=root)


def rest_answer_of(
    client: Client,
    wire: RestWire,
    operation: str,
    request: RestRequest,
    status: int,
    content: bytes,
    record: CallRecord,
) -> etree._Element:
    """The response wrapper of a REST answer to :func:`outgoing_rest`'s request, checked; or its typed error."""
    child = wire.decode(request, status, content, record)
    _check_answer(client, operation, child)
    return child


def _call_xml(client: Client, payload: etree._Element, *, own: bool = False) -> etree._Element:
    """Send one wrapper element and return the response wrapper element, over SOAP or REST.

    The same guarantees as the zeep path: validation before sending, WS-Security (SOAP)
    or HTTP Basic (REST), rate limit and retries, typed faults.  ``own``: the payload
    was built for this call and goes into the envelope without a copy.
    """
    operation = _shape(client, payload)
    transport = client._transport
    record = transport.begin(operation)
    started = time.perf_counter()
    outcome = "error"
    wire: RestWire | None = getattr(transport, "wire", None)
    try:
        if wire is not None:
            operation, request = outgoing_rest(client, wire, payload, own=own)
            gate = getattr(transport, "soap_address", client.address)
            answer = transport.send(request.method, request.url, request.body, request.headers, account_address=gate)
            child = rest_answer_of(client, wire, operation, request, answer.status_code, answer.content, record)
        else:
            operation, body, headers = outgoing_xml(client, payload, own=own)
            response = transport.post(client.address, body, headers)
            child = answer_of(client, operation, response.status_code, response.content, record)
        outcome = "ok"
        return child
    finally:
        log_call(operation, outcome, started, record)
