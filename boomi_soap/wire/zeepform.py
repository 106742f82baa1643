"""zeep's reading of a snapshot's WSDL, kept as a signed form so later processes skip it.

zeep reads a WSDL into a :class:`zeep.wsdl.Document` (bindings, messages, every
schema type) in 100-200 ms of Python, more than the rest of a client's start-up.
That model depends only on the snapshot's files, where they are, zeep's and lxml's
versions and the parse settings, so it is kept next to the compiled schema, in the
same :class:`~boomi_soap.snapshot.schema.CompiledCache` (same private directory, same key,
same HMAC and file checks), and a later process loads it in about a third of the time.

zeep's model is plain Python objects but for four things, each handled when pickling:

- lxml ``QName`` objects do not pickle: they are rebuilt from their text;
- zeep makes a class per schema type while parsing (modules ``zeep.xsd.dynamic_types``
  and ``zeep.objects``, which hold no such names): each is rebuilt with ``type()``
  from its name, bases and class dictionary;
- a dictionary view (an extension's attributes, only ever iterated) becomes a list;
- the transport and zeep's settings are not stored: the loading client's own are
  put back in their places.

A form is unpickled only after its HMAC matches: the private per-user key is the
barrier, as for the compiled schema.  Behind it, a signed form still builds nothing
but zeep's model, and cannot change the client that loads it:

- the unpickler resolves nothing but classes defined in zeep's schema and WSDL
  modules (plain names: a dotted one would walk attributes), lxml's ``QName``,
  ``list`` and ``OrderedDict``; ``type`` only as zeep's per-type classes are rebuilt
  (three arguments, zeep bases, the class attributes zeep gives them), so no class
  is reached through an instance;
- the loading client's transport and settings are handed in by reference, and what
  they hold (every attribute: ``forbid_dtd``, ``forbid_entities``,
  ``forbid_external``, the documents the transport may read ...) is recorded before
  the load and put back after it; a form that changed anything is refused;
- the document and its schema are then given the client's transport and settings,
  whatever the form put there.

Objects zeep builds from a response show, in their ``repr`` and ``str``, the holder of
an ``xs:any`` (``_value_1``) that is nearly always empty; :func:`load_document` makes
them leave an empty one out (attribute and item access are unchanged).

A form is kept only once it has loaded back, and one that is missing, foreign,
damaged, unreadable or refused is never an error: the WSDL is parsed as zeep always
does, and the form is written again.
"""

from __future__ import annotations

import hashlib
import io
import logging
import pickle
import re
import sys
import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from lxml import etree

from boomi_soap._version import __version__

if TYPE_CHECKING:
    import zeep
    from zeep.wsdl import Document

    from boomi_soap.snapshot.schema import CompiledCache

__all__ = ["FORM_VERSION", "load_document", "pickle_document", "quiet_any_holders", "unpickle_document"]

FORM_VERSION: Final = 1
"""Bumped when what is pickled, or how, changes."""

_MAGIC: Final = b"BOOMI-SOAP-ZEEP-FORM 1\n"
_BUILT_CLASSES: Final = frozenset({"zeep.xsd.dynamic_types", "zeep.objects"})
_ALLOWED: Final = {("builtins", "list"), ("collections", "OrderedDict"), ("lxml.etree", "QName")}
# What zeep puts in the classes it makes per schema type (``copyreg`` adds ``__slotnames__``).
_CLASS_ATTRIBUTES: Final = frozenset(
    {"__module__", "__qualname__", "__doc__", "__slotnames__", "_xsd_name", "_xsd_type"}
)
_log = logging.getLogger("boomi_soap.zeepform")


class _Pickler(pickle.Pickler):
    def __init__(self, file: io.BytesIO, kept: dict[int, str]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._kept = kept

    def persistent_id(self, obj: Any) -> str | None:
        return self._kept.get(id(obj))

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, etree.QName):
            return (etree.QName, (obj.text,))
        if isinstance(obj, type) and obj.__module__ in _BUILT_CLASSES:
            namespace = {k: v for k, v in vars(obj).items() if k not in ("__dict__", "__weakref__")}
            return (type, (obj.__name__, obj.__bases__, namespace))
        if type(obj).__name__ in ("odict_values", "dict_values", "odict_keys", "dict_keys"):
            return (list, (list(obj),))
        return NotImplemented


