"""Stage 6: the client facade over zeep.

A :class:`Client` is built from a cached snapshot (it never fetches), credentials
and an endpoint.  Every request is validated against the snapshot's schema at
zeep's egress hook before a byte is sent; WS-Security adds a ``UsernameToken`` with
a ``PasswordText`` password; the transport rate-limits, retries what is safe to
retry and logs envelopes with secrets redacted; faults and transport failures come
out as the typed exceptions of :mod:`boomi_soap.exceptions`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, Final

import requests
import zeep
import zeep.exceptions
from lxml import etree
from zeep.plugins import Plugin
from zeep.wsse.username import UsernameToken

from boomi_soap.cache import CacheStore, Snapshot, default_cache_dir
from boomi_soap.credentials import Credentials, Endpoint, Flavour
from boomi_soap.exceptions import (
    AuthenticationError,
    BoomiSoapError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    QuotaExceededError,
    RateLimitedError,
    RequestValidationError,
    ResponseError,
    ServerError,
    SoapFaultError,
)
from boomi_soap.filters import Expression, Grouping, Simple, check_operators
from boomi_soap.schema import SchemaBundle, load_schema
from boomi_soap.settings import ClientSettings
from boomi_soap.transport import CallRecord, SafeTransport
from boomi_soap.validate import SchemaValidator, ValidationIssue

__all__ = ["Client", "QueryResults"]

NS_DATA: Final = "http://api.platform.boomi.com/"
NS_XS: Final = "http://www.w3.org/2001/XMLSchema"
_log = logging.getLogger("boomi_soap.client")
_FAULTS: Final[dict[str, type[SoapFaultError]]] = {
    "AUTHENTICATION": AuthenticationError,
    "PERMISSION": PermissionDeniedError,
    "NOT_FOUND": NotFoundError,
    "INVALID_REQUEST": InvalidRequestError,
    "UNSUPPORTED": InvalidRequestError,
    "RATE_LIMIT": RateLimitedError,
    "QUOTA": QuotaExceededError,
}


class _ValidationPlugin(Plugin):
    """zeep egress hook: validate the Body's payload, refuse to send an invalid one."""

    def __init__(self, validator: SchemaValidator) -> None:
        self.validator = validator

    def egress(
        self, envelope: etree._Element, http_headers: dict[str, str], operation: Any, binding_options: Any
    ) -> tuple[etree._Element, dict[str, str]]:
        issues = tuple(self.validator.iter_errors(envelope, source=f"{operation.name} request"))
        if issues:
            raise RequestValidationError(operation.name, issues)
        return envelope, http_headers


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

    def __init__(self, client: Client, first: Callable[[], Any], on_page: Callable[[int, int], None] | None) -> None:
        self._client = client
        self._next_page: Callable[[], Any] | None = first
        self._buffer: list[Any] = []
        self._on_page = on_page
        self.pages = 0
        self.seen = 0
        self.exhausted = False

    def __iter__(self) -> QueryResults:
        return self

    def __next__(self) -> Any:
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
    ) -> None:
        """Build a client from a verified snapshot; nothing is downloaded.

        Args:
            snapshot: The account's cached WSDL and schemas.
            credentials: WS-Security user name and password or API token.
            endpoint: Where to send calls (default: the endpoint the snapshot came from).
            settings: Rate limit, timeouts, retries, validation.
            session: HTTP session (a new one by default).
            compiled_dir: Where compiled schemas are kept (see :mod:`boomi_soap.schema`).
        """
        self.snapshot = snapshot
        self.settings = settings or ClientSettings()
        self._credentials = credentials
        self.address = endpoint.url if isinstance(endpoint, Endpoint) else endpoint or snapshot.endpoint
        self.schema = load_schema(snapshot, compiled_dir=compiled_dir)
        self.validator = SchemaValidator(self.schema)
        self._transport = SafeTransport(self.settings, session)
        plugins = []
        if self.settings.validate_requests:
            plugins.append(_ValidationPlugin(self.validator))
        else:
            _warn_unvalidated()
        zeep_settings = zeep.Settings(
            strict=True, xml_huge_tree=False, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
        self._wsse = UsernameToken(credentials.username, credentials.secret, use_digest=False)  # type: ignore[no-untyped-call]
        self._zeep = zeep.Client(  # type: ignore[no-untyped-call]
            str(snapshot.wsdl_path),
            transport=self._transport,
            wsse=self._wsse,
            plugins=plugins,
            settings=zeep_settings,
        )
        binding = next(iter(self._zeep.wsdl.bindings))
        self._service = self._zeep.create_service(binding, self.address)  # type: ignore[no-untyped-call]
        self._operators: tuple[tuple[str, ...], tuple[str, ...]] | None = None
        self._lock = threading.Lock()

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
    ) -> Client:
        """Build a client from the account's current cached snapshot.

        Account, credentials and base URL default to ``BOOMI_ACCOUNT_ID``,
        ``BOOMI_USERNAME`` + ``BOOMI_PASSWORD``/``BOOMI_API_TOKEN`` and ``BOOMI_BASE_URL``.

        Raises:
            ConfigurationError: If the account or credentials are missing.
            SnapshotNotFoundError: If nothing is cached (run ``boomi-soap fetch``).
            CacheIntegrityError: If the snapshot is damaged.
        """
        endpoint = Endpoint.from_sources(account_id=account_id, base_url=base_url, flavour=flavour, env=env)
        store = CacheStore(cache_dir or default_cache_dir(env), read_only=True)
        snapshot = store.current(endpoint.account_id, flavour)
        credentials = credentials or Credentials.from_sources(env=env)
        return cls(
            snapshot,
            credentials,
            endpoint=endpoint if base_url or (env or {}).get("BOOMI_BASE_URL") else None,
            settings=settings,
        )

    def __repr__(self) -> str:
        user = self._credentials.username
        return f"Client(account={self.snapshot.account_id!r}, address={self.address!r}, user={user!r})"

    # -- plumbing -------------------------------------------------------------------
    def type(self, name: str) -> Any:
        """The zeep type of a data-schema type (``Process``, ``Environment`` ...)."""
        try:
            return self._zeep.get_type(f"{{{NS_DATA}}}{name}")  # type: ignore[no-untyped-call]
        except (zeep.exceptions.LookupError, ValueError):
            raise InvalidRequestError("type", f"{name} is not a type of this account's schema") from None

    def _call(self, operation: str, *args: Any, **kwargs: Any) -> Any:
        record = self._transport.begin(operation)
        started = time.perf_counter()
        outcome = "error"
        try:
            result = getattr(self._service, operation)(*args, **kwargs)
            outcome = "ok"
            return result
        except Exception as exc:
            mapped = _translate(operation, exc, record)
            if mapped is exc:
                raise
            raise mapped from None
        finally:
            _log_call(operation, outcome, started, record)

    # -- operations -----------------------------------------------------------------
    def get(self, object_type: str, object_id: str) -> Any:
        """Return one object; its class follows the result's ``xsi:type``."""
        return self._call("get", objectType=object_type, objectId=object_id)

    def query(
        self,
        object_type: str,
        where: Expression | None = None,
        *,
        sort: Mapping[str, str] | None = None,
        on_page: Callable[[int, int], None] | None = None,
    ) -> QueryResults:
        """Query objects; the iterator follows ``queryToken`` pages lazily.

        Args:
            object_type: The object type.
            where: A filter built with :class:`~boomi_soap.filters.F`; ``None`` for all.
            sort: ``{field: "ASC" | "DESC"}`` (where the object supports sorting).
            on_page: Called with (pages so far, results so far) after each page.

        Raises:
            QueryFilterError: If an operator is not in the account's schema.
        """
        config = self._query_config(where, sort)
        return QueryResults(self, lambda: self._call("query", objectType=object_type, queryConfig=config), on_page)

    def _query_config(self, where: Expression | None, sort: Mapping[str, str] | None) -> dict[str, Any] | None:
        if where is None and not sort:
            return None
        config: dict[str, Any] = {"QueryFilter": {"expression": self._expression(where)} if where is not None else None}
        if sort:
            config["QuerySort"] = {"sortField": [{"fieldName": k, "sortOrder": v} for k, v in sort.items()]}
        return config

    def _expression(self, expression: Expression) -> Any:
        with self._lock:
            if self._operators is None:
                self._operators = (
                    _enumeration(self.schema, "SimpleExpressionOperator"),
                    _enumeration(self.schema, "GroupingExpressionOperator"),
                )
        check_operators(expression, *self._operators)
        return self._zeep_expression(expression)

    def _zeep_expression(self, expression: Expression) -> Any:
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
        return self._call("update", object=self._object(obj, object_type, fields))

    def _object(self, obj: Any, object_type: str | None, fields: dict[str, Any]) -> Any:
        if isinstance(obj, str):
            obj, object_type = None, obj
        if obj is not None:
            return obj
        if object_type is None:
            raise InvalidRequestError("create", "give an object or its type name")
        return self.type(object_type)(**fields)

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
        """Start a process on an Atom (asynchronous on the platform; returns at once).

        Sent once: a failure after the request may have arrived is not retried.
        """
        self._call("executeProcess", **_execution(atom_id, process_id, process_name, properties))

    def call_xml(self, payload: etree._Element) -> etree._Element:
        """Send an operation's request wrapper element; return the response wrapper element.

        Used by generated bindings, which convert their classes to and from XML exactly.
        The payload is validated, signed with the UsernameToken and rate-limited like
        every other call.
        """
        return _call_xml(self, payload)

    def call(self, operation: str, **kwargs: Any) -> Any:
        """Any other operation of the WSDL (``getAssignableRoles``, ``cancelExecution`` ...)."""
        if operation not in self.operations:
            raise InvalidRequestError(operation, "not an operation of this account's WSDL")
        return self._call(operation, **kwargs)

    @property
    def operations(self) -> tuple[str, ...]:
        """Names of the WSDL's operations."""
        binding = next(iter(self._zeep.wsdl.bindings.values()))
        return tuple(sorted(binding._operations))


