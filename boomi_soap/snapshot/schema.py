"""Loading a snapshot's schemas, offline, for validation.

Two engines read the same schema documents of a snapshot:

- libxml2 (through lxml) compiles the full reference schema in about 10 ms,
  validates fast and, through its error log, says what is wrong in most cases.
- xmlschema takes 0.5-2 s to compile it and is asked only for what libxml2 does
  not say (see :mod:`boomi_soap.validate`); it is imported and compiled (or
  loaded) on that first need, never before.

So a second process does not pay for xmlschema again, its compiled form is kept on
disk keyed by the snapshot's SHA-256 and the library versions.  That form is a
pickle, and loading a pickle runs code, so each file carries an HMAC-SHA256 made
with a private per-user key (mode 0600, in a directory only the user can write);
a file that fails the check, or is not the user's, is never unpickled but
recompiled and replaced.  The directory, the key and the pickles pass the cache's own
checks (:func:`~boomi_soap.snapshot.cache.check_private`: no link followed, this user's, not
writable by others, the key not even readable by them); when they fail, the compiled
cache is not used, with a warning naming the path.

Behind the key, a signed form is still loaded by a restricted unpickler
(``_SchemaUnpickler``): classes defined in xmlschema's and elementpath's own
modules, named plainly (a dotted name would walk attributes), xmlschema's value
validators, a few builtin types, ``Decimal``, ElementTree's ``Element`` and
``iterparse`` and ``re``'s compiler; a bound method only of such an object and
defined by such a class (never ``getattr`` itself).  The loaded schema must then
carry the settings it is compiled with (sandboxed, always defused, 5 s, no
location hints): a form that says otherwise is refused and the schema recompiled.

Every schema reference inside the snapshot must name a file of the snapshot; a
reference to anything else is an error, so loading never leaves the snapshot.  The
check sits where the documents are read: libxml2's compile asks a resolver for each
document it loads (nested imports included), and the resolver refuses any other file.
Nothing else reads the schemas before that compile: xmlschema's and zeep's readings
of the same files come after it (:attr:`SchemaBundle.explainer`,
:meth:`SchemaBundle.checked`).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import inspect
import io
import logging
import os
import pickle
import secrets
import sys
import threading
import types
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import unquote, urlsplit

from lxml import etree

from boomi_soap._xml.safe import parse_xml, safe_parser
from boomi_soap.exceptions import CacheIntegrityError, CachePermissionError, SchemaLoadError
from boomi_soap.snapshot.cache import Snapshot, check_private, make_private_dir, read_private, write_private
from boomi_soap.snapshot.contract import parsed

if TYPE_CHECKING:
    import xmlschema
    from lxml.etree._docloader import _InputDocument

    from boomi_soap.credentials import Flavour

__all__ = [
    "CompiledCache",
    "SchemaBundle",
    "SnapshotFiles",
    "default_compiled_dir",
    "leaving_snapshot",
    "load_schema",
    "resolve_schema",
    "schema_from_files",
    "snapshot_file",
]

NS_XS: Final = "http://www.w3.org/2001/XMLSchema"
NS_WSDL: Final = "http://schemas.xmlsoap.org/wsdl/"
_MAGIC: Final = b"BOOMI-SOAP-COMPILED-SCHEMA 3\n"  # 2: the HMAC covers this line too; 3: compiled with _VALIDATION
_log = logging.getLogger("boomi_soap.schema")
# How xmlschema compiles a snapshot's schema, and so what a loaded compiled form must say.
_ALLOW: Final = "sandbox"
_DEFUSE: Final = "always"
_TIMEOUT: Final = 5
# libxml2 has compiled the very documents first (SchemaBundle.checked) and refuses what is not
# XSD: xmlschema does not check them against the meta-schema again (four fifths of its compile).
_VALIDATION: Final = "skip"
_OWN_MODULES: Final = ("xmlschema.", "elementpath.")
_FUNCTION_MODULES: Final = frozenset({"xmlschema.validators.helpers"})  # value validators and converters
_SCHEMA_GLOBALS: Final = frozenset(
    {("builtins", name) for name in ("bool", "bytearray", "bytes", "complex", "dict", "float", "frozenset", "int")}
    | {("builtins", name) for name in ("list", "set", "str", "tuple")}
    | {("collections", "OrderedDict"), ("collections", "Counter"), ("decimal", "Decimal"), ("re", "_compile")}
    | {("xml.etree.ElementTree", "Element"), ("xml.etree.ElementTree", "iterparse")}
)


def _own(module: str) -> bool:
    return module.startswith(_OWN_MODULES) or module in ("xmlschema", "elementpath")


def _bound_method(owner: object, name: object) -> Any:
    """``getattr(owner, name)`` for what pickle makes of a bound method, and nothing else.

    Only a public name (or ``__call__``), of an xmlschema or elementpath object or
    class, found as a function or class method their own modules define: no attribute
    of a function (``__globals__``), of a module or of another library.
    """
    kind = owner if isinstance(owner, type) else type(owner)
    if (
        isinstance(name, str)
        and name.isidentifier()
        and (not name.startswith("_") or name == "__call__")
        and _own(kind.__module__)
    ):
        raw = inspect.getattr_static(owner, name, None)  # looked up without running a descriptor
        function = raw.__func__ if isinstance(raw, classmethod) else raw
        if isinstance(function, types.FunctionType) and _own(function.__module__):
            found = getattr(owner, name)
            if isinstance(found, types.MethodType):
                return found
    raise pickle.UnpicklingError(f"{kind.__module__}.{kind.__name__}.{str(name)[:60]} is not part of a compiled schema")


class _SchemaUnpickler(pickle.Unpickler):
    """Rebuilds an xmlschema schema from its pickle, resolving only what such a pickle names."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("builtins", "getattr"):
            return _bound_method
        if (module, name) in _SCHEMA_GLOBALS:
            return super().find_class(module, name)
        # A dotted name would walk attributes, and a module re-exports what it imports:
        # only a class (or validator function) defined in the module it is named by.
        if "." not in name and _own(module):
            found = super().find_class(module, name)
            defined_here = getattr(found, "__module__", None) == module
            if defined_here and (
                isinstance(found, type) or (isinstance(found, types.FunctionType) and module in _FUNCTION_MODULES)
            ):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a compiled schema")


