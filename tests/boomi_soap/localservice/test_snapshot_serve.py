"""An account's own contract, served locally: ``LocalService(snapshot=DIR)``.

A snapshot fetched from one running service is served by a second, and the project's
client fetches it again and calls it over SOAP and REST: the second service publishes
the snapshot's schema (not the bundled one), answers generic get, query, create,
update and delete over every object type that schema declares, and refuses a damaged
snapshot in one line naming the file.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
import requests

from boomi_soap.client import Client
from boomi_soap.credentials import Credentials, Endpoint
from boomi_soap.exceptions import InvalidRequestError, ServiceConfigError, ServiceError
from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER, LocalService, ServiceConfig, User
from boomi_soap.query import F
from boomi_soap.settings import ClientSettings
from boomi_soap.snapshot.cache import CacheStore, Snapshot, identity_hash, refresh, snapshot_hash

CREDENTIALS = Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD)
AUTH = (DEFAULT_USER, DEFAULT_PASSWORD)


def _fetch(service: LocalService, root: Path, account: str = DEFAULT_ACCOUNT) -> Snapshot:
    endpoint = Endpoint(account, service.base_url, service.flavour)
    return refresh(CacheStore(root), endpoint, CREDENTIALS).snapshot


def _client(snapshot: Snapshot, tmp_path: Path, transport: str) -> Client:
    return Client(
        snapshot,
        CREDENTIALS,
        settings=ClientSettings(rate_limit=None, responses="strict"),
        compiled_dir=tmp_path / "compiled",
        transport=transport,  # type: ignore[arg-type]
    )


@pytest.fixture
def fetched(contract: str, tmp_path: Path) -> Snapshot:
    """A snapshot of the demo account, fetched from a service on the test's layout and stopped."""
    with LocalService(ServiceConfig(rate_limit=None, contract=contract)) as first:
        return _fetch(first, tmp_path / "first")


@pytest.mark.parametrize("transport", ["soap", "rest"])
def test_a_fetched_snapshot_is_served_and_called_with_the_client(
    fetched: Snapshot, contract: str, tmp_path: Path, transport: str
) -> None:
    with LocalService(ServiceConfig(rate_limit=None), snapshot=fetched.directory) as second:
        assert second.config.contract == contract
        assert second.release.name == f"snapshot:{fetched.id}"
        again = _fetch(second, tmp_path / "second", fetched.account_id)
        assert again.flavour == fetched.flavour
        for entry in fetched.files:
            if entry.path != fetched.wsdl:  # the WSDL differs by its soap:address only
                assert (again.directory / entry.path).read_bytes() == (fetched.directory / entry.path).read_bytes()
        client = _client(again, tmp_path, transport)
        created = client.create("Environment", name="From my snapshot", classification="TEST")
        assert client.get("Environment", str(created.id)).name == "From my snapshot"
        created.name = "Renamed"
        assert client.update(created).name == "Renamed"
        assert [e.name for e in client.query("Environment", F("name") == "Renamed")] == ["Renamed"]
        assert client.delete("Environment", str(created.id)) is True
        assert list(client.query("Atom"))  # the demo records, where the schema has their types


@pytest.mark.contracts("split", why="the drifted release exists in the split layout only")
@pytest.mark.parametrize("transport", ["soap", "rest"])
def test_a_type_only_the_users_schema_declares_takes_the_generic_operations(tmp_path: Path, transport: str) -> None:
    """The ``next`` release stands for a user's newer WSDL: ProcessLabel is in no inventory of ours."""
    with LocalService(ServiceConfig(rate_limit=None, release="next")) as theirs:
        snapshot = _fetch(theirs, tmp_path / "theirs")
    with LocalService(ServiceConfig(rate_limit=None)) as ours:
        assert ours.release.index.object_type("ProcessLabel") is None
    with LocalService(ServiceConfig(rate_limit=None, snapshot=str(snapshot.directory))) as served:
        client = _client(_fetch(served, tmp_path / "served"), tmp_path, transport)
        label = client.create("ProcessLabel", name="nightly", color="blue")
        assert label.id
        assert client.get("ProcessLabel", str(label.id)).color == "blue"
        label.color = "red"
        assert client.update(label).color == "red"
        assert [p.name for p in client.query("ProcessLabel")] == ["nightly"]
        assert client.delete("ProcessLabel", str(label.id)) is True


@pytest.mark.contracts("split", why="the rules do not depend on the layout")
def test_a_read_only_type_is_generic_on_a_snapshot_and_read_only_on_the_bundled_contract(
    fetched: Snapshot, tmp_path: Path
) -> None:
    with LocalService(ServiceConfig(rate_limit=None)) as bundled:
        client = _client(_fetch(bundled, tmp_path / "bundled"), tmp_path, "soap")
        with pytest.raises(InvalidRequestError, match="does not support the CREATE"):
            client.create("Cloud", name="My cloud")
    with LocalService(ServiceConfig(rate_limit=None), snapshot=fetched.directory) as served:
        client = _client(_fetch(served, tmp_path / "served"), tmp_path, "soap")
        cloud = client.create("Cloud", name="My cloud")
        assert client.get("Cloud", str(cloud.id)).name == "My cloud"
        assert client.delete("Cloud", str(cloud.id)) is True


