"""The integration-pack lifecycle in a sub-account, through the Partner API (``client.for_account(sub).ipacks``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from boomi_soap.client import Client
from boomi_soap.exceptions import InvalidRequestError, NotFoundError
from boomi_soap.localservice.config import DEFAULT_SUB_ACCOUNTS
from tests.boomi_soap.conftest import FAST, Connect

SUB = DEFAULT_SUB_ACCOUNTS[0]
PACK = "Salesforce to NetSuite Orders"
SECRET = "s3cret-connection-password"
PARTNER = pytest.mark.contracts("partner", why="integration packs in sub-accounts are a Partner API feature")


def partner_lifecycle(client: Client, since: datetime) -> dict[str, Any]:
    """Walk the whole lifecycle in ``SUB``; return what a caller can observe of it."""
    packs = client.for_account(SUB).ipacks
    available = packs.available()
    pack = next(p for p in available if p.name == PACK)
    environment = next(e for e in packs.environments() if e.name == "Production")
    installation = packs.install(pack.id, environment.id, override_name="Acme Orders")
    instance = installation.id
    installed = [i.id for i in packs.installed()]
    processes = packs.processes(instance)
    first = packs.extensions(instance)
    connection = first.connections[0]
    settings = first.process_properties[0]
    # Two partial updates: the second names other fields and must keep the first's.
    packs.upsert_extensions(
        instance, connections={connection.id: {"url": "https://erp.example.com", "password": SECRET}}
    )
    second = packs.upsert_extensions(
        instance,
        connections={connection.id: {"user": "integration"}},
        process_properties={settings.id: {"batchSize": "50"}},
    )
    url = packs.oauth2_token_url(instance, connection.id, "accessToken")
    schedules = packs.schedules(instance)
    daily = {"minutes": "0", "hours": "6", "daysOfWeek": "*", "daysOfMonth": "*", "months": "*", "years": "*"}
    target = schedules[0]
    packs.set_schedules(str(target.processId), str(target.atomId), [daily])
    scheduled = [s for s in packs.schedules(instance) if s.Schedule]
    execution = packs.execute(str(processes[0].wrapperProcessId), poll=FAST, timeout=30)
    records = packs.execution_records(since)
    ran = [r for r in records if r.executionId == execution.execution_id]
    gone = packs.uninstall(instance)
    return {
        "available": sorted(p.name for p in available),
        "installed": installed == [instance],
        "processes": sorted(p.name for p in processes),
        "values": second.values()[connection.name],
        "properties": second.values()[settings.name],
        "encrypted": second.encrypted_set(),
        "oauth2_url": "/oauth2/authorize/" in url,
        "schedules": len(schedules),
        "scheduled": [(s.Schedule[0].hours, s.Schedule[0].minutes) for s in scheduled],
        "status": execution.status,
        "recorded": [r.status for r in ran],
        "record_process": [r.processName for r in ran],
        "uninstalled": gone and packs.installed() == [],
        "profile": str(packs.account_profile().accountId),
    }


@PARTNER
@pytest.mark.timeout(120)
def test_lifecycle_in_a_sub_account(connect: Connect) -> None:
    service, client = connect()
    since = datetime.now(UTC) - timedelta(minutes=1)
    seen = partner_lifecycle(client, since)
    assert seen["available"] == sorted(["Salesforce to NetSuite Orders", "Shopify Storefront", "Workday Onboarding"])
    assert seen["installed"]
    assert seen["processes"] == ["Sync Customers", "Sync Orders"]
    assert seen["values"] == {"url": "https://erp.example.com", "user": "integration", "password": None,
                              "accessToken": None}  # fmt: skip
    assert seen["properties"]["batchSize"] == "50"
    assert seen["encrypted"]["Salesforce Connection/password"] is True
    assert seen["encrypted"]["Salesforce Connection/accessToken"] is False
    assert seen["oauth2_url"]
    assert seen["schedules"] == 2  # two processes, one Atom in Production
    assert seen["scheduled"] == [("6", "0")]
    assert seen["status"] == "COMPLETE"
    assert seen["recorded"] == ["COMPLETE"]
    assert seen["record_process"] == ["Acme Orders - Sync Orders"]
    assert seen["uninstalled"]
    assert seen["profile"] == SUB
    # It all happened in the sub-account: the parent has no instance, the sub-account's store saw it.
    assert service.store().count("IntegrationPackInstance") == 0
    assert not any(
        (r.element.findtext("{http://api.platform.boomi.com/}processName") or "").startswith("Acme Orders")
        for r in service.store().all("ExecutionRecord")
    )


@PARTNER
def test_single_install_pack_installs_once(connect: Connect) -> None:
    _, client = connect()
    packs = client.for_account(SUB).ipacks
    single = packs.available("SINGLE")
    assert [p.name for p in single] == ["Shopify Storefront"]
    environment = packs.environments()[0]
    with pytest.raises(InvalidRequestError, match="single-install"):
        packs.install(single[0].id, environment.id, override_name="Named")
    packs.install(single[0].id, environment.id)
    with pytest.raises(InvalidRequestError, match="already installed"):
        packs.install(single[0].id, environment.id)


@PARTNER
def test_multi_install_pack_installs_under_distinct_names(connect: Connect) -> None:
    _, client = connect()
    packs = client.for_account(SUB).ipacks
    multi = next(p for p in packs.available("MULTI") if p.name == PACK)
    environment = packs.environments()[0]
    one = packs.install(multi.id, environment.id, override_name="East")
    two = packs.install(multi.id, environment.id, override_name="West")
    assert one.id != two.id
    with pytest.raises(InvalidRequestError, match="already exists"):
        packs.install(multi.id, environment.id, override_name="East")
    # Each instance has its own extensions: setting one leaves the other alone.
    connection = packs.extensions(one.id).connections[0]
    packs.upsert_extensions(one.id, connections={connection.id: {"url": "https://east.example.com"}})
    assert packs.extensions(two.id).values()[connection.name]["url"] == ""


@PARTNER
def test_an_unknown_connection_is_refused_and_a_missing_instance_not_found(connect: Connect) -> None:
    _, client = connect()
    packs = client.for_account(SUB).ipacks
    multi = next(p for p in packs.available("MULTI") if p.name == PACK)
    one = packs.install(multi.id, packs.environments()[0].id, override_name="East")
    with pytest.raises(InvalidRequestError, match="not extensible"):
        packs.upsert_extensions(one.id, connections={"No Such Connection": {"url": "x"}})
    with pytest.raises(NotFoundError):
        packs.processes("00000000-0000-4000-8000-000000000000")
    assert packs.uninstall("00000000-0000-4000-8000-000000000000") is False


@PARTNER
def test_install_takes_names_checks_first_and_undoes_a_failed_attachment(
    connect: Connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    from boomi_soap.exceptions import BoomiSoapError
    from boomi_soap.localservice import ipacks as service_ipacks

    _, client = connect()
    packs = client.for_account(SUB).ipacks
    with pytest.raises(NotFoundError, match=r"no environment 'Prodution' \(by id or name\)"):
        packs.install(PACK, "Prodution", override_name="East")
    with pytest.raises(NotFoundError, match="no integration pack 'Nope'"):
        packs.install("Nope", "Production")
    assert packs.installed() == []  # refused before anything was written
    by_name = packs.install(PACK, "Production", override_name="East")
    assert str(by_name.attachment.environmentId) == str(packs.find_environment("Production").id)

    def attach_refused(*args: object, **kwargs: object) -> object:
        raise service_ipacks.ApiFault(service_ipacks.FaultCode.INVALID_REQUEST, "attachments are frozen")

    monkeypatch.setattr(service_ipacks, "attach", attach_refused)
    with pytest.raises(BoomiSoapError, match="uninstalled again, nothing is left"):
        packs.install(PACK, "Production", override_name="West")
    assert [str(i.id) for i in packs.installed()] == [by_name.id]
