"""JSON query and bulk bodies as Boomi reads them: ``@type`` names that are not the schema's.

Boomi's OpenAPI names each object type per object (``EnvironmentQueryConfig``,
``EnvironmentSimpleExpression``, ``AccountBulkRequest``) and maps it to the XML
element it stands for (``xml.name``: ``QueryConfig``, ``SimpleExpression``,
``BulkRequest``).  Clients generated from it (the PyPI ``boomi`` SDK) tag every
object with those names, and name an inline object after its owner and key
(``EnvironmentQueryConfigQueryFilter``).  Boomi binds the body by its place, not by
these tags, so the service does too: in a query config, filter, expression, sort or
bulk request, an OpenAPI name becomes the schema type it maps to and an owner+key
name is dropped (the declared type applies).  Any other ``@type`` is left for the
schema to judge, and object bodies (create, update) are never rewritten here.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any, Final

__all__ = ["envelope", "is_empty_filter"]

_OPENAPI: Final = "platformOpenAPISv3.0.3.json"


@functools.cache
def _xml_names() -> dict[str, str]:
    """OpenAPI schema name -> the XML element name it declares (only those that declare one)."""
    document = json.loads(resources.files("boomi_soap.localservice").joinpath("openapi", _OPENAPI).read_bytes())
    schemas = document.get("components", {}).get("schemas", {})
    return {
        name: schema["xml"]["name"]
        for name, schema in schemas.items()
        if isinstance(schema, dict) and isinstance(schema.get("xml"), dict) and schema["xml"].get("name")
    }


def _retag(value: Any, owner: str | None, key: str | None) -> Any:
    if isinstance(value, list):
        return [_retag(item, owner, key) for item in value]
    if not isinstance(value, dict):
        return value
    named = value.get("@type")
    out = {k: _retag(v, named if isinstance(named, str) else None, k) for k, v in value.items() if k != "@type"}
    if isinstance(named, str):
        mapped = _xml_names().get(named)
        if mapped is not None:
            out["@type"] = mapped
        elif not _inline_name(named, owner, key):
            out["@type"] = named  # a schema name, or one the schema will refuse by name
    elif "@type" in value:
        out["@type"] = named
    return out


def _inline_name(named: str, owner: str | None, key: str | None) -> bool:
    """Whether ``named`` is a generated name for the inline object at ``key`` (owner's name + key)."""
    if not key or len(named) <= len(key):
        return False
    if owner:
        return named.casefold() == (owner + key).casefold()
    return named.casefold().endswith(key.casefold())  # the owner untagged: any owner's name


def is_empty_filter(value: Any) -> bool:
    """Whether a JSON ``QueryFilter`` says nothing (``{}``, no expression): Boomi reads it as "everything"."""
    return isinstance(value, dict) and not any(v is not None for k, v in value.items() if k != "@type")


def envelope(data: dict[str, Any]) -> dict[str, Any]:
    """A JSON query config or bulk request with OpenAPI and owner+key ``@type`` names read as Boomi reads them.

    An empty ``QueryFilter`` is dropped (the query then asks for everything).
    """
    out: dict[str, Any] = _retag(data, None, None)
    if is_empty_filter(out.get("QueryFilter")):
        del out["QueryFilter"]
    return out
