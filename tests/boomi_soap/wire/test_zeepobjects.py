"""The zeep adapter: one zeep model per snapshot and reading in a process, each client's own WS-Security around it."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from boomi_soap.client import Client
from boomi_soap.credentials import Credentials
from boomi_soap.settings import ClientSettings
from boomi_soap.snapshot.cache import Snapshot
from boomi_soap.wire.soap import NS_WSSE
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
