"""Naming rules: XSD names to Python identifiers, in one place.

- class names: PascalCase, a leading digit gets ``N``, a keyword gets ``_``;
- field and method names: snake_case (``executionId`` -> ``execution_id``,
  ``ISAControlInfo`` -> ``isa_control_info``), a leading digit gets ``n_``, a
  keyword, a builtin or a name the runtime uses gets ``_``;
- enum members: UPPER_SNAKE of the value, non-identifier characters as ``_``;
- names that collide after conversion (``Status`` and ``status``, or names
  differing only in case) get ``_2``, ``_3`` ... in schema order.

The XML name is always kept beside the Python name, so XML round-trips exactly.
"""

from __future__ import annotations

import builtins
import keyword
import re
from collections.abc import Iterable

__all__ = ["class_name", "enum_member", "field_name", "helper_name", "unique"]

_RESERVED = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(dir(builtins)) | {"self", "cls"}
_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z0-9]+|[A-Z]+|[0-9]+")


def _words(name: str) -> list[str]:
    return _WORDS.findall(re.sub(r"[^A-Za-z0-9]+", " ", name)) or ["x"]


def class_name(xml: str) -> str:
    """``getResponse`` -> ``GetResponse``; ``QueryConfig/QuerySort`` -> ``QueryConfigQuerySort``."""
    words = [w for part in xml.split("/") for w in _words(part)]
    name = "".join(w[:1].upper() + w[1:] for w in words)
    if name[0].isdigit():
        name = "N" + name
    return name + "_" if keyword.iskeyword(name) else name


def field_name(xml: str) -> str:
    """``executionId`` -> ``execution_id``; ``type`` -> ``type_``; ``2fa`` -> ``n_2fa``."""
    name = "_".join(w.lower() for w in _words(xml))
    if name[0].isdigit():
        name = "n_" + name
    return name + "_" if name in _RESERVED else name


def helper_name(xml: str) -> str:
    """An object's name in its helpers: ``AS2ConnectorRecord`` -> ``as2_connector_record`` (not ``a_s2_...``)."""
    # An acronym ending in digits (AS2, HL7, OFTP2) is one word: the field rule would split its last letter off.
    return field_name(re.sub(r"[A-Z]+[0-9]+(?=[A-Z]|$)", lambda m: m.group(0).capitalize(), xml))


def enum_member(value: str) -> str:
    """``application/xml`` -> ``APPLICATION_XML``; ``""`` -> ``EMPTY``."""
    name = re.sub(r"[^A-Za-z0-9]+", "_", value).strip("_").upper() or "EMPTY"
    if name[0].isdigit():
        name = "N_" + name
    return name + "_" if keyword.iskeyword(name.lower()) and name.islower() else name


def unique(names: Iterable[str], taken: Iterable[str] = ()) -> list[str]:
    """Make names unique ignoring case, in order, with ``_2``, ``_3`` ... suffixes."""
    seen = {t.lower() for t in taken}
    out = []
    for name in names:
        candidate, n = name, 1
        while candidate.lower() in seen:
            n += 1
            candidate = f"{name}_{n}"
        seen.add(candidate.lower())
        out.append(candidate)
    return out
