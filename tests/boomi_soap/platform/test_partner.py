"""``client.for_account(sub)``: every call carries the override; what Boomi refuses is never sent."""

from __future__ import annotations

import base64
import logging

import pytest
from lxml import etree

from boomi_soap.client import SubAccountClient
from boomi_soap.exceptions import ConfigurationError, InvalidRequestError, PermissionDeniedError
from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER
from boomi_soap.localservice.config import DEFAULT_SUB_ACCOUNTS
from tests.boomi_soap.conftest import Connect

ALLOWED, FORBIDDEN = DEFAULT_SUB_ACCOUNTS
PARTNER = pytest.mark.contracts("partner", why="the account override exists on the Partner API only")
NS_ENVELOPE = "http://schemas.xmlsoap.org/soap/envelope/"
NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
NS_DATA = "http://api.platform.boomi.com/"


@PARTNER
def test_every_call_acts_on_the_sub_account(connect: Connect) -> None:
    service, client = connect()
    view = client.for_account(ALLOWED)
    assert isinstance(view, SubAccountClient)
    assert view.get("Account", ALLOWED).accountId == ALLOWED
    assert client.get("Account", DEFAULT_ACCOUNT).accountId == DEFAULT_ACCOUNT  # the parent is untouched
    view.create("Environment", name="Sub only", classification="TEST")
    assert [r for r in service.store(ALLOWED).all("Environment") if r.element.get("name") == "Sub only"]
    assert not [r for r in service.store().all("Environment") if r.element.get("name") == "Sub only"]
    # queryMore pages carry it too.
    assert len(list(view.query("ExecutionRecord"))) == len(service.store(ALLOWED).all("ExecutionRecord"))


@PARTNER
def test_the_parents_transport_and_limiter_are_shared(connect: Connect) -> None:
    _, client = connect()
    view = client.for_account(ALLOWED)
    assert view.driver is client.driver
    assert view.zeep_objects is client.zeep_objects
    assert view.settings is client.settings
    assert view.parent is client
    assert view.for_account(FORBIDDEN).sub_account == FORBIDDEN


@PARTNER
def test_the_dry_run_envelope_shows_the_override(connect: Connect) -> None:
    _, client = connect()
    envelope = client.for_account(ALLOWED).envelope("get", objectType="Process", objectId="p")
    wrapper = next(iter(envelope.find(f"{{{NS_ENVELOPE}}}Body")))
    assert wrapper[-1].tag == "accountId"
    assert wrapper[-1].text == ALLOWED
    with pytest.raises(InvalidRequestError, match="Account delete"):
        client.for_account(ALLOWED).envelope("delete", objectType="Account", objectId=ALLOWED)


@PARTNER
def test_call_xml_adds_the_override(connect: Connect) -> None:
    _, client = connect()
    envelope = client.envelope("get", objectType="Account", objectId=ALLOWED)
    payload = next(iter(envelope.find(f"{{{NS_ENVELOPE}}}Body")))
    answer = client.for_account(ALLOWED).call_xml(payload)
    result = next(iter(answer))
    assert result.get("accountId") == ALLOWED


@PARTNER
def test_a_sub_account_the_user_may_not_act_on_gets_a_permission_fault(connect: Connect) -> None:
    _, client = connect()
    with pytest.raises(PermissionDeniedError):
        client.for_account(FORBIDDEN).ipacks.installed()
    with pytest.raises(PermissionDeniedError):
        client.for_account("not-my-sub-X1Y2Z3").get("Account", "not-my-sub-X1Y2Z3")


