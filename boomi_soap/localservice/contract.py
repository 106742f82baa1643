"""The AtomSphere contract the local service publishes: WSDL, schemas, schema index.

The package ships (see ``contract/ORIGIN.rst``) the reference reconstruction of the
platform API in the three layouts Boomi's pages show: ``split`` (wrappers in
``http://soap.api.platform.boomi.com/``, two schema documents), ``single`` (wrappers
in the data namespace, one document) and ``partner`` (the Partner API), plus
``next``, a deliberately drifted later release of ``split`` used to simulate Boomi
publishing a new schema.  The service reads each layout's operations through
:mod:`boomi_soap.snapshot.contract`, as a client would.  A :class:`Release`
serves its documents the way a JAX-WS service does (``schemaLocation`` and
``soap:address`` rewritten to the endpoint that answers), validates request bodies
with libxml2, and indexes the data schema so the store can build, read and filter
objects of any of its types.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Final

from lxml import etree

from boomi_soap._xml.safe import safe_parser
from boomi_soap.exceptions import ServiceConfigError
from boomi_soap.snapshot.contract import read_contract

if TYPE_CHECKING:
    from boomi_soap.snapshot.cache import FileEntry

__all__ = [
    "CONTRACT_FILES",
    "CONTRACT_FOLDERS",
    "LAYOUTS",
    "NS_DATA",
    "NS_SOAP",
    "NS_XSI",
    "RELEASES",
    "Release",
    "SchemaIndex",
    "TypeInfo",
    "load_release",
    "snapshot_release",
]

NS_DATA: Final = "http://api.platform.boomi.com/"
NS_SOAP: Final = "http://soap.api.platform.boomi.com/"
NS_XSI: Final = "http://www.w3.org/2001/XMLSchema-instance"
NS_XS: Final = "http://www.w3.org/2001/XMLSchema"
NS_WSDL_SOAP: Final = "http://schemas.xmlsoap.org/wsdl/soap/"

RELEASES: Final = ("current", "next")
LAYOUTS: Final = ("split", "single", "partner")
# Where each (release, layout) lives under contract/.
CONTRACT_FOLDERS: Final = {
    ("current", "split"): "current",
    ("next", "split"): "next",
    ("current", "single"): "single",
    ("current", "partner"): "partner",
}

# Fixed publication dates, so ETag and Last-Modified are stable across restarts.
_PUBLISHED: Final = {
    "current": datetime(2026, 10, 1, 0, 0, tzinfo=UTC),
    "next": datetime(2026, 11, 15, 0, 0, tzinfo=UTC),
}
CONTRACT_FILES: Final = {
    "wsdl": "AtomSphereAPI.wsdl",
    "xsd1": "AtomSphereAPI.xsd1.xsd",
    "xsd2": "AtomSphereAPI.xsd2.xsd",
}
SNAPSHOT_PREFIX: Final = "snapshot:"
GENERIC_OPERATIONS: Final = frozenset({"GET", "QUERY", "CREATE", "UPDATE", "DELETE"})
_NUMERIC: Final = frozenset({"int", "long", "integer", "short", "double", "float", "decimal"})


@dataclass(frozen=True)
class Field:
    """One attribute or child element of a complex type.

    Attributes:
        name: The XML local name.
        kind: ``"attribute"`` or ``"element"``.
        type_name: The local name of the XSD type (``string``, ``dateTime``, ``Process`` ...).
        builtin: Whether the type is an XSD built-in type.
        repeated: Whether the element may occur more than once.
        required: ``use="required"`` or ``minOccurs >= 1``.
    """

    name: str
    kind: str
    type_name: str
    builtin: bool
    repeated: bool = False
    required: bool = False

    @property
    def numeric(self) -> bool:
        """Whether values compare as numbers."""
        return self.builtin and self.type_name in _NUMERIC


@dataclass(frozen=True)
class TypeInfo:
    """A named complex type of the data schema, inherited fields included.

    Attributes:
        name: The complex type's name.
        bases: Ancestor type names, nearest first.
        abstract: Whether the type is abstract.
        elements: Child elements in schema order (base type's first).
        attributes: Attributes by name.
    """

    name: str
    bases: tuple[str, ...]
    abstract: bool
    elements: tuple[Field, ...]
    attributes: dict[str, Field] = field(hash=False)

    @property
    def is_object(self) -> bool:
        """Whether this is a concrete platform object (extends ``BaseType``)."""
        return "BaseType" in self.bases and not self.abstract

    def lookup(self, name: str) -> Field | None:
        """Find a field by name, ignoring case (query properties are case-insensitive)."""
        folded = name.casefold()
        for candidate in (*self.attributes.values(), *self.elements):
            if candidate.name.casefold() == folded:
                return candidate
        return None

    def element(self, name: str) -> Field | None:
        """Return the child element declaration named exactly ``name``."""
        return next((e for e in self.elements if e.name == name), None)


class SchemaIndex:
    """Named complex types of the data schema (``?xsd=1``), with inheritance resolved."""

    def __init__(self, xsd1: etree._Element) -> None:
        """Index the data schema.

        Args:
            xsd1: Root element of the data schema document.
        """
        raw: dict[str, tuple[str | None, bool, list[Field], list[Field]]] = {}
        for ctype in xsd1.iterfind(f"{{{NS_XS}}}complexType"):
            name = ctype.get("name", "")
            extension = ctype.find(f"{{{NS_XS}}}complexContent/{{{NS_XS}}}extension")
            holder = extension if extension is not None else ctype
            base = _local(extension.get("base", "")) if extension is not None else None
            elements = [_field(e, "element") for e in holder.iterfind(f"{{{NS_XS}}}sequence/{{{NS_XS}}}element")]
            attributes = [_field(a, "attribute") for a in holder.iterfind(f"{{{NS_XS}}}attribute")]
            raw[name] = (base, ctype.get("abstract") == "true", elements, attributes)
        self.types: dict[str, TypeInfo] = {}
        for name in raw:
            bases: list[str] = []
            base = raw[name][0]
            while base is not None and base in raw:
                bases.append(base)
                base = raw[base][0]
            inherited: list[Field] = []
            by_name: dict[str, Field] = {}
            for owner in (*reversed(bases), name):
                inherited.extend(raw[owner][2])
                by_name.update({a.name: a for a in raw[owner][3]})
            self.types[name] = TypeInfo(name, tuple(bases), raw[name][1], tuple(inherited), by_name)
        self._folded = {n.casefold(): n for n in self.types}
        self.enumerations: dict[str, tuple[str, ...]] = {
            st.get("name", ""): tuple(v.get("value", "") for v in st.iterfind(f".//{{{NS_XS}}}enumeration"))
            for st in xsd1.iterfind(f"{{{NS_XS}}}simpleType")
        }

    def object_type(self, name: str) -> TypeInfo | None:
        """Return the concrete object type called ``name`` (case-insensitive), if any."""
        canonical = self._folded.get(name.strip().casefold())
        info = self.types.get(canonical) if canonical else None
        return info if info is not None and info.is_object else None


def _objects_table() -> Path:
    """Boomi's per-object table: the generator's data file, located without importing ``codegen``."""
    spec = importlib.util.find_spec("codegen")
    if spec is None or not spec.submodule_search_locations:
        raise ServiceConfigError("the codegen package (which holds data/objects.json) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "objects.json"


def _local(qname: str) -> str:
    return qname.rpartition(":")[2]


def _field(decl: etree._Element, kind: str) -> Field:
    type_qname = decl.get("type") or decl.get("ref") or "xs:anyType"
    prefix = type_qname.partition(":")[0] if ":" in type_qname else None
    builtin = decl.nsmap.get(prefix) == NS_XS
    name = decl.get("name") or _local(decl.get("ref", ""))
    if kind == "attribute":
        return Field(name, kind, _local(type_qname), builtin, required=decl.get("use") == "required")
    return Field(
        name,
        kind,
        _local(type_qname),
        builtin,
        repeated=decl.get("maxOccurs", "1") != "1",
        required=decl.get("minOccurs", "1") != "0",
    )


@dataclass(frozen=True)
class ObjectRules:
    """What the platform allows per object type (from Boomi's published inventory).

    Attributes:
        operations: Upper-case operation names (``GET``, ``QUERY``, ``CREATE`` ...).
        filter_properties: Property names a query filter may use; empty means "any field".
    """

    operations: frozenset[str]
    filter_properties: tuple[str, ...]


class Release:
    """One published version of one contract layout, served and enforced by the service.

    Attributes:
        name: The release (``current`` or ``next``).
        layout: The contract layout (``split``, ``single`` or ``partner``).
        contract: Wrappers and their children, read from the WSDL as a client would.
        path_prefix: URL path before the account id (``/api/soap/v1/`` or ``/partner/api/soap/v1/``).
    """

    def __init__(
        self,
        name: str,
        layout: str = "split",
        *,
        folder: Path | None = None,
        names: Mapping[str, str] | None = None,
        published: datetime | None = None,
    ) -> None:
        """Load a bundled release, or the documents of a fetched snapshot.

        Args:
            name: ``"current"`` or ``"next"`` (a snapshot's: ``snapshot:<id>``).
            layout: One of :data:`LAYOUTS`.
            folder: Where the documents are (default: the bundled release's folder).
            names: File name per document kind (``wsdl``, ``xsd1``, ``xsd2`` ...); default
                the bundled names.
            published: When the release was published (ETag and Last-Modified).
        """
        folder = folder or Path(
            str(resources.files("boomi_soap.localservice") / "contract" / CONTRACT_FOLDERS[(name, layout)])
        )
        self.name = name
        self.layout = layout
        self.folder = folder
        self.names = dict(names or CONTRACT_FILES)
        self.published = published or _PUBLISHED[name]
        self.path_prefix = "/partner/api/soap/v1/" if layout == "partner" else "/api/soap/v1/"
        self.files = {k: (folder / file).read_bytes() for k, file in self.names.items() if (folder / file).exists()}
        parser = safe_parser()
        xsd1 = etree.fromstring(self.files["xsd1"], parser)
        self.contract = read_contract(
            folder / self.names["wsdl"], [folder / self.names[k] for k in self.files if k != "wsdl"]
        )
        # Each schema document is numbered as JAX-WS numbers it: ?xsd=1, ?xsd=2 ...
        self.numbers = {etree.fromstring(self.files[k], parser).get("targetNamespace", ""): k[3:] for k in self.files}
        self.numbers.pop("", None)
        stub = "".join(
            f'<xs:import namespace="{ns}" schemaLocation="{self.names["xsd" + n]}"/>'
            for ns, n in sorted(self.numbers.items())
        )
        self._stub = f'<xs:schema xmlns:xs="{NS_XS}" targetNamespace="urn:boomi-soap:local">{stub}</xs:schema>'
        self._stub_base = str(folder / "__release__.xsd")
        self.schema = self.compile_schema()
        self.index = SchemaIndex(xsd1)
        rules = json.loads(_objects_table().read_text(encoding="utf-8"))
        self.rules = {
            name: ObjectRules(frozenset(r["operations"]), tuple(r["filterProperties"]))
            for name, r in rules["objects"].items()
        }
        if name.startswith(SNAPSHOT_PREFIX):
            # A user's own contract: every object type its schema declares takes the generic
            # operations, besides what Boomi's inventory lists for the types it knows.
            for type_name, info in self.index.types.items():
                if info.is_object:
                    known = self.rules.get(type_name)
                    operations = GENERIC_OPERATIONS | (known.operations if known else frozenset())
                    self.rules[type_name] = ObjectRules(operations, known.filter_properties if known else ())
        self.operations = tuple(self.contract.operations)

    def compile_schema(self) -> etree.XMLSchema:
        """A new compiled copy of the schema (wrappers and data): each has its own error log."""
        # libxml2 resolves the imports next to the bundled documents, on disk.
        wrapper = etree.fromstring(self._stub.encode(), safe_parser(), base_url=self._stub_base)
        return etree.XMLSchema(wrapper.getroottree())

    def document(self, kind: str, endpoint: str) -> bytes:
        """Return a document as served at ``endpoint``.

        Args:
            kind: ``"wsdl"``, ``"xsd1"`` or ``"xsd2"`` (a key of :attr:`files`).
            endpoint: Absolute URL of the account's SOAP endpoint, without query.

        Returns:
            The document with ``schemaLocation`` and ``soap:address`` pointing at ``endpoint``.
        """
        return _served(self, kind, endpoint)

    def etag(self, kind: str, endpoint: str) -> str:
        """Return the strong ETag of a served document."""
        return '"' + hashlib.sha256(self.document(kind, endpoint)).hexdigest()[:32] + '"'


@functools.lru_cache(maxsize=64)
def _served(release: Release, kind: str, endpoint: str) -> bytes:
    root = etree.fromstring(release.files[kind], safe_parser())
    for imp in root.iter(f"{{{NS_XS}}}import"):
        imp.set("schemaLocation", f"{endpoint}?xsd={release.numbers[imp.get('namespace', '')]}")
    for address in root.iter(f"{{{NS_WSDL_SOAP}}}address"):
        address.set("location", endpoint)
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")


@functools.cache
def load_release(name: str, layout: str = "split") -> Release:
    """Return the bundled release ``name`` in contract ``layout``, loaded once per process.

    Args:
        name: One of :data:`RELEASES`.
        layout: One of :data:`LAYOUTS` (``next`` exists in the ``split`` layout only).

    Returns:
        The loaded release.

    Raises:
        KeyError: If there is no such bundled release.
    """
    if (name, layout) not in CONTRACT_FOLDERS:
        raise KeyError(name if layout == "split" else f"{name} ({layout})")
    return Release(name, layout)


def snapshot_release(directory: Path) -> tuple[Release, str]:
    """The contract of a fetched snapshot, to serve as it is (see :mod:`boomi_soap.snapshot.cache`).

    Args:
        directory: A snapshot directory (it holds ``manifest.json``), an account's
            directory (``CURRENT`` names the snapshot in use), or a cache root holding
            exactly one account's snapshots.

    Returns:
        The release, and the account id the snapshot was fetched for.

    Raises:
        ServiceConfigError: In one line naming the file, if the snapshot is missing,
            damaged (a file missing, a digest that does not match) or not well-formed,
            or is not a platform or partner contract.
    """
    from boomi_soap.exceptions import CacheError
    from boomi_soap.snapshot.cache import CURRENT, MANIFEST, CacheStore

    found = _snapshot_dir(directory, MANIFEST, CURRENT)
    try:
        # A directory the user names, read as it is: not owner-checked (as ``--snapshot`` elsewhere).
        snapshot = CacheStore(found.parent, read_only=True, private=False).open(found)
    except CacheError as exc:
        raise ServiceConfigError(f"cannot serve the snapshot: {exc}") from None
    if snapshot.flavour not in ("platform", "partner"):
        raise ServiceConfigError(
            f"cannot serve the snapshot {found}: a {snapshot.flavour} contract (platform and partner only)"
        )
    names = {"wsdl": snapshot.wsdl}
    schemas = sorted((e for e in snapshot.files if e.path != snapshot.wsdl), key=lambda e: e.path)
    for position, entry in enumerate(schemas, start=1):
        number = entry.url.rpartition("?xsd=")[2] if "?xsd=" in entry.url else ""
        names[f"xsd{number if number.isdigit() else position}"] = entry.path
    for path in names.values():
        try:
            etree.fromstring((found / path).read_bytes(), safe_parser())
        except etree.XMLSyntaxError as exc:
            raise ServiceConfigError(
                f"cannot serve the snapshot: {found / path}: not well-formed XML ({exc})"
            ) from None
    if "xsd1" not in names:
        raise ServiceConfigError(f"cannot serve the snapshot {found}: it has no ?xsd=1 schema document")
    published = _published(snapshot.files, snapshot.wsdl)
    try:
        layout = "partner" if snapshot.flavour == "partner" else "split"
        release = Release(f"{SNAPSHOT_PREFIX}{snapshot.id}", layout, folder=found, names=names, published=published)
    except (etree.XMLSchemaParseError, KeyError, ValueError) as exc:
        raise ServiceConfigError(f"cannot serve the snapshot {found}: its schema does not compile ({exc})") from None
    if layout != "partner":
        release.layout = release.contract.layout  # split or single, as its WSDL says
    return release, snapshot.account_id


def _snapshot_dir(directory: Path, manifest: str, current: str) -> Path:
    """The snapshot directory ``directory`` stands for (see :func:`snapshot_release`)."""
    if (directory / manifest).exists():
        return directory
    if (directory / current).exists():
        pointer = directory / current
        try:
            return directory / pointer.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise ServiceConfigError(f"cannot serve the snapshot: {pointer}: unreadable ({exc})") from None
    pointers = sorted(directory.glob(f"*/*/{current}"))
    if len(pointers) == 1:
        return _snapshot_dir(pointers[0].parent, manifest, current)
    if pointers:
        accounts = ", ".join(f"{p.parent.parent.name}/{p.parent.name}" for p in pointers)
        raise ServiceConfigError(
            f"cannot serve the snapshot: {directory} holds several accounts ({accounts}); name one"
        )
    raise ServiceConfigError(f"cannot serve the snapshot: {directory / manifest}: missing (not a snapshot directory)")


def _published(files: tuple[FileEntry, ...], wsdl: str) -> datetime:
    """When the snapshot's WSDL was published: its ``Last-Modified``, else when it was fetched."""
    from email.utils import parsedate_to_datetime

    entry = next((f for f in files if f.path == wsdl), None)
    value = None
    with contextlib.suppress(TypeError, ValueError):
        value = parsedate_to_datetime(entry.last_modified) if entry and entry.last_modified else None
    if value is None and entry is not None:
        with contextlib.suppress(TypeError, ValueError):
            value = datetime.fromisoformat(entry.fetched_at)
    if value is None:
        return _PUBLISHED["current"]
    return value if value.tzinfo else value.replace(tzinfo=UTC)
