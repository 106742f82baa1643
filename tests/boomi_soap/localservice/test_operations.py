"""Every operation over real HTTP, with envelopes shaped like Boomi's documented ones."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER, LocalService, ServiceConfig
from boomi_soap.localservice.seed import EXECUTION_RECORDS, PROCESS_NAMES
from tests.boomi_soap.localservice.helpers import ENV, NS, RawSoap

DOCS = Path(__file__).parents[2] / "fixtures" / "boomi-samples"
# Boomi's Trading Partner samples for each layout: published with data-namespace wrappers
# (single), the same in the Query paging page's wrapper namespace (split), and for the
# Partner API, which has no published Trading Partner sample, the split copy with the
# partner wrapper namespace.
_SAMPLE_SUFFIX = {"split": ".modern", "single": "", "partner": ".modern"}


def documented(soap: RawSoap, operation: str, **replace: str) -> bytes:
    """The documented Trading Partner request of ``operation`` for the service's layout, placeholders filled in."""
    layout = soap.service.release.layout
    suffix = ".fixed" if layout == "single" and operation == "get" else _SAMPLE_SUFFIX[layout]
    text = (DOCS / f"TradingPartnerComponent.{operation}.request{suffix}.xml").read_text()
    if layout == "partner":
        text = text.replace("http://soap.api.platform.boomi.com/", soap.wrapper_ns)
    text = text.replace("ATOMSPHERE_USER_NAME", DEFAULT_USER).replace("ATOMSPHERE_PASSWORD", DEFAULT_PASSWORD)
    for old, new in replace.items():
        text = text.replace(old, new)
    return text.encode()


def test_trading_partner_lifecycle_with_documented_envelopes(soap: RawSoap, service: LocalService) -> None:
    created = soap.post(documented(soap, "create"))
    assert created.status == 200, created.body
    result = created.payload.find("api:result", NS)
    assert result is not None
    assert result.get(f"{{{NS['xsi']}}}type", "").endswith(":TradingPartnerComponent")
    component_id = result.get("componentId")
    assert component_id
    assert service.release.schema.validate(created.payload), service.release.schema.error_log

    doc_id = "12345678-9abc-def0-1234-56789abcdef0"
    got = soap.post(documented(soap, "get", **{doc_id: component_id}))
    assert got.status == 200, got.body
    contact = got.payload.findtext("api:result/api:ContactInfo/api:contactName", namespaces=NS)
    assert contact

    update = documented(soap, "update")
    update = re.sub(rb'componentId="[^"]*"', f'componentId="{component_id}"'.encode(), update)
    updated = soap.post(update)
    assert updated.status == 200, updated.body
    assert updated.payload.find("api:result", NS).get("componentId") == component_id

    queried = soap.post(documented(soap, "query"))
    assert queried.status == 200, queried.body
    ids = [r.get("componentId") for r in queried.payload.iterfind("api:results/api:result", NS)]
    seeded = [r.key for r in service.store().all("TradingPartnerComponent") if r.key != component_id]
    assert sorted(ids) == sorted([component_id, *seeded])

    delete = documented(soap, "delete", **{doc_id: component_id})
    deleted = soap.post(re.sub(rb"<objectId>[^<]*</objectId>", f"<objectId>{component_id}</objectId>".encode(), delete))
    assert deleted.status == 200, deleted.body
    assert deleted.payload.findtext("successful") == "true"
    again = soap.post(re.sub(rb"<objectId>[^<]*</objectId>", f"<objectId>{component_id}</objectId>".encode(), delete))
    assert again.payload.findtext("successful") == "false"
    missing = soap.post(documented(soap, "get", **{doc_id: component_id}))
    assert missing.fault()[2] == "NOT_FOUND"


# Prefixes as Boomi's pages show them: ns4/ns2 around data-namespace children (Query paging);
# bns for everything when the wrappers are in the data namespace (Trading Partner page); bns
# bound to the partner namespace on Partner API answers (Cancel Execution page).
_PREFIXES = {
    "split": (b"<ns4:getResponse", b'xsi:type="bns:Account"', b"<ns4:queryResponse", b"<ns2:results"),
    "single": (b"<bns:getResponse", b'xsi:type="bns:Account"', b"<bns:queryResponse", b"<bns:results"),
    "partner": (b"<bns:getResponse", b'xsi:type="ns2:Account"', b"<bns:queryResponse", b"<ns2:results"),
}


