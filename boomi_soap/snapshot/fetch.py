"""Stage 1: download an account's WSDL and every schema it imports (no disk access).

Starting from ``{endpoint}?wsdl``, every ``wsdl:import/@location`` and
``xs:import|include|redefine|override/@schemaLocation`` is resolved against the
document that names it and fetched in turn, whatever its form (absolute, relative,
``?xsd=1``).  Each request uses HTTP Basic auth, but only towards the WSDL's own
origin: a document on another origin is an error, never a credential leak.
Redirects are not followed, for the same reason, and a URL with user information
(``https://user:password@host``) is refused.  TLS certificates are verified, every
request has a timeout, every body a size limit, and the whole fetch a deadline (which
cuts even a dripped answer, see :mod:`boomi_soap._transports.deadline`) and a total size limit.

References are rewritten to deterministic local file names (``?wsdl`` becomes
``service.wsdl``, ``?xsd=1`` becomes ``service.xsd1.xsd``), so the result loads
from disk alone.  A schema declared inline in the WSDL's ``wsdl:types`` (as many SOAP
services publish, alone or beside imported ones) is also stored as a document of its
own (``service.inline1.xsd``, see :func:`inline_schema_name`), with the namespace
declarations it inherits, so every reader of the snapshot finds it as it finds an
imported one.  With the previous snapshot's validators (ETag, Last-Modified)
the download is conditional, and a document answered with 304 is taken from it.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final
from urllib.parse import parse_qs, urljoin, urlsplit

from lxml import etree

from boomi_soap._xml.redact import redact_url
from boomi_soap._xml.safe import parse_xml
from boomi_soap.credentials import Credentials, Endpoint, same_origin, url_problem
from boomi_soap.exceptions import FetchError, XMLInputError
from boomi_soap.settings import DEFAULT_MAX_BYTES, DEFAULT_MAX_TOTAL_BYTES, DEFAULT_TIMEOUT, DEFAULT_TOTAL_TIMEOUT

if TYPE_CHECKING:
    import requests

    from boomi_soap._transports.deadline import Deadline

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_TOTAL_BYTES",
    "DEFAULT_TOTAL_TIMEOUT",
    "Document",
    "FetchResult",
    "Previous",
    "fetch_documents",
    "inline_schema_name",
    "inline_schemas",
    "local_name",
    "references",
]

NS_WSDL: Final = "http://schemas.xmlsoap.org/wsdl/"
NS_XS: Final = "http://www.w3.org/2001/XMLSchema"
MAX_DOCUMENTS: Final = 200
_SCHEMA_REFS: Final = tuple(f"{{{NS_XS}}}{tag}" for tag in ("import", "include", "redefine", "override"))
_WSDL_IMPORT: Final = f"{{{NS_WSDL}}}import"
_UNSAFE: Final = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Document:
    """One fetched document, references rewritten to local names.

    Attributes:
        url: Where it was fetched from.
        path: Its local file name within the snapshot.
        content: The bytes to store (references rewritten).
        etag: The server's ``ETag``, if any.
        last_modified: The server's ``Last-Modified``, if any.
        fetched_at: When it was downloaded (or revalidated, for a 304 it keeps the old time).
        not_modified: Whether the server answered 304 and the previous copy was reused.
    """

    url: str
    path: str
    content: bytes
    etag: str | None
    last_modified: str | None
    fetched_at: str
    not_modified: bool = False

    @property
    def sha256(self) -> str:
        """SHA-256 of :attr:`content`, hex."""
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True)
class Previous:
    """What a previous snapshot knows of a URL, for a conditional GET.

    Attributes:
        content: The stored bytes (already rewritten).
        etag: Its validator.
        last_modified: Its date validator.
        fetched_at: When it was fetched.
        path: Its local file name.
    """

    content: bytes
    etag: str | None
    last_modified: str | None
    fetched_at: str
    path: str


@dataclass(frozen=True)
class FetchResult:
    """All documents of one WSDL, in discovery order (the WSDL first).

    Attributes:
        endpoint: The endpoint fetched.
        documents: The documents.
    """

    endpoint: Endpoint
    documents: tuple[Document, ...] = field(default=())

    @property
    def unchanged(self) -> bool:
        """Whether every document was answered 304."""
        return all(d.not_modified for d in self.documents)


def inline_schema_name(wsdl_name: str, index: int) -> str:
    """The local file name of the ``index``-th (from 1) ``xs:schema`` of a WSDL's ``wsdl:types``."""
    return f"{wsdl_name.rpartition('.')[0] or wsdl_name}.inline{index}.xsd"


