"""The snapshot cache: layout, revalidation, integrity, locking, offline loading."""

from __future__ import annotations

import base64
import json
import logging
import os
import shutil
import socket
import stat
import threading
from pathlib import Path

import pytest
import xmlschema
import zeep
from lxml import etree
from xmlschema.extras.wsdl import Wsdl11Document

from boomi_soap.credentials import Credentials, Endpoint
from boomi_soap.exceptions import CacheError, CacheIntegrityError, CachePermissionError, SnapshotNotFoundError
from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER, LocalService, ServiceConfig, User
from boomi_soap.localservice.contract import load_release
from boomi_soap.snapshot.cache import CacheStore, default_cache_dir, identity_hash, pinned_store, refresh
from boomi_soap.snapshot.contract import contract_of

CREDENTIALS = Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD)


@pytest.fixture
def endpoint(service: LocalService) -> Endpoint:
    return Endpoint(DEFAULT_ACCOUNT, service.base_url, service.flavour)


def tree(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under root with its inode and mtime, to prove nothing was rewritten."""
    return {
        str(p.relative_to(root)): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_refresh_writes_a_verified_snapshot(tmp_path: Path, endpoint: Endpoint, service: LocalService) -> None:
    store = CacheStore(tmp_path)
    outcome = refresh(store, endpoint, CREDENTIALS)
    assert outcome.created
    assert not outcome.unchanged
    snapshot = outcome.snapshot
    assert snapshot.directory == tmp_path / endpoint.flavour / DEFAULT_ACCOUNT / snapshot.id
    assert (tmp_path / endpoint.flavour / DEFAULT_ACCOUNT / "CURRENT").read_text() == snapshot.id + "\n"
    manifest = json.loads((snapshot.directory / "manifest.json").read_text())
    assert manifest["format"] == 2
    assert manifest["snapshot_sha256"][:16] == snapshot.id
    assert manifest["sha256"] == snapshot.sha256 != manifest["snapshot_sha256"]
    assert manifest["tool"].startswith("boomi-soap ")
    assert manifest["endpoint"] == endpoint.url
    schemas = [f"service.xsd{n}.xsd" for n in sorted(service.release.numbers.values())]  # ?xsd=1 and ?xsd=2, or one
    assert [f["path"] for f in manifest["files"]] == ["service.wsdl", *schemas]
    assert set(manifest["files"][0]) == {"path", "url", "sha256", "size", "etag", "last_modified", "fetched_at"}
    assert store.current(DEFAULT_ACCOUNT, endpoint.flavour) == snapshot
    assert store.verify() == []


def test_no_credential_is_ever_stored(tmp_path: Path, endpoint: Endpoint) -> None:
    refresh(CacheStore(tmp_path), endpoint, CREDENTIALS)
    basic = base64.b64encode(f"{DEFAULT_USER}:{DEFAULT_PASSWORD}".encode())
    for path in tmp_path.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert DEFAULT_PASSWORD.encode() not in data, path
            assert basic not in data, path


def test_second_fetch_of_an_unchanged_service_writes_nothing(tmp_path: Path, endpoint: Endpoint) -> None:
    store = CacheStore(tmp_path)
    first = refresh(store, endpoint, CREDENTIALS)
    before = tree(tmp_path)
    second = refresh(store, endpoint, CREDENTIALS)
    assert second.unchanged
    assert not second.created
    assert second.snapshot == first.snapshot
    assert tree(tmp_path) == before


@pytest.mark.contracts("split", why="the drifted 'next' release is published in the split layout only")
def test_a_new_release_makes_a_new_snapshot_and_keeps_the_old(
    tmp_path: Path, service: LocalService, endpoint: Endpoint
) -> None:
    store = CacheStore(tmp_path)
    old = refresh(store, endpoint, CREDENTIALS).snapshot
    service.set_release("next")
    new = refresh(store, endpoint, CREDENTIALS)
    assert new.created
    assert new.snapshot.id != old.id
    assert store.current(DEFAULT_ACCOUNT).id == new.snapshot.id
    assert store.open(old.directory) == old
    assert len(store.snapshot_dirs()) == 2
    service.set_release("current")
    back = refresh(store, endpoint, CREDENTIALS)
    assert (back.created, back.snapshot.id) == (False, old.id)
    assert store.current(DEFAULT_ACCOUNT).id == old.id


def test_missing_snapshot_names_the_fetch_command(tmp_path: Path) -> None:
    with pytest.raises(SnapshotNotFoundError) as caught:
        CacheStore(tmp_path).current("acme-ABC123")
    assert f"boomi-soap fetch --account acme-ABC123 --cache-dir {tmp_path}" in str(caught.value)


@pytest.mark.parametrize("damage", ["edit", "truncate", "delete", "manifest", "pointer"])
def test_damage_is_detected_and_repaired_by_refresh(tmp_path: Path, endpoint: Endpoint, damage: str) -> None:
    store = CacheStore(tmp_path)
    snapshot = refresh(store, endpoint, CREDENTIALS).snapshot
    xsd = snapshot.directory / "service.xsd1.xsd"
    if damage == "edit":
        xsd.write_bytes(xsd.read_bytes().replace(b"Process", b"Pr0cess", 1))
    elif damage == "truncate":
        xsd.write_bytes(xsd.read_bytes()[:1000])
    elif damage == "delete":
        xsd.unlink()
    elif damage == "manifest":
        (snapshot.directory / "manifest.json").write_text("{ not json")
    else:
        (snapshot.directory.parent / "CURRENT").write_text("../../../etc\n")
    with pytest.raises(CacheIntegrityError):
        store.current(DEFAULT_ACCOUNT, endpoint.flavour)
    assert store.verify() != []
    repaired = refresh(store, endpoint, CREDENTIALS)
    assert repaired.snapshot.id == snapshot.id
    assert store.verify() == []


@pytest.mark.contracts(
    "split", why="a new snapshot needs a new release, and 'next' is published in the split layout only"
)
def test_leftover_staging_directories_are_ignored_and_swept(
    tmp_path: Path, endpoint: Endpoint, service: LocalService
) -> None:
    store = CacheStore(tmp_path)
    refresh(store, endpoint, CREDENTIALS)
    leftover = tmp_path / "platform" / DEFAULT_ACCOUNT / ".tmp-deadbeef"
    leftover.mkdir()
    (leftover / "service.wsdl").write_bytes(b"<half")
    assert store.verify() == []
    service.set_release("next")
    refresh(store, endpoint, CREDENTIALS)
    assert not leftover.exists()


def test_concurrent_refreshes_leave_one_whole_snapshot(tmp_path: Path, endpoint: Endpoint) -> None:
    store = CacheStore(tmp_path)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            refresh(store, endpoint, CREDENTIALS)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(store.snapshot_dirs()) == 1
    assert store.verify() == []


def test_read_only_store_refuses_writes(tmp_path: Path, endpoint: Endpoint) -> None:
    with pytest.raises(CacheError, match="read-only"):
        refresh(CacheStore(tmp_path, read_only=True), endpoint, CREDENTIALS)


def test_snapshot_loads_offline_in_zeep_and_xmlschema(
    tmp_path: Path, endpoint: Endpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    refresh(CacheStore(tmp_path), endpoint, CREDENTIALS)
    snapshot = CacheStore(tmp_path).current(DEFAULT_ACCOUNT, endpoint.flavour)

    def no_network(self: socket.socket, address: object) -> None:
        raise AssertionError(f"network access while loading from the cache: {address!r}")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    client = zeep.Client(str(snapshot.wsdl_path))
    assert "executeProcess" in client.service._binding._operations
    # The wrappers' document imports the data schema; with one document, that is all.
    top = max(p.name for p in snapshot.directory.glob("service.xsd*.xsd"))
    schema = xmlschema.XMLSchema(str(snapshot.directory / top), allow="local")
    assert "{http://api.platform.boomi.com/}Process" in schema.maps.types
    wsdl = Wsdl11Document(str(snapshot.wsdl_path), allow="local")
    assert len(wsdl.messages) == 26


# The pinned snapshot of each layout: (account, flavour).  The single layout is pinned
# under an account of its own, since an account publishes one layout at a time.
PINS = {
    "split": (DEFAULT_ACCOUNT, "platform"),
    "single": ("localsingle-A1B2C3", "platform"),
    "partner": (DEFAULT_ACCOUNT, "partner"),
}


def test_pinned_snapshot_is_the_bundled_reference_contract(tmp_path: Path, contract: str) -> None:
    account, flavour = PINS[contract]
    pinned = pinned_store()
    assert pinned.verify() == []
    current = pinned.current(account, flavour)  # type: ignore[arg-type]
    user = User(DEFAULT_USER, password=DEFAULT_PASSWORD, accounts=frozenset({account}))
    config = ServiceConfig(rate_limit=None, contract=contract, accounts=(account,), users=(user,))
    with LocalService(config) as service:
        endpoint = Endpoint(account, service.base_url, service.flavour)
        fresh = refresh(CacheStore(tmp_path), endpoint, CREDENTIALS).snapshot
    assert contract_of(current).describe() == contract_of(fresh).describe()
    pinned_address = current.endpoint.encode()
    assert [e.path for e in current.files] == [e.path for e in fresh.files]
    for entry in current.files:
        expected = (fresh.directory / entry.path).read_bytes().replace(fresh.endpoint.encode(), pinned_address)
        assert (current.directory / entry.path).read_bytes() == expected, entry.path
    reference = etree.fromstring(load_release("current", contract).files["xsd1"])
    cached = etree.fromstring((current.directory / "service.xsd1.xsd").read_bytes())
    assert etree.tostring(cached, method="c14n") == etree.tostring(reference, method="c14n")


def test_default_cache_dir(tmp_path: Path) -> None:
    assert default_cache_dir({"BOOMI_SOAP_CACHE_DIR": "/x/y"}, tmp_path) == Path("/x/y")
    assert default_cache_dir({}, tmp_path) != tmp_path / "wsdl_cache"
    (tmp_path / "wsdl_cache").mkdir()
    assert default_cache_dir({}, tmp_path) == tmp_path / "wsdl_cache"


@pytest.mark.contracts("split", why="where a fetch writes does not depend on the layout")
def test_a_fetch_in_the_source_checkout_leaves_the_pinned_snapshots_alone(
    endpoint: Endpoint, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README has users install from the checkout, and its wsdl_cache/ is tracked package data."""
    from click.testing import CliRunner

    from boomi_soap.cli import main

    pinned = pinned_store().root
    checkout = pinned.parent
    assert default_cache_dir({}, checkout) != pinned
    before = tree(pinned)
    monkeypatch.chdir(checkout)
    env = {
        "BOOMI_SOAP_CACHE_DIR": "", "XDG_CACHE_HOME": str(tmp_path / "xdg"), "BOOMI_ACCOUNT_ID": DEFAULT_ACCOUNT,
        "BOOMI_BASE_URL": endpoint.base_url, "BOOMI_USERNAME": DEFAULT_USER, "BOOMI_PASSWORD": DEFAULT_PASSWORD,
    }  # fmt: skip
    result = CliRunner().invoke(main, ["fetch"], env=env)
    assert result.exit_code == 0, result.output
    assert tree(pinned) == before
    assert list((tmp_path / "xdg").rglob("manifest.json"))


def test_unsafe_account_ids_are_refused(tmp_path: Path) -> None:
    store = CacheStore(tmp_path)
    for bad in ("../x", ".hidden", "a/b", ""):
        with pytest.raises(ValueError):
            store.account_dir(bad)
    assert not any(tmp_path.iterdir())
    assert os.listdir(tmp_path) == []


# -- the endpoint is part of the snapshot's identity ------------------------------------


def test_an_edited_endpoint_fails_verification(tmp_path: Path, endpoint: Endpoint) -> None:
    store = CacheStore(tmp_path)
    snapshot = refresh(store, endpoint, CREDENTIALS).snapshot
    manifest_path = snapshot.directory / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["endpoint"] = "https://attacker.example/api/soap/v1/" + DEFAULT_ACCOUNT
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(CacheIntegrityError, match="snapshot hash does not match its manifest"):
        store.current(DEFAULT_ACCOUNT, endpoint.flavour)
    assert [type(p) for p in store.verify()] == [CacheIntegrityError]


@pytest.mark.parametrize(
    "forged",
    ["https://attacker.example", "http://u:s3cret-in-url@127.0.0.1:{port}", "http://127.0.0.2:81\\@127.0.0.1:{port}"],
)
def test_an_endpoint_off_the_wsdl_origin_fails_even_when_resealed(
    tmp_path: Path, endpoint: Endpoint, forged: str
) -> None:
    store = CacheStore(tmp_path)
    snapshot = refresh(store, endpoint, CREDENTIALS).snapshot
    manifest = json.loads((snapshot.directory / "manifest.json").read_text())
    port = endpoint.base_url.rsplit(":", 1)[1]
    manifest["endpoint"] = forged.format(port=port) + "/api/soap/v1/" + DEFAULT_ACCOUNT
    urls = {f["path"]: f["url"] for f in manifest["files"]}
    manifest["snapshot_sha256"] = identity_hash(
        account=manifest["account"], flavour=manifest["flavour"], endpoint=manifest["endpoint"],
        wsdl=manifest["wsdl"], contract=manifest["sha256"], urls=urls,
    )  # fmt: skip
    copy = snapshot.directory.parent / manifest["snapshot_sha256"][:16]
    shutil.copytree(snapshot.directory, copy)
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(CacheIntegrityError, match="is not on the origin its WSDL came from") as refused:
        store.open(copy)
    assert "s3cret-in-url" not in str(refused.value)


# -- nobody else can steer the cache ----------------------------------------------------


def modes(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): stat.S_IMODE(p.lstat().st_mode) for p in sorted(root.rglob("*"))}


