"""Schema validation safe under threads: one compiled copy of a release's schema per thread.

lxml keeps one error log per ``XMLSchema`` object and every ``validate()`` clears it,
so threads sharing one object read each other's errors, or an empty log (an
``IndexError`` on ``error_log[0]``).  ``assertValid`` reads the same shared log, so it
is no cure.  A copy per thread keeps each log private.  The copy is compiled from the
release's bundled documents (about 30 ms, once per thread and release).
"""

from __future__ import annotations

import threading

from lxml import etree

from boomi_soap.localservice.contract import Release

__all__ = ["thread_schema"]

_local = threading.local()


def thread_schema(release: Release) -> etree.XMLSchema:
    """Return this thread's compiled copy of ``release``'s schema (the operation wrappers and the data).

    Args:
        release: The contract in force.

    Returns:
        An ``XMLSchema`` used by this thread alone.
    """
    copies: dict[tuple[str, str], tuple[Release, etree.XMLSchema]] = _local.__dict__.setdefault("copies", {})
    key = (release.name, release.layout)
    held = copies.get(key)
    if held is None or held[0] is not release:
        held = copies[key] = (release, release.compile_schema())
    return held[1]
