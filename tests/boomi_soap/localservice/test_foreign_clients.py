"""SOAP clients no one here wrote, as shipped, against the local service on every contract.

``zeep`` (a plain :class:`zeep.Client` on the served WSDL, WS-Security UsernameToken)
and ``suds-community`` (its factory, ``HttpAuthenticated`` for the WSDL and a
``UsernameToken``) make the calls a user would: get, query with and without a filter,
queryMore, create, update, delete, executeProcess with a ``ProcessProperties`` each
builds from the schema, getAssignableRoles. Their types come from the WSDL the service
serves, so a contract they cannot bind, or a service that refuses what they send, fails
here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from lxml import etree
from suds import WebFault
from suds.client import Client as SudsClient
from suds.transport.http import HttpAuthenticated
from suds.wsse import Security
from suds.wsse import UsernameToken as SudsToken
from zeep import Client as ZeepClient
from zeep.exceptions import Fault
from zeep.plugins import HistoryPlugin
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken as ZeepToken

from boomi_soap.localservice import LocalService
from boomi_soap.localservice.config import DEFAULT_PASSWORD, DEFAULT_USER

API = "http://api.platform.boomi.com/"


def _api(name: str) -> str:
    return f"{{{API}}}{name}"


@pytest.fixture
def zeep_client(service: LocalService) -> Iterator[tuple[ZeepClient, HistoryPlugin]]:
    session = requests.Session()
    session.auth = (DEFAULT_USER, DEFAULT_PASSWORD)  # the WSDL and XSD downloads: HTTP Basic
    history = HistoryPlugin()
    client = ZeepClient(
        service.wsdl_url(),
        transport=Transport(session=session),
        wsse=ZeepToken(DEFAULT_USER, DEFAULT_PASSWORD),
        plugins=[history],
    )
    yield client, history
    session.close()


@pytest.fixture
def suds_client(service: LocalService) -> SudsClient:
    client = SudsClient(
        service.wsdl_url(), transport=HttpAuthenticated(username=DEFAULT_USER, password=DEFAULT_PASSWORD), cache=None
    )
    security = Security()
    security.tokens.append(SudsToken(DEFAULT_USER, DEFAULT_PASSWORD))
    client.set_options(wsse=security)
    return client


def _sent_properties(envelope: etree._Element) -> list[tuple[str | None, str | None]]:
    """The ``(Name, Value)`` pairs of the ``ProcessProperties`` an executeProcess envelope carries."""
    return [
        (p.findtext(_api("Name")), p.findtext(_api("Value")))
        for p in envelope.iter(_api("ProcessProperty"))
        if p.getparent() is not None and p.getparent().tag == _api("ProcessProperties")  # type: ignore[union-attr]
    ]


def test_zeep_as_shipped(zeep_client: tuple[ZeepClient, HistoryPlugin]) -> None:
    client, history = zeep_client
    soap: Any = client.service

    first = soap.query(objectType="ExecutionRecord")
    assert len(first.result) == 100
    assert first.queryToken
    more = soap.queryMore(queryToken=first.queryToken)
    assert more.result
    assert {r.executionId for r in more.result}.isdisjoint(r.executionId for r in first.result)

    processes = soap.query(objectType="Process").result
    process = soap.get(objectType="Process", objectId=processes[0].id)
    assert (process.id, process.name) == (processes[0].id, processes[0].name)

    config = client.get_type(_api("QueryConfig"))
    query_filter = client.get_type(_api("QueryFilter"))
    expression = client.get_type(_api("SimpleExpression"))
    where = expression(operator="EQUALS", property="name", argument=[process.name])
    found = soap.query(objectType="Process", queryConfig=config(QueryFilter=query_filter(expression=where))).result
    assert [p.id for p in found] == [process.id]

    environment = client.get_type(_api("Environment"))
    created = soap.create(object=environment(name="zeep environment", classification="TEST"))
    assert created.id
    assert created.name == "zeep environment"
    created.name = "zeep environment, renamed"
    assert soap.update(object=created).name == "zeep environment, renamed"
    assert soap.get(objectType="Environment", objectId=created.id).name == "zeep environment, renamed"
    assert soap.delete(objectType="Environment", objectId=created.id) is True
    with pytest.raises(Fault, match="does not exist"):
        soap.get(objectType="Environment", objectId=created.id)

    atom = soap.query(objectType="Atom").result[0]
    properties = client.get_type(_api("ProcessProperties"))  # the named type: what executeProcess takes
    bag = properties(ProcessProperty=[{"Name": "priority", "Value": "high"}, {"Name": "region", "Value": "eu"}])
    assert soap.executeProcess(processId=process.id, atomId=atom.id, ProcessProperties=bag) is None
    assert _sent_properties(history.last_sent["envelope"]) == [("priority", "high"), ("region", "eu")]

    roles = soap.getAssignableRoles()
    assert roles
    assert all(role.name for role in roles)


def test_suds_as_shipped(suds_client: SudsClient) -> None:
    client = suds_client
    soap: Any = client.service

    first = soap.query(objectType="ExecutionRecord")
    assert len(first.result) == 100
    assert first.queryToken
    more = soap.queryMore(queryToken=first.queryToken)
    assert more.result
    assert {r.executionId for r in more.result}.isdisjoint(r.executionId for r in first.result)

    processes = soap.query(objectType="Process").result
    process = soap.get(objectType="Process", objectId=processes[0]._id)
    assert (process._id, process._name) == (processes[0]._id, processes[0]._name)

    config = client.factory.create(_api("QueryConfig"))
    where = client.factory.create(_api("SimpleExpression"))
    where._operator, where._property, where.argument = "EQUALS", "name", [process._name]
    config.QueryFilter.expression = where
    found = soap.query(objectType="Process", queryConfig=config).result
    assert [p._id for p in found] == [process._id]

    environment = client.factory.create(_api("Environment"))
    environment._name, environment._classification = "suds environment", "TEST"
    created = soap.create(object=environment)
    assert created._id
    assert created._name == "suds environment"
    created._name = "suds environment, renamed"
    assert soap.update(object=created)._name == "suds environment, renamed"
    assert soap.get(objectType="Environment", objectId=created._id)._name == "suds environment, renamed"
    assert soap.delete(objectType="Environment", objectId=created._id) is True
    with pytest.raises(WebFault, match="does not exist"):
        soap.get(objectType="Environment", objectId=created._id)

    atom = soap.query(objectType="Atom").result[0]
    bag = client.factory.create(_api("ProcessProperties"))
    bag.ProcessProperty = [{"Name": "priority", "Value": "high"}, {"Name": "region", "Value": "eu"}]
    assert soap.executeProcess(processId=process._id, atomId=atom._id, ProcessProperties=bag) is None
    sent = etree.fromstring(bytes(client.last_sent().str(), "utf-8"))
    assert _sent_properties(sent) == [("priority", "high"), ("region", "eu")]

    roles = soap.getAssignableRoles()
    assert roles.Role
    assert all(role._name for role in roles.Role)