def inline_schemas(wsdl: etree._Element, wsdl_name: str) -> list[tuple[str, str, etree._Element]]:
    """Each ``xs:schema`` of ``wsdl:types`` that declares something: (namespace, file name, its document).

    A schema that only imports others is not one (its imports name files already).  The
    document is a standalone copy carrying the namespace declarations the schema inherits
    from the WSDL (a ``type="tns:X"`` needs ``tns``), its location-less imports of another
    inline schema's namespace pointed at that schema's file.
    """
    schemas = list(wsdl.iterfind(f"{{{NS_WSDL}}}types/{{{NS_XS}}}schema"))
    found: list[tuple[str, str, etree._Element]] = []
    for index, schema in enumerate(schemas, start=1):
        if any(isinstance(c.tag, str) and c.tag != f"{{{NS_XS}}}import" for c in schema):
            found.append((schema.get("targetNamespace", ""), inline_schema_name(wsdl_name, index), schema))
    located = {namespace: name for namespace, name, _ in found}
    documents: list[tuple[str, str, etree._Element]] = []
    for namespace, name, schema in found:
        standalone = etree.Element(schema.tag, attrib=dict(schema.attrib), nsmap=schema.nsmap)
        for child in schema:
            standalone.append(copy.deepcopy(child))
        for imported in standalone.iterfind(f"{{{NS_XS}}}import"):
            target = located.get(imported.get("namespace", ""))
            if imported.get("schemaLocation") is None and target is not None and target != name:
                imported.set("schemaLocation", target)
        documents.append((namespace, name, standalone))
    return documents


def local_name(url: str, *, is_wsdl: bool, taken: set[str]) -> str:
    """Return a safe, deterministic file name for a document URL.

    ``?wsdl`` becomes ``service.wsdl``, ``?xsd=N`` ``service.xsdN.xsd``, ``?wsdl=N``
    ``service.wsdlN.wsdl``; other URLs keep their sanitised last path segment.  A
    name already taken gets a short hash of the URL appended.

    Args:
        url: The document URL.
        is_wsdl: Whether the document is a WSDL (for the extension).
        taken: Names already used in this snapshot.

    Returns:
        The file name.
    """
    parts = urlsplit(url)
    query = parse_qs(parts.query, keep_blank_values=True)
    extension = ".wsdl" if is_wsdl else ".xsd"
    if "wsdl" in query and not any(query["wsdl"]):
        name = "service.wsdl"
    elif query.get("xsd", [""])[0].isalnum():
        name = f"service.xsd{query['xsd'][0]}.xsd"
    elif query.get("wsdl", [""])[0].isalnum():
        name = f"service.wsdl{query['wsdl'][0]}.wsdl"
    else:
        segment = _UNSAFE.sub("_", parts.path.rsplit("/", 1)[-1]).strip("._") or "document"
        name = segment if segment.endswith(extension) else segment + extension
    if name in taken:
        stem, dot, suffix = name.rpartition(".")
        name = f"{stem}-{hashlib.sha256(url.encode()).hexdigest()[:8]}{dot}{suffix}"
    return name


def references(root: etree._Element) -> list[etree._Element]:
    """Return the elements of a WSDL or schema that point at other documents.

    Args:
        root: A parsed WSDL or schema.

    Returns:
        ``wsdl:import`` (``location``) and ``xs:import|include|redefine|override``
        (``schemaLocation``) elements that carry a location, in document order.
    """
    found: list[etree._Element] = []
    for element in root.iter(_WSDL_IMPORT, *_SCHEMA_REFS):
        attribute = "location" if element.tag == _WSDL_IMPORT else "schemaLocation"
        if element.get(attribute):
            found.append(element)
    return found


@dataclass(frozen=True)
class _Body:
    content: bytes
    etag: str | None
    last_modified: str | None


