"""The compiled-schema cache passes the cache's checks: no links, this user's, private."""

from __future__ import annotations

import dataclasses
import logging
import os
import pickle
import shutil
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from boomi_soap._xml.safe import parse_xml
from boomi_soap.client import Client
from boomi_soap.credentials import Credentials, Endpoint
from boomi_soap.exceptions import CacheIntegrityError, TransportError, XMLInputError
from boomi_soap.localservice import DEFAULT_ACCOUNT
from boomi_soap.settings import ClientSettings
from boomi_soap.snapshot.cache import CacheStore, Snapshot, pinned_store
from boomi_soap.snapshot.contract import parsed
from boomi_soap.snapshot.fetch import Document, FetchResult
from boomi_soap.snapshot.schema import CompiledCache, SchemaBundle, SnapshotFiles, load_schema
from tests.boomi_soap.conftest import reference_bundle as bundle
from tests.docserver import doc_server

FIXTURES = Path(__file__).parents[2] / "fixtures"


@pytest.fixture
def compiled(compiled_once: Path, tmp_path: Path) -> tuple[Path, str]:
    """A compiled cache holding the reference schema's compiled form (a copy of its own, to damage)."""
    snapshot = pinned_store().current(DEFAULT_ACCOUNT)
    directory = tmp_path / "compiled"
    shutil.copytree(compiled_once, directory)  # modes kept: the copy is as private as the original
    assert CompiledCache(directory).load(snapshot.sha256) is not None
    return directory, snapshot.sha256


def test_made_private_whatever_the_umask(tmp_path: Path) -> None:
    directory = tmp_path / "a" / "compiled"
    previous = os.umask(0)
    try:
        _ = bundle(directory).explainer
    finally:
        os.umask(previous)
    found = {p.name: stat.S_IMODE(p.lstat().st_mode) for p in [tmp_path / "a", directory, *directory.iterdir()]}
    assert found.pop("a") == found.pop("compiled") == 0o700
    assert set(found.values()) == {0o600}
    assert "key" in found