def test_everything_is_private_whatever_the_umask(tmp_path: Path, endpoint: Endpoint) -> None:
    root = tmp_path / "deep" / "cache"
    previous = os.umask(0)
    try:
        refresh(CacheStore(root), endpoint, CREDENTIALS)
    finally:
        os.umask(previous)
    found = modes(tmp_path)
    assert len(found) >= 9  # deep, cache, platform, account, CURRENT, .lock, snapshot, 4 files
    for name, mode in found.items():
        path = tmp_path / name
        assert mode == (0o700 if path.is_dir() else 0o600), f"{name}: {mode:04o}"


def test_a_link_planted_at_the_next_snapshot_id_is_refused(tmp_path: Path, endpoint: Endpoint) -> None:
    # Snapshot ids are predictable (content hashes): someone may plant one before a fetch.
    scratch = refresh(CacheStore(tmp_path / "scratch"), endpoint, CREDENTIALS).snapshot
    bait = tmp_path / "bait"
    shutil.copytree(scratch.directory, bait)  # a valid snapshot, elsewhere
    store = CacheStore(tmp_path / "cache")
    account = store.account_dir(DEFAULT_ACCOUNT, endpoint.flavour)
    store._make_dirs(account)
    (account / scratch.id).symlink_to(bait, target_is_directory=True)
    with pytest.raises(CachePermissionError) as refused:
        refresh(store, endpoint, CREDENTIALS)
    assert str(refused.value) == f"{account / scratch.id}: is a symbolic link; links are never followed in the cache"
    assert not (account / "CURRENT").exists()
    assert [type(p) for p in store.verify()] == [CachePermissionError, CacheIntegrityError]  # the link; no CURRENT


