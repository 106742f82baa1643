"""The SOAP ⇄ REST mapping, checked against Boomi's OpenAPI document, not only against itself."""

from __future__ import annotations

import functools
import json
import re
from importlib import resources
from typing import Any

import pytest
from lxml import etree

from boomi_soap.exceptions import InvalidRequestError
from boomi_soap.localservice.contract import load_release
from boomi_soap.snapshot.contract import Contract
from boomi_soap.wire.restmap import RestError, RestMap, check_bulk, error_body, error_message, rest_root

NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
# Boomi's how-to for running a process from outside; the OpenAPI document does not list it.
OUTSIDE_OPENAPI = {("POST", "/executeProcess")}
OPS = {"get": "GET", "query": "QUERY", "queryMore": "QUERY", "create": "CREATE", "update": "UPDATE", "delete": "DELETE"}


@functools.cache
def openapi() -> dict[str, Any]:
    path = resources.files("boomi_soap.localservice").joinpath("openapi", "platformOpenAPISv3.0.3.json")
    return json.loads(path.read_bytes())  # type: ignore[no-any-return]


@functools.cache
def templates() -> list[tuple[re.Pattern[str], frozenset[str]]]:
    found = []
    for path, item in openapi()["paths"].items():
        pattern = re.compile("^" + re.sub(r"\\{[^/]+\\}", "[^/]+", re.escape(path)) + "$")
        found.append((pattern, frozenset(m.upper() for m in item if m in ("get", "post", "delete", "put"))))
    return found


def documented(method: str, path: str) -> bool:
    """Whether the OpenAPI document has ``path`` (a concrete path) with ``method``.

    A literal segment beats a template (``/Environment/query`` is not ``/Environment/{id}``).
    """
    literal = openapi()["paths"].get(path)
    if literal is not None:
        return method.lower() in literal
    return any(pattern.match(path) and method in methods for pattern, methods in templates())


def contract(layout: str) -> Contract:
    return load_release("current", layout).contract


def wrapper(c: Contract, operation: str, **children: str | etree._Element) -> etree._Element:
    op = c.operations[operation]
    root = etree.Element(op.request, nsmap={"api": c.data_namespace, "xsi": NS_XSI})
    for child in op.inputs:
        value = children.get(child.name)
        if isinstance(value, str):
            etree.SubElement(root, child.tag).text = value
        elif value is not None:
            element = etree.SubElement(root, child.tag)
            element.attrib.update(value.attrib)
            element.extend(list(value))
    return root


def an_object(c: Contract, type_name: str, key: str = "k-1") -> etree._Element:
    element = etree.Element("object", nsmap={"api": c.data_namespace, "xsi": NS_XSI})
    element.set(f"{{{NS_XSI}}}type", f"api:{type_name}")
    element.set("id", key)
    element.set("name", "n")
    return element


LAYOUTS = ("split", "single", "partner")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_object_path_is_in_the_openapi_document(layout: str) -> None:
    """For every object the local service serves, each operation it allows maps to a documented path."""
    release = load_release("current", layout)
    restmap = RestMap(release.contract)
    checked = 0
    for type_name, rules in release.rules.items():
        for operation, needed in OPS.items():
            if needed not in rules.operations or (operation == "queryMore" and "QUERY" not in rules.operations):
                continue
            if operation in ("create", "update"):
                payload = wrapper(release.contract, operation, object=an_object(release.contract, type_name))
            elif operation == "query":
                payload = wrapper(release.contract, operation, objectType=type_name)
            elif operation == "queryMore":
                payload = wrapper(release.contract, operation, queryToken="tok")
            else:
                payload = wrapper(release.contract, operation, objectType=type_name, objectId="k-1")
            call = restmap.request(payload, token_type=type_name)
            assert documented(call.method, call.path), f"{layout}: {operation} {type_name} -> {call.method} {call.path}"
            checked += 1
    assert checked > 20


