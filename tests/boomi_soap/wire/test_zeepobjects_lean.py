"""The zeep adapter's lean path: the wrapper rendered alone and the answer read alone are zeep's envelope's.

:meth:`ZeepObjects.payload` renders the request wrapper without zeep's envelope and
:meth:`ZeepObjects.read` reads the response wrapper without one; both are compared here
with what zeep's whole envelope gives (``_enveloped_payload``, ``process_reply``) on every
contract layout, every operation and argument shape, and real answers of the local service.
"""

from __future__ import annotations

import copy
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