def test_a_lock_replaced_by_a_link_is_refused(tmp_path: Path, endpoint: Endpoint) -> None:
    store = CacheStore(tmp_path / "cache")
    refresh(store, endpoint, CREDENTIALS)
    lock = store.account_dir(DEFAULT_ACCOUNT, endpoint.flavour) / ".lock"
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious")
    lock.unlink()
    lock.symlink_to(victim)
    with pytest.raises(CachePermissionError, match=r"\.lock: is a symbolic link"):
        refresh(store, endpoint, CREDENTIALS)
    assert victim.read_bytes() == b"precious"


@pytest.mark.parametrize("where", ["root", "flavour", "account", "snapshot", "CURRENT", "manifest", "schema"])
def test_paths_others_can_write_are_refused(tmp_path: Path, endpoint: Endpoint, where: str) -> None:
    store = CacheStore(tmp_path / "cache")
    snapshot = refresh(store, endpoint, CREDENTIALS).snapshot
    account = snapshot.directory.parent
    path = {
        "root": store.root,
        "flavour": account.parent,
        "account": account,
        "snapshot": snapshot.directory,
        "CURRENT": account / "CURRENT",
        "manifest": snapshot.directory / "manifest.json",
        "schema": snapshot.directory / "service.xsd1.xsd",
    }[where]
    path.chmod(stat.S_IMODE(path.stat().st_mode) | 0o020)
    with pytest.raises(CachePermissionError) as refused:
        store.current(DEFAULT_ACCOUNT, endpoint.flavour)
    assert str(refused.value).startswith(f"{path}: mode ")
    assert "lets others write it; refusing to use it (chmod go-w)" in str(refused.value)
    with pytest.raises(CachePermissionError):
        refresh(store, endpoint, CREDENTIALS)  # refused, never "repaired"
    assert store.verify() != []