def test_the_account_dir_and_the_cache_root_name_the_snapshot_in_use(fetched: Snapshot) -> None:
    for named in (fetched.directory.parent, fetched.directory.parents[2]):
        service = LocalService(ServiceConfig(rate_limit=None), snapshot=named)
        assert service.release.name == f"snapshot:{fetched.id}"
        assert service.accounts == (fetched.account_id,)


def test_a_served_snapshot_has_no_other_release(fetched: Snapshot) -> None:
    service = LocalService(ServiceConfig(rate_limit=None), snapshot=fetched.directory)
    with pytest.raises(ServiceError, match="no other release"):
        service.set_release("next")


@pytest.mark.contracts("split", why="damage is refused the same way on every layout")
def test_a_missing_file_is_refused_naming_it(fetched: Snapshot) -> None:
    schema = fetched.directory / "service.xsd1.xsd"
    schema.unlink()
    with pytest.raises(ServiceConfigError) as refused:
        LocalService(snapshot=fetched.directory)
    assert str(schema) in str(refused.value)
    assert "missing" in str(refused.value)
    assert "\n" not in str(refused.value)


@pytest.mark.contracts("split", why="damage is refused the same way on every layout")
def test_a_digest_mismatch_is_refused_naming_the_file(fetched: Snapshot) -> None:
    schema = fetched.directory / "service.xsd2.xsd"
    schema.write_bytes(schema.read_bytes() + b"\n")
    with pytest.raises(ServiceConfigError, match=re.escape(str(schema)) + ".*does not match the manifest") as refused:
        LocalService(snapshot=fetched.directory)
    assert "\n" not in str(refused.value)


@pytest.mark.contracts("split", why="damage is refused the same way on every layout")
def test_a_file_that_is_not_well_formed_is_refused_naming_it(fetched: Snapshot) -> None:
    """Damage the manifest vouches for (every hash recomputed): the XML itself is checked."""
    manifest_path = fetched.directory / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    schema = fetched.directory / "service.xsd1.xsd"
    schema.write_bytes(schema.read_bytes()[:-40])  # cut short: the end tag is gone
    for entry in manifest["files"]:
        data = (fetched.directory / entry["path"]).read_bytes()
        entry["sha256"], entry["size"] = hashlib.sha256(data).hexdigest(), len(data)
    manifest["sha256"] = snapshot_hash({e["path"]: e["sha256"] for e in manifest["files"]})
    manifest["snapshot_sha256"] = identity_hash(
        account=manifest["account"],
        flavour=manifest["flavour"],
        endpoint=manifest["endpoint"],
        wsdl=manifest["wsdl"],
        contract=manifest["sha256"],
        urls={e["path"]: e["url"] for e in manifest["files"]},
    )
    manifest_path.write_text(json.dumps(manifest))
    moved = fetched.directory.rename(fetched.directory.parent / manifest["snapshot_sha256"][:16])
    with pytest.raises(ServiceConfigError, match="not well-formed XML") as refused:
        LocalService(snapshot=moved)
    assert str(moved / "service.xsd1.xsd") in str(refused.value)
    assert "\n" not in str(refused.value)


def test_a_directory_that_is_no_snapshot_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ServiceConfigError, match=re.escape(str(tmp_path / "manifest.json")) + ": missing"):
        LocalService(snapshot=tmp_path)


@pytest.mark.contracts("split", why="the download route does not depend on the layout")
def test_the_served_schema_documents_are_the_snapshots(fetched: Snapshot) -> None:
    with LocalService(ServiceConfig(rate_limit=None), snapshot=fetched.directory) as served:
        answer = requests.get(served.endpoint() + "?xsd=1", auth=AUTH, timeout=10)
        assert answer.status_code == 200
        assert b"complexType" in answer.content
        assert requests.get(served.endpoint() + "?xsd=7", auth=AUTH, timeout=10).status_code == 404


@pytest.mark.contracts("split", why="the account follows the snapshot on every layout alike")
def test_the_snapshots_account_is_served_to_every_configured_user(tmp_path: Path) -> None:
    only_acme = User(DEFAULT_USER, password=DEFAULT_PASSWORD, accounts=frozenset({"acme-ABC123"}))
    theirs = ServiceConfig(rate_limit=None, accounts=("acme-ABC123",), users=(only_acme,))
    with LocalService(theirs) as first:
        snapshot = _fetch(first, tmp_path / "first", "acme-ABC123")
    with LocalService(ServiceConfig(rate_limit=None), snapshot=snapshot.directory) as served:
        assert served.accounts == ("acme-ABC123",)
        assert served.endpoint().endswith("/api/soap/v1/acme-ABC123")
        client = _client(_fetch(served, tmp_path / "served", "acme-ABC123"), tmp_path, "soap")
        assert client.get("Account", "acme-ABC123").accountId == "acme-ABC123"