def _loads(payload: bytes) -> xmlschema.XMLSchemaBase:
    """The schema a compiled form holds, through ``_SchemaUnpickler``, with the settings it is compiled with.

    Raises:
        pickle.UnpicklingError: If the form names anything else, holds no schema, or
            carries other settings (the sandbox's base aside: nothing is read after the compile).
    """
    import xmlschema
    from xmlschema.settings import SchemaSettings

    schema = _SchemaUnpickler(io.BytesIO(payload)).load()
    if not isinstance(schema, xmlschema.XMLSchemaBase):
        raise pickle.UnpicklingError("the form does not hold a schema")
    settings = getattr(schema.maps, "settings", None)
    expected = SchemaSettings.get_settings(allow=_ALLOW, defuse=_DEFUSE, timeout=_TIMEOUT, validation=_VALIDATION)
    if not isinstance(settings, SchemaSettings) or replace(settings, base_url=None) != expected:
        raise pickle.UnpicklingError("the form's schema settings are not the ones it is compiled with")
    return schema


def default_compiled_dir(env: dict[str, str] | None = None) -> Path:
    """Where compiled schemas live: ``BOOMI_SOAP_COMPILED_DIR``, else the user cache."""
    env = dict(os.environ) if env is None else env
    if env.get("BOOMI_SOAP_COMPILED_DIR"):
        return Path(env["BOOMI_SOAP_COMPILED_DIR"])
    import platformdirs

    return Path(platformdirs.user_cache_dir("boomi-soap")) / "compiled"


