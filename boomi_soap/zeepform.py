"""zeep's reading of a snapshot's WSDL, kept as a signed form so later processes skip it.

zeep reads a WSDL into a :class:`zeep.wsdl.Document` (bindings, messages, every
schema type) in 100-200 ms of Python, more than the rest of a client's start-up.
That model depends only on the snapshot's files, where they are, zeep's and lxml's
versions and the parse settings, so it is kept next to the compiled schema, in the
same :class:`~boomi_soap.schema.CompiledCache` (same private directory, same key,
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
barrier, as for the compiled schema.  Behind it, the unpickler resolves nothing but
classes defined in zeep's schema and WSDL modules, lxml's ``QName``, ``type``,
``list`` and ``OrderedDict``.  A form is kept only once it has loaded back, and one
that is missing, foreign, damaged or unreadable is never an error: the WSDL is parsed
as zeep always does, and the form is written again.
"""

from __future__ import annotations

import hashlib
import io
import logging
import pickle
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from lxml import etree

from boomi_soap._version import __version__

if TYPE_CHECKING:
    import zeep
    from zeep.wsdl import Document

    from boomi_soap.schema import CompiledCache

__all__ = ["FORM_VERSION", "load_document", "pickle_document", "unpickle_document"]

FORM_VERSION: Final = 1
"""Bumped when what is pickled, or how, changes."""

_MAGIC: Final = b"BOOMI-SOAP-ZEEP-FORM 1\n"
_BUILT_CLASSES: Final = frozenset({"zeep.xsd.dynamic_types", "zeep.objects"})
_ALLOWED: Final = {("builtins", "type"), ("builtins", "list"), ("collections", "OrderedDict"), ("lxml.etree", "QName")}
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


class _Unpickler(pickle.Unpickler):
    def __init__(self, data: bytes, kept: dict[str, Any]) -> None:
        super().__init__(io.BytesIO(data))
        self._kept = kept

    def persistent_load(self, pid: Any) -> Any:
        if pid not in self._kept:
            raise pickle.UnpicklingError(f"unknown kept object {pid!r}")
        return self._kept[pid]

    def find_class(self, module: str, name: str) -> Any:
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


def unpickle_document(data: bytes, transport: Any, settings: zeep.Settings) -> Document:
    """Rebuild a document from :func:`pickle_document`'s form, with this client's transport and settings.

    Raises:
        pickle.UnpicklingError: If the form names anything but zeep's model classes.
    """
    from zeep.wsdl import Document

    document = _Unpickler(data, {"transport": transport, "settings": settings}).load()
    if not isinstance(document, Document):
        raise pickle.UnpicklingError("the form does not hold a zeep document")
    return document


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
