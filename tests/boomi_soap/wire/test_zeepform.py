"""zeep's kept form of a snapshot: the same model as zeep's reading, signed, private, never code from elsewhere."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import pickle
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import zeep
import zeep.wsdl.wsdl
from lxml import etree

from boomi_soap.client import Client
from boomi_soap.credentials import Credentials, Endpoint
from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER, LocalService, ServiceConfig
from boomi_soap.settings import ClientSettings
from boomi_soap.snapshot.cache import CacheStore, Snapshot, refresh
from boomi_soap.snapshot.schema import CompiledCache
from boomi_soap.wire.zeepform import load_document, pickle_document, unpickle_document
from boomi_soap.wire.zeepobjects import forget_models
from tests.conftest import CONTRACTS

CREDENTIALS = Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD)


def client(snapshot: Snapshot, compiled: Path, credentials: Credentials = CREDENTIALS) -> Client:
    return Client(snapshot, credentials, settings=ClientSettings(rate_limit=None), compiled_dir=compiled)


def dump(document: zeep.wsdl.wsdl.Document) -> str:
    """zeep's own listing of a document: prefixes, global elements and types, every operation's signature."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        document.dump()  # type: ignore[no-untyped-call]
    return out.getvalue()


@pytest.mark.parametrize("layout", CONTRACTS)
def test_the_form_reads_as_zeep_reads_the_wsdl(snapshots: dict[str, Snapshot], layout: str, tmp_path: Path) -> None:
    snapshot = snapshots[layout]
    settings = zeep.Settings(strict=True, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    transport = client(snapshot, tmp_path).schema.loader()
    parsed = zeep.wsdl.Document(str(snapshot.wsdl_path), transport, settings=settings)  # type: ignore[no-untyped-call]
    other = zeep.wsdl.Document(str(snapshot.wsdl_path), transport, settings=settings)  # type: ignore[no-untyped-call]
    loaded = unpickle_document(pickle_document(other, transport, settings), transport, settings)
    assert dump(loaded) == dump(parsed)
    assert len(dump(parsed).splitlines()) > 100  # the listing holds the whole contract
    assert loaded.transport is transport
    assert loaded.settings is settings
    assert loaded.types.settings is settings
    binding = next(iter(loaded.bindings.values()))
    assert sorted(binding._operations) == sorted(next(iter(parsed.bindings.values()))._operations)


def test_a_second_client_builds_zeep_from_the_form(
    snapshots: dict[str, Snapshot], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compiled = tmp_path / "compiled"
    first = client(snapshots["split"], compiled)
    _ = first.zeep_objects.binding  # the whole model (a request of plain values needs the wrappers' alone)
    expected = first.envelope("get", objectType="Environment", objectId="e1")
    forms = list(compiled.glob("*.zeep"))
    assert len(forms) == 1
    assert stat.S_IMODE(forms[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(compiled.stat().st_mode) == 0o700
    monkeypatch.setattr(zeep.wsdl.wsdl.Document, "load", lambda *a: pytest.fail("zeep read the WSDL"))
    second = client(snapshots["split"], compiled)
    _ = second.zeep_objects.binding
    built = second.envelope("get", objectType="Environment", objectId="e1")
    assert etree.tostring(built, method="c14n") == etree.tostring(expected, method="c14n")


def test_the_form_holds_no_credential(snapshots: dict[str, Snapshot], tmp_path: Path) -> None:
    secret = "form-test-password-Zq8"
    built = client(snapshots["single"], tmp_path / "c", Credentials.from_password("form-test-user", secret))
    assert built.zeep_client.wsdl.bindings
    data = b"".join(p.read_bytes() for p in (tmp_path / "c").iterdir())
    assert list((tmp_path / "c").glob("*.zeep"))
    assert secret.encode() not in data
    assert b"form-test-user" not in data


def test_the_form_is_keyed_by_zeep_settings(snapshots: dict[str, Snapshot], tmp_path: Path) -> None:
    snapshot = snapshots["split"]
    cache = CompiledCache(tmp_path)
    transport = client(snapshot, tmp_path).schema.loader()
    for strict in (True, False):
        load_document(snapshot.sha256, snapshot.wsdl_path, transport, zeep.Settings(strict=strict), cache)
    assert len(list(tmp_path.glob("*.zeep"))) == 2
    load_document(snapshot.sha256, snapshot.wsdl_path, transport, zeep.Settings(strict=True), None)
    assert len(list(tmp_path.glob("*.zeep"))) == 2  # no cache: nothing kept


def kept_form(snapshot: Snapshot, compiled: Path) -> tuple[Path, Path]:
    """Build a client's zeep (so its form is kept); the form, and a file an exploit would make."""
    assert client(snapshot, compiled).zeep_client.wsdl.bindings
    forget_models()  # the next client reads the form from disk, as the next process would
    return next(compiled.glob("*.zeep")), compiled / "pwned"


def _text(value: str) -> bytes:
    return b"\x8c" + bytes([len(value)]) + value.encode()  # SHORT_BINUNICODE


def _global(module: str, name: str) -> bytes:
    return _text(module) + _text(name) + b"\x93"  # STACK_GLOBAL


def chained_exploit(marker: Path) -> bytes:
    """``attrgetter('system')(itemgetter('os')(attrgetter('__init__.__globals__')(Document)))('touch ...')``.

    Every callable is named through a zeep model module (``indicators`` imports
    ``operator``), with the dotted names protocol 4 resolves attribute by attribute.
    """
    via = "zeep.xsd.elements.indicators"
    call = b"\x85R"  # TUPLE1, REDUCE
    return (
        b"\x80\x04"
        + _global(via, "operator.attrgetter") + _text("system") + call
        + _global(via, "operator.itemgetter") + _text("os") + call
        + _global(via, "operator.attrgetter") + _text("__init__.__globals__") + call
        + _global("zeep.wsdl.wsdl", "Document") + call
        + call
        + call
        + _text(f"touch {marker}") + call
        + b"."
    )  # fmt: skip


class Exploit:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def test_a_tampered_form_is_never_unpickled(
    snapshots: dict[str, Snapshot], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    snapshot = snapshots["partner"]
    form, marker = kept_form(snapshot, tmp_path)
    data = form.read_bytes()
    header = data[: data.index(b"\n") + 1]
    form.write_bytes(header + data[len(header) : len(header) + 65] + pickle.dumps(Exploit(marker)))
    with caplog.at_level(logging.WARNING, logger="boomi_soap.schema"):
        rebuilt = client(snapshot, tmp_path)
        assert "get" in rebuilt.operations
        assert rebuilt.zeep_client.wsdl.bindings
    assert not marker.exists()
    assert "signature does not match" in caplog.text
    assert form.read_bytes() != header + data[len(header) : len(header) + 65] + pickle.dumps(Exploit(marker))


@pytest.mark.parametrize(
    ("payload", "named"),
    [
        (lambda marker: pickle.dumps(Exploit(marker)), "posix.system"),
        (chained_exploit, "zeep.xsd.elements.indicators.operator.attrgetter"),
    ],
    ids=["a global", "a chain through zeep modules"],
)
def test_a_signed_form_naming_other_code_is_refused(
    snapshots: dict[str, Snapshot],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    payload: Callable[[Path], bytes],
    named: str,
) -> None:
    """Even signed with this user's key, a form builds nothing but zeep's model."""
    snapshot = snapshots["split"]
    form, marker = kept_form(snapshot, tmp_path)
    exploit = payload(marker)
    pickle.loads(exploit)
    assert marker.exists()
    marker.unlink()
    from boomi_soap.wire import zeepform

    settings = zeep.Settings(strict=True, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    label = zeepform._label(snapshot.sha256, snapshot.wsdl_path, settings)
    assert form.name == f"{label[:32]}.zeep"
    form.unlink()
    CompiledCache(tmp_path).store_signed(form.name, label, zeepform._MAGIC, exploit)
    with caplog.at_level(logging.WARNING, logger="boomi_soap.zeepform"):
        rebuilt = client(snapshot, tmp_path)
        assert rebuilt.zeep_client.wsdl.bindings
    assert "get" in rebuilt.operations
    assert not marker.exists()
    assert f"{named} is not part of a zeep form" in caplog.text
    assert form.name in caplog.text


def test_a_model_that_does_not_pickle_is_parsed_each_time(
    snapshots: dict[str, Snapshot], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from boomi_soap.wire import zeepform

    def refuse(*args: object) -> bytes:
        raise pickle.PicklingError("something new in zeep's model")

    monkeypatch.setattr(zeepform, "pickle_document", refuse)
    with caplog.at_level(logging.INFO, logger="boomi_soap.zeepform"):
        built = client(snapshots["single"], tmp_path).type("Environment")  # the whole model
    assert built is not None
    assert not list(tmp_path.glob("*.zeep"))
    assert "not keeping zeep's form" in caplog.text
    assert all(r.levelno == logging.INFO for r in caplog.records)  # nothing the user can act on


ZEEP_SETTINGS = {"strict": True, "xml_huge_tree": False, "forbid_dtd": True, "forbid_entities": True}


def _persistent(role: str) -> bytes:
    return _text(role) + b"Q"  # BINPERSID: the loading client's object of that role


def _build(role: str, state: dict[str, bool | None]) -> bytes:
    """Opcodes that set attributes of the loading client's ``role`` object (its state by BUILD), then drop it."""
    items = b"".join(
        _text(name) + {True: b"\x88", False: b"\x89", None: b"N"}[value] + b"s" for name, value in state.items()
    )
    return _persistent(role) + b"}" + items + b"b0"  # EMPTY_DICT, SETITEM..., BUILD, POP


ATTACKS: dict[str, dict[str, bool | None]] = {
    # The settings zeep parses answers with: DTDs, entities and external reads allowed again.
    "settings": {"forbid_dtd": False, "forbid_entities": False, "forbid_external": False},
    # What the loader may read: another list of documents in place of the snapshot's.
    "transport": {"names": None},
}


def signed_form(snapshot: Snapshot, compiled: Path, prefix: bytes) -> tuple[Path, bytes]:
    """Keep a client's form, then sign ``prefix`` + that form with this user's key in its place."""
    from boomi_soap.wire import zeepform

    form, _ = kept_form(snapshot, compiled)
    settings = zeep.Settings(**ZEEP_SETTINGS, forbid_external=True)
    label = zeepform._label(snapshot.sha256, snapshot.wsdl_path, settings)
    payload = CompiledCache(compiled).load_signed(form.name, label, zeepform._MAGIC)
    assert payload is not None
    forged = b"\x80\x04" + prefix + payload  # runs before the genuine form, which then loads as always
    CompiledCache(compiled).store_signed(form.name, label, zeepform._MAGIC, forged)
    return form, forged


class Unguarded(pickle.Unpickler):
    """The loader without its guard: the client's objects handed to the form as they are."""

    def __init__(self, data: bytes, kept: dict[str, object]) -> None:
        super().__init__(io.BytesIO(data))
        self.kept = kept

    def persistent_load(self, pid: object) -> object:
        return self.kept[str(pid)]


@pytest.mark.parametrize("role", sorted(ATTACKS))
def test_a_signed_form_cannot_change_the_loading_client(
    snapshots: dict[str, Snapshot], tmp_path: Path, caplog: pytest.LogCaptureFixture, role: str
) -> None:
    snapshot = snapshots["split"]
    form, forged = signed_form(snapshot, tmp_path, _build(role, ATTACKS[role]))
    victim = client(snapshot, tmp_path / "other")
    victim_settings = zeep.Settings(**ZEEP_SETTINGS, forbid_external=True)
    victim_loader = victim.schema.loader()
    kept = {"transport": victim_loader, "settings": victim_settings}
    documents = (victim_loader.directory, victim_loader.names)
    Unguarded(forged, kept).load()  # the attack, unguarded:
    assert all(getattr(kept[role], name) == value for name, value in ATTACKS[role].items())

    with caplog.at_level(logging.WARNING, logger="boomi_soap.zeepform"):
        loading = client(snapshot, tmp_path)
        zeep_client = loading.zeep_client
    assert f"the form changes the loading client's {role}" in caplog.text
    for settings in (zeep_client.settings, zeep_client.wsdl.settings, zeep_client.wsdl.types.settings):
        assert (settings.forbid_dtd, settings.forbid_entities, settings.forbid_external) == (True, True, True)
    wsdl: Any = zeep_client.wsdl
    assert wsdl.transport is loading.zeep_objects.loader
    assert (wsdl.transport.directory, wsdl.transport.names) == documents
    assert "get" in loading.operations
    assert form.read_bytes().split(b"\n", 2)[2] != forged  # parsed again, and a genuine form kept


def test_a_form_whose_load_fails_leaves_the_client_as_it_was(snapshots: dict[str, Snapshot], tmp_path: Path) -> None:
    """The settings are put back even when the form then fails (the WSDL is parsed with them)."""
    snapshot = snapshots["split"]
    transport = client(snapshot, tmp_path / "other").schema.loader()
    settings = zeep.Settings(**ZEEP_SETTINGS, forbid_external=True)
    broken = b"\x80\x04" + _build("settings", ATTACKS["settings"]) + _global("posix", "system") + b"."
    with pytest.raises(pickle.UnpicklingError, match=r"posix\.system is not part of a zeep form"):
        unpickle_document(broken, transport, settings)
    assert (settings.forbid_dtd, settings.forbid_entities, settings.forbid_external) == (True, True, True)


def test_type_rebuilds_only_zeeps_own_classes(snapshots: dict[str, Snapshot], tmp_path: Path) -> None:
    """``type(x)`` would hand the form the class of the client's settings (or transport) to make its own."""
    transport = client(snapshots["split"], tmp_path).schema.loader()
    settings = zeep.Settings(**ZEEP_SETTINGS, forbid_external=True)
    class_of_settings = b"\x80\x04" + _global("builtins", "type") + _persistent("settings") + b"\x85R."
    assert Unguarded(class_of_settings, {"settings": settings}).load() is zeep.Settings
    with pytest.raises(pickle.UnpicklingError, match=r"type\(\) of 1 argument\(s\) that zeep does not make"):
        unpickle_document(class_of_settings, transport, settings)
    with_a_method = (
        b"\x80\x04" + _global("builtins", "type") + _text("X") + _global("zeep.xsd.types.complex", "ComplexType")
        + b"\x85}" + _text("__module__") + _text("zeep.objects") + b"s" + _text("__eq__")
        + _global("zeep.xsd.elements.element", "Element") + b"s\x87R."
    )  # fmt: skip
    with pytest.raises(pickle.UnpicklingError, match="'X' that zeep does not make"):
        unpickle_document(with_a_method, transport, settings)


def test_an_empty_any_holder_is_left_out_of_reprs_only(tmp_path: Path) -> None:
    with LocalService(ServiceConfig(rate_limit=None)) as service:
        endpoint = Endpoint(DEFAULT_ACCOUNT, service.base_url, service.flavour)
        snapshot = refresh(CacheStore(tmp_path / "cache"), endpoint, CREDENTIALS).snapshot
        environments = list(client(snapshot, tmp_path).query("Environment"))
        environment = client(snapshot, tmp_path / "second").get("Environment", environments[0].id)
    for obj in (environments[0], environment):
        assert "_value_1" in obj  # zeep's holder of the type's xs:any: still there, and empty
        assert obj._value_1 is None
        assert obj["_value_1"] is None
        for shown in (repr(obj), str(obj), repr(environments)):
            assert "_value_1" not in shown
            assert f"'name': {obj.name!r}" in shown
    environment._value_1 = [etree.Element("extra")]
    assert "'_value_1': [" in repr(environment)  # a holder with content is shown
