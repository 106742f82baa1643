"""Answers as sparse as Boomi's (``ServiceConfig(answers="documented")``), read by the project's client.

In tolerant mode (the client's default) a whole walkthrough passes against sparse
answers, the fields left out counted on ``client.deviations``; in strict mode the first
answer that lacks a required field fails, naming it.  Both over SOAP and REST (XML and
JSON), on every contract layout.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from lxml import etree

from boomi_soap.client import Client
from boomi_soap.credentials import Credentials
from boomi_soap.exceptions import InvalidRequestError, ResponseError, ServiceConfigError
from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER, LocalService, ServiceConfig
from boomi_soap.localservice.answers import FIELDS_FILE, build, documented_fields
from boomi_soap.localservice.contract import load_release
from boomi_soap.localservice.model import Record, build_object
from boomi_soap.platform import deploy as d
from boomi_soap.query import F
from boomi_soap.settings import ClientSettings
from tests.boomi_soap.conftest import FAST
from tests.conftest import Lease

CREDENTIALS = Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD)
AUTH = (DEFAULT_USER, DEFAULT_PASSWORD)
PROCESS = "Orders - Shopify to SAP"
ATOM = "Production Atom"
PACKAGED = "Invoices - NetSuite to Coupa"
# (transport, format): the client's three ways of talking to the service.
WAYS = [("soap", "xml"), ("rest", "xml"), ("rest", "json")]


def _client(
    service: LocalService, lease: Lease, compiled_dir: Path, transport: str, fmt: str, responses: str
) -> Client:
    """A client of ``service`` on the snapshot it publishes (fetched once per session; read, never changed)."""
    return Client(
        lease.snapshot(service, CREDENTIALS),
        CREDENTIALS,
        settings=ClientSettings(rate_limit=None, responses=responses),  # type: ignore[arg-type]
        compiled_dir=compiled_dir,
        transport=transport,  # type: ignore[arg-type]
        format=fmt,  # type: ignore[arg-type]
    )


@pytest.fixture
def documented(contract: str, lease: Lease) -> LocalService:
    """The session's service of sparse answers for the layout, reset to its starting state."""
    return lease.service(
        ServiceConfig(rate_limit=None, contract=contract, answers="documented", execution_timeline=(0.02, 0.05, 0.1))
    )


def test_the_packaged_field_lists_are_derived_from_the_packaged_description() -> None:
    """``openapi/documented_fields.json`` is what the derivation makes of today's description and contract."""
    packaged = Path(__file__).parents[3] / "boomi_soap" / "localservice" / "openapi" / FIELDS_FILE
    assert json.loads(packaged.read_text(encoding="utf-8")) == build(load_release("current"))
    fields = documented_fields()
    assert len(fields) >= 200
    assert "capabilities" not in fields["Atom"]
    assert {"id", "name", "status"} <= fields["Atom"]
    assert "launcherID" not in fields["ExecutionRecord"]  # required by the schema, absent from Boomi's examples


def test_an_unknown_mode_is_refused() -> None:
    with pytest.raises(ServiceConfigError, match="unknown answers 'sparse'"):
        ServiceConfig(answers="sparse")


def walkthrough(service: LocalService, client: Client) -> None:
    """What a user's code does: get and query, create, update, delete, run and record, deploy, extensions."""
    # get and query
    atoms = list(client.query("Atom"))
    assert atoms
    assert all(a.id for a in atoms)
    atom = client.get("Atom", str(atoms[0].id))
    assert atom.name == atoms[0].name
    stored_atom = service.store().get("Atom", str(atom.id))
    assert stored_atom is not None
    assert stored_atom.element.get("createdBy")  # the store holds it ...
    if service.config.answers == "documented":
        assert atom.createdBy is None  # ... Boomi's Atom examples show none: nor does the answer
    else:
        assert atom.createdBy == stored_atom.element.get("createdBy")
    assert list(client.query("Process", F("name") == PROCESS))
    # create, update, delete
    created = client.create("Environment", name="Walkthrough", classification="TEST")
    assert created.id
    assert created.name == "Walkthrough"
    created.name = "Walkthrough 2"
    assert client.update(created).name == "Walkthrough 2"
    assert client.get("Environment", str(created.id)).name == "Walkthrough 2"
    assert client.delete("Environment", str(created.id)) is True
    folder = client.create("Folder", name="Walkthrough folder")
    assert folder.fullPath
    assert folder.fullPath.endswith("/Walkthrough folder")
    # run and record
    execution = client.run_process(PROCESS, ATOM, poll=FAST, timeout=30)
    assert execution.status == "COMPLETE"
    assert execution.record.processName == PROCESS
    # deploy
    packaged = client.package(PACKAGED, notes="walkthrough")
    deployed = client.deploy(str(packaged.packageId), "Development")
    assert deployed.deploymentId
    assert d.deployed_package(client, PACKAGED, "Development").packageId == packaged.packageId
    # extensions
    updated = d.update_extension_properties(client, "Test", {"db.url": "jdbc:x"})
    assert {p.name: p.value for p in updated.properties.property}["db.url"] == "jdbc:x"
    again = d.get_extensions(client, "Test")
    assert {p.name: p.value for p in again.properties.property}["db.url"] == "jdbc:x"