_warned = threading.Event()


def _warn_unvalidated() -> None:
    if not _warned.is_set():
        _warned.set()
        _log.warning("request validation is off: invalid requests will reach the service")


def _execution(
    atom_id: str, process_id: str | None, process_name: str | None, properties: Mapping[str, str] | None
) -> dict[str, Any]:
    """The arguments of ``executeProcess``.

    Raises:
        InvalidRequestError: Unless exactly one of ``process_id`` and ``process_name`` is given.
    """
    if bool(process_id) == bool(process_name):
        raise InvalidRequestError("executeProcess", "give exactly one of process_id and process_name")
    bag = {"ProcessProperty": [{"Name": k, "Value": v} for k, v in properties.items()]} if properties else None
    return {"processId": process_id, "processName": process_name, "atomId": atom_id, "ProcessProperties": bag}


def _log_call(operation: str, outcome: str, started: float, record: CallRecord) -> None:
    elapsed = (time.perf_counter() - started) * 1000
    _log.info(
        "%s %s in %.0f ms (%d attempt%s, HTTP %s)",
        operation, outcome, elapsed, record.attempts, "" if record.attempts == 1 else "s", record.status,
    )  # fmt: skip


def _translate(operation: str, exc: Exception, record: CallRecord) -> Exception:
    """The typed error for what zeep raised during a call; ``exc`` itself if it is not ours to map."""
    attempts = record.attempts
    if isinstance(exc, BoomiSoapError):
        return exc  # ours already (a refused request, a transport failure)
    if isinstance(exc, zeep.exceptions.Fault):
        if record.status not in (200, 500, 503) or not isinstance(exc.detail, etree._Element | None):
            # zeep reads any well-formed body (a proxy's HTML page) as an unknown fault.
            return ResponseError(
                operation, f"HTTP {record.status}: the answer is not a SOAP message", attempts=attempts
            )
        return _fault(operation, exc, record)
    if isinstance(exc, zeep.exceptions.TransportError):
        return ResponseError(operation, f"HTTP {exc.status_code}: the answer is not a SOAP message", attempts=attempts)
    if isinstance(exc, zeep.exceptions.ValidationError):
        path = "/" + "/".join(str(p) for p in exc.path) if exc.path else f"/{operation}"
        issue = ValidationIssue(f"{operation} request", path, exc.message or str(exc))
        return RequestValidationError(operation, (issue,))
    if isinstance(exc, zeep.exceptions.XMLSyntaxError | zeep.exceptions.XMLParseError | etree.XMLSyntaxError):
        reason = f"the answer is not well-formed XML ({type(exc).__name__})"
    elif isinstance(exc, zeep.exceptions.DTDForbidden | zeep.exceptions.EntitiesForbidden):
        reason = "the answer uses a DTD or entities; refused"
    elif isinstance(exc, zeep.exceptions.Error):
        reason = f"the answer does not fit the schema ({type(exc).__name__})"
    elif isinstance(exc, TypeError | ValueError | LookupError):
        if attempts == 0:  # raised while zeep built the request: the caller's arguments
            return InvalidRequestError(operation, f"bad arguments: {exc}")
        reason = f"the answer could not be read ({type(exc).__name__})"
    else:
        return exc
    return ResponseError(operation, reason, attempts=attempts)


