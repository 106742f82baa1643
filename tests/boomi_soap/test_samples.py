"""Boomi's own published envelopes, each checked against the layout it was written for.

``tests/fixtures/boomi-samples`` holds copies of the documentation samples (the
``.fixed`` copy where the published one is not well-formed; the docs' literal
``...`` elisions removed); ``MANIFEST.json`` names each sample's layout.  For every
request: it validates, and the zeep path and the typed path build the same Body for
the same call.  For every response: both paths read it, from a real loopback server
that replays it, to the values in the file.  The zeep path runs twice: on zeep's
reading of the WSDL, and on the signed form a previous client kept
(:mod:`boomi_soap.wire.zeepform`), with zeep's WSDL reader made to fail.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from boomi_soap._xml.safe import parse_xml
from boomi_soap.bindings import TypedClient
from boomi_soap.bindings import operations as ops
from boomi_soap.client import Client
from boomi_soap.credentials import Credentials
from boomi_soap.localservice import DEFAULT_PASSWORD, DEFAULT_USER
from boomi_soap.query import Expression, F, Grouping
from boomi_soap.settings import ClientSettings
from boomi_soap.snapshot.cache import Snapshot
from boomi_soap.validate import SchemaValidator
from tests.conftest import FIXTURES
from tests.docserver import doc_server
from tests.xmlcompare import XSI_TYPE, body_child, canon, typed_element, zeep_element

SAMPLES = FIXTURES / "boomi-samples"
MANIFEST: dict[str, dict[str, str]] = json.loads((SAMPLES / "MANIFEST.json").read_text())
CREDENTIALS = Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD)
DATA = "http://api.platform.boomi.com/"


def samples(kind: str) -> list[tuple[str, str]]:
    return [(name, entry["layout"]) for name, entry in MANIFEST.items() if f".{kind}." in name]


@pytest.fixture(scope="module")
def forms(snapshots: dict[str, Snapshot], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A compiled cache holding zeep's form of every layout's snapshot."""
    compiled = tmp_path_factory.mktemp("forms")
    for snapshot in snapshots.values():
        client_for(snapshot, compiled).zeep_client  # noqa: B018 - builds zeep, which keeps its form
    assert len(list(compiled.glob("compiled/*.zeep"))) == len(snapshots)
    return compiled