class CompiledCache:
    """HMAC-signed compiled forms: xmlschema schemas, one per schema hash, and zeep's.

    zeep's forms are :mod:`boomi_soap.wire.zeepform`'s.
    """

    def __init__(self, directory: Path) -> None:
        """Use ``directory`` (created 0700 on first write)."""
        self.directory = Path(directory)

    def __repr__(self) -> str:
        return f"CompiledCache({str(self.directory)!r})"

    def _path(self, digest: str) -> Path:
        import xmlschema

        version = f"xs{xmlschema.__version__}-py{sys.version_info.major}.{sys.version_info.minor}"
        return self.directory / f"{digest[:32]}-{version}.pickle"

    def _usable(self, *, create: bool) -> bool:
        try:
            if create:
                make_private_dir(self.directory)
            check_private(self.directory, directory=True)
        except FileNotFoundError:
            return False
        except CachePermissionError as exc:
            _log.warning("not using the compiled-schema cache: %s", exc)
            return False
        return True

    def _read(self, path: Path, *, secret: bool = False) -> bytes | None:
        try:
            return read_private(path, secret=secret)
        except FileNotFoundError:
            return None
        except CachePermissionError as exc:
            _log.warning("ignoring a compiled-form file: %s", exc)
            return None

    def _key(self, *, create: bool) -> bytes | None:
        if not self._usable(create=create):
            return None
        path = self.directory / "key"
        if create:
            with contextlib.suppress(FileExistsError):  # made by another process (or a link: refused below)
                write_private(path, secrets.token_bytes(32))
        key = self._read(path, secret=True)
        return key if key is not None and len(key) == 32 else None

    def load_signed(self, name: str, label: str, magic: bytes) -> bytes | None:
        """The payload of the file ``name`` if it carries ``magic`` and this cache's HMAC of both, ``label`` and it.

        ``magic`` says what kind of form it is and ``label`` what it is for (a schema
        hash, a form's key), so a signed file cannot stand in for another.  Nothing is
        unpickled here.
        """
        if not self._usable(create=False):
            return None
        path = self.directory / name
        data = self._read(path)
        if data is None:
            return None
        key = self._key(create=False)
        if key is None or not data.startswith(magic) or len(data) < len(magic) + 65:
            return None
        signature, payload = data[len(magic) : len(magic) + 64], data[len(magic) + 65 :]
        expected = hmac.new(key, magic + label.encode() + b"\n" + payload, hashlib.sha256).hexdigest().encode()
        if not hmac.compare_digest(signature, expected):
            _log.warning("ignoring %s: signature does not match (tampered or foreign)", path)
            return None
        return payload

    def store_signed(self, name: str, label: str, magic: bytes, payload: bytes) -> None:
        """Write ``payload`` signed for ``label``, atomically; failures are logged, not raised."""
        try:
            key = self._key(create=True)
            if key is None:
                return
            signature = hmac.new(key, magic + label.encode() + b"\n" + payload, hashlib.sha256).hexdigest().encode()
            path = self.directory / name
            temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
            write_private(temporary, magic + signature + b"\n" + payload)
            os.replace(temporary, path)
        except OSError as exc:
            _log.warning("could not keep %s: %s", name, exc)

    def load(self, digest: str) -> xmlschema.XMLSchemaBase | None:
        """Return the compiled schema for ``digest`` if a valid, signed copy exists."""
        path = self._path(digest)
        payload = self.load_signed(path.name, digest, _MAGIC)
        if payload is None:
            return None
        try:
            return _loads(payload)
        except Exception as exc:  # whatever a form holds, the schema is compiled again
            _log.warning("ignoring the compiled schema %s: %s", path, exc)
            return None

    def store(self, digest: str, schema: xmlschema.XMLSchemaBase) -> None:
        """Write a signed compiled schema atomically; failures are logged, not raised."""
        try:
            payload = pickle.dumps(schema, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, RecursionError) as exc:
            _log.warning("could not keep the compiled schema: %s", exc)
            return
        try:
            _loads(payload)  # only a form the restricted loader takes back is kept
        except Exception as exc:
            # Nothing the user can change: the next process compiles too.
            _log.info("not keeping the compiled schema: %s", exc)
            return
        self.store_signed(self._path(digest).name, digest, _MAGIC, payload)