def test_responses_use_jax_ws_prefixes(soap: RawSoap, contract: str) -> None:
    get, typed, query_wrapper, results = _PREFIXES[contract]
    reply = soap.call(
        f"<soap:get><api:objectType>Account</api:objectType><api:objectId>{DEFAULT_ACCOUNT}</api:objectId></soap:get>"
    )
    assert reply.body.startswith(b"<?xml")
    assert b"<S:Envelope" in reply.body
    assert get in reply.body
    assert typed in reply.body
    query = soap.call("<soap:query><api:objectType>Atom</api:objectType></soap:query>")
    assert query_wrapper in query.body
    assert results in query.body


def test_get_account(soap: RawSoap) -> None:
    payload = soap.ok(
        f"<soap:get><api:objectType>Account</api:objectType><api:objectId>{DEFAULT_ACCOUNT}</api:objectId></soap:get>"
    )
    assert payload.tag == f"{{{soap.wrapper_ns}}}getResponse"
    assert payload.find("api:result", NS).get("accountId") == DEFAULT_ACCOUNT


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ("<soap:get><api:objectType>Process</api:objectType></soap:get>", "objectId is required"),
        ("<soap:get><api:objectId>x</api:objectId></soap:get>", "objectType is required"),
        ("<soap:get><api:objectType>Nope</api:objectType><api:objectId>x</api:objectId></soap:get>", "Invalid object"),
        ("<soap:query/>", "objectType is required"),
        ("<soap:queryMore><api:queryToken>bogus</api:queryToken></soap:queryMore>", "queryToken"),
        ("<soap:delete><objectType>Environment</objectType></soap:delete>", "objectId is required"),
    ],
)
def test_required_children_are_enforced(soap: RawSoap, body: str, needle: str) -> None:
    reply = soap.call(body)
    assert reply.status == 500
    faultcode, message, code = reply.fault()
    assert faultcode == "S:Client"
    assert code in {"INVALID_REQUEST", "NOT_FOUND", "UNSUPPORTED"}
    assert needle in message


def test_object_operation_matrix_is_enforced(soap: RawSoap) -> None:
    reply = soap.call(
        '<soap:create><object xsi:type="api:Process" name="x"><api:Description>d</api:Description></object></soap:create>'
    )
    assert reply.fault()[1:] == ("The Process object does not support the CREATE operation", "UNSUPPORTED")
    reply = soap.call(
        "<soap:get><api:objectType>ExecutionRecord</api:objectType><api:objectId>x</api:objectId></soap:get>"
    )
    assert reply.fault()[2] == "UNSUPPORTED"


def test_object_type_is_case_insensitive(soap: RawSoap) -> None:
    payload = soap.ok("<soap:query><api:objectType>environment</api:objectType></soap:query>")
    assert payload.find("api:results", NS).get("numberOfResults") == "3"


def test_create_update_delete_environment(soap: RawSoap, service: LocalService) -> None:
    payload = soap.ok('<soap:create><object xsi:type="api:Environment" name="QA" classification="TEST"/></soap:create>')
    env_id = payload.find("api:result", NS).get("id")
    assert env_id
    assert service.store().get("Environment", env_id) is not None
    payload = soap.ok(
        f'<soap:update><object xsi:type="api:Environment" id="{env_id}" name="QA 2" classification="PROD"/></soap:update>'
    )
    assert payload.find("api:result", NS).get("name") == "QA 2"
    assert service.store().get("Environment", env_id).element.get("classification") == "PROD"
    missing = soap.call('<soap:update><object xsi:type="api:Environment" id="nope" name="x"/></soap:update>')
    assert missing.fault()[2] == "NOT_FOUND"
    payload = soap.ok(f"<soap:delete><objectType>Environment</objectType><objectId>{env_id}</objectId></soap:delete>")
    assert payload.findtext("successful") == "true"
    assert service.store().get("Environment", env_id) is None