@pytest.fixture(params=["wsdl", "form"])
def zeep_from(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Where the zeep path's client keeps compiled forms: a new directory, or one holding zeep's forms."""
    if request.param == "wsdl":
        return tmp_path
    import zeep.wsdl.wsdl

    forms: Path = request.getfixturevalue("forms")
    for snapshot in request.getfixturevalue("snapshots").values():
        # The wrappers' subset is parsed, never kept (a test may have dropped this process's models).
        client_for(snapshot, forms).envelope("get", objectType="Environment", objectId="e1")
    monkeypatch.setattr(zeep.wsdl.wsdl.Document, "load", lambda *a: pytest.fail("zeep read the WSDL"))
    return forms


def client_for(snapshot: Snapshot, tmp_path: Path, endpoint: str | None = None) -> Client:
    settings = ClientSettings(rate_limit=None)
    return Client(snapshot, CREDENTIALS, endpoint=endpoint, settings=settings, compiled_dir=tmp_path / "compiled")


def test_every_published_platform_sample_is_covered() -> None:
    assert len(MANIFEST) == 25
    assert {e["layout"] for e in MANIFEST.values()} == {"split", "single", "partner", "any"}


# -- requests ----------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "layout"), samples("request"))
def test_request_validates_against_its_layout_only(name: str, layout: str, snapshots: dict[str, Snapshot]) -> None:
    path = SAMPLES / name
    for other, snapshot in snapshots.items():
        issues = list(SchemaValidator(_schema(snapshot)).iter_errors(path))
        if other == layout:
            assert issues == [], [str(i) for i in issues]
        elif "queryMore" not in name:  # an empty queryMore wrapper differs only in its namespace, too
            assert issues, f"{name} should not fit the {other} layout"


def test_query_filter_fragment_validates_on_every_layout(snapshots: dict[str, Snapshot]) -> None:
    fragment = parse_xml((SAMPLES / "QueryFilter.GroupingExpression.fragment.fixed.xml").read_bytes())
    config = etree.Element(f"{{{DATA}}}QueryConfig", nsmap={"api": DATA})
    etree.SubElement(config, f"{{{DATA}}}QueryFilter").append(fragment)
    for snapshot in snapshots.values():
        assert list(SchemaValidator(_schema(snapshot)).iter_errors(config)) == []


def _schema(snapshot: Snapshot) -> Any:
    from boomi_soap.snapshot.schema import load_schema

    return load_schema(snapshot, keep_compiled=False)


def _expression(element: etree._Element) -> Expression:
    kind = element.get(XSI_TYPE, "").rpartition(":")[2]
    if kind == "GroupingExpression":
        return Grouping(element.get("operator", ""), tuple(_expression(c) for c in element))
    arguments = [a.text or "" for a in element]
    return F(element.get("property", "")).op(element.get("operator", ""), *arguments)


def _call_of(payload: etree._Element, client: Client) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """The call a sample request stands for: operation, zeep arguments, typed arguments."""
    operation = etree.QName(payload).localname
    children = {etree.QName(c).localname: c for c in payload if isinstance(c.tag, str)}
    if operation == "query":
        object_type = (children["objectType"].text or "").strip()
        expression = children["queryConfig"].find(f"{{{DATA}}}QueryFilter/{{{DATA}}}expression")
        assert expression is not None
        where = _expression(expression)
        typed_config = TypedClient(client)._caller.query_config(where)
        zeep_args = {"objectType": object_type, "queryConfig": client.query_config(where)}
        return operation, zeep_args, {"object_type": object_type, "query_config": typed_config}
    if operation in ("create", "update"):
        source = children["object"]
        from boomi_soap.bindings import types as t
        from boomi_soap.wire.xmlbind import from_element

        return operation, {"object": client.from_xml(source)}, {"object_": from_element(source, t.BaseType)}
    texts = {k: (v.text or "").strip() for k, v in children.items()}
    meta = ops.OPERATIONS[operation]
    typed = {f.attr: texts[f.xml] for f in meta[0] if f.xml in texts}
    return operation, texts, typed


@pytest.mark.parametrize(("name", "layout"), samples("request"))
def test_both_paths_build_the_sample_body(
    name: str, layout: str, snapshots: dict[str, Snapshot], zeep_from: Path
) -> None:
    sample = body_child(parse_xml((SAMPLES / name).read_bytes()))
    client = client_for(snapshots[layout], zeep_from)
    operation, zeep_args, typed_args = _call_of(sample, client)
    built = body_child(client.envelope(operation, **zeep_args))
    typed = TypedClient(client)._caller.payload(operation, ops.OPERATIONS[operation], typed_args)
    assert canon(built) == canon(sample)
    assert canon(typed) == canon(sample)


# -- responses ---------------------------------------------------------------------------


def _replay(client: Client, name: str) -> tuple[Any, Any]:
    """Call the sample's operation on both paths against a server that answers with the sample."""
    operation = name.split(".")[-4] if name.startswith("partner.") else name.split(".")[1]
    typed = TypedClient(client)
    if name.startswith("query.paging"):
        operation = "query"
    if operation == "get":
        return client.get("TradingPartnerComponent", "x"), typed.get(
            object_type="TradingPartnerComponent", object_id="x"
        )
    if operation == "query":
        return client.call("query", objectType="TradingPartnerComponent"), typed.query(
            object_type="TradingPartnerComponent"
        )
    if operation == "delete":
        return client.delete("TradingPartnerComponent", "x"), typed.delete(
            object_type="TradingPartnerComponent", object_id="x"
        )
    assert operation == "cancelExecution", name
    return client.call("cancelExecution", executionId="x"), typed.cancel_execution(execution_id="x")


@pytest.mark.parametrize(("name", "layout"), samples("response"))
def test_both_paths_read_the_sample_response(
    name: str, layout: str, snapshots: dict[str, Snapshot], zeep_from: Path
) -> None:
    data = (SAMPLES / name).read_bytes()
    answer = body_child(parse_xml(data))
    with doc_server({"POST /soap": (200, {"Content-Type": "text/xml; charset=utf-8"}, data)}) as server:
        client = client_for(snapshots[layout], zeep_from, endpoint=f"{server.base_url}/soap")
        by_zeep, by_typed = _replay(client, name)
    expected = [c for c in answer if isinstance(c.tag, str)]
    if not expected:  # cancelExecutionResponse: an empty wrapper
        assert by_zeep is None
        assert by_typed is None
        return
    tag = str(etree.QName(expected[0]))
    if tag.endswith("successful"):
        assert by_zeep is True
        assert by_typed is True
        assert (expected[0].text or "").strip() == "true"
        return
    typed = XSI_TYPE in expected[0].attrib
    assert canon(zeep_element(by_zeep, tag, DATA, typed=typed)) == canon(expected[0])
    assert canon(typed_element(by_typed, tag, typed=typed)) == canon(expected[0])


def test_required_empty_elements_read_as_empty_strings_on_both_paths(
    snapshots: dict[str, Snapshot], tmp_path: Path
) -> None:
    data = (SAMPLES / "TradingPartnerComponent.get.response.fixed.xml").read_bytes()
    with doc_server({"POST /soap": (200, {}, data)}) as server:
        client = client_for(snapshots["single"], tmp_path, endpoint=f"{server.base_url}/soap")
        by_zeep = client.get("TradingPartnerComponent", "x")
        by_typed = TypedClient(client).get_trading_partner_component("x")
    assert by_zeep.ContactInfo.address2 == ""
    assert by_zeep.ContactInfo.fax == ""
    assert by_typed.contact_info is not None
    assert by_typed.contact_info.address2 == ""
    assert by_typed.contact_info.fax == ""
    # What was read goes back unchanged (UPDATE replaces the whole object), on both paths.
    result = body_child(parse_xml(data))[0]
    sent = body_child(client.envelope("update", object=by_zeep))[0]
    typed = TypedClient(client)._caller.payload("update", ops.OPERATIONS["update"], {"object_": by_typed})[0]
    assert canon(sent)[1:] == canon(result)[1:]
    assert canon(typed)[1:] == canon(result)[1:]