@pytest.mark.parametrize("layout", LAYOUTS)
def test_actions_map_to_documented_paths(layout: str) -> None:
    c = contract(layout)
    restmap = RestMap(c)
    calls = [
        restmap.request(wrapper(c, "getAssignableRoles")),
        restmap.request(wrapper(c, "executeProcess", processId="p", atomId="a")),
    ]
    if "cancelExecution" in c.operations:
        calls.append(restmap.request(wrapper(c, "cancelExecution", executionId="execution-1")))
    for call in calls:
        where = (call.method, call.path)
        if where in OUTSIDE_OPENAPI:
            assert not documented(*where), f"{where} is in the OpenAPI document now: drop it from OUTSIDE_OPENAPI"
        else:
            assert documented(*where), where
    assert documented("POST", "/Environment/bulk")
    assert documented("GET", "/ExecutionRecord/async/r-1")
    assert not documented("GET", "/ExecutionRecord/x")
    assert not documented("DELETE", "/Process/x")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_request_then_parse_gives_back_the_same_wrapper(layout: str) -> None:
    """The client's mapping and the service's are inverse: each wrapper survives the round trip."""
    c = contract(layout)
    restmap = RestMap(c)
    config = etree.fromstring(
        f'<c xmlns:api="{c.data_namespace}" xmlns:xsi="{NS_XSI}"><api:QueryFilter>'
        '<api:expression xsi:type="api:SimpleExpression" operator="EQUALS" property="name">'
        "<api:argument>x</api:argument></api:expression></api:QueryFilter></c>"
    )
    bag = etree.fromstring(
        f'<c xmlns:api="{c.data_namespace}"><api:ProcessProperties><api:ProcessProperty>'
        "<api:Name>priority</api:Name><api:Value>medium</api:Value></api:ProcessProperty></api:ProcessProperties></c>"
    )[0]
    override = {"accountId": "sub-1"} if c.override else {}
    payloads = [
        wrapper(c, "get", objectType="Environment", objectId="a/b c", **override),
        wrapper(c, "query", objectType="Process", queryConfig=config, **override),
        wrapper(c, "query", objectType="Process"),
        wrapper(c, "queryMore", queryToken="tok==", **override),
        wrapper(c, "create", object=an_object(c, "Environment"), **override),
        wrapper(c, "update", object=an_object(c, "Environment", "e-1"), **override),
        wrapper(c, "delete", objectType="Environment", objectId="e-1", **override),
        wrapper(c, "getAssignableRoles", **override),
    ]
    executed = wrapper(c, "executeProcess", processId="p-1", atomId="a-1", **override)
    executed.insert(len(executed) - (1 if override else 0), bag)
    payloads.append(executed)
    for payload in payloads:
        call = restmap.request(payload, token_type="Process")
        assert ("overrideAccount" in call.params) == bool(override and payload.find("{*}accountId") is not None)
        back = restmap.parse(call.method, call.path, call.params, call.body)
        assert canonical(back) == canonical(payload), call


def canonical(element: etree._Element) -> str:
    """Compare by names, attributes (xsi:type resolved) and text, not by prefixes."""

    def walk(e: etree._Element) -> Any:
        attrs = dict(e.attrib)
        kind = attrs.pop(f"{{{NS_XSI}}}type", None)
        if kind is not None:
            prefix, _, local = kind.rpartition(":")
            attrs["type"] = f"{{{e.nsmap.get(prefix or None)}}}{local}"
        return (e.tag, sorted(attrs.items()), (e.text or "").strip(), [walk(c) for c in e])

    return json.dumps(walk(element))


def test_the_answers_map_back_into_response_wrappers() -> None:
    c = contract("split")
    restmap = RestMap(c)
    call = restmap.request(wrapper(c, "get", objectType="Environment", objectId="e-1"))
    body = f'<bns:Environment xmlns:bns="{c.data_namespace}" id="e-1" name="x" classification="TEST"/>'.encode()
    answer = restmap.response(call, body)
    assert answer.tag == c.operations["get"].response
    result = answer[0]
    assert result.get(f"{{{NS_XSI}}}type").endswith(":Environment")  # type: ignore[union-attr]
    status, again = restmap.answer("get", answer)
    assert status == 200
    assert etree.fromstring(again).get("name") == "x"
    deleted = restmap.response(restmap.request(wrapper(c, "delete", objectType="Environment", objectId="e")), b"")
    assert [child.text for child in deleted] == ["true"]
    with pytest.raises(RestError, match="not well-formed"):
        restmap.response(call, b"not xml")
    with pytest.raises(RestError, match="needs the object type"):
        restmap.request(wrapper(c, "queryMore", queryToken="t"))


@pytest.mark.parametrize(
    "body",
    [
        # The object's document is moved into the wrapper: its own declarations go with it.
        '<bns:Environment xmlns:bns="{data}" xmlns:xsi="{xsi}" id="e-1" name="x">'
        '<bns:note xsi:type="bns:Env"/></bns:Environment>',
        # Another prefix for the data namespace, and one the wrapper also uses for something else.
        '<d:Environment xmlns:d="{data}" xmlns:bns="urn:other" id="e-1" name="x"/>',
        # A default namespace: copied as before (an unqualified child name would change meaning).
        '<Environment xmlns="{data}" id="e-1" name="x"><note/></Environment>',
        # The body's own xsi:type wins, as it did when the object was copied.
        '<bns:Environment xmlns:bns="{data}" xmlns:xsi="{xsi}" xsi:type="bns:Environment" id="e-1" name="x"/>',
    ],
)
def test_a_single_object_answer_keeps_every_type_and_name_resolvable(body: str) -> None:
    c = contract("split")
    restmap = RestMap(c)
    call = restmap.request(wrapper(c, "get", objectType="Environment", objectId="e-1"))
    answer = restmap.response(call, body.format(data=c.data_namespace, xsi=NS_XSI).encode())
    result = answer[0]
    assert result.tag == c.operations["get"].output("result").tag  # type: ignore[union-attr]
    prefix, _, local = result.get(f"{{{NS_XSI}}}type", "").rpartition(":")
    assert (result.nsmap[prefix or None], local) == (c.data_namespace, "Environment")
    assert (result.get("id"), result.get("name")) == ("e-1", "x")
    # Read back from its bytes, every name and xsi:type means what it meant.
    again = etree.fromstring(etree.tostring(answer))
    assert [e.tag for e in again.iter()] == [e.tag for e in answer.iter()]
    for element in again.iter():
        typed = element.get(f"{{{NS_XSI}}}type")
        if typed:
            prefix, _, local = typed.rpartition(":")
            assert element.nsmap[prefix or None] == c.data_namespace