def _zeep_class(value: object) -> bool:
    return isinstance(value, type) and value.__module__.startswith("zeep.")


def _rebuilt_class(*args: object) -> type:
    """``type(name, bases, namespace)`` for one of zeep's per-type classes, and nothing else.

    Three arguments only (``type(x)`` would reach the class of anything the form holds,
    the loading client's settings and transport included), zeep bases, and the
    attributes zeep gives such a class: no method, no descriptor, no ``__eq__``.
    """
    name, bases, namespace = args if len(args) == 3 else ("", (), None)
    if (
        not isinstance(name, str)
        or not name
        or not isinstance(bases, tuple)
        or not bases
        or not all(_zeep_class(base) for base in bases)
        or not isinstance(namespace, dict)
        or not set(namespace) <= _CLASS_ATTRIBUTES
        or namespace.get("__module__") not in _BUILT_CLASSES
        or not isinstance(namespace.get("__doc__"), str | None)
        or not isinstance(namespace.get("__slotnames__", []), list)
        or not isinstance(namespace.get("_xsd_name", etree.QName("x")), etree.QName)
        or not (namespace.get("_xsd_type") is None or _zeep_class(type(namespace["_xsd_type"])))
    ):
        what = f"a class {name[:60]!r}" if isinstance(name, str) and name else f"type() of {len(args)} argument(s)"
        raise pickle.UnpicklingError(f"{what} that zeep does not make is not part of a zeep form")
    return type(name, bases, namespace)


class _Unpickler(pickle.Unpickler):
    def __init__(self, data: bytes, kept: dict[str, Any]) -> None:
        super().__init__(io.BytesIO(data))
        self._kept = kept

    def persistent_load(self, pid: Any) -> Any:
        if pid not in self._kept:
            raise pickle.UnpicklingError(f"unknown kept object {pid!r}")
        return self._kept[pid]

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("builtins", "type"):
            return _rebuilt_class
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        # A dotted name would walk attributes (``indicators.operator.attrgetter``), and a
        # module re-exports what it imports: only a class defined in zeep's model modules.
        if "." not in name and module.startswith(("zeep.xsd.", "zeep.wsdl.")):
            found = super().find_class(module, name)
            if isinstance(found, type) and found.__module__ == module:
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a zeep form")


def pickle_document(document: Document, transport: Any, settings: zeep.Settings) -> bytes:
    """The pickled form of ``document``, without ``transport`` and ``settings``.

    Raises:
        pickle.PicklingError, RecursionError, TypeError: If zeep's model holds something new.
    """
    buffer = io.BytesIO()
    _Pickler(buffer, {id(transport): "transport", id(settings): "settings"}).dump(document)
    return buffer.getvalue()


def _state(obj: object) -> dict[str, Any]:
    """Every attribute of ``obj``: its slots (zeep's settings are slotted attrs) and its ``__dict__``."""
    names = [a.name for a in getattr(type(obj), "__attrs_attrs__", ())]
    state = {name: getattr(obj, name) for name in names if hasattr(obj, name)}
    state.update(getattr(obj, "__dict__", {}))
    return state


def _restore(obj: object, state: dict[str, Any]) -> None:
    if hasattr(obj, "__dict__"):
        vars(obj).clear()
    for name, value in state.items():
        object.__setattr__(obj, name, value)


def unpickle_document(data: bytes, transport: Any, settings: zeep.Settings) -> Document:
    """Rebuild a document from :func:`pickle_document`'s form, with this client's transport and settings.

    The transport and the settings come out of the load as they went in: a form that
    changed any of their attributes is refused, the attributes put back first.

    Raises:
        pickle.UnpicklingError: If the form names anything but zeep's model classes, or
            changes the loading client's transport or settings.
    """
    from zeep.wsdl import Document
    from zeep.xsd import Schema

    kept = {"transport": (transport, _state(transport)), "settings": (settings, _state(settings))}
    try:
        document = _Unpickler(data, {"transport": transport, "settings": settings}).load()
    finally:
        changed = [role for role, (obj, state) in kept.items() if not _same(_state(obj), state)]
        for role in changed:
            _restore(*kept[role])
    if changed:
        raise pickle.UnpicklingError(f"the form changes the loading client's {' and '.join(changed)}")
    if not isinstance(document, Document) or not isinstance(document.types, Schema):
        raise pickle.UnpicklingError("the form does not hold a zeep document")
    # Where zeep looks for them: the client's own, whatever the form held.
    document.transport = transport
    document.settings = settings
    document.types._transport = transport
    document.types.settings = settings
    return document