def snapshot_file(url: str, directory: Path, names: frozenset[str]) -> Path | None:
    """The file ``url`` names if it is one of ``names`` in ``directory`` (resolved), else ``None``.

    Every reader of a snapshot's schemas asks this before reading a referenced
    document: libxml2 (:class:`_SnapshotOnly`), xmlschema and zeep (through
    :class:`SnapshotFiles`).  ``..``, another directory, a
    host, any scheme but ``file`` and a name outside the list are all refused.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("file", "") or parts.netloc or parts.query or parts.fragment:
        return None
    path = Path(os.path.abspath(unquote(parts.path)))  # normalises ``..`` without following a link
    return path if path.parent == directory and path.name in names else None


def leaving_snapshot(url: str, directory: Path) -> CacheIntegrityError:
    """The error for a reference that leaves a snapshot."""
    from boomi_soap._xml.redact import redact_url

    return CacheIntegrityError(
        f"a document refers to {redact_url(url)!r}, which is not a file of the snapshot; refusing to load it",
        path=str(directory),
    )


class SnapshotFiles:
    """zeep's document loader for one snapshot: reads the snapshot's own files and nothing else.

    zeep asks its loader for the WSDL and every document it imports; a client works from
    its cache, so a URL, another directory or a name outside the snapshot is refused.

    Attributes:
        directory: The snapshot's resolved directory.
        names: The names of the files that may be read.
    """

    cache: Any = None  # zeep reads it when loading documents

    def __init__(self, directory: Path, names: frozenset[str], contents: Mapping[str, bytes] | None = None) -> None:
        """Read only ``names`` in ``directory``; ``contents`` are given, by name, in place of those files."""
        self.directory = directory
        self.names = names
        self._contents = dict(contents or {})

    def load(self, url: str) -> bytes:
        """Read a file of the snapshot.

        Raises:
            TransportError: For anything but a local file (a client works from its cache).
            CacheIntegrityError: For a local file that is not one of the snapshot's.
        """
        from boomi_soap._xml.redact import redact_url
        from boomi_soap.exceptions import TransportError

        if not url:
            raise ValueError("No url given to load")
        if "://" in url and not url.startswith("file://"):
            raise TransportError(
                "load", f"refusing to fetch {redact_url(url)}: the client works from the cached snapshot"
            )
        path = snapshot_file(
            url if url.startswith("file://") else Path(os.path.abspath(url)).as_uri(), self.directory, self.names
        )
        if path is None:
            raise leaving_snapshot(url, self.directory)
        given = self._contents.get(path.name)
        return given if given is not None else path.read_bytes()


class _SnapshotOnly(etree.Resolver):
    """Lets libxml2 load the named files of one directory; records anything else and gives it nothing."""

    def __init__(self, directory: Path, names: frozenset[str]) -> None:
        super().__init__()
        self.directory = directory
        self.names = names
        self.refused: list[str] = []

    def resolve(self, system_url: str | None, public_id: str | None, context: object) -> _InputDocument | None:
        url = system_url or ""
        if snapshot_file(url, self.directory, self.names) is not None:
            return None  # libxml2 reads it as before
        self.refused.append(url)
        return self.resolve_string(b"", context)


@dataclass
class SchemaBundle:
    """The schemas of one snapshot (or schema file set), for both engines.

    Attributes:
        sha256: Identity of the schema documents (the snapshot hash).
        directory: Where the documents are.
        imports: ``(namespace, file name)`` of every top-level schema document.
        compiled: Where compiled xmlschema forms are kept (``None``: never kept).
        names: The files a schema may load (``None``: the directory's ``.xsd`` files).
    """

    sha256: str
    directory: Path
    imports: tuple[tuple[str, str], ...]
    compiled: CompiledCache | None = None
    names: frozenset[str] | None = None
    _lxml: etree.XMLSchema | None = field(default=None, repr=False)
    _xmlschema: xmlschema.XMLSchemaBase | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _owner: int | None = field(default=None, repr=False)
    _threads: threading.local = field(default_factory=threading.local, repr=False)

    def _wrapper(self) -> bytes:
        lines = [f'<xs:schema xmlns:xs="{NS_XS}" targetNamespace="urn:boomi-soap:snapshot">']
        lines += [f'  <xs:import namespace="{ns}" schemaLocation="{name}"/>' for ns, name in self.imports]
        lines.append("</xs:schema>")
        return "\n".join(lines).encode()

    @property
    def lxml(self) -> etree.XMLSchema:
        """The libxml2 schema (compiled on first use, ~10 ms)."""
        if self._lxml is not None:  # compiled once, never replaced: no lock needed to read it
            return self._lxml
        with self._lock:
            if self._lxml is None:
                self._lxml = self._compile_lxml()
                self._owner = threading.get_ident()
            return self._lxml

    def checker(self) -> etree.XMLSchema:
        """The libxml2 schema for this thread, whose error log no other thread writes.

        lxml keeps one error log per schema object, cleared by every validation, so a
        thread reading why its document failed must not share the object: the thread
        that compiled :attr:`lxml` uses it, any other compiles its own on first use.
        """
        shared = self.lxml
        if threading.get_ident() == self._owner:
            return shared
        mine: etree.XMLSchema | None = getattr(self._threads, "schema", None)
        if mine is None:
            mine = self._threads.schema = self._compile_lxml()
        return mine

    def checked(self) -> None:
        """Make sure every schema reference stays in :attr:`directory` (by compiling :attr:`lxml`).

        Raises:
            CacheIntegrityError: If a reference names any other file.
            SchemaLoadError: If the schema does not compile.
        """
        _ = self.lxml

    def files(self) -> tuple[Path, frozenset[str]]:
        """The resolved directory, and the names of the files a schema may load from it."""
        directory = self.directory.resolve()
        names = self.names if self.names is not None else frozenset(p.name for p in directory.glob("*.xsd"))
        return directory, names

    def loader(self, contents: Mapping[str, bytes] | None = None) -> SnapshotFiles:
        """The document loader zeep is given: it reads :meth:`files` and nothing else (``contents`` in their place)."""
        return SnapshotFiles(*self.files(), contents)

    def _compile_lxml(self) -> etree.XMLSchema:
        directory, names = self.files()
        resolver = _SnapshotOnly(directory, names)
        parser = safe_parser()
        parser.resolvers.add(resolver)
        document = etree.fromstring(self._wrapper(), parser, base_url=(directory / "__snapshot__.xsd").as_uri())
        try:
            compiled = etree.XMLSchema(document.getroottree())
        except etree.XMLSchemaParseError as exc:
            failure: str | None = str(exc)
        else:
            failure = None
        if resolver.refused:
            raise leaving_snapshot(resolver.refused[0], self.directory)
        if failure is not None:
            raise SchemaLoadError(f"{self.directory}: the schema does not compile: {failure}")
        return compiled

    @property
    def explainer(self) -> xmlschema.XMLSchemaBase:
        """The xmlschema schema: from the compiled cache, else compiled (~0.1 s) and kept."""
        self.checked()  # xmlschema follows the same references: only once they are known to stay inside
        with self._lock:
            if self._xmlschema is None:
                loaded = self.compiled.load(self.sha256) if self.compiled else None
                if loaded is None:
                    loaded = self._compile()
                    if self.compiled is not None:
                        self.compiled.store(self.sha256, loaded)
                self._xmlschema = loaded
            return self._xmlschema

    def _compile(self) -> xmlschema.XMLSchemaBase:
        import xmlschema

        directory, names = self.files()
        try:
            with warnings.catch_warnings():
                # xmlschema only warns when an import fails; a partial schema must not pass.
                warnings.simplefilter("error", xmlschema.XMLSchemaImportWarning)
                # _VALIDATION: the meta-schema check was 0.55 s of 0.65 on the reference snapshot,
                # and repeats libxml2's; the model, and what it reports on documents, are the same.
                compiled = xmlschema.XMLSchema(
                    self._wrapper().decode(), base_url=str(directory), allow=_ALLOW, defuse=_DEFUSE, timeout=_TIMEOUT,
                    validation=_VALIDATION,
                )  # fmt: skip
        except (xmlschema.XMLSchemaException, xmlschema.XMLSchemaImportWarning, OSError) as exc:
            raise SchemaLoadError(f"{self.directory}: the schema does not load: {exc}") from None
        # The sandbox keeps xmlschema under the directory; the list keeps it to the snapshot's
        # files.  xmlschema's own schemas (XSI, xml:) come from its package.
        own = Path(xmlschema.__file__).parent.as_uri() + "/"
        for document in compiled.maps.iter_schemas():
            url = document.url or ""
            if url and not url.startswith(own) and snapshot_file(url, directory, names) is None:
                raise leaving_snapshot(url, self.directory)
        return compiled


def _imports(wsdl: etree._Element, wsdl_name: str, names: frozenset[str]) -> tuple[tuple[str, str], ...]:
    """The (namespace, file) pairs the schema is built from: imported files, and inline schemas' files."""
    found: list[tuple[str, str]] = []
    for index, schema in enumerate(wsdl.iterfind(f"{{{NS_WSDL}}}types/{{{NS_XS}}}schema"), start=1):
        declared = [c for c in schema if isinstance(c.tag, str) and c.tag != f"{{{NS_XS}}}import"]
        if declared:
            from boomi_soap.snapshot.fetch import inline_schema_name  # its downloads are not loaded otherwise

            # Stored beside the WSDL at fetch (boomi_soap.snapshot.fetch.inline_schemas); its own imports inside.
            name = inline_schema_name(wsdl_name, index)
            if name not in names:
                raise SchemaLoadError(
                    f"{wsdl_name}: the schema declared inline in wsdl:types (number {index}) is not in the"
                    f" snapshot as {name}; fetch the snapshot again (boomi-soap fetch)"
                )
            found.append((schema.get("targetNamespace", ""), name))
            continue
        found += [(i.get("namespace", ""), i.get("schemaLocation", "")) for i in schema.iterfind(f"{{{NS_XS}}}import")]
    return tuple(found)


@functools.lru_cache(maxsize=8)
def _bundle(
    sha256: str,
    directory: Path,
    imports: tuple[tuple[str, str], ...],
    compiled: Path | None,
    names: frozenset[str] | None = None,
) -> SchemaBundle:
    return SchemaBundle(sha256, directory, imports, CompiledCache(compiled) if compiled else None, names)


def load_schema(snapshot: Snapshot, *, compiled_dir: Path | None = None, keep_compiled: bool = True) -> SchemaBundle:
    """Return the schemas of a verified snapshot (memoised per process).

    Args:
        snapshot: The snapshot (verified when it was opened).
        compiled_dir: Where compiled forms are kept (default: :func:`default_compiled_dir`).
        keep_compiled: Use and write the compiled-form cache.

    Returns:
        The bundle; each engine compiles on first use, and the first compile checks
        that no reference leaves the snapshot (:meth:`SchemaBundle.checked`).

    Raises:
        SchemaLoadError: If the WSDL's types cannot be read.
    """
    names = frozenset(entry.path for entry in snapshot.files)
    wsdl = parsed(snapshot.wsdl_path)
    compiled = (compiled_dir or default_compiled_dir()) if keep_compiled else None
    imports = _imports(wsdl, snapshot.wsdl_path.name, names)
    return _bundle(snapshot.sha256, snapshot.directory.resolve(), imports, compiled, names)


def schema_from_files(paths: list[Path], *, compiled_dir: Path | None = None) -> SchemaBundle:
    """Return a bundle for plain schema files (``--schema``), all in one directory.

    Raises:
        SchemaLoadError: If the files are not schemas or are in several directories.
        CacheIntegrityError: If a schema refers to a file outside that directory.
    """
    directories = {p.resolve().parent for p in paths}
    if len(directories) != 1:
        raise SchemaLoadError("schema files must be in one directory")
    directory = directories.pop()
    digest = hashlib.sha256()
    imports = []
    for path in sorted(paths):
        data = path.read_bytes()
        root = parse_xml(data, source=str(path))
        if root.tag != f"{{{NS_XS}}}schema":
            raise SchemaLoadError(f"{path}: not an XML schema")
        digest.update(path.name.encode() + b"\0" + hashlib.sha256(data).digest())
        imports.append((root.get("targetNamespace", ""), path.name))
    bundle = _bundle(digest.hexdigest(), directory, tuple(imports), compiled_dir)
    bundle.checked()  # the command's first need anyway; refuse before anything else reads them
    return bundle


def resolve_schema(
    *,
    account: str | None = None,
    flavour: Flavour = "platform",
    cache_dir: Path | None = None,
    snapshot: Path | None = None,
    schemas: list[Path] | None = None,
    compiled_dir: Path | None = None,
) -> SchemaBundle:
    """Pick the schema a command asked for.

    In order: plain XSDs, a snapshot directory, an account's current snapshot, and by
    default the bundled reference snapshot.

    Raises:
        BoomiSoapError: If the snapshot is missing or damaged, or the schema does not load.
    """
    from boomi_soap.snapshot.cache import resolve_snapshot

    if schemas:
        return schema_from_files(schemas, compiled_dir=compiled_dir or default_compiled_dir())
    # The bundle keeps the schemas alone, and nothing connects to the snapshot's endpoint:
    # its origin check (the HTTP library's URL parser, ~40 ms of imports) is not needed here.
    chosen = resolve_snapshot(
        account=account, flavour=flavour, cache_dir=cache_dir, snapshot=snapshot, check_endpoint=False
    )
    return load_schema(chosen, compiled_dir=compiled_dir)
