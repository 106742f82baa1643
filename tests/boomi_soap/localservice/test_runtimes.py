"""The Runtimes' state in the local service: seeded listeners, read per Atom, changed by changeListenerStatus."""

from __future__ import annotations

import gc
from typing import Any

import pytest
import requests

from boomi_soap.localservice import DEFAULT_PASSWORD, DEFAULT_USER, LocalService
from boomi_soap.localservice.runtimes import LISTENERS, runtimes
from boomi_soap.localservice.store import AccountStore
from boomi_soap.wire.restmap import rest_root
from tests.boomi_soap.localservice.helpers import RawSoap

AUTH = (DEFAULT_USER, DEFAULT_PASSWORD)
JSON = {"Accept": "application/json", "Content-Type": "application/json"}


def _atoms(service: LocalService) -> dict[str, str]:
    return {a.element.get("name", ""): a.key for a in service.store().all("Atom")}


def _query(service: LocalService, body: object) -> requests.Response:
    return requests.post(
        f"{rest_root(service.endpoint())}/async/ListenerStatus/query", json=body, headers=JSON, auth=AUTH, timeout=10
    )


def _filter(**named: str) -> dict[str, Any]:
    conditions = [{"operator": "EQUALS", "property": k, "argument": [v]} for k, v in named.items()]
    return {"QueryFilter": {"expression": {"operator": "and", "nestedExpression": conditions}}}


def _listeners(service: LocalService, **named: str) -> dict[str, tuple[str, str]]:
    queued = _query(service, _filter(**named))
    assert queued.status_code == 200, queued.text
    token = queued.json()["asyncToken"]["token"]
    url = f"{rest_root(service.endpoint())}/async/ListenerStatus/response/{token}"
    answer = requests.get(url, headers=JSON, auth=AUTH, timeout=10).json()
    assert answer["responseStatusCode"] == 200
    assert answer["numberOfResults"] == len(answer["result"])
    return {r["listenerId"]: (r["status"], r["connectorType"]) for r in answer["result"]}


def _names(service: LocalService) -> dict[str, str]:
    return {p.key: p.element.get("name", "") for p in service.store().all("Process")}


def test_each_atom_has_the_listener_processes_deployed_to_its_environment(service: LocalService) -> None:
    atoms, names = _atoms(service), _names(service)
    production = _listeners(service, containerId=atoms["Production Atom"])
    molecule = _listeners(service, containerId=atoms["Test Molecule"])
    assert sorted(names[k] for k in production) == ["Acknowledgements - EDI 997", "Listener - Order Webhook"]
    assert sorted(names[k] for k in molecule) == sorted(LISTENERS)
    assert all(status == "listening" for status, _ in [*production.values(), *molecule.values()])
    assert {production[k][1] for k in production} == {"wss", "as2"}
    assert _listeners(service, containerId=atoms["Dev Atom"]) == {}  # nothing is deployed there
    one = next(iter(production))
    assert list(_listeners(service, containerId=atoms["Production Atom"], listenerId=one)) == [one]


@pytest.mark.contracts("split", "single", "partner", why="the SOAP wrapper's namespace differs per layout")
def test_change_listener_status_over_soap_changes_what_listener_status_reads(
    soap: RawSoap, service: LocalService
) -> None:
    atoms = _atoms(service)
    atom, other = atoms["Test Molecule"], atoms["Production Atom"]

    def change(action: str, listener: str = "") -> None:
        attributes = f'action="{action}" containerId="{atom}"' + (f' listenerId="{listener}"' if listener else "")
        soap.ok(
            f"<soap:changeListenerStatus><api:ChangeListenerStatusRequest {attributes}/></soap:changeListenerStatus>"
        )

    change("pause_all")
    assert {s for s, _ in _listeners(service, containerId=atom).values()} == {"paused"}
    assert {s for s, _ in _listeners(service, containerId=other).values()} == {"listening"}  # per Atom
    one = sorted(_listeners(service, containerId=atom))[0]
    change("resume", one)
    statuses = {k: s for k, (s, _) in _listeners(service, containerId=atom).items()}
    assert statuses.pop(one) == "listening"
    assert set(statuses.values()) == {"paused"}
    change("restart_all")  # a restart leaves a paused listener paused
    assert {k: s for k, (s, _) in _listeners(service, containerId=atom).items() if k != one} == statuses
    change("pause", "no-such-listener")  # accepted, as Boomi does, and nothing changes
    change("resume_all")
    assert {s for s, _ in _listeners(service, containerId=atom).values()} == {"listening"}


@pytest.mark.contracts("split", why="REST routes are the same on every layout; one run is enough")
def test_change_listener_status_over_rest_and_a_held_token(service: LocalService) -> None:
    from boomi_soap.localservice import actions

    atom = _atoms(service)["Production Atom"]
    url = f"{rest_root(service.endpoint())}/changeListenerStatus"
    paused = requests.post(url, json={"containerId": atom, "action": "pause_all"}, headers=JSON, auth=AUTH, timeout=10)
    assert (paused.status_code, paused.content) == (200, b"")
    actions.hold_tokens(service.store(), 1)
    token = _query(service, _filter(containerId=atom)).json()["asyncToken"]["token"]
    response = f"{rest_root(service.endpoint())}/async/ListenerStatus/response/{token}"
    first, second = (requests.get(response, headers=JSON, auth=AUTH, timeout=10).json() for _ in range(2))
    assert (first["responseStatusCode"], first["numberOfResults"]) == (202, 0)
    assert {r["status"] for r in second["result"]} == {"paused"}


@pytest.mark.contracts("split", why="REST routes are the same on every layout; one run is enough")
@pytest.mark.parametrize(
    ("body", "message"),
    [
        (_filter(anotherProperty="x"), "queried by listenerId or containerId, not anotherProperty"),
        ({"QueryFilter": {"expression": {"operator": "LIKE", "property": "listenerId", "argument": ["%"]}}}, "EQUALS"),
        (_filter(containerId="no-atom"), "Atom with id no-atom does not exist"),
    ],
)
def test_what_a_listener_status_query_refuses(service: LocalService, body: object, message: str) -> None:
    refused = _query(service, body)
    assert refused.status_code == 400
    assert message in refused.json()["message"]


@pytest.mark.contracts("split", why="the XML form of the query is the same on every layout")
def test_a_listener_status_query_in_xml(service: LocalService) -> None:
    atom = _atoms(service)["Production Atom"]
    body = (
        '<QueryConfig xmlns="http://api.platform.boomi.com/"><QueryFilter>'
        '<expression operator="EQUALS" property="containerId" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        f' xsi:type="SimpleExpression"><argument>{atom}</argument></expression></QueryFilter></QueryConfig>'
    )
    headers = {"Content-Type": "application/xml", "Accept": "application/json"}
    queued = requests.post(
        f"{rest_root(service.endpoint())}/async/ListenerStatus/query", data=body, headers=headers, auth=AUTH, timeout=10
    )
    assert queued.status_code == 200, queued.text
    token = queued.json()["asyncToken"]["token"]
    url = f"{rest_root(service.endpoint())}/async/ListenerStatus/response/{token}"
    assert requests.get(url, headers=JSON, auth=AUTH, timeout=10).json()["numberOfResults"] == 2


def test_runtimes_go_with_their_store() -> None:
    store = AccountStore("acct-runtimes")
    assert runtimes(store) is runtimes(store)
    assert runtimes(store).get("no-atom") is None
    from boomi_soap.localservice import runtimes as module

    held = len(module._by_store)
    del store
    gc.collect()
    assert len(module._by_store) == held - 1
