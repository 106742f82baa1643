"""The address-blind digest: equal across SOAP addresses, different for any other change."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

from boomi_soap.localservice import DEFAULT_ACCOUNT
from boomi_soap.snapshot.cache import Snapshot, pinned_store
from boomi_soap.snapshot.digest import contract_sha256


def _copy(snapshot: Snapshot, target: Path, old: bytes, new: bytes) -> Snapshot:
    """The snapshot's files in ``target``, with ``old`` replaced by ``new`` in its WSDL (entries rehashed by name)."""
    shutil.copytree(snapshot.directory, target)
    wsdl = target / snapshot.wsdl
    data = wsdl.read_bytes()
    assert old in data
    wsdl.write_bytes(data.replace(old, new))
    files = tuple(
        dataclasses.replace(e, sha256=f"{e.sha256}-{target.name}") if e.path == snapshot.wsdl else e
        for e in snapshot.files
    )  # the manifest's hash of the edited file changes too, as a fetch would record it
    return dataclasses.replace(snapshot, directory=target, files=files)


def test_only_the_soap_address_is_ignored(tmp_path: Path) -> None:
    bundled = pinned_store().current(DEFAULT_ACCOUNT)
    port = bundled.endpoint.split(":")[2].split("/")[0].encode()
    moved = _copy(bundled, tmp_path / "moved", b"127.0.0.1:" + port, b"boomi.example:8443")
    renamed = _copy(bundled, tmp_path / "renamed", b'name="query"', b'name="queryAll"')
    assert contract_sha256(moved) == contract_sha256(bundled)
    assert contract_sha256(renamed) != contract_sha256(bundled)
    assert len(contract_sha256(bundled)) == 64
