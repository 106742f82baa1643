"""The zeep adapter's lean path: the wrapper rendered alone and the answer read alone are zeep's envelope's.

:meth:`ZeepObjects.payload` renders the request wrapper without zeep's envelope and
:meth:`ZeepObjects.read` reads the response wrapper without one; both are compared here
with what zeep's whole envelope gives (``_enveloped_payload``, ``process_reply``) on every
contract layout, every operation and argument shape, and real answers of the local service.
"""

from __future__ import annotations

import copy
import datetime
import decimal
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from boomi_soap.client import Client
from boomi_soap.credentials import Credentials
from boomi_soap.exceptions import BoomiSoapError
from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER, LocalService
from boomi_soap.settings import ClientSettings
from boomi_soap.snapshot.cache import Snapshot, pinned_store
from boomi_soap.wire.soap import NS_DATA, NS_ENVELOPE, wrap
from boomi_soap.wire.zeepobjects import forget_models, keep_empty_strings

FAST = ClientSettings(rate_limit=None)
CREDENTIALS = Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD)
PINNED = [("platform", DEFAULT_ACCOUNT), ("platform", "localsingle-A1B2C3"), ("partner", DEFAULT_ACCOUNT)]
SAMPLES = {"string": "v-1", "boolean": True, "int": 7, "long": 7}


def argument_sets(client: Client, *, objects: bool) -> list[tuple[str, dict[str, Any]]]:
    """Every operation with each child given a value, none, an unknown one; with ``objects`` zeep objects too."""
    cases: list[tuple[str, dict[str, Any]]] = []
    for name, operation in sorted(client.contract.operations.items()):
        full = {c.name: SAMPLES.get(c.type.rpartition("}")[2], {}) for c in operation.inputs}
        cases += [(name, full), (name, {}), (name, {"nope": "x"})]
        if objects:  # zeep's own header argument: the envelope's path, whose Body is what is sent
            cases += [(name, {**full, "_soapheaders": [object()]})]
    expression = {"operator": "and", "nestedExpression": []}
    cases += [
        ("get", {"objectType": 12, "objectId": ["a", "b"]}),
        ("query", {"objectType": "Environment", "queryConfig": {"QueryFilter": {"expression": expression}}}),
        ("query", {"objectType": "Environment", "queryConfig": {"QueryFilter": {"nope": 1}}}),
        ("executeProcess", {"atomId": "a", "processId": "p", "ProcessProperties": {"ProcessProperty": []}}),
        ("nothing", {"objectType": "Environment"}),
    ]
    if objects:
        environment = client.new_object("Environment", name="Bench & <co>", classification="TEST")
        cases += [
            ("create", {"object": environment}),
            ("create", {"object": environment, "nope": environment}),  # zeep's wrapper refuses the name
            ("create", {"object": environment, "objectType": environment}),
            ("update", {"object": client.new_object("Environment", id="e1", name="x", classification="PROD")}),
            ("create", {"object": client.new_object("Folder", name="f", parentId="p")}),
            ("query", {"objectType": "Environment", "queryConfig": client.query_config(None, sort={"name": "ASC"})}),
        ]
    return cases


def rendered(render: Any, operation: str, arguments: dict[str, Any]) -> str:
    """The wrapper's bytes inside the envelope a call signs around it, or the error raised, as text."""
    try:
        return etree.tostring(wrap(render(operation, dict(arguments)))).decode()
    except (BoomiSoapError, TypeError, AssertionError) as exc:
        return f"{type(exc).__name__}: {exc}"


@pytest.mark.parametrize(("flavour", "account"), PINNED, ids=["split", "single", "partner"])
def test_the_wrapper_rendered_alone_is_the_body_of_zeeps_envelope(
    flavour: str, account: str, compiled_dir: Path
) -> None:
    snapshot = pinned_store().current(account, flavour)  # type: ignore[arg-type]
    forget_models()
    light = Client(snapshot, CREDENTIALS, settings=FAST, compiled_dir=compiled_dir)
    plain = argument_sets(light, objects=False)
    lean = [rendered(light.zeep_objects.payload, op, args) for op, args in plain]
    assert not light.zeep_objects.built  # the wrappers' model served
    assert lean == [rendered(light.zeep_objects._enveloped_payload, op, args) for op, args in plain]
    whole = Client(snapshot, CREDENTIALS, settings=FAST, compiled_dir=compiled_dir)
    cases = argument_sets(whole, objects=True)
    lean = [rendered(whole.zeep_objects.payload, op, args) for op, args in cases]
    assert lean == [rendered(whole.zeep_objects._enveloped_payload, op, args) for op, args in cases]
    assert sum(text.startswith("<") for text in lean) > len(cases) / 3  # most build, some are refused
    assert any("Bench &amp; &lt;co&gt;" in text for text in lean)


