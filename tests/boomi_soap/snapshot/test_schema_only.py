"""A reader of the schemas alone skips the endpoint's origin check, and only that check."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from boomi_soap.exceptions import CacheIntegrityError
from boomi_soap.snapshot.cache import CacheStore, identity_hash, pinned_store, resolve_snapshot
from boomi_soap.snapshot.reference import REFERENCE_ACCOUNT
from boomi_soap.snapshot.schema import resolve_schema


def _moved_endpoint(tmp_path: Path, endpoint: str) -> Path:
    """A copy of the reference snapshot whose manifest, resealed, names ``endpoint``."""
    source = pinned_store().current(REFERENCE_ACCOUNT)
    manifest = json.loads((source.directory / "manifest.json").read_text(encoding="utf-8"))
    manifest["endpoint"] = endpoint
    sealed = identity_hash(
        account=manifest["account"],
        flavour=manifest["flavour"],
        endpoint=endpoint,
        wsdl=manifest["wsdl"],
        contract=manifest["sha256"],
        urls={entry["path"]: entry["url"] for entry in manifest["files"]},
    )
    manifest["snapshot_sha256"] = sealed
    target = tmp_path / sealed[:16]
    shutil.copytree(source.directory, target)
    (target / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return target


def test_an_endpoint_off_its_origin_is_refused_by_default(tmp_path: Path) -> None:
    directory = _moved_endpoint(tmp_path, "https://elsewhere.example/ws/soap")
    with pytest.raises(CacheIntegrityError, match="not on the origin its WSDL came from"):
        resolve_snapshot(snapshot=directory)
    with pytest.raises(CacheIntegrityError, match="not on the origin"):
        CacheStore(tmp_path, read_only=True, private=False).open(directory)


def test_the_schemas_of_such_a_snapshot_still_load_for_validation(tmp_path: Path) -> None:
    directory = _moved_endpoint(tmp_path, "https://elsewhere.example/ws/soap")
    snapshot = resolve_snapshot(snapshot=directory, check_endpoint=False)
    assert snapshot.endpoint == "https://elsewhere.example/ws/soap"
    bundle = resolve_schema(snapshot=directory, compiled_dir=tmp_path / "compiled")
    assert bundle.sha256 == snapshot.sha256


def test_skipping_the_origin_check_keeps_the_file_checks(tmp_path: Path) -> None:
    directory = _moved_endpoint(tmp_path, "https://elsewhere.example/ws/soap")
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    (directory / manifest["wsdl"]).write_bytes(b"<edited/>")
    with pytest.raises(CacheIntegrityError, match="does not match the manifest"):
        resolve_snapshot(snapshot=directory, check_endpoint=False)
    with pytest.raises(CacheIntegrityError, match="does not match the manifest"):
        resolve_schema(snapshot=directory, compiled_dir=tmp_path / "compiled")