def _fault(operation: str, fault: zeep.exceptions.Fault, record: CallRecord) -> SoapFaultError:
    code = None
    detail = fault.detail
    if detail is not None:
        found = detail.find(f".//{{{NS_DATA}}}ApiFault/code")
        code = (found.text or "").strip() if found is not None else None
    faultcode = str(fault.code or "")
    message = str(fault.message or "")
    kind: type[SoapFaultError]
    if code in _FAULTS:
        kind = _FAULTS[code]
    elif record.status == 503:
        kind = QuotaExceededError if "quota" in message.lower() else RateLimitedError
    elif "FailedAuthentication" in faultcode or "InvalidSecurity" in faultcode:
        kind = AuthenticationError
    elif "Access denied" in message:
        kind = PermissionDeniedError
    elif "does not exist" in message or "not found" in message.lower():
        kind = NotFoundError
    elif faultcode.endswith("Client"):
        kind = InvalidRequestError
    else:
        kind = ServerError
    return kind(operation, message, faultcode=faultcode, code=code, http_status=record.status, attempts=record.attempts)


NS_ENVELOPE: Final = "http://schemas.xmlsoap.org/soap/envelope/"


def _call_xml(client: Client, payload: etree._Element) -> etree._Element:
    """Send one wrapper element as a SOAP call and return the response wrapper element.

    The same guarantees as the zeep path: validation before sending, WS-Security,
    rate limit and retries, typed faults.
    """
    from boomi_soap.exceptions import XMLInputError
    from boomi_soap.xmlsafe import parse_xml

    operation = etree.QName(payload).localname
    record = client._transport.begin(operation)
    started = time.perf_counter()
    outcome = "error"
    try:
        envelope = etree.Element(f"{{{NS_ENVELOPE}}}Envelope", nsmap={"soapenv": NS_ENVELOPE})
        etree.SubElement(envelope, f"{{{NS_ENVELOPE}}}Header")
        body = etree.SubElement(envelope, f"{{{NS_ENVELOPE}}}Body")
        body.append(payload)
        if client.settings.validate_requests:
            issues = tuple(client.validator.iter_errors(envelope, source=f"{operation} request"))
            if issues:
                raise RequestValidationError(operation, issues)
        envelope, headers = client._wsse.apply(  # type: ignore[no-untyped-call]
            envelope, {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'}
        )
        response = client._transport.post(client.address, etree.tostring(envelope, encoding="utf-8"), headers)
        try:
            answer = parse_xml(response.content, source=f"{operation} answer")
        except XMLInputError:
            raise ResponseError(
                operation, f"HTTP {response.status_code}: the answer is not a SOAP message", attempts=record.attempts
            ) from None
        reply = answer.find(f"{{{NS_ENVELOPE}}}Body")
        child = next((c for c in reply if isinstance(c.tag, str)), None) if reply is not None else None
        if child is None:
            raise ResponseError(
                operation, f"HTTP {response.status_code}: the answer has no SOAP Body", attempts=record.attempts
            )
        if child.tag == f"{{{NS_ENVELOPE}}}Fault":
            fault = zeep.exceptions.Fault(  # type: ignore[no-untyped-call]
                child.findtext("faultstring") or "", code=child.findtext("faultcode"), detail=child.find("detail")
            )
            raise _fault(operation, fault, record)
        outcome = "ok"
        return child
    finally:
        elapsed = (time.perf_counter() - started) * 1000
        _log.info(
            "%s %s in %.0f ms (%d attempt%s, HTTP %s)",
            operation,
            outcome,
            elapsed,
            record.attempts,
            "" if record.attempts == 1 else "s",
            record.status,
        )