@pytest.mark.skipif(os.geteuid() != 0, reason="making a file another user's needs root")
@pytest.mark.parametrize("where", ["root", "account", "snapshot", "schema", "lock"])
def test_paths_of_another_user_are_refused(tmp_path: Path, endpoint: Endpoint, where: str) -> None:
    store = CacheStore(tmp_path / "cache")
    snapshot = refresh(store, endpoint, CREDENTIALS).snapshot
    path = {
        "root": store.root,
        "account": snapshot.directory.parent,
        "snapshot": snapshot.directory,
        "schema": snapshot.directory / "service.xsd1.xsd",
        "lock": snapshot.directory.parent / ".lock",
    }[where]
    os.chown(path, 4242, 4242)
    with pytest.raises(CachePermissionError, match=r"is owned by uid 4242, not by this user \(uid 0\)"):
        refresh(store, endpoint, CREDENTIALS)


@pytest.mark.parametrize("what", ["schema", "manifest", "CURRENT", "account"])
def test_links_inside_the_cache_are_never_followed(tmp_path: Path, endpoint: Endpoint, what: str) -> None:
    store = CacheStore(tmp_path / "cache")
    snapshot = refresh(store, endpoint, CREDENTIALS).snapshot
    account = snapshot.directory.parent
    path = {
        "schema": snapshot.directory / "service.xsd1.xsd",
        "manifest": snapshot.directory / "manifest.json",
        "CURRENT": account / "CURRENT",
        "account": account,
    }[what]
    copy = tmp_path / "copy"
    (shutil.copytree if path.is_dir() else shutil.copy2)(path, copy)  # the same content, behind a link
    shutil.rmtree(path) if path.is_dir() else path.unlink()
    path.symlink_to(copy)
    with pytest.raises(CachePermissionError, match=f"^{path}: is a symbolic link"):
        store.current(DEFAULT_ACCOUNT, endpoint.flavour)
    assert any(isinstance(p, CachePermissionError) for p in store.verify())