def test_a_prefix_set_on_zeep_is_declared_as_zeeps_envelope_declares_it(compiled_dir: Path) -> None:
    client = Client(pinned_store().current(DEFAULT_ACCOUNT), CREDENTIALS, settings=FAST, compiled_dir=compiled_dir)
    custom = client.zeep_client.wsdl.types._prefix_map_custom
    custom["boomi"] = NS_DATA  # the escape hatch's set_ns_prefix, on the process's shared model
    try:
        cases = argument_sets(client, objects=True)
        lean = [rendered(client.zeep_objects.payload, op, args) for op, args in cases]
        assert lean == [rendered(client.zeep_objects._enveloped_payload, op, args) for op, args in cases]
        assert any("boomi:" in text for text in lean)
    finally:
        del custom["boomi"]


def zeeps_reading(client: Client, operation: str, root: etree._Element) -> Any:
    """What zeep's whole reading (``process_reply`` of an envelope) makes of an answer."""
    envelope = root if root.tag == f"{{{NS_ENVELOPE}}}Envelope" else wrap(root)
    body = envelope.find(f"{{{NS_ENVELOPE}}}Body")
    assert body is not None
    keep_empty_strings(body[0])
    return client.zeep_objects.binding.get(operation).process_reply(envelope)


def as_data(value: Any) -> Any:
    from zeep.helpers import serialize_object

    return (type(value).__name__, serialize_object(value))


def test_answers_read_alone_are_zeeps_reading_of_their_envelope(
    snapshot: Snapshot, compiled_dir: Path, transport: str, service: LocalService
) -> None:
    client = Client(snapshot, CREDENTIALS, settings=FAST, compiled_dir=compiled_dir, transport=transport)  # type: ignore[arg-type]
    seen: list[tuple[str, Any, Any]] = []
    read = client.zeep_objects.read

    def compared(operation: str, answer: etree._Element) -> Any:
        before = copy.deepcopy(answer.getroottree().getroot())  # checked, as the reader gets it
        result = read(operation, answer)
        seen.append((operation, as_data(result), as_data(zeeps_reading(client, operation, before))))
        return result

    client.zeep_objects.read = compared  # type: ignore[method-assign]
    client.get("Account", DEFAULT_ACCOUNT)
    created = client.create("Environment", name="Lean", classification="TEST")
    created.name = "Leaner"
    client.update(created)
    list(client.query("Environment"))
    list(client.query("ExecutionRecord", limit=250))  # queryMore pages too
    client.call("getAssignableRoles")
    assert client.delete("Environment", created.id)
    assert not client.delete("Environment", created.id)
    operations = {operation for operation, _, _ in seen}
    assert {"get", "create", "update", "query", "queryMore", "getAssignableRoles", "delete"} <= operations
    for operation, lean, whole in seen:
        assert lean == whole, operation


def test_an_answer_with_a_soap_header_is_read_through_zeeps_envelope(compiled_dir: Path) -> None:
    client = Client(pinned_store().current(DEFAULT_ACCOUNT), CREDENTIALS, settings=FAST, compiled_dir=compiled_dir)
    answer = (
        f'<S:Envelope xmlns:S="{NS_ENVELOPE}"><S:Header><x:Trace xmlns:x="urn:trace">1</x:Trace></S:Header>'
        '<S:Body><ns4:getResponse xmlns:ns4="http://soap.api.platform.boomi.com/" xmlns:bns="http://api.platform.boomi.com/"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><bns:result xsi:type="bns:Environment" id="e1"'
        ' name="Production" classification="PROD"/></ns4:getResponse></S:Body></S:Envelope>'
    )
    for text in (answer, answer.replace('<x:Trace xmlns:x="urn:trace">1</x:Trace>', "")):
        envelope = etree.fromstring(text)
        wrapper = envelope[-1][0]
        result = client.zeep_objects.read("get", wrapper)
        assert as_data(result) == as_data(zeeps_reading(client, "get", etree.fromstring(text)))
        assert result.name == "Production"


