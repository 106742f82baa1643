"""The zeep path (``Client``) and the typed path (``TypedClient``) against each other.

Both read the same XML from the same local service, on every contract layout, so they
must give the same answer: the same values written back as XML (``None`` and ``''``,
booleans, numbers), the same errors, and what a GET read goes back unchanged in an
UPDATE.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from boomi_soap.bindings import TypedClient
from boomi_soap.bindings import types as t
from boomi_soap.client import Client
from boomi_soap.credentials import Credentials
from boomi_soap.exceptions import InvalidRequestError, NotFoundError, RequestValidationError, ResponseError
from boomi_soap.localservice import DEFAULT_PASSWORD, DEFAULT_USER, LocalService
from boomi_soap.localservice.seed import EXECUTION_RECORDS
from boomi_soap.query import F
from boomi_soap.settings import ClientSettings
from boomi_soap.snapshot.cache import Snapshot
from tests.docserver import doc_server
from tests.xmlcompare import canon, typed_element, zeep_element

CREDENTIALS = Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD)
DATA = "http://api.platform.boomi.com/"
RESULT = f"{{{DATA}}}result"


@pytest.fixture
def client(snapshot: Snapshot, compiled_dir: Path) -> Client:
    """A client of the test's service, on the session's snapshot of it and its compiled schemas."""
    return Client(snapshot, CREDENTIALS, settings=ClientSettings(rate_limit=None), compiled_dir=compiled_dir)


def same(by_zeep: Any, by_typed: Any) -> etree._Element:
    """Assert both results hold the same information; return it as XML."""
    left = zeep_element(by_zeep, RESULT, DATA)
    assert canon(left) == canon(typed_element(by_typed, RESULT))
    return left


def readable_types(service: LocalService) -> list[str]:
    rules = service.release.rules
    return sorted(name for name in service.store().types() if "GET" in rules[name].operations)


def test_get_of_every_object_type(client: Client, service: LocalService) -> None:
    typed = TypedClient(client)
    types = readable_types(service)
    assert len(types) >= 9
    assert "TradingPartnerComponent" in types
    for type_name in types:
        for record in service.store().all(type_name)[:3]:
            same(client.get(type_name, record.key), typed.get(object_type=type_name, object_id=record.key))


def test_get_then_update_changes_nothing_on_both_paths(client: Client, service: LocalService) -> None:
    """UPDATE replaces the whole object: required empty elements must go back as they came."""
    typed = TypedClient(client)
    store = service.store()
    rules = service.release.rules
    updatable = [n for n in readable_types(service) if "UPDATE" in rules[n].operations]
    assert "TradingPartnerComponent" in updatable  # seeded from Boomi's sample, with <address2/> and <fax/>
    for type_name in updatable:
        record = store.all(type_name)[0]
        before = canon(store.get(type_name, record.key).element)  # type: ignore[union-attr]
        by_zeep = client.get(type_name, record.key)
        client.update(by_zeep)
        assert canon(store.get(type_name, record.key).element) == before, type_name  # type: ignore[union-attr]
        by_typed = typed.get(object_type=type_name, object_id=record.key)
        typed.update(object_=by_typed)
        assert canon(store.get(type_name, record.key).element) == before, type_name  # type: ignore[union-attr]


def test_empty_required_strings_are_empty_strings_on_both_paths(client: Client, service: LocalService) -> None:
    key = service.store().all("TradingPartnerComponent")[0].key
    by_zeep = client.get("TradingPartnerComponent", key)
    by_typed = TypedClient(client).get_trading_partner_component(key)
    # The seeded partner is Boomi's GET sample: <address2/> empty, fax set.
    assert (by_zeep.ContactInfo.address2, by_zeep.ContactInfo.fax) == ("", "311 555-9753")
    assert by_typed.contact_info is not None
    assert (by_typed.contact_info.address2, by_typed.contact_info.fax) == ("", "311 555-9753")
    assert by_zeep.PartnerCommunication.FTPCommunicationOptions.SharedCommunicationChannel is not None
    assert by_zeep.organizationId is None  # absent stays None on both
    assert by_typed.organization_id is None
    same(by_zeep, by_typed)


def test_query_pages_alike(client: Client) -> None:
    by_zeep = [r.executionId for r in client.query("ExecutionRecord")]
    by_typed = [r.execution_id for r in TypedClient(client).query_execution_record()]
    assert by_zeep == by_typed
    assert len(set(by_zeep)) == EXECUTION_RECORDS
    where = (F("status") == "ERROR") & F("executionTime").between("2025-01-01T00:00:00Z", "2030-01-01T00:00:00Z")
    errors_zeep = list(client.query("ExecutionRecord", where))
    errors_typed = list(TypedClient(client).query_execution_record(where))
    assert len(errors_zeep) == len(errors_typed) > 0
    for left, right in zip(errors_zeep, errors_typed, strict=True):
        same(left, right)


def test_create_update_delete_alike(client: Client, service: LocalService) -> None:
    typed = TypedClient(client)
    by_zeep = client.create("Environment", name="Paths", classification="TEST")
    by_typed = typed.create_environment(t.Environment(name="Paths", classification=t.EnvironmentClassification.TEST))
    assert (by_zeep.name, by_zeep.classification) == (by_typed.name, by_typed.classification.value)  # type: ignore[union-attr]
    by_zeep.name = "Paths 2"
    assert client.update(by_zeep).name == "Paths 2"
    assert by_typed.id_ is not None
    by_typed.name = "Paths 2"
    assert typed.update_environment(by_typed).name == "Paths 2"
    same(client.get("Environment", by_zeep.id), typed.get_environment(by_zeep.id))
    assert client.delete("Environment", by_zeep.id) is True
    assert typed.delete_environment(by_typed.id_) is True
    assert client.delete("Environment", by_typed.id_) is False
    assert typed.delete_environment(by_zeep.id) is False


def test_actions_alike(client: Client, service: LocalService) -> None:
    typed = TypedClient(client)
    roles = typed.get_assignable_roles()
    assert isinstance(roles, t.Roles)
    by_zeep = client.call("getAssignableRoles")  # zeep unwraps a result of one repeated element to its list
    assert len(by_zeep) == len(roles.role) == 4
    for left, right in zip(by_zeep, roles.role, strict=True):
        same(left, right)
    atom = next(a.key for a in service.store().all("Atom") if a.element.get("status") == "ONLINE")
    process = service.store().all("Process")[0].key
    before = service.store().count("ExecutionRecord")
    assert client.execute_process(atom, process_id=process) is None
    assert typed.execute_process(process_id=process, atom_id=atom) is None
    assert service.store().count("ExecutionRecord") == before + 2
    running = service.store().all("ExecutionRecord")[0].key
    assert client.call("cancelExecution", executionId=running) is None
    assert typed.cancel_execution(execution_id=running) is None


def test_errors_alike(client: Client) -> None:
    typed = TypedClient(client)
    for call in (lambda: client.get("Process", "nope"), lambda: typed.get_process("nope")):
        with pytest.raises(NotFoundError, match="Process with id nope does not exist"):
            call()
    bad_zeep = client.type("Environment")(name="x", classification="STAGING")
    bad_typed = t.Environment(name="x", classification="STAGING")  # type: ignore[arg-type]
    for call in (lambda: client.create(bad_zeep), lambda: typed.create_environment(bad_typed)):
        with pytest.raises(RequestValidationError) as refused:
            call()
        assert refused.value.issues[0].path.endswith("/object/@classification")  # type: ignore[attr-defined]
    # An operation of the WSDL the service does not implement: the same fault class on both.
    env_zeep = client.type("Environment")(name="x", classification="TEST")
    env_typed = t.Environment(name="x", classification=t.EnvironmentClassification.TEST)
    for call in (lambda: client.call("execute", object=env_zeep), lambda: typed.execute(object_=env_typed)):
        with pytest.raises(InvalidRequestError, match="execute of Environment is not simulated"):
            call()


# -- answers that do not fit the schema: the same error on both paths ----------------------

WRAPPER = "http://soap.api.platform.boomi.com/"


def answer(body: str) -> bytes:
    return (
        f'<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>{body}</S:Body></S:Envelope>'
    ).encode()


MISFITS = {
    "qualified successful": (
        "delete",
        f'<w:deleteResponse xmlns:w="{WRAPPER}" xmlns:a="{DATA}"><a:successful>true</a:successful></w:deleteResponse>',
        "the answer does not fit the schema at /soapenv:Envelope/soapenv:Body/soap:deleteResponse",
    ),
    "non-numeric attribute": (
        "query",
        f'<w:queryResponse xmlns:w="{WRAPPER}" xmlns:a="{DATA}"><a:results numberOfResults="many"/></w:queryResponse>',
        "the answer does not fit the schema at /soapenv:Envelope/soapenv:Body/soap:queryResponse/api:results/@numberOfResults",
    ),
    "result without xsi:type": (
        "get",
        f'<w:getResponse xmlns:w="{WRAPPER}" xmlns:a="{DATA}"><a:result/></w:getResponse>',
        "the answer does not fit the schema at /soapenv:Envelope/soapenv:Body/soap:getResponse/api:result",
    ),
    "another operation's wrapper": (
        "get",
        f'<w:createResponse xmlns:w="{WRAPPER}"/>',
        f"the answer's Body holds {{{WRAPPER}}}createResponse, not the expected {{{WRAPPER}}}getResponse",
    ),
}


def both_paths(replayed: Client, operation: str) -> tuple[Callable[[], Any], Callable[[], Any]]:
    """The zeep and the typed call of ``operation`` (get, delete or query of a Process)."""
    typed = TypedClient(replayed)
    return {
        "get": (lambda: replayed.get("Process", "x"), lambda: typed.get(object_type="Process", object_id="x")),
        "delete": (
            lambda: replayed.delete("Process", "x"),
            lambda: typed.delete(object_type="Process", object_id="x"),
        ),
        "query": (lambda: replayed.call("query", objectType="Process"), lambda: typed.query(object_type="Process")),
    }[operation]


@pytest.mark.contracts("split", why="hand-written answers in the split layout's wrapper namespace")
@pytest.mark.parametrize("case", sorted(MISFITS))
def test_misfit_answers_are_the_same_error_on_both_paths(client: Client, compiled_dir: Path, case: str) -> None:
    """In strict mode every misfit is refused, with the same words on both paths."""
    operation, body, message = MISFITS[case]
    with doc_server({"POST /soap": (200, {}, answer(body))}) as server:
        replayed = Client(client.snapshot, CREDENTIALS, endpoint=f"{server.base_url}/soap",
                          settings=ClientSettings(rate_limit=None, responses="strict"), compiled_dir=compiled_dir)  # fmt: skip
        calls = both_paths(replayed, operation)
        for call in calls:
            with pytest.raises(ResponseError) as refused:
                call()
            assert message in str(refused.value)


# What the tolerant reader (the default) makes of the same misfits: read, or the same error on both paths.
TOLERATED = {
    "qualified successful": (None, [("deleteResponse", "successful", "missing"),
                                    ("deleteResponse", "successful", "unknown-element")]),
    "non-numeric attribute": ("read", [("QueryResult", "numberOfResults", "invalid-value")]),
    "result without xsi:type": ("the answer does not fit the schema at /soapenv:Envelope/soapenv:Body/soap:getResponse/api:result", None),
    "another operation's wrapper": (MISFITS["another operation's wrapper"][2], None),
}  # fmt: skip


@pytest.mark.contracts("split", why="hand-written answers in the split layout's wrapper namespace")
@pytest.mark.parametrize("case", sorted(TOLERATED))
def test_misfit_answers_read_tolerantly_the_same_on_both_paths(client: Client, compiled_dir: Path, case: str) -> None:
    operation, body, _ = MISFITS[case]
    outcome, deviation = TOLERATED[case]
    with doc_server({"POST /soap": (200, {}, answer(body))}) as server:
        replayed = Client(client.snapshot, CREDENTIALS, endpoint=f"{server.base_url}/soap",
                          settings=ClientSettings(rate_limit=None), compiled_dir=compiled_dir)  # fmt: skip
        calls = both_paths(replayed, operation)
        for call in calls:
            if outcome is None or outcome == "read":
                call()
            else:
                with pytest.raises(ResponseError) as refused:
                    call()
                assert outcome in str(refused.value)
        if deviation is None:
            assert replayed.deviations.total == 0
        else:
            assert [(d.type, d.field, d.kind) for d in replayed.deviations] == deviation
            assert set(replayed.deviations.counts().values()) == {2}  # one per answer read


def test_the_typed_path_refuses_what_its_classes_cannot_hold(client: Client, compiled_dir: Path) -> None:
    """With response validation off, a bad number is still the project's error, naming the value."""
    snapshot = client.snapshot
    wrapper = next(iter(client.contract.wrapper_namespaces))
    body = (
        f'<w:queryResponse xmlns:w="{wrapper}" xmlns:a="{DATA}"><a:results numberOfResults="many"/></w:queryResponse>'
    )
    with doc_server({"POST /soap": (200, {}, answer(body))}) as server:
        settings = ClientSettings(rate_limit=None, responses="off")
        replayed = Client(snapshot, CREDENTIALS, endpoint=f"{server.base_url}/soap", settings=settings,
                          compiled_dir=compiled_dir)  # fmt: skip
        with pytest.raises(ResponseError, match="'many' is not a valid xs:int"):
            TypedClient(replayed).query(object_type="Process")