def test_the_pinned_store_is_package_data_and_not_owner_checked() -> None:
    assert not pinned_store().private
    assert CacheStore(Path("x")).private


def test_a_disk_that_refuses_is_a_cache_error(tmp_path: Path, service: LocalService) -> None:
    endpoint = Endpoint("a" * 300, service.base_url)  # a directory name longer than the file system allows
    with pytest.raises(CacheError, match=r"cannot write the cache \(File name too long\)"):
        refresh(CacheStore(tmp_path), endpoint, CREDENTIALS)


def test_verify_reports_a_current_pointer_that_is_a_directory(tmp_path: Path, endpoint: Endpoint) -> None:
    store = CacheStore(tmp_path)
    refresh(store, endpoint, CREDENTIALS)
    pointer = store.account_dir(DEFAULT_ACCOUNT, endpoint.flavour) / "CURRENT"
    pointer.unlink()
    pointer.mkdir(mode=0o700)
    problems = [str(p) for p in store.verify()]
    assert f"{pointer}: is not a regular file" in problems


@pytest.mark.contracts("split", why="the lock does not depend on the layout")
def test_a_fetch_waiting_on_the_lock_says_so(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    import fcntl

    store = CacheStore(tmp_path)
    lock = store.account_dir(DEFAULT_ACCOUNT) / ".lock"
    with store.lock(DEFAULT_ACCOUNT):
        held = os.open(lock, os.O_RDWR)  # a second descriptor, as another process would hold
    fcntl.flock(held, fcntl.LOCK_EX)
    waited = threading.Event()

    class Seen(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if "waiting for" in record.getMessage():
                waited.set()

    seen = Seen()
    logging.getLogger("boomi_soap.cache").addHandler(seen)
    try:
        with caplog.at_level(logging.WARNING, logger="boomi_soap.cache"):
            worker = threading.Thread(target=lambda: store.lock(DEFAULT_ACCOUNT).__enter__() and None)
            worker.start()
            assert waited.wait(30)
            fcntl.flock(held, fcntl.LOCK_UN)
            worker.join(30)
    finally:
        logging.getLogger("boomi_soap.cache").removeHandler(seen)
        os.close(held)
    assert f"waiting for {lock}: another fetch of {DEFAULT_ACCOUNT} is running" in caplog.text