def _download(
    session: requests.Session,
    url: str,
    credentials: Credentials,
    previous: Previous | None,
    *,
    timeout: tuple[float, float],
    max_bytes: int,
    budget: int,
    deadline: Deadline,
) -> _Body | None:
    import requests  # only a download needs it; validation and the cache do not

    from boomi_soap._transports.deadline import discard, read_capped, request_options

    headers = {"Accept": "text/xml, application/xml;q=0.9, */*;q=0.1"}
    if previous is not None and previous.etag:
        headers["If-None-Match"] = previous.etag
    if previous is not None and previous.last_modified:
        headers["If-Modified-Since"] = previous.last_modified
    try:
        response = session.get(
            url,
            headers=headers,
            auth=(credentials.username, credentials.secret),
            timeout=(deadline.bound(timeout[0]), deadline.bound(timeout[1])),
            allow_redirects=False,
            stream=True,
            **request_options(url),  # never an environment proxy for plain-http loopback
        )
    except requests.exceptions.RequestException as exc:
        if deadline.expired:
            raise _late(url, deadline) from None
        if isinstance(exc, requests.exceptions.Timeout):
            raise FetchError(f"timed out (connect {timeout[0]:g} s, read {timeout[1]:g} s)", url=url) from None
        from boomi_soap._transports.reasons import describe_connection_error

        raise FetchError(describe_connection_error(exc, url).reason, url=url) from None
    with response:
        if response.status_code != 200:
            discard(response, deadline)
        if response.status_code == 304 and previous is not None:
            return None
        if response.status_code == 304:
            raise FetchError("HTTP 304 without a previous copy", url=url, status=304)
        if response.status_code in (401, 403):
            raise FetchError(
                f"HTTP {response.status_code}: the credentials of {credentials.username} were refused",
                url=url,
                status=response.status_code,
            )
        if 300 <= response.status_code < 400:
            location = redact_url(response.headers.get("Location", "?"))
            raise FetchError(
                f"HTTP {response.status_code} redirect to {location} not followed", url=url, status=response.status_code
            )
        if response.status_code != 200:
            raise FetchError(f"HTTP {response.status_code}", url=url, status=response.status_code)
        try:
            body = read_capped(response, min(max_bytes, budget), deadline)
        except requests.exceptions.RequestException as exc:
            if deadline.expired:
                raise _late(url, deadline) from None
            raise FetchError(f"download interrupted ({type(exc).__name__})", url=url) from None
        if deadline.expired:
            raise _late(url, deadline)
        if body is None and budget < max_bytes:
            raise FetchError(f"the documents exceed the total limit of {budget} bytes left for this fetch", url=url)
        if body is None:
            raise FetchError(f"document exceeds the limit of {max_bytes} bytes", url=url)
        return _Body(body, response.headers.get("ETag"), response.headers.get("Last-Modified"))


def _late(url: str, deadline: Deadline) -> FetchError:
    return FetchError(f"the fetch did not finish within its total timeout of {deadline.seconds:g} s", url=url)


