"""Which operations Boomi publishes per object type, read at build time.

The WSDL gives every object the same ``get``/``query``/``create``/``update``/``delete``
operations; which of them an object supports is only in Boomi's per-object reference.
The bundled local service carries that table (``contract/objects.json``, see its
``ORIGIN.rst``); the generator reads the JSON file, never the service's code, so the
generated package does not depend on it.  An object the table does not list gets
every helper: the table cannot speak for it.
"""

from __future__ import annotations

import json
from importlib import resources

__all__ = ["published_operations"]

_TABLE = "localservice/contract/objects.json"


def published_operations() -> dict[str, frozenset[str]]:
    """Per object type, the operations Boomi publishes (``GET``, ``QUERY``, ``CREATE`` ...)."""
    raw = json.loads(resources.files("boomi_soap").joinpath(_TABLE).read_text(encoding="utf-8"))
    return {name: frozenset(entry.get("operations", ())) for name, entry in raw["objects"].items()}