def test_error_bodies_in_all_three_shapes() -> None:
    assert error_message(error_body("Access denied due to insufficient permissions.")) == (
        "Access denied due to insufficient permissions."
    )
    assert error_message(b'{"@type": "Error", "message": "Cannot modify default Boomi roles"}') == (
        "Cannot modify default Boomi roles"
    )
    assert error_message(b'{"message": "name does not exist"}') == "name does not exist"
    assert error_message(b'{"error": {"message": "nested"}}') == "nested"
    assert error_message(b"Service Unavailable") == "Service Unavailable"


def test_rest_roots_and_bulk_bounds() -> None:
    assert rest_root("https://api.boomi.com/api/soap/v1/a-1") == "https://api.boomi.com/api/rest/v1/a-1"
    assert rest_root("https://h/partner/api/soap/v1/a-1") == "https://h/partner/api/rest/v1/a-1"
    with pytest.raises(RestError, match="not an /api/soap/v1/ endpoint"):
        rest_root("https://h/x")
    assert len(check_bulk("bulk", [str(n) for n in range(100)])) == 100
    with pytest.raises(InvalidRequestError, match="101 ids; a bulk GET takes at most 100"):
        check_bulk("bulk", [str(n) for n in range(101)])
    with pytest.raises(InvalidRequestError, match="not one string"):
        check_bulk("bulk", "abc")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_execute_process_sends_the_body_of_boomis_how_to(layout: str) -> None:
    """Seed 003: the ProcessExecutionRequest of Boomi's "Execute Process operation" how-to, as sent."""
    c = contract(layout)
    bag = etree.fromstring(
        f'<c xmlns:api="{c.data_namespace}"><api:ProcessProperties><api:ProcessProperty>'
        "<api:Name>priority</api:Name><api:Value>medium</api:Value></api:ProcessProperty></api:ProcessProperties></c>"
    )[0]
    payload = wrapper(c, "executeProcess", processId="p-1", atomId="a-1")
    payload.append(bag)
    call = RestMap(c).request(payload)
    how_to = (
        '<ProcessExecutionRequest processId="p-1" atomId="a-1" xmlns="http://api.platform.boomi.com/">'
        "<ProcessProperties><ProcessProperty><Name>priority</Name><Value>medium</Value></ProcessProperty>"
        "</ProcessProperties></ProcessExecutionRequest>"
    )
    assert (call.method, call.path, call.content_type) == ("POST", "/executeProcess", "application/xml")
    assert canonical(etree.fromstring(call.body)) == canonical(etree.fromstring(how_to))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("<error><message>line one\nline two\t\x85 end</message></error>".encode(), "line one line two end"),
        (b"<error><message>not XML\x0b\x1b[0m</message></error>", "<error><message>not XML [0m"),
        (b'{"@type": "Error", "message": "a\\u0000b\\u0007c\\ud800"}', "a b c"),
        (b'{"message": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", '{"message": [[[['),
        (b"\x00\x01 not an error body \xff", "not an error body"),
    ],
    ids=["xml-line-breaks", "control-characters-in-no-xml", "json-control-characters", "deep-json", "garbage"],
)
def test_an_error_message_is_one_line_xml_can_carry(body: bytes, message: str) -> None:
    from boomi_soap.wire.records import CallRecord
    from boomi_soap.wire.rest import rest_error

    found = error_message(body)
    assert found.startswith(message)
    assert found.isprintable()
    assert found in str(rest_error("get", 500, body, CallRecord("get")))  # the typed error says it, on one line


def test_json_bodies_refuse_what_xml_cannot_carry() -> None:
    from boomi_soap.exceptions import JsonFormError
    from boomi_soap.localservice import DEFAULT_ACCOUNT
    from boomi_soap.snapshot.cache import pinned_store
    from boomi_soap.wire.jsonform import JsonForm
    from boomi_soap.wire.restmap import JsonBodies

    snapshot = pinned_store().current(DEFAULT_ACCOUNT)
    bodies = JsonBodies(JsonForm.of(snapshot), "http://api.platform.boomi.com/")
    for body, path in (
        (b'{"@type": "Envi ronment", "name": "x"}', "$.@type"),
        (b'{"@type": "\\u0001", "name": "x"}', "$.@type"),
        (b'{"processId": "p\\u0000"}', "$.processId"),
    ):
        root = "ProcessExecutionRequest" if b"processId" in body else "Environment"
        with pytest.raises(JsonFormError) as caught:
            bodies.from_json(body, root, max_bytes=1 << 20)
        assert caught.value.path == path