def fetch_documents(
    endpoint: Endpoint,
    credentials: Credentials,
    *,
    session: requests.Session | None = None,
    previous: Mapping[str, Previous] | None = None,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_total_bytes: int = DEFAULT_MAX_TOTAL_BYTES,
    total_timeout: float | None = DEFAULT_TOTAL_TIMEOUT,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> FetchResult:
    """Download the account's WSDL and everything it imports, transitively.

    Args:
        endpoint: The account's endpoint.
        credentials: Sent with HTTP Basic, to the WSDL's origin only.
        session: HTTP session to use (a new ``requests.Session`` by default).
        previous: Validators and content of the last snapshot, by URL, for conditional GETs.
        timeout: Connect and read timeouts in seconds.
        max_bytes: Largest document accepted.
        max_total_bytes: Most bytes downloaded in all, every document together.
        total_timeout: Seconds the whole fetch may take (``None``: no limit).
        clock: Source of the ``fetched_at`` time.

    Returns:
        The documents, references rewritten to local names.

    Raises:
        FetchError: On any HTTP, network, size, origin or XML problem.
    """
    import requests

    from boomi_soap._transports.deadline import Deadline, watch_session

    own_session = session is None
    http = watch_session(requests.Session() if session is None else session)
    previous = previous or {}
    home = endpoint.wsdl_url
    queue = [endpoint.wsdl_url]
    seen = {endpoint.wsdl_url}
    names: dict[str, str] = {}
    fetched: list[_Fetched] = []
    budget = max_total_bytes
    try:
        with Deadline(total_timeout) as deadline:
            while queue:
                url = queue.pop(0)
                if len(fetched) >= MAX_DOCUMENTS:
                    raise FetchError(f"more than {MAX_DOCUMENTS} documents; refusing to continue", url=url)
                before = previous.get(url)
                response = _download(
                    http, url, credentials, before, timeout=timeout, max_bytes=max_bytes, budget=budget,
                    deadline=deadline,
                )  # fmt: skip
                budget -= len(response.content) if response is not None else 0
                item = _parse(url, response, before, clock)
                names[url] = (
                    before.path
                    if before is not None and response is None
                    else local_name(url, is_wsdl=item.is_wsdl, taken=set(names.values()))
                )
                for reference, attribute in item.references:
                    target = _resolve(url, reference.get(attribute, ""), before, previous)
                    _check_target(target, home, endpoint, url)
                    item.targets.append(target)
                    if target not in seen:
                        seen.add(target)
                        queue.append(target)
                fetched.append(item)
    finally:
        if own_session:
            http.close()
    documents = [item.document(names) for item in fetched]
    derived: list[Document] = []
    for item, document in zip(fetched, documents, strict=True):
        if item.is_wsdl:
            for _, name, schema in inline_schemas(item.root, document.path):
                content = etree.tostring(schema, xml_declaration=True, encoding="UTF-8")
                # No URL of its own: named after the WSDL it came from, never requested.
                url = f"{item.url}#{name}"
                derived.append(Document(url, name, content, None, None, item.fetched_at, item.not_modified))
    return FetchResult(endpoint, (*documents, *derived))


@dataclass
class _Fetched:
    url: str
    root: etree._Element
    etag: str | None
    last_modified: str | None
    fetched_at: str
    not_modified: bool
    references: list[tuple[etree._Element, str]]
    targets: list[str] = field(default_factory=list)

    @property
    def is_wsdl(self) -> bool:
        return self.root.tag == f"{{{NS_WSDL}}}definitions"

    def document(self, names: Mapping[str, str]) -> Document:
        for (reference, attribute), target in zip(self.references, self.targets, strict=True):
            reference.set(attribute, names[target])
        content = etree.tostring(self.root.getroottree(), xml_declaration=True, encoding="UTF-8")
        return Document(
            self.url, names[self.url], content, self.etag, self.last_modified, self.fetched_at, self.not_modified
        )


def _parse(url: str, body: _Body | None, before: Previous | None, clock: Callable[[], datetime]) -> _Fetched:
    if body is None:
        assert before is not None  # a 304 is only accepted when there is a previous copy
        data, etag, modified, fetched_at = before.content, before.etag, before.last_modified, before.fetched_at
    else:
        data, etag, modified = body.content, body.etag, body.last_modified
        fetched_at = clock().strftime("%Y-%m-%dT%H:%M:%SZ")
    from boomi_soap._transports.reasons import looks_like_html

    if looks_like_html(data):
        raise FetchError("not a WSDL or schema but an HTML page (a login page or a proxy's error?)", url=url)
    try:
        root = parse_xml(data, source=url)
    except XMLInputError as exc:
        raise FetchError(f"not a usable XML document: {exc}", url=url) from None
    if root.tag not in (f"{{{NS_WSDL}}}definitions", f"{{{NS_XS}}}schema"):
        raise FetchError(f"expected a WSDL or an XML schema, got <{etree.QName(root).localname}>", url=url)
    pairs = [(r, "location" if r.tag == _WSDL_IMPORT else "schemaLocation") for r in references(root)]
    return _Fetched(url, root, etag, modified, fetched_at, body is None, pairs)


def _check_target(target: str, home: str, endpoint: Endpoint, url: str) -> None:
    problem = url_problem(target)
    if problem == "user information in the authority":
        raise FetchError(f"imports {redact_url(target)}, a URL with user information; refusing to fetch it", url=url)
    if problem is not None:
        raise FetchError(f"imports {redact_url(target)!r}: {problem}; refusing to fetch it", url=url)
    if not same_origin(target, home):
        raise FetchError(
            f"imports {target}, which is on another origin than {endpoint.wsdl_url};"
            " refusing to fetch it (credentials are only sent to the WSDL's origin)",
            url=url,
        )


def _resolve(url: str, location: str, before: Previous | None, previous: Mapping[str, Previous]) -> str:
    if before is not None and "://" not in location:
        # A reused (304) document already points at local names: map them back to URLs.
        for known_url, known in previous.items():
            if known.path == location:
                return known_url
    try:
        return urljoin(url, location)
    except ValueError:  # urllib refuses some authorities outright ("[127.0.0.1:80]")
        raise FetchError(
            f"imports {redact_url(location)!r}, which is not a URL; refusing to fetch it", url=url
        ) from None
