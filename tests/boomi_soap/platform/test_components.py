"""Component XML through create, get and update: namespaces, comments and CDATA untouched."""

from __future__ import annotations

import pytest

from boomi_soap.exceptions import XMLInputError
from boomi_soap.platform.components import create_component_xml, get_component_xml, update_component_xml
from tests.boomi_soap.conftest import Connect

PROCESS_XML = (
    b'<process xmlns="http://www.boomi.com/process" allowSimultaneous="false">'
    b"<!-- kept: a comment -->"
    b'<shapes><shape xmlns:m="urn:example:map" name="start"><m:script><![CDATA[if (a < b && c) { x = "<y/>"; }]]>'
    b"</m:script></shape></shapes></process>"
)


def test_component_xml_round_trips_byte_for_byte(connect: Connect) -> None:
    _, client = connect()
    component_id, stored = create_component_xml(client, name="Orders flow", component_type="process", xml=PROCESS_XML)
    assert stored == PROCESS_XML
    assert get_component_xml(client, component_id) == PROCESS_XML
    changed = PROCESS_XML.replace(b"kept: a comment", b"changed: still a comment")
    assert update_component_xml(client, component_id, changed) == changed
    assert get_component_xml(client, component_id) == changed
    assert update_component_xml(client, component_id, get_component_xml(client, component_id)) == changed


def test_component_xml_must_be_well_formed(connect: Connect) -> None:
    _, client = connect()
    with pytest.raises(XMLInputError):
        create_component_xml(client, name="x", component_type="process", xml=b"<process>")
