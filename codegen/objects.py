"""Which operations Boomi publishes per object type, read at build time.

The WSDL gives every object the same ``get``/``query``/``create``/``update``/``delete``
operations; which of them an object supports is only in Boomi's per-object reference.
The table is this package's data (``codegen/data/objects.json``; its origin is told
in ``boomi_soap/localservice/contract/ORIGIN.rst``); the local service reads the same
file, so the generator depends on neither the service's code nor its files.  The table alone decides the
per-object helpers: a type it does not list is not an object and gets none.
"""

from __future__ import annotations

import json
from importlib import resources

__all__ = ["published_operations"]

_TABLE = "data/objects.json"


def published_operations() -> dict[str, frozenset[str]]:
    """Per object type, the operations Boomi publishes (``GET``, ``QUERY``, ``CREATE`` ...)."""
    raw = json.loads(resources.files("codegen").joinpath(_TABLE).read_text(encoding="utf-8"))
    return {name: frozenset(entry.get("operations", ())) for name, entry in raw["objects"].items()}