# -- create("Type", **fields): the object built with lxml ------------------------------------
SCALARS: dict[str, Any] = {
    "String": "v-1 & <x>",
    "Boolean": True,
    "Integer": 7,
    "Int": 7,
    "Long": 7,
    "Double": 1.5,
    "Float": 1.5,
    "Decimal": decimal.Decimal("2.50"),
    "DateTime": datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC),
    "Date": datetime.date(2026, 1, 2),
}


def shape(element: etree._Element) -> Any:
    """An element as tags, attributes (``xsi:type`` resolved to its namespace), text and children: no prefixes."""
    xsi_type = "{http://www.w3.org/2001/XMLSchema-instance}type"
    attributes = dict(element.attrib)
    if xsi_type in attributes:
        prefix, _, local = attributes[xsi_type].rpartition(":")
        attributes[xsi_type] = f"{{{element.nsmap.get(prefix or None)}}}{local}"
    return (element.tag, sorted(attributes.items()), element.text, [shape(child) for child in element])


def fields_of(xsd_type: Any) -> dict[str, Any]:
    """Every attribute of ``xsd_type`` given a value of its type (the type's name, else a string)."""
    chosen = {}
    for name, attribute in xsd_type.attributes:
        kind = type(attribute.type)
        base = next((c.__name__ for c in kind.__mro__ if c.__name__ in SCALARS), "String")
        chosen[name] = SCALARS[base]
    return chosen


def zeeps_object(objects: Any, operation: str, name: str, fields: dict[str, Any]) -> Any:
    """The shape of the wrapper zeep's whole path renders for ``name``'s object of ``fields``, or its error."""
    try:
        return shape(objects._enveloped_payload(operation, {"object": objects.new_object(name, fields)}))
    except (BoomiSoapError, TypeError) as exc:
        return f"{type(exc).__name__}: {exc}"


@pytest.mark.parametrize(("flavour", "account"), PINNED, ids=["split", "single", "partner"])
def test_fields_built_with_lxml_are_the_object_zeep_builds(flavour: str, account: str, compiled_dir: Path) -> None:
    from zeep.xsd import ComplexType

    client = Client(pinned_store().current(account, flavour), CREDENTIALS, settings=FAST, compiled_dir=compiled_dir)  # type: ignore[arg-type]
    objects = client.zeep_objects
    data = client.contract.data_namespace
    names = sorted(
        t.qname.localname
        for t in client.zeep_client.wsdl.types.types
        if isinstance(t, ComplexType) and t.qname is not None and t.qname.namespace == data
    )
    lean = 0
    for operation in ("create", "update"):
        for name in names:
            fields = fields_of(objects.type(name))
            payload = objects.fields_payload(operation, name, None, fields)
            if payload is None:
                continue
            lean += 1
            assert shape(payload) == zeeps_object(objects, operation, name, fields), (operation, name)
            half = dict(list(fields.items())[: len(fields) // 2]) | ({next(iter(fields)): None} if fields else {})
            payload = objects.fields_payload(operation, None, name, half)
            assert payload is not None
            assert shape(payload) == zeeps_object(objects, operation, name, half), (operation, name)
    assert lean > len(names) / 2  # most objects are attributes and optional children


def test_what_lxml_does_not_build_goes_to_zeep_and_is_refused_as_before(compiled_dir: Path) -> None:
    client = Client(pinned_store().current(DEFAULT_ACCOUNT), CREDENTIALS, settings=FAST, compiled_dir=compiled_dir)
    objects = client.zeep_objects
    assert objects.fields_payload("create", "Environment", None, {"name": "n"}) is not None
    assert objects.fields_payload("create", "Role", None, {"name": "n", "Description": "d"}) is None  # an element
    assert objects.fields_payload("create", "Environment", None, {"nope": "n"}) is None  # zeep's path refuses it
    assert objects.fields_payload("create", "Environment", None, {"name": ["n"]}) is None  # not a plain scalar
    assert objects.fields_payload("create", client.new_object("Environment"), None, {}) is None  # a zeep object
    assert objects.fields_payload("create", None, None, {"name": "n"}) is None
    with pytest.raises(BoomiSoapError) as lean:
        client.create("Environment", nope="n")
    with pytest.raises(BoomiSoapError) as whole:
        client.new_object("Environment", nope="n")
    assert str(lean.value) == str(whole.value)
    with pytest.raises(BoomiSoapError, match="not a type of this account"):
        client.create("NoSuchType", name="n")
    with pytest.raises(BoomiSoapError, match="bad arguments"):
        client.create("Environment", name="bell \x07")  # as zeep's path: lxml refuses the control character