def test_create_rejects_duplicate_ids_and_dangling_references(soap: RawSoap, service: LocalService) -> None:
    existing = service.store().all("Environment")[0].key
    duplicate = soap.call(f'<soap:create><object xsi:type="api:Environment" id="{existing}" name="x"/></soap:create>')
    assert "already exists" in duplicate.fault()[1]
    dangling = soap.call(
        f'<soap:create><object xsi:type="api:EnvironmentAtomAttachment" atomId="ghost" environmentId="{existing}"/></soap:create>'
    )
    assert dangling.fault()[1:] == ("Atom with id ghost does not exist", "NOT_FOUND")


def test_create_element_id_is_placed_in_schema_order(soap: RawSoap, service: LocalService) -> None:
    env = service.store().all("Environment")[2].key  # Development: nothing deployed there
    package = service.store().all("PackagedComponent")[0].key
    payload = soap.ok(
        "<soap:create><object xsi:type='api:DeployedPackage'>"
        f"<api:environmentId>{env}</api:environmentId><api:notes>n</api:notes>"
        f"<api:packageId>{package}</api:packageId>"
        "</object></soap:create>"
    )
    new_id = payload.findtext("api:result/api:deploymentId", namespaces=NS)
    assert new_id
    assert service.store().get("DeployedPackage", new_id) is not None
    names = [child.tag.rpartition("}")[2] for child in payload.find("api:result", NS)]
    assert names == [
        "active", "componentId", "componentType", "componentVersion", "deployedBy", "deployedDate",
        "deploymentId", "environmentId", "notes", "packageId", "packageVersion", "version",
    ]  # fmt: skip


def test_execute_process_creates_one_execution_record(soap: RawSoap, service: LocalService) -> None:
    store = service.store()
    process = store.all("Process")[3]
    atom = next(a for a in store.all("Atom") if a.element.get("status") == "ONLINE")
    before = store.count("ExecutionRecord")
    payload = soap.ok(
        f"<soap:executeProcess><api:processId>{process.key}</api:processId><api:atomId>{atom.key}</api:atomId>"
        "<api:ProcessProperties><api:ProcessProperty><api:Name>priority</api:Name><api:Value>high</api:Value>"
        "</api:ProcessProperty></api:ProcessProperties></soap:executeProcess>"
    )
    assert payload.tag == f"{{{soap.wrapper_ns}}}executeProcessResponse"
    assert len(payload) == 0
    assert store.count("ExecutionRecord") == before + 1
    newest = store.all("ExecutionRecord")[-1]
    assert newest.element.findtext("api:processId", namespaces=NS) == process.key
    assert newest.element.findtext("api:status", namespaces=NS) == "INPROCESS"
    by_name = soap.ok(
        f"<soap:executeProcess><api:processName>{PROCESS_NAMES[0]}</api:processName>"
        f"<api:atomId>{atom.key}</api:atomId></soap:executeProcess>"
    )
    assert by_name is not None
    assert store.count("ExecutionRecord") == before + 2


def test_execute_process_refusals(soap: RawSoap, service: LocalService) -> None:
    store = service.store()
    offline = next(a for a in store.all("Atom") if a.element.get("status") == "OFFLINE")
    process = store.all("Process")[0].key
    before = store.count("ExecutionRecord")
    reply = soap.call(
        f"<soap:executeProcess><api:processId>{process}</api:processId><api:atomId>{offline.key}</api:atomId></soap:executeProcess>"
    )
    assert "offline" in reply.fault()[1]
    reply = soap.call(f"<soap:executeProcess><api:processId>{process}</api:processId></soap:executeProcess>")
    assert reply.fault()[1] == "atomId is required"
    reply = soap.call(
        "<soap:executeProcess><api:processName>No such</api:processName><api:atomId>a</api:atomId></soap:executeProcess>"
    )
    assert reply.fault()[2] == "NOT_FOUND"
    assert store.count("ExecutionRecord") == before


