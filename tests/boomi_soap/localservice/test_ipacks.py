"""The local service's integration-pack objects, on every contract layout, and its Connect Now routes."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
import requests

from boomi_soap.exceptions import InvalidRequestError, NotFoundError
from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER, LocalService, ipacks
from boomi_soap.query import F
from tests.boomi_soap.conftest import Connect

MULTI = next(p for p in ipacks.PACKS if p.installation_type == "MULTI")
SINGLE = next(p for p in ipacks.PACKS if p.installation_type == "SINGLE")


def _production(client: object) -> str:
    return str(next(e.id for e in client.query("Environment") if e.name == "Production"))  # type: ignore[attr-defined]


def test_packs_are_published_on_every_layout(connect: Connect) -> None:
    _, client = connect()
    packs = {p.name: p.installationType for p in client.query("IntegrationPack")}
    assert packs == {p.name: p.installation_type for p in ipacks.PACKS}
    assert [p.name for p in client.query("IntegrationPack", F("installationType") == "SINGLE")] == [SINGLE.name]


def test_install_attach_extend_uninstall_on_every_layout(connect: Connect) -> None:
    service, client = connect()
    environment = _production(client)
    instance = client.create("IntegrationPackInstance", integrationPackId=MULTI.id, integrationPackOverrideName="East")
    assert [p.name for p in instance.ProcessId] == list(MULTI.processes)
    processes = {str(p.wrapperProcessId) for p in instance.ProcessId}
    assert {str(client.get("Process", p).IntegrationPack[0].integrationPackInstanceId) for p in processes} == {
        str(instance.id)
    }
    client.create(
        "IntegrationPackEnvironmentAttachment", environmentId=environment, integrationPackInstanceId=instance.id
    )
    with pytest.raises(InvalidRequestError, match="already attached"):
        client.create(
            "IntegrationPackEnvironmentAttachment", environmentId=environment, integrationPackInstanceId=instance.id
        )
    found = list(client.query("EnvironmentExtensions", F("extensionGroupId") == str(instance.id)))
    assert len(found) == 1
    extensions = found[0]
    connection = extensions.connections.connection[0]

    def partial(**fields: str) -> object:
        return client.update(
            "EnvironmentExtensions", id=extensions.id, environmentId=environment, extensionGroupId=instance.id,
            partial=True, PGPCertificates={}, crossReferences={}, operations={}, processProperties={}, properties={},
            sharedCommunications={}, tradingPartners={},
            connections={"connection": [{"id": connection.id, "field": [{"id": k, "value": v} for k, v in fields.items()]}]},
        )  # fmt: skip

    partial(url="https://a.example.com", password="p4ss-word")
    merged = partial(user="bob")
    fields = {f.id: f for f in merged.connections.connection[0].field}  # type: ignore[attr-defined]
    assert (fields["url"].value, fields["user"].value) == ("https://a.example.com", "bob")  # the first update kept
    assert fields["password"].value is None  # write-only
    assert fields["password"].encryptedValueSet is True
    assert b"p4ss-word" not in str(service.store().all("EnvironmentExtensions")[-1].element.attrib).encode()
    schedules = list(client.query("ProcessSchedules", F("processId") == sorted(processes)[0]))
    assert len(schedules) == 1  # one Atom in Production

    assert client.delete("IntegrationPackInstance", instance.id) is True
    assert list(client.query("EnvironmentExtensions", F("extensionGroupId") == str(instance.id))) == []
    assert list(client.query("ProcessSchedules", F("processId") == sorted(processes)[0])) == []
    assert list(client.query("IntegrationPackEnvironmentAttachment")) == []
    with pytest.raises(NotFoundError):
        client.get("Process", sorted(processes)[0])
    assert client.delete("IntegrationPackInstance", instance.id) is False


def test_oauth2_url_query_needs_its_four_filters(connect: Connect) -> None:
    _, client = connect()
    environment = _production(client)
    instance = client.create("IntegrationPackInstance", integrationPackId=SINGLE.id)
    client.create(
        "IntegrationPackEnvironmentAttachment", environmentId=environment, integrationPackInstanceId=instance.id
    )
    where = (
        (F("environmentId") == environment)
        & (F("extensionGroupId") == str(instance.id))
        & (F("connectionId") == SINGLE.component("connection"))
        & (F("fieldId") == "accessToken")
    )
    [summary] = list(client.query("EnvironmentConnectionFieldExtensionSummary", where))
    assert "/oauth2/authorize/" in summary.field.oauth2AuthorizationUrl
    with pytest.raises(InvalidRequestError, match="fieldId"):
        list(client.query("EnvironmentConnectionFieldExtensionSummary", F("environmentId") == environment))
    elsewhere = (
        (F("environmentId") == environment)
        & (F("extensionGroupId") == str(instance.id))
        & (F("connectionId") == "no-such-connection")
        & (F("fieldId") == "accessToken")
    )
    with pytest.raises(NotFoundError):
        list(client.query("EnvironmentConnectionFieldExtensionSummary", elsewhere))


@pytest.mark.contracts("split", why="store-level behaviour; the layout plays no part")
def test_a_token_url_expires_after_15_minutes(service: LocalService) -> None:
    store = service.store()
    index = service.release.index
    instance = ipacks.install(store, index, MULTI.id, "East")
    environment = store.all("Environment")[0].key
    ipacks.attach(store, index, instance.key, environment)
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    url, expires = ipacks.token_url(
        store, "http://127.0.0.1/x", environment_id=environment, extension_group_id=instance.key,
        connection_id=MULTI.component("connection"), field_id="accessToken", now=now,
    )  # fmt: skip
    assert expires == now + timedelta(minutes=15)
    assert ipacks.token_valid(store, url, now=now + timedelta(minutes=14))
    assert not ipacks.token_valid(store, url, now=now + timedelta(minutes=15, seconds=1))
    assert not ipacks.token_valid(store, "http://127.0.0.1/x/oauth2/authorize/unknown", now=now)


@pytest.mark.contracts("partner", why="the Connect Now routes act on sub-accounts of the Partner API")
def test_connect_now_routes_refuse_what_they_cannot_answer(service: LocalService) -> None:
    auth = base64.b64encode(f"{DEFAULT_USER}:{DEFAULT_PASSWORD}".encode()).decode()
    base = f"{service.base_url}/ws/simple"
    unknown = requests.post(f"{base}/getEverything", json={"auth": auth, "accountId": DEFAULT_ACCOUNT}, timeout=10)
    assert unknown.status_code == 404
    assert "errorMessage" in unknown.json()
    wrong_method = requests.post(f"{base}/deleteInstalledIPackInstance", json={"auth": auth}, timeout=10)
    assert wrong_method.status_code == 405
    not_json = requests.post(f"{base}/getInstalledIPacks", data=b"<xml/>", timeout=10)
    assert not_json.status_code == 400
    assert not_json.json()["errorMessage"] == "The body is not JSON"
    unsigned = requests.post(f"{base}/getInstalledIPacks", json={"accountId": DEFAULT_ACCOUNT}, timeout=10)
    assert unsigned.status_code == 401
    parent = requests.post(f"{base}/getInstalledIPacks", json={"auth": auth, "accountId": DEFAULT_ACCOUNT}, timeout=10)
    assert parent.status_code == 200
    assert parent.json() == {"IntegrationPackInstance": []}
    assert service.limit_stats().accepted >= 1  # counted against the parent account
