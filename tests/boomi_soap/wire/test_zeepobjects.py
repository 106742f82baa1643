"""The zeep adapter: one zeep model per snapshot and reading in a process, each client's own WS-Security around it."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from boomi_soap.client import Client
from boomi_soap.credentials import Credentials, Endpoint
from boomi_soap.exceptions import BoomiSoapError
from boomi_soap.localservice import DEFAULT_ACCOUNT
from boomi_soap.settings import ClientSettings
from boomi_soap.snapshot.cache import CacheStore, Snapshot, pinned_store
from boomi_soap.snapshot.fetch import Document, FetchResult
from boomi_soap.wire.soap import NS_DATA, NS_WSSE
from boomi_soap.wire.zeepobjects import forget_models

pytestmark = pytest.mark.contracts("split", why="the model cache is keyed by snapshot, whatever its layout")
FAST = ClientSettings(rate_limit=None)


def signed_user(client: Client) -> str:
    """The user name zeep's own WS-Security puts in the escape hatch's envelope."""
    zeep = client.zeep_client
    service = zeep.create_service(next(iter(zeep.wsdl.bindings)), client.address)
    envelope: etree._Element = zeep.create_message(service, "get", objectType="Account", objectId="a")
    return str(envelope.findtext(f".//{{{NS_WSSE}}}Username"))


def test_clients_of_one_snapshot_share_zeeps_model_and_keep_their_own_credentials(
    snapshot: Snapshot, compiled_dir: Path
) -> None:
    alice = Client(snapshot, Credentials.from_password("alice", "a-secret"), settings=FAST, compiled_dir=compiled_dir)
    bob = Client(snapshot, Credentials.from_password("bob", "b-secret"), settings=FAST, compiled_dir=compiled_dir)
    assert alice.zeep_client.wsdl is bob.zeep_client.wsdl  # parsed (or unpickled) once
    assert alice.zeep_client is not bob.zeep_client
    assert (signed_user(alice), signed_user(bob)) == ("alice", "bob")
    assert alice.type("Environment") is bob.type("Environment")


def test_a_strict_reader_has_a_model_of_its_own(snapshot: Snapshot, compiled_dir: Path) -> None:
    credentials = Credentials.from_password("alice", "a-secret")
    tolerant = Client(snapshot, credentials, settings=FAST, compiled_dir=compiled_dir)
    strict = Client(
        snapshot, credentials, settings=ClientSettings(rate_limit=None, responses="strict"), compiled_dir=compiled_dir
    )
    assert tolerant.zeep_client.wsdl is not strict.zeep_client.wsdl  # the lenient reading is patched into a model


def test_a_forgotten_model_is_read_again(snapshot: Snapshot, compiled_dir: Path) -> None:
    credentials = Credentials.from_password("alice", "a-secret")
    first = Client(snapshot, credentials, settings=FAST, compiled_dir=compiled_dir).zeep_client.wsdl
    forget_models()
    again = Client(snapshot, credentials, settings=FAST, compiled_dir=compiled_dir).zeep_client.wsdl
    assert again is not first
    assert sorted(again.bindings) == sorted(first.bindings)


# -- requests of plain values: the wrappers' model -------------------------------------------
PINNED = [("platform", DEFAULT_ACCOUNT), ("platform", "localsingle-A1B2C3"), ("partner", DEFAULT_ACCOUNT)]
SAMPLES = {"string": "v-1", "boolean": True, "int": 7, "long": 7}
EXPRESSION = {"operator": "and", "nestedExpression": []}


def argument_sets(client: Client) -> list[tuple[str, dict[str, Any]]]:
    """For every operation: each child given a value of its type, none at all, and an unknown one."""
    cases: list[tuple[str, dict[str, Any]]] = []
    for name, operation in sorted(client.contract.operations.items()):
        full = {c.name: SAMPLES.get(c.type.rpartition("}")[2], {}) for c in operation.inputs}
        cases += [(name, full), (name, {}), (name, {"nope": "x"})]
    cases += [
        ("get", {"objectType": 12, "objectId": ["a", "b"]}),  # zeep's coercions and refusals
        ("query", {"objectType": "Environment", "queryConfig": {"QueryFilter": {"expression": EXPRESSION}}}),
        ("query", {"objectType": "Environment", "queryConfig": {"QueryFilter": {"nope": 1}}}),
        ("executeProcess", {"atomId": "a", "processId": "p", "ProcessProperties": {"ProcessProperty": []}}),
        ("nothing", {"objectType": "Environment"}),
    ]
    return cases


def outcome(client: Client, operation: str, arguments: dict[str, Any]) -> str:
    """The envelope built (validated, unsigned), or the error raised, as text."""
    try:
        return etree.tostring(client.envelope(operation, **arguments)).decode()
    except (BoomiSoapError, TypeError) as exc:
        return f"{type(exc).__name__}: {exc}"


@pytest.mark.parametrize(("flavour", "account"), PINNED, ids=["split", "single", "partner"])
def test_requests_of_plain_values_are_the_whole_models_without_building_it(
    flavour: str, account: str, compiled_dir: Path
) -> None:
    snapshot = pinned_store().current(account, flavour)  # type: ignore[arg-type]
    credentials = Credentials.from_password("alice", "a-secret")
    forget_models()
    light = Client(snapshot, credentials, settings=FAST, compiled_dir=compiled_dir)
    whole = Client(snapshot, credentials, settings=FAST, compiled_dir=compiled_dir)
    _ = whole.zeep_objects.binding  # built: every request of this one goes through zeep's whole model
    cases = argument_sets(light)
    assert len(cases) > 30
    built = [outcome(light, operation, arguments) for operation, arguments in cases]
    assert not light.zeep_objects.built
    assert built == [outcome(whole, operation, arguments) for operation, arguments in cases]
    assert sum(text.startswith("<") for text in built) > len(cases) / 3  # most build, some are refused
    signed = light.envelope("get", sign=True, objectType="Environment", objectId="e1")
    assert signed.findtext(f".//{{{NS_WSSE}}}Username") == "alice"


def test_the_wrappers_model_holds_the_wrappers_alone(compiled_dir: Path) -> None:
    from boomi_soap.wire.zeepobjects import _WRAPPERS

    snapshot = pinned_store().current(DEFAULT_ACCOUNT)
    forget_models()
    client = Client(snapshot, Credentials.from_password("u", "p"), settings=FAST, compiled_dir=compiled_dir)
    client.envelope("get", objectType="Environment", objectId="e1")
    (model,) = _WRAPPERS.values()
    light = {str(t.qname) for t in model.types.types}
    whole = {str(t.qname) for t in client.zeep_client.wsdl.types.types}
    assert f"{{{NS_DATA}}}Environment" in whole - light
    assert len(light) < len(whole) / 5
    assert light <= whole


def test_a_zeep_object_takes_the_whole_model(compiled_dir: Path) -> None:
    from zeep.xsd import AnyObject, String

    snapshot = pinned_store().current(DEFAULT_ACCOUNT)
    forget_models()
    client = Client(snapshot, Credentials.from_password("u", "p"), settings=FAST, compiled_dir=compiled_dir)
    envelope = client.envelope("get", objectType=AnyObject(String(), "Environment"), objectId="e1")  # type: ignore[no-untyped-call]
    assert client.zeep_objects.built
    assert "Environment" in etree.tostring(envelope).decode()


def test_a_schema_the_wrappers_model_cannot_follow_is_built_whole(tmp_path: Path) -> None:
    pinned = pinned_store().current(DEFAULT_ACCOUNT)
    files = {e.path: (pinned.directory / e.path).read_bytes() for e in pinned.files}
    files["service.xsd1.xsd"] = files["service.xsd1.xsd"].replace(
        b'<xs:element name="result" type="tns:BaseType"/>',
        b'<xs:element name="result" type="tns:BaseType"/><xs:element name="more" substitutionGroup="tns:result"/>',
    )
    endpoint = Endpoint(DEFAULT_ACCOUNT, "http://127.0.0.1:9")
    documents = tuple(
        Document(f"{endpoint.url}?{name}", name, content, None, None, "2026-01-01T00:00:00Z")
        for name, content in sorted(files.items(), key=lambda item: item[0] != pinned.wsdl)
    )
    store = CacheStore(tmp_path / "cache")
    with store.lock(DEFAULT_ACCOUNT):
        snapshot, _ = store.save(FetchResult(endpoint, documents))
    forget_models()
    client = Client(snapshot, Credentials.from_password("u", "p"), settings=FAST, compiled_dir=tmp_path / "compiled")
    envelope = client.envelope("get", objectType="Environment", objectId="e1")
    assert client.zeep_objects.built
    assert envelope.findtext(".//{*}objectId") == "e1"


def test_snapshots_of_one_contract_in_two_folders_share_one_model(tmp_path: Path, compiled_dir: Path) -> None:
    # The same contract in two folders (two caches, or a copied one).
    pinned = pinned_store().current(DEFAULT_ACCOUNT)
    copies = []
    for name in ("first", "second"):
        shutil.copytree(pinned.directory.parents[2], tmp_path / name)
        copies.append(CacheStore(tmp_path / name, read_only=True, private=False).current(DEFAULT_ACCOUNT))
    assert copies[0].sha256 == copies[1].sha256
    assert copies[0].directory != copies[1].directory
    forget_models()
    credentials = Credentials.from_password("alice", "a-secret")
    first = Client(copies[0], credentials, settings=FAST, compiled_dir=compiled_dir)
    model = first.zeep_client.wsdl
    shutil.rmtree(tmp_path / "first")  # the model reads no file once built
    second = Client(copies[1], credentials, settings=FAST, compiled_dir=compiled_dir)
    assert second.zeep_client.wsdl is model
    assert second.type("Environment")(name="Production").name == "Production"
    assert second.envelope("get", objectType="Environment", objectId="e1").findtext(".//{*}objectId") == "e1"