def test_execution_request_returns_request_id(soap: RawSoap, service: LocalService) -> None:
    store = service.store()
    atom = next(a for a in store.all("Atom") if a.element.get("status") == "ONLINE")
    payload = soap.ok(
        f'<soap:create><object xsi:type="api:ExecutionRequest" processName="{PROCESS_NAMES[2]}" atomId="{atom.key}">'
        "<api:DynamicProcessProperties/><api:ProcessProperties/></object></soap:create>"
    )
    result = payload.find("api:result", NS)
    assert result.get("requestId", "").startswith("executionrecord-")
    assert result.get("recordUrl", "").endswith(result.get("requestId"))
    assert store.count("ExecutionRecord") == EXECUTION_RECORDS + 1


def test_get_assignable_roles_and_cancel_execution(soap: RawSoap, service: LocalService) -> None:
    payload = soap.ok("<soap:getAssignableRoles/>")
    roles = payload.findall("api:result/api:Role", NS)
    assert [r.get("name") for r in roles] == ["Administrator", "Standard User", "Support", "Production Support"]
    execution = service.store().all("ExecutionRecord")[0].key
    child = soap.child("cancelExecution", "executionId")  # partner-qualified on the Partner API
    soap.ok(f"<soap:cancelExecution><{child}>{execution}</{child}></soap:cancelExecution>")
    status = service.store().get("ExecutionRecord", execution).element.findtext("api:status", namespaces=NS)
    assert status == "ABORTED"


def test_unimplemented_operation_is_a_clear_fault(soap: RawSoap) -> None:
    reply = soap.call("<soap:refreshSecretsManager/>")
    assert reply.fault() == (
        "S:Client",
        "The refreshSecretsManager operation is not implemented by this service",
        "UNSUPPORTED",
    )


def test_seed_volumes(service: LocalService) -> None:
    store = service.store()
    counts = {t: store.count(t) for t in store.types()}
    assert counts["Account"] == 1
    assert counts["Atom"] >= 2
    assert counts["Environment"] >= 2
    assert counts["EnvironmentAtomAttachment"] >= 2
    assert counts["Process"] >= 20
    assert counts["Deployment"] >= 20
    assert counts["DeployedPackage"] >= 20
    assert counts["ExecutionRecord"] == EXECUTION_RECORDS >= 250
    assert counts["Role"] >= 2
    assert counts["Folder"] >= 2


def test_seeded_objects_are_schema_valid(soap: RawSoap, service: LocalService) -> None:
    for object_type in ("Atom", "Environment", "Role", "Folder", "Process", "Deployment", "DeployedPackage", "Account"):
        payload = soap.ok(f"<soap:query><api:objectType>{object_type}</api:objectType></soap:query>")
        assert payload.find("api:results", NS).get("numberOfResults") == str(service.store().count(object_type))


def test_envelope_namespace_is_matched_by_uri_not_prefix(soap: RawSoap) -> None:
    body = (
        f'<e:Envelope xmlns:e="{ENV}" xmlns:w="{soap.wrapper_ns}" xmlns:d="{NS["api"]}">'
        '<e:Header><s:Security xmlns:s="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">'
        f"<s:UsernameToken><s:Username>{DEFAULT_USER}</s:Username><s:Password>{DEFAULT_PASSWORD}</s:Password>"
        "</s:UsernameToken></s:Security></e:Header>"
        "<e:Body><w:query><d:objectType>Role</d:objectType></w:query></e:Body></e:Envelope>"
    )
    reply = soap.post(body.encode())
    assert reply.status == 200, reply.body


def test_service_starts_on_the_next_release() -> None:
    with LocalService(ServiceConfig(rate_limit=None, release="next")) as service:
        payload = RawSoap(service).ok(
            f"<soap:get><api:objectType>Account</api:objectType><api:objectId>{DEFAULT_ACCOUNT}</api:objectId></soap:get>"
        )
        assert payload.find("api:result", NS).get("widgetAccount") is None


@pytest.mark.contracts("split", why="the drifted 'next' release is published in the split layout only")
def test_objects_stored_before_an_upgrade_are_served_in_the_new_shape(soap: RawSoap, service: LocalService) -> None:
    body = (
        f"<soap:get><api:objectType>Account</api:objectType><api:objectId>{DEFAULT_ACCOUNT}</api:objectId></soap:get>"
    )
    assert soap.ok(body).find("api:result", NS).get("widgetAccount") == "false"
    service.set_release("next")
    assert soap.ok(body).find("api:result", NS).get("widgetAccount") is None
