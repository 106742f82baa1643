"""Component XML through create, get and update: namespaces, comments and CDATA untouched, on both drivers."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from boomi_soap.async_client import AsyncClient
from boomi_soap.client import Client
from boomi_soap.exceptions import XMLInputError
from boomi_soap.platform.components import (
    create_component_xml,
    create_component_xml_steps,
    get_component_xml,
    get_component_xml_steps,
    update_component_xml,
    update_component_xml_steps,
)
from boomi_soap.platform.steps import Steps, adrive
from tests.boomi_soap.conftest import Connect

PROCESS_XML = (
    b'<process xmlns="http://www.boomi.com/process" allowSimultaneous="false">'
    b"<!-- kept: a comment -->"
    b'<shapes><shape xmlns:m="urn:example:map" name="start"><m:script><![CDATA[if (a < b && c) { x = "<y/>"; }]]>'
    b"</m:script></shape></shapes></process>"
)


def on_async(client: Client, feature: Steps[Any]) -> Any:
    """A feature's steps run by the async driver on an AsyncClient wrapping ``client``."""

    async def main() -> Any:
        async with AsyncClient(client) as aclient:
            return await adrive(aclient, feature)

    return asyncio.run(main())


def test_component_xml_round_trips_byte_for_byte(connect: Connect) -> None:
    _, client = connect()
    component_id, stored = create_component_xml(client, name="Orders flow", component_type="process", xml=PROCESS_XML)
    assert stored == PROCESS_XML
    assert get_component_xml(client, component_id) == PROCESS_XML
    changed = PROCESS_XML.replace(b"kept: a comment", b"changed: still a comment")
    assert update_component_xml(client, component_id, changed) == changed
    assert get_component_xml(client, component_id) == changed
    assert update_component_xml(client, component_id, get_component_xml(client, component_id)) == changed


def test_component_xml_round_trips_byte_for_byte_on_the_async_driver(connect: Connect) -> None:
    # The same steps as above; the answers may differ only where the async wire does (it must not).
    _, client = connect()
    made = create_component_xml_steps(client, name="Orders flow", component_type="process", xml=PROCESS_XML)
    component_id, stored = on_async(client, made)
    assert stored == PROCESS_XML
    assert on_async(client, get_component_xml_steps(client, component_id)) == PROCESS_XML
    changed = PROCESS_XML.replace(b"kept: a comment", b"changed: still a comment")
    assert on_async(client, update_component_xml_steps(client, component_id, changed)) == changed
    assert get_component_xml(client, component_id) == changed  # what the async client wrote, read by the sync one


def test_component_xml_must_be_well_formed(connect: Connect) -> None:
    _, client = connect()
    with pytest.raises(XMLInputError):
        create_component_xml(client, name="x", component_type="process", xml=b"<process>")
