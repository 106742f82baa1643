"""The address-blind digest of a snapshot: what generated bindings compare with a client's.

A snapshot's ``sha256`` covers every byte of its files, the WSDL's ``soap:address``
included, so the same contract fetched from another host or port (``boomi-soap serve``
picks a free port) hashes differently.  :func:`contract_sha256` hashes the same files
with the ``location`` of every ``soap:address`` and ``soap12:address`` blanked: two
snapshots agree on it exactly when they differ at most in where the service answers.
Codegen writes it into the bindings (``CONTRACT_SHA256``) and
:func:`boomi_soap.wire.xmlbind.check_snapshot` compares it, so both call this one function.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Final

from lxml import etree

from boomi_soap._xml.safe import parse_xml

if TYPE_CHECKING:
    from boomi_soap.snapshot.cache import Snapshot

__all__ = ["contract_sha256"]

_ADDRESSES: Final = (
    "{http://schemas.xmlsoap.org/wsdl/soap/}address",
    "{http://schemas.xmlsoap.org/wsdl/soap12/}address",
)


def contract_sha256(snapshot: Snapshot) -> str:
    """Hash a snapshot's files with every SOAP address ``location`` blanked (memoised per snapshot).

    Args:
        snapshot: A verified snapshot.

    Returns:
        64 hex digits; equal for two snapshots whose files differ only in their SOAP addresses.

    Raises:
        OSError: If a file cannot be read.
        XMLInputError: If a file that names an address is not well-formed XML.
    """
    files = tuple(sorted((entry.path, entry.sha256) for entry in snapshot.files))
    return _contract(snapshot.directory, files)


@functools.lru_cache(maxsize=16)
def _contract(directory: Path, files: tuple[tuple[str, str], ...]) -> str:
    # Keyed by the files' own hashes: a verified snapshot's content cannot change under the key.
    lines = "".join(f"{path} {_blanked(directory / path, digest)}\n" for path, digest in files)
    return hashlib.sha256(lines.encode()).hexdigest()


def _blanked(path: Path, digest: str) -> str:
    data = path.read_bytes()
    if b"address" not in data:  # a schema document: its bytes are the contract, as the manifest hashed them
        return digest
    root = parse_xml(data, source=path.name)
    found = False
    for tag in _ADDRESSES:
        for node in root.iter(tag):
            if node.get("location") is not None:
                node.set("location", "")
                found = True
    if not found:
        return digest
    return hashlib.sha256(etree.tostring(root, method="c14n")).hexdigest()
