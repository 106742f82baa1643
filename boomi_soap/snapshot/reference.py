"""The bundled reference account: its name is data in the ``wsdl_cache`` package, not code.

The pinned snapshots (``wsdl_cache/``) were fetched from this account of the local
service; the runtime reads the name from ``wsdl_cache/REFERENCE_ACCOUNT`` so that it never
imports the local service (its test double) to learn it, and the local service reads it
from here so the two cannot disagree.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from typing import Final

from boomi_soap.exceptions import CacheIntegrityError

__all__ = ["REFERENCE_ACCOUNT", "read_account"]

_FILE: Final = "REFERENCE_ACCOUNT"


def read_account(path: Traversable) -> str:
    """The account id a ``REFERENCE_ACCOUNT`` file names (one id on one line).

    Raises:
        CacheIntegrityError: If the file is unreadable or does not hold exactly one account id.
    """
    try:
        name = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise CacheIntegrityError(f"cannot read the reference account's name: {exc}", path=str(path)) from exc
    if not name or not all(c.isascii() and (c.isalnum() or c in "-_") for c in name):
        raise CacheIntegrityError("does not hold one account id on one line", path=str(path))
    return name


REFERENCE_ACCOUNT: Final = read_account(resources.files("wsdl_cache").joinpath(_FILE))