@PARTNER
def test_what_boomi_forbids_is_refused_before_sending(connect: Connect) -> None:
    service, client = connect()
    view = client.for_account(ALLOWED)
    view.get("Account", ALLOWED)  # warm: the WSDL is read, the connection open
    before = service.limit_stats().accepted
    with pytest.raises(InvalidRequestError, match="Account delete"):
        view.delete("Account", ALLOWED)
    with pytest.raises(InvalidRequestError, match="Account create"):
        view.create("Account", name="Nope")
    with pytest.raises(InvalidRequestError, match="cancel from"):
        view.call("cancelExecution", executionId="execution-x")
    envelope = client.envelope("delete", objectType="Account", objectId=ALLOWED)
    payload = next(iter(envelope.find(f"{{{NS_ENVELOPE}}}Body")))
    with pytest.raises(InvalidRequestError, match="Account delete"):
        view.call_xml(payload)
    execute = client.contract.operations["execute"]
    provision = etree.Element(execute.request)
    child = execute.input("object")
    assert child is not None
    etree.SubElement(
        provision, child.tag, {f"{{{NS_XSI}}}type": "api:AccountProvision"}, nsmap={"api": NS_DATA, "xsi": NS_XSI}
    )
    with pytest.raises(InvalidRequestError, match="AccountProvision execute"):
        view.call_xml(provision)
    assert service.limit_stats().accepted == before  # nothing arrived


@PARTNER
def test_no_secret_in_debug_logs(connect: Connect, caplog: pytest.LogCaptureFixture) -> None:
    _, client = connect()
    packs = client.for_account(ALLOWED).ipacks
    pack = next(p for p in packs.available() if p.installationType == "MULTI")
    installation = packs.install(pack.id, packs.environments()[0].id, override_name="Logged")
    connection = packs.extensions(installation.id).connections[0]
    with caplog.at_level(logging.DEBUG, logger="boomi_soap"):
        packs.upsert_extensions(installation.id, connections={connection.id: {"password": "hunter2-secret"}})
    text = caplog.text
    on_the_wire = f"overrideAccount={ALLOWED}" if client.transport == "rest" else f"<accountId>{ALLOWED}</accountId>"
    assert on_the_wire in text  # the override is on the wire
    assert "hunter2-secret" not in text
    assert DEFAULT_PASSWORD not in text
    assert base64.b64encode(f"{DEFAULT_USER}:{DEFAULT_PASSWORD}".encode()).decode() not in text


@pytest.mark.contracts("split", "single", why="the platform API has no override to carry")
def test_for_account_needs_the_partner_contract(connect: Connect) -> None:
    _, client = connect()
    with pytest.raises(ConfigurationError, match="not the Partner API"):
        client.for_account(ALLOWED)


@PARTNER
def test_bad_ids_and_the_rest_only_option_are_refused(connect: Connect) -> None:
    _, client = connect()
    for bad in ("", DEFAULT_ACCOUNT, "a/b"):
        with pytest.raises(ConfigurationError, match="invalid sub-account"):
            client.for_account(bad)
    if client.transport == "soap":
        with pytest.raises(ConfigurationError, match="REST Partner API only"):
            client.for_account(ALLOWED, per_sub_account_limit=True)


@PARTNER
@pytest.mark.parametrize("transport", ["rest"])  # Boomi's per-sub-account override limit is REST-only
def test_the_rest_override_limit_gates_the_sub_account_on_its_own(connect: Connect) -> None:
    service, client = connect()
    shared, own = client.for_account(ALLOWED), client.for_account(ALLOWED, per_sub_account_limit=True)
    gates = client.driver.gates
    shared.get("Account", ALLOWED)
    assert ALLOWED not in gates._gates  # counted against the parent, as Boomi does by default
    before = service.limit_stats().accepted
    assert own.get("Account", ALLOWED).accountId == ALLOWED
    assert len(list(own.query("Environment"))) == len(service.store(ALLOWED).all("Environment"))
    assert ALLOWED in gates._gates  # its own window and budget
    assert service.limit_stats().accepted == before + 2  # still sent to the parent's REST root
    assert own.driver is client.driver  # one driver; the gate is the call core's
    assert own.core.gate != client.core.gate == client.core.address == client.address


@PARTNER
@pytest.mark.parametrize("transport", ["rest"])  # bulk GET and ExecutionRecord/async are REST-only
def test_rest_only_reads_act_on_the_sub_account(connect: Connect) -> None:
    service, client = connect()
    ids = [r.key for r in service.store(ALLOWED).all("Environment")]
    assert ids
    found = client.for_account(ALLOWED).bulk_get("Environment", ids)
    assert list(found.found) == ids  # the sub-account's objects
    assert not found.errors
    assert set(client.bulk_get("Environment", ids).errors) == set(ids)  # not the parent's