@pytest.mark.parametrize("damage", ["key-link", "key-readable", "directory-link", "directory-writable", "pickle-link"])
def test_an_unsafe_compiled_cache_is_not_used(
    compiled: tuple[Path, str], tmp_path: Path, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    directory, digest = compiled
    pickled = next(p for p in directory.iterdir() if p.suffix == ".pickle")
    if damage == "key-link":
        (tmp_path / "other-key").write_bytes((directory / "key").read_bytes())
        (directory / "key").unlink()
        (directory / "key").symlink_to(tmp_path / "other-key")
        offender = directory / "key"
    elif damage == "key-readable":
        (directory / "key").chmod(0o644)
        offender = directory / "key"
    elif damage == "directory-link":
        directory.rename(tmp_path / "elsewhere")
        directory.symlink_to(tmp_path / "elsewhere", target_is_directory=True)
        offender = directory
    elif damage == "directory-writable":
        directory.chmod(0o770)
        offender = directory
    else:
        pickled.rename(tmp_path / "elsewhere.pickle")
        pickled.symlink_to(tmp_path / "elsewhere.pickle")
        offender = pickled
    with caplog.at_level(logging.WARNING, logger="boomi_soap.schema"):
        assert CompiledCache(directory).load(digest) is None
    assert str(offender) in caplog.text


def test_each_thread_validates_with_its_own_error_log(tmp_path: Path) -> None:
    import threading

    checked = bundle(tmp_path / "compiled")
    shared = checked.lxml
    assert checked.checker() is shared  # the compiling thread keeps the shared one
    seen: list[object] = []

    def other() -> None:
        seen.extend([checked.checker(), checked.checker()])

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    assert seen[0] is seen[1]
    assert seen[0] is not shared
    assert not list((tmp_path / "compiled").glob("*.pickle"))  # libxml2 only: nothing of xmlschema


@pytest.mark.parametrize(
    "location",
    [
        "file:///etc/passwd",
        "/etc/passwd",
        "extra.xsd",
        "../service.xsd1.xsd",
        "%2e%2e/x.xsd",
        "http://127.0.0.1:9/x.xsd",
    ],
)
def test_a_schema_reference_leaving_the_snapshot_is_refused(tmp_path: Path, location: str) -> None:
    """The check sits in libxml2's loading, so a reference nested in an imported document is caught too."""
    snapshot = pinned_store().current(DEFAULT_ACCOUNT)
    copy = tmp_path / "snapshot"
    copy.mkdir()
    for entry in snapshot.files:
        (copy / entry.path).write_bytes((snapshot.directory / entry.path).read_bytes())
    (copy / "extra.xsd").write_bytes((copy / "service.xsd1.xsd").read_bytes())  # present, but not the snapshot's
    nested = copy / "service.xsd1.xsd"  # imported by service.xsd2.xsd, not by the WSDL
    text = nested.read_text()
    head = text.index(">", text.index("<xs:schema")) + 1
    nested.write_text(f'{text[:head]}<xs:include schemaLocation="{location}"/>{text[head:]}')
    names = frozenset(entry.path for entry in snapshot.files)
    imports = (("http://soap.api.platform.boomi.com/", "service.xsd2.xsd"),)
    hostile = SchemaBundle("0" * 64, copy, imports, CompiledCache(tmp_path / "compiled"), names)
    with pytest.raises(CacheIntegrityError, match="not a file of the snapshot") as refused:
        hostile.checked()
    assert str(copy) in str(refused.value)
    with pytest.raises(CacheIntegrityError):
        _ = hostile.explainer  # xmlschema never reads it either
    assert not (tmp_path / "compiled").exists()
    whole = SchemaBundle("0" * 64, snapshot.directory, imports, None, names)
    whole.checked()  # the snapshot itself passes


EVIL_XSD = (
    '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="http://api.platform.boomi.com/">'
    '<xs:element name="evilThing" type="xs:string"/></xs:schema>'
)
EVIL_WSDL = '<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" targetNamespace="urn:evil"/>'
DATA = "http://api.platform.boomi.com/"
ESCAPES = {
    # libxml2 reads it: the compile's resolver refuses it.
    "nested include": ("service.xsd1.xsd", '<xs:include schemaLocation="../outside/evil.xsd"/>'),
    # libxml2 skips a second import of a namespace; xmlschema and zeep may read it.
    "second import of a namespace": (
        "service.xsd2.xsd",
        f'<xs:import namespace="{DATA}" schemaLocation="../outside/evil.xsd"/>',
    ),
    # Only zeep reads the WSDL's own imports.
    "wsdl import": ("service.wsdl", '<import namespace="urn:evil" location="../outside/evil.wsdl"/>'),
}


def escaping_snapshot(tmp_path: Path, name: str) -> Snapshot:
    """A snapshot (saved and verified as any other) one of whose documents refers outside it."""
    pinned = pinned_store().current(DEFAULT_ACCOUNT)
    target, reference = ESCAPES[name]
    outside = tmp_path / "cache" / "platform" / DEFAULT_ACCOUNT / "outside"
    outside.mkdir(parents=True)
    (outside / "evil.xsd").write_text(EVIL_XSD)
    (outside / "evil.wsdl").write_text(EVIL_WSDL)
    documents = []
    for entry in pinned.files:
        content = (pinned.directory / entry.path).read_text()
        if entry.path == target:
            head = content.index(">", content.index("schema" if target.endswith(".xsd") else "<definitions")) + 1
            content = content[:head] + reference + content[head:]
        documents.append(Document(entry.url, entry.path, content.encode(), None, None, "now"))
    endpoint = Endpoint(DEFAULT_ACCOUNT, pinned.endpoint.split("/api/")[0])
    snapshot, _ = CacheStore(tmp_path / "cache").save(FetchResult(endpoint, tuple(documents)))
    assert snapshot.directory.parent / "outside" == outside  # ../outside from the snapshot's files
    return snapshot


@pytest.mark.parametrize("name", sorted(ESCAPES))
def test_no_reader_leaves_the_snapshot(tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """libxml2, xmlschema and zeep each refuse a reference outside the snapshot, whichever of them meets it."""
    snapshot = escaping_snapshot(tmp_path, name)
    read: list[str] = []
    real_open = open

    def watched(file: object, *args: object, **kwargs: object) -> object:
        read.append(str(file))
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    credentials = Credentials.from_password("u", "p")
    client = Client(snapshot, credentials, settings=ClientSettings(rate_limit=None), compiled_dir=tmp_path / "c")
    monkeypatch.setattr("builtins.open", watched)
    with pytest.raises(CacheIntegrityError, match=r"'\.\./outside/evil\.\w+'|outside/evil\.\w+'.*not a file of"):
        client.envelope("get", objectType="Environment", objectId="e1")  # zeep's path
    if name == "nested include":
        with pytest.raises(CacheIntegrityError, match="not a file of the snapshot"):
            client.schema.checked()
    else:  # libxml2 never reads it, so validation may go on; xmlschema must still not read it
        client.schema.checked()
        # xmlschema skips a namespace it has, as libxml2 does; had it read the file, the
        # sandbox or the check of every loaded document would have refused it.
        assert f"{{{DATA}}}evilThing" not in client.schema.explainer.maps.elements
    assert not [path for path in read if "evil" in path]
    assert not list((tmp_path / "c").glob("*.zeep"))  # nothing kept of a refused reading
    monkeypatch.undo()
    with doc_server() as server:  # get builds its request without zeep, but zeep reads the answer
        calling = Client(
            snapshot, credentials, endpoint=f"{server.base_url}/soap", settings=ClientSettings(rate_limit=None)
        )
        with pytest.raises(CacheIntegrityError, match="not a file of the snapshot"):
            calling.get("Environment", "e1")
    assert server.seen == []  # refused before anything was sent


def test_xmlschema_reads_only_the_listed_files() -> None:
    pinned = pinned_store().current(DEFAULT_ACCOUNT)
    imports = (("http://soap.api.platform.boomi.com/", "service.xsd2.xsd"),)
    unlisted = SchemaBundle("0" * 64, pinned.directory, imports, None, frozenset({"service.xsd2.xsd"}))
    with pytest.raises(CacheIntegrityError, match=r"service\.xsd1\.xsd'.*not a file of the snapshot"):
        unlisted._compile()  # the check of every document xmlschema loaded, on its own


# -- a signed compiled form builds xmlschema's model and nothing else ------------------------


def _text(value: str) -> bytes:
    data = value.encode()
    return b"\x8c" + bytes([len(data)]) + data  # SHORT_BINUNICODE


def _global(module: str, name: str) -> bytes:
    return _text(module) + _text(name) + b"\x93"  # STACK_GLOBAL


def _call(function: bytes, *args: bytes) -> bytes:
    return function + b"".join(args) + {1: b"\x85", 2: b"\x86"}[len(args)] + b"R"  # TUPLEn, REDUCE


def through_getattr(marker: Path) -> bytes:
    """``__import__('os').system('touch ...')``, reached from one of xmlschema's classes by ``getattr`` alone.

    ``getattr`` is what an xmlschema pickle names for its bound methods; the chain walks
    ``XMLSchema10.__init__.__globals__['__builtins__']['__import__']``.
    """
    getattr_ = _global("builtins", "getattr")

    def get(mapping: bytes, key: str) -> bytes:
        return _call(_call(getattr_, mapping, _text("get")), _text(key))

    init = _call(getattr_, _global("xmlschema.validators.schemas", "XMLSchema10"), _text("__init__"))
    builtins = get(_call(getattr_, init, _text("__globals__")), "__builtins__")
    os_module = _call(get(builtins, "__import__"), _text("os"))
    return b"\x80\x04" + _call(_call(getattr_, os_module, _text("system")), _text(f"touch {marker}")) + b"."


class Exploit:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def sign(directory: Path, digest: str, payload: bytes) -> Path:
    """Put ``payload`` in the compiled cache as the signed form of ``digest``, with this user's key."""
    from boomi_soap.snapshot import schema

    cache = CompiledCache(directory)
    path = cache._path(digest)
    cache.store_signed(path.name, digest, schema._MAGIC, payload)
    return path


@pytest.mark.parametrize(
    ("payload", "named"),
    [
        (lambda marker: pickle.dumps(Exploit(marker)), "posix.system"),
        (through_getattr, "xmlschema.validators.schemas.XMLSchema10.__init__"),
        (
            lambda marker: (
                b"\x80\x04"
                + _call(_global("xmlschema.resources.xml_resource", "os.system"), _text(f"touch {marker}"))
                + b"."
            ),
            "xmlschema.resources.xml_resource.os.system",
        ),
    ],
    ids=["a global", "a chain through getattr", "a dotted name"],
)
def test_a_signed_compiled_schema_naming_other_code_is_refused(
    compiled: tuple[Path, str],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    payload: Callable[[Path], bytes],
    named: str,
) -> None:
    """Even signed with this user's key, a compiled form builds nothing but xmlschema's model."""
    directory, digest = compiled
    marker = tmp_path / "pwned"
    exploit = payload(marker)
    pickle.loads(exploit)  # what loading the form with plain pickle did
    assert marker.exists()
    marker.unlink()
    path = sign(directory, digest, exploit)
    with caplog.at_level(logging.WARNING, logger="boomi_soap.schema"):
        assert CompiledCache(directory).load(digest) is None
    assert not marker.exists()
    assert f"{named} is not part of a compiled schema" in caplog.text
    assert str(path) in caplog.text


def forge(directory: Path, digest: str, change: dict[str, object]) -> None:
    """Sign, with this user's key, the compiled form of ``digest`` with ``change`` made to its settings."""
    schema = CompiledCache(directory).load(digest)
    assert schema is not None
    schema.maps.settings = dataclasses.replace(schema.maps.settings, **change)
    forged = pickle.dumps(schema, protocol=pickle.HIGHEST_PROTOCOL)
    unguarded = pickle.loads(forged)  # what loading the form with plain pickle gave
    assert all(getattr(unguarded.maps.settings, name) == value for name, value in change.items())
    sign(directory, digest, forged)


@pytest.mark.parametrize(
    "change",
    [{"allow": "all"}, {"defuse": "never"}, {"use_location_hints": True}, {"timeout": 300}],
    ids=lambda change: next(iter(change)),
)
def test_a_signed_compiled_schema_with_other_settings_is_refused(
    compiled: tuple[Path, str], caplog: pytest.LogCaptureFixture, change: dict[str, object]
) -> None:
    """A form may not take xmlschema out of its sandbox (the settings it reads later documents with)."""
    directory, digest = compiled
    forge(directory, digest, change)
    with caplog.at_level(logging.WARNING, logger="boomi_soap.schema"):
        assert CompiledCache(directory).load(digest) is None
    assert "the form's schema settings are not the ones it is compiled with" in caplog.text


@pytest.mark.parametrize("refused", ["other code", "other settings"])
def test_a_refused_form_is_compiled_again_in_the_sandbox_and_replaced(
    compiled: tuple[Path, str], tmp_path: Path, refused: str
) -> None:
    # Once per kind, not per case above: what replaces a refused form does not depend on its case.
    directory, digest = compiled
    if refused == "other code":
        sign(directory, digest, pickle.dumps(Exploit(tmp_path / "pwned")))
    else:
        forge(directory, digest, {"allow": "all", "defuse": "never", "use_location_hints": True, "timeout": 300})
    explainer = bundle(directory).explainer
    assert "{http://api.platform.boomi.com/}Process" in explainer.maps.types  # compiled again
    assert not (tmp_path / "pwned").exists()
    kept = CompiledCache(directory).load(digest)
    assert kept is not None  # and a genuine form kept in its place
    for settings in (explainer.maps.settings, kept.maps.settings):
        assert (settings.allow, settings.defuse, settings.timeout, settings.use_location_hints) == (
            "sandbox",
            "always",
            5,
            False,
        )


def test_every_layout_keeps_a_form_the_restricted_loader_takes(
    snapshots: dict[str, Snapshot], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    for layout, snapshot in sorted(snapshots.items()):
        directory = tmp_path / layout
        with caplog.at_level(logging.INFO, logger="boomi_soap.schema"):
            _ = load_schema(snapshot, compiled_dir=directory).explainer
        assert CompiledCache(directory).load(snapshot.sha256) is not None, layout
    assert "not keeping" not in caplog.text
    assert "ignoring" not in caplog.text


def test_a_document_given_in_place_of_a_file_is_read_only_under_the_files_rules(tmp_path: Path) -> None:
    (tmp_path / "service.xsd1.xsd").write_bytes(b"<schema>whole</schema>")
    (tmp_path / "other.xsd").write_bytes(b"<schema/>")
    given = {"service.xsd1.xsd": b"<schema>part</schema>", "other.xsd": b"<schema>given</schema>"}
    loader = SnapshotFiles(tmp_path.resolve(), frozenset({"service.xsd1.xsd"}), given)
    assert loader.load(str(tmp_path / "service.xsd1.xsd")) == b"<schema>part</schema>"
    with pytest.raises(CacheIntegrityError, match="not a file of the snapshot"):
        loader.load(str(tmp_path / "other.xsd"))  # given, but not a file the snapshot may read
    with pytest.raises(TransportError, match="refusing to fetch"):
        loader.load("https://example.invalid/service.xsd1.xsd")
    assert (
        SnapshotFiles(tmp_path.resolve(), frozenset({"service.xsd1.xsd"})).load(str(tmp_path / "service.xsd1.xsd"))
        == b"<schema>whole</schema>"
    )


def test_a_snapshot_document_is_parsed_once_and_again_when_it_is_written(tmp_path: Path) -> None:
    path = tmp_path / "a.xsd"
    path.write_bytes(b"<schema>one</schema>")
    first = parsed(path)
    assert parsed(path) is first  # shared by the contract, the bundle and the subset
    assert parsed(tmp_path / "." / "a.xsd") is first
    path.write_bytes(b"<schema>second</schema>")
    assert parsed(path).text == "second"
    path.write_bytes(b'<!DOCTYPE x [<!ENTITY e "x">]><schema>&e;</schema>')
    with pytest.raises(XMLInputError, match="DOCTYPE"):
        parsed(path)  # the hardened parse, as before


def test_the_explainer_reports_what_xmlschema_compiled_with_its_own_checks_reports() -> None:
    """Compiled without xmlschema's meta-schema check (libxml2 checked the documents), the model is the same."""
    import xmlschema

    from boomi_soap.snapshot import schema

    explainer = bundle(None).explainer
    directory, _ = bundle(None).files()
    plain = xmlschema.XMLSchema(  # xmlschema as it comes: validation="strict", its meta-schema check included
        bundle(None)._wrapper().decode(), base_url=str(directory), allow=schema._ALLOW, defuse=schema._DEFUSE
    )
    assert explainer.maps.settings.validation == "skip"
    assert plain.validity == "valid"
    assert sorted(explainer.maps.types) == sorted(plain.maps.types)
    assert sorted(explainer.maps.elements) == sorted(plain.maps.elements)
    corpus = sorted((FIXTURES / "requests").glob("*/*.xml"))
    assert len(corpus) > 20
    reported = 0
    for path in corpus:
        root = parse_xml(path.read_bytes())
        body = root.find("{http://schemas.xmlsoap.org/soap/envelope/}Body")  # a REST body is its own root
        wrapper = root if body is None else next(child for child in body if isinstance(child.tag, str))
        ours, theirs = _errors(explainer, wrapper), _errors(plain, wrapper)
        assert ours == theirs, path.name
        reported += len(ours)
    assert reported >= 14  # the invalid corpus: at least one problem each


def _errors(schema: Any, element: etree._Element) -> list[tuple[str | None, str | None]]:
    """What xmlschema reports on ``element``: its errors, or what it raises (an unknown ``xsi:type``)."""
    try:
        return [(e.path, e.reason) for e in schema.iter_errors(element, use_location_hints=False)]
    except LookupError as exc:
        return [(type(exc).__name__, str(exc))]


def test_every_layouts_explainer_reads_boomis_samples_as_xmlschema_does(snapshots: dict[str, Snapshot]) -> None:
    """The same on the three layouts, over Boomi's published SOAP samples (each against its own layout)."""
    import json

    import xmlschema

    from boomi_soap.snapshot import schema

    samples = FIXTURES / "boomi-samples"
    manifest: dict[str, dict[str, str]] = json.loads((samples / "MANIFEST.json").read_text())
    compared = 0
    for layout, snapshot in sorted(snapshots.items()):
        bundle_ = load_schema(snapshot, keep_compiled=False)
        explainer = bundle_.explainer
        directory, _ = bundle_.files()
        plain = xmlschema.XMLSchema(
            bundle_._wrapper().decode(), base_url=str(directory), allow=schema._ALLOW, defuse=schema._DEFUSE
        )
        assert plain.validity == "valid", layout
        assert sorted(explainer.maps.types) == sorted(plain.maps.types), layout
        assert sorted(explainer.maps.elements) == sorted(plain.maps.elements), layout
        for name, entry in sorted(manifest.items()):
            if entry["layout"] not in (layout, "any") or not name.endswith(".xml"):
                continue
            root = parse_xml((samples / name).read_bytes())
            body = root.find("{http://schemas.xmlsoap.org/soap/envelope/}Body")
            wrapper = root if body is None else next(child for child in body if isinstance(child.tag, str))
            assert _errors(explainer, wrapper) == _errors(plain, wrapper), (layout, name)
            compared += 1
    assert compared >= len(manifest) - 1  # every sample against its layout ("any": against each)