def _same(now: dict[str, Any], before: dict[str, Any]) -> bool:
    # Identity, not equality: a value of the form's making could claim to equal anything.
    return now.keys() == before.keys() and all(now[name] is before[name] for name in before)


def _label(sha256: str, wsdl: Path, settings: zeep.Settings) -> str:
    import zeep

    names = [a.name for a in type(settings).__attrs_attrs__ if not a.name.startswith("_")]  # zeep's attrs fields
    options = ",".join(f"{name}={getattr(settings, name)!r}" for name in names)
    identity = "\n".join(
        [
            sha256,
            str(wsdl.resolve()),
            f"zeep {zeep.__version__}",
            f"lxml {etree.__version__}",
            f"python {sys.version_info.major}.{sys.version_info.minor}",
            f"boomi-soap {__version__} form {FORM_VERSION}",
            options,
        ]
    )
    return hashlib.sha256(identity.encode()).hexdigest()


_HOLDER: Final = re.compile(r"_value_\d+")  # zeep's name for the content of an xs:any it did not map
_quiet_lock = threading.Lock()


def _empty(value: object) -> bool:
    return value is None or (isinstance(value, (list, str)) and not value)


def _quiet_repr(self: Any) -> str:
    from zeep.xsd.printer import PrettyPrinter

    values = self.__values__
    shown = OrderedDict((k, v) for k, v in values.items() if not (_HOLDER.fullmatch(k) and _empty(v)))
    return str(PrettyPrinter().pformat(shown))  # type: ignore[no-untyped-call]


def quiet_any_holders() -> None:
    """Leave an empty ``_value_1`` out of the ``repr`` and ``str`` of zeep's objects (idempotent).

    zeep shows the holder of every ``xs:any`` of a type, read or not, so each object
    Boomi returns prints ``'_value_1': None``.  Only the display changes: ``obj._value_1``
    and ``obj["_value_1"]`` still answer, and a holder with content is shown.
    """
    from zeep.xsd.valueobjects import CompoundValue

    with _quiet_lock:
        if CompoundValue.__repr__ is not _quiet_repr:
            # On the class zeep derives every per-type class from: they are made while
            # parsing or rebuilt from a form, so none is missed (zeep's own repr minus the key).
            setattr(CompoundValue, "__repr__", _quiet_repr)  # noqa: B010
            setattr(CompoundValue, "__str__", _quiet_repr)  # noqa: B010


def load_document(
    sha256: str, wsdl: Path, transport: Any, settings: zeep.Settings, cache: CompiledCache | None
) -> Document:
    """Zeep's document for a snapshot's WSDL: from its signed form when there is one, else parsed (and kept).

    Args:
        sha256: The snapshot's contract hash.
        wsdl: The snapshot's WSDL file.
        transport: The transport zeep is given (not part of the form).
        settings: zeep's settings (part of the key; not part of the form).
        cache: Where forms are kept (``None``: always parse, keep nothing).
    """
    from zeep.wsdl import Document

    quiet_any_holders()
    label = _label(sha256, wsdl, settings) if cache is not None else ""
    name = f"{label[:32]}.zeep"
    if cache is not None:
        data = cache.load_signed(name, label, _MAGIC)
        if data is not None:
            try:
                return unpickle_document(data, transport, settings)
            except Exception as exc:
                _log.warning("ignoring the zeep form %s: %s", cache.directory / name, exc)
    document = Document(str(wsdl), transport, settings=settings)
    if cache is not None:
        try:
            form = pickle_document(document, transport, settings)
            unpickle_document(form, transport, settings)  # only a form that loads is kept
        except Exception as exc:  # whatever zeep's model holds, the parse stands
            # Nothing the user can change: the next process parses too.
            _log.info("not keeping zeep's form of %s: %s", wsdl, exc)
        else:
            cache.store_signed(name, label, _MAGIC, form)
    return document