@pytest.mark.parametrize(("transport", "fmt"), WAYS)
def test_the_walkthrough_passes_in_tolerant_mode_and_reports_what_was_left_out(
    documented: LocalService, lease: Lease, compiled_dir: Path, transport: str, fmt: str
) -> None:
    client = _client(documented, lease, compiled_dir, transport, fmt, "tolerant")
    walkthrough(documented, client)
    seen = {(dev.type, dev.field, dev.kind) for dev in client.deviations.counts()}
    assert ("ExecutionRecord", "launcherID", "missing") in seen
    assert client.deviations.total > 0


@pytest.mark.parametrize(("transport", "fmt"), WAYS)
def test_strict_mode_fails_naming_the_first_missing_field(
    documented: LocalService, lease: Lease, compiled_dir: Path, transport: str, fmt: str
) -> None:
    """The first answer of the walkthrough that lacks a required field: the run's ExecutionRecord."""
    client = _client(documented, lease, compiled_dir, transport, fmt, "strict")
    # The run reads its record through Client.from_xml, whose strict refusal is an InvalidRequestError.
    with pytest.raises((ResponseError, InvalidRequestError), match="launcherID"):
        walkthrough(documented, client)
    with pytest.raises(ResponseError, match="launcherID"):
        list(client.query("ExecutionRecord"))


def test_the_walkthrough_passes_in_strict_mode_on_complete_answers(
    service: LocalService, lease: Lease, compiled_dir: Path
) -> None:
    client = _client(service, lease, compiled_dir, "soap", "xml", "strict")
    walkthrough(service, client)
    assert client.deviations.total == 0


def test_complete_answers_carry_every_field_and_no_deviation(
    service: LocalService, lease: Lease, compiled_dir: Path
) -> None:
    client = _client(service, lease, compiled_dir, "soap", "xml", "strict")
    record = next(iter(client.query("ExecutionRecord")))
    assert record.launcherID is not None
    assert client.deviations.total == 0


@pytest.mark.contracts("split", why="the wire form is the same on every layout; one is enough")
def test_rest_json_and_xml_answers_show_only_the_documented_fields(documented: LocalService) -> None:
    root = documented.base_url + f"/api/rest/v1/{DEFAULT_ACCOUNT}"
    atom = next(iter(documented.store().all("Atom")))
    as_json = requests.get(f"{root}/Atom/{atom.key}", auth=AUTH, headers={"Accept": "application/json"}, timeout=10)
    assert as_json.status_code == 200
    keys = set(as_json.json()) - {"@type"}
    assert keys <= documented_fields()["Atom"]
    assert "createdBy" not in keys
    assert "createdBy" in atom.element.attrib
    as_xml = requests.get(f"{root}/Atom/{atom.key}", auth=AUTH, timeout=10)
    element = etree.fromstring(as_xml.content)
    assert set(element.attrib) - {"{http://www.w3.org/2001/XMLSchema-instance}type"} <= documented_fields()["Atom"]
    assert element.get("createdBy") is None
    assert element.get("name") == atom.element.get("name")


@pytest.mark.contracts("split", why="the wire form is the same on every layout; one is enough")
def test_an_action_answer_keeps_a_type_the_examples_do_not_fit(documented: LocalService) -> None:
    """Boomi's AtomDiskSpace example holds AtomDiskSpaceDirectory parts: it says nothing of AtomDiskSpace."""
    assert "AtomDiskSpace" not in documented_fields()
    root = documented.base_url + f"/api/rest/v1/{DEFAULT_ACCOUNT}"
    atom = next(a.key for a in documented.store().all("Atom") if a.element.get("status") == "ONLINE")
    seeded = build_object(documented.release.index, "AtomDiskSpace", {"totalSize": "21 KB", "rawTotalSize": 21931})
    documented.store().put(Record("AtomDiskSpace", atom, seeded))
    json_in = {"Accept": "application/json"}
    token = requests.get(f"{root}/async/AtomDiskSpace/{atom}", auth=AUTH, headers=json_in, timeout=10).json()
    url = f"{root}/async/AtomDiskSpace/response/{token['asyncToken']['token']}"
    result = requests.get(url, auth=AUTH, headers=json_in, timeout=10).json()
    assert (result["result"][0]["totalSize"], result["result"][0]["rawTotalSize"]) == ("21 KB", 21931)
