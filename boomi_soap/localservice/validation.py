"""Schema validation safe under threads: one compiled copy of a release's schema per thread.

lxml keeps one error log per ``XMLSchema`` object and every ``validate()`` clears it,
so threads sharing one object read each other's errors, or an empty log (an
``IndexError`` on ``error_log[0]``).  ``assertValid`` reads the same shared log, so it
is no cure.  A copy per thread keeps each log private.  The copy is compiled from the
documents the release serves, with the import resolved in memory (about 30 ms, once
per thread and release).
"""

from __future__ import annotations

import threading
from typing import Any, Final

from lxml import etree

from boomi_soap.localservice.contract import Release
from boomi_soap.xmlsafe import safe_parser

__all__ = ["thread_schema"]

# The base URL the schemas are compiled under; imports point at "{_BASE}?xsd=N".
_BASE: Final = "urn:boomi-soap:localservice"
_local = threading.local()


class _ServedSchemas(etree.Resolver):
    """Resolves the schemas' imports from the release, never from disk or the network."""

    def __init__(self, release: Release) -> None:
        super().__init__()
        self._release = release

    def resolve(self, system_url: str | None, public_id: str | None, context: object, /) -> Any:
        prefix = f"{_BASE}?xsd="
        if system_url is None or not system_url.startswith(prefix):
            return None
        document = self._release.document("xsd" + system_url[len(prefix) :], _BASE)
        return self.resolve_string(document, context)


def thread_schema(release: Release) -> etree.XMLSchema:
    """Return this thread's compiled copy of ``release``'s schema (the operation wrappers and the data).

    Args:
        release: The contract in force.

    Returns:
        An ``XMLSchema`` used by this thread alone.
    """
    copies: dict[str, tuple[Release, etree.XMLSchema]] = _local.__dict__.setdefault("copies", {})
    held = copies.get(release.name)
    if held is None or held[0] is not release:
        parser = safe_parser()
        parser.resolvers.add(_ServedSchemas(release))
        root = etree.fromstring(release.document("xsd2", _BASE), parser, base_url=f"{_BASE}?xsd=2")
        held = copies[release.name] = (release, etree.XMLSchema(root.getroottree()))
    return held[1]
