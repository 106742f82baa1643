"""The JSON form: exact round trips on every layout, Boomi's own samples, one-line errors."""

from __future__ import annotations

import enum
import hashlib
import inspect
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from boomi_soap.bindings import types as t
from boomi_soap.exceptions import BoomiSoapError, JsonFormError
from boomi_soap.snapshot.cache import Snapshot, pinned_store
from boomi_soap.snapshot.contract import contract_of
from boomi_soap.snapshot.schema import load_schema
from boomi_soap.wire.jsonform import MAX_DEPTH, JsonForm, dumps, loads
from boomi_soap.wire.xmlbind import FieldMeta, to_element
from tests.xmlcompare import canon

NS = "http://api.platform.boomi.com/"
NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
FIXTURES = Path(__file__).parents[2] / "fixtures" / "json"
# Every JSON sample of Boomi's published OpenAPI description (see SOURCE.md there), as data.
SAMPLE_FILE = FIXTURES / "openapi-samples.json"
OPENAPI_SOURCE = "RenEra-ai/boomi-python@07bcffb openapi/platformOpenAPISv3.0.3.json (Boomi's OpenAPI description)"
# Boomi's document as published, in the reference material beside the checkout (``../shared``) when it is there.
OPENAPI = Path(__file__).resolve().parents[4] / "shared" / "reference" / "boomi-openapi" / "platformOpenAPISv3.0.3.json"
# The three packaged contract layouts: (account, flavour) of their pinned snapshots.
LAYOUTS = {
    "split": ("localdemo-A1B2C3", "platform"),
    "single": ("localsingle-A1B2C3", "platform"),
    "partner": ("localdemo-A1B2C3", "partner"),
}


def _snapshot(layout: str) -> Snapshot:
    account, flavour = LAYOUTS[layout]
    return pinned_store().current(account, flavour)  # type: ignore[arg-type]


@pytest.fixture(scope="module", params=sorted(LAYOUTS))
def layout(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def form(layout: str) -> JsonForm:
    return JsonForm.of(_snapshot(layout))


@pytest.fixture(scope="module")
def schema(layout: str, tmp_path_factory: pytest.TempPathFactory) -> etree.XMLSchema:
    return load_schema(_snapshot(layout), compiled_dir=tmp_path_factory.mktemp("compiled")).lxml


@pytest.fixture(scope="module")
def split() -> JsonForm:
    return JsonForm.of(_snapshot("split"))


def test_layouts_are_the_three_packaged_ones() -> None:
    wrappers = {name: contract_of(_snapshot(name)).wrapper_namespaces for name in LAYOUTS}
    assert wrappers["single"] == (NS,)
    assert len({wrappers["split"], wrappers["single"], wrappers["partner"]}) == 3


def test_built_once_per_snapshot() -> None:
    snapshot = _snapshot("split")
    assert JsonForm.of(snapshot) is JsonForm.of(snapshot)
    assert JsonForm.of(snapshot) is not JsonForm.of(_snapshot("single"))


@pytest.mark.timeout(120)
def test_runtime_imports_neither_xmlschema_nor_codegen() -> None:
    code = (
        "import sys; from boomi_soap.snapshot.cache import pinned_store; from boomi_soap.wire.jsonform import JsonForm; "
        "JsonForm.of(pinned_store().current('localdemo-A1B2C3')); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('xmlschema', 'codegen', 'zeep')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- populated instances of the generated classes ------------------------------------------

SAMPLES: dict[str, Any] = {
    "xs:string": "text <&> \u00e9",
    "xs:int": -7,
    "xs:long": 7000000000,
    "xs:integer": 12,
    "xs:boolean": True,
    "xs:double": 1.5,
    "xs:dateTime": "2026-11-01T06:00:00Z",
    "xs:base64Binary": b"hi",
    "xs:anyType": "free text",  # element content in xs:anyType has no JSON form (Boomi: Component is XML only)
}


def _fields(cls: type[Any]) -> list[FieldMeta]:
    return [f for k in reversed(cls.__mro__) if "__xml__" in k.__dict__ for f in k.__dict__["__xml__"].fields]


def _concrete(cls: type[Any]) -> type[Any]:
    if not cls.__xml__.abstract:
        return cls
    return min(
        (
            c
            for c in t.REGISTRY.values()
            if isinstance(c, type) and issubclass(c, cls) and hasattr(c, "__xml__") and not c.__xml__.abstract
        ),
        key=lambda c: c.__name__,
    )


def sample(cls: type[Any], depth: int = 0) -> Any:
    """A populated instance: every field down to depth 2, required ones below; two items per array."""
    cls = _concrete(cls)
    parameters = inspect.signature(cls.__init__).parameters.values()
    required = {p.name for p in parameters if p.default is inspect.Parameter.empty and p.name != "self"}
    values: dict[str, Any] = {}
    for meta in _fields(cls):
        if meta.attr not in required and depth >= 2:
            continue
        target = t.REGISTRY.get(meta.type)
        if target is not None and issubclass(target, enum.Enum):
            value: Any = list(target)[-1]
        elif target is not None:
            value = sample(target, depth + 1)
        else:
            value = SAMPLES[meta.type]
        values[meta.attr] = [value, value] if meta.repeated else value
    return cls(**values)


def _rooted_classes() -> Iterator[tuple[str, type[Any]]]:
    """Every generated class with a global element of its own in the data schema."""
    root = etree.parse(str(_snapshot("split").directory / "service.xsd1.xsd")).getroot()
    for node in root.iterfind("{http://www.w3.org/2001/XMLSchema}element"):
        name = node.get("name", "")
        kind = node.get("type", "").partition(":")[2]
        cls = t.REGISTRY.get(kind) if kind else t.REGISTRY.get(f"element:{name}")
        if cls is not None and hasattr(cls, "__xml__"):
            yield name, cls


ROOTED = sorted(_rooted_classes(), key=lambda item: item[0])


def _round_trip(form: JsonForm, element: etree._Element, schema: etree.XMLSchema) -> dict[str, Any]:
    assert schema.validate(element), schema.error_log
    data = form.to_json(element)
    again = loads(dumps(data))  # through bytes, as the wire carries it
    assert again == data
    back = form.from_json(again, str(etree.QName(element)))
    assert canon(back) == canon(element)
    assert schema.validate(back), schema.error_log
    assert form.to_json(back) == data
    return data


@pytest.mark.timeout(300)
def test_every_rooted_class_round_trips(form: JsonForm, schema: etree.XMLSchema) -> None:
    assert len(ROOTED) >= 100
    for name, cls in ROOTED:
        obj = sample(cls)
        element = to_element(obj, f"{{{NS}}}{name}", typed=cls.__xml__.abstract)  # xsi:type where declared abstract
        data = _round_trip(form, element, schema)
        assert data["@type"] == type(obj).__xml__.name, name


@pytest.mark.timeout(300)
def test_every_object_type_round_trips_as_a_query_result(form: JsonForm, schema: etree.XMLSchema) -> None:
    """Each concrete type of the schema, typed by ``xsi:type`` inside ``QueryResult`` and ``BulkResult``."""
    concrete = sorted(
        (c for c in set(t.REGISTRY.values()) if hasattr(c, "__xml__") and issubclass(c, t.BaseType)),
        key=lambda c: c.__name__,
    )
    concrete = [c for c in concrete if not c.__xml__.abstract]
    assert len(concrete) >= 390
    result = t.QueryResult(number_of_results=len(concrete), query_token="tok", result=[sample(c) for c in concrete])
    data = _round_trip(form, to_element(result, f"{{{NS}}}QueryResult"), schema)
    assert data["numberOfResults"] == len(concrete)
    assert [r["@type"] for r in data["result"]] == [c.__xml__.name for c in concrete]
    responses = [
        t.BulkResultResponse(index=i, id_=f"id{i}", status_code=200, result=sample(c))
        for i, c in enumerate(concrete[:50])
    ]
    responses.append(t.BulkResultResponse(index=50, id_="gone", status_code=404, error_message="not found"))
    bulk = _round_trip(form, to_element(t.BulkResult(response=responses), f"{{{NS}}}BulkResult"), schema)
    assert bulk["response"][0]["@type"] == ""
    assert bulk["response"][0]["statusCode"] == 200


def test_values_are_typed_as_boomi_shows_them(split: JsonForm) -> None:
    atom = etree.fromstring(
        f'<Atom xmlns="{NS}" id="a1" name="n" status="ONLINE" type="CLOUD" forceRestartTime="0" '
        f'dateInstalled="2026-01-01T00:00:00Z" purgeHistoryDays="30" purgeImmediate="false"/>'
    )
    data = split.to_json(atom)
    assert data["@type"] == "Atom"
    assert (data["forceRestartTime"], data["purgeHistoryDays"], data["purgeImmediate"]) == (0, 30, False)
    assert (data["id"], data["dateInstalled"]) == ("a1", "2026-01-01T00:00:00Z")  # dateTimes stay strings
    config = split.to_json(
        etree.fromstring(
            f'<QueryConfig xmlns="{NS}" xmlns:xsi="{NS_XSI}"><QueryFilter><expression xsi:type="SimpleExpression" '
            f'operator="EQUALS" property="name"><argument>x</argument></expression></QueryFilter></QueryConfig>'
        )
    )
    assert config["QueryFilter"]["expression"] == {
        "@type": "SimpleExpression",
        "operator": "EQUALS",
        "property": "name",
        "argument": ["x"],  # an array even with one item
    }


# -- Boomi's own JSON samples -------------------------------------------------------------


def extract_samples(document: Any) -> list[list[Any]]:
    """``[method, route, kind, example name, body]`` of every JSON request and response sample."""
    found: list[list[Any]] = []
    for route, methods in document["paths"].items():
        for method, operation in methods.items():
            if not isinstance(operation, dict):
                continue
            bodies = [("request", operation.get("requestBody", {}).get("content", {}))]
            bodies += [(f"response {code}", r.get("content", {})) for code, r in operation.get("responses", {}).items()]
            for kind, content in bodies:
                media = content.get("application/json", {})
                named = [("", media["example"])] if "example" in media else []
                named += [(name, e.get("value")) for name, e in media.get("examples", {}).items()]
                for name, body in named:
                    body = _deref(document, body)
                    if isinstance(body, dict) and body:
                        found.append([method.upper(), route, kind, name, body])
    return found


def write_samples(document_path: Path) -> None:
    """Refresh the fixture from Boomi's OpenAPI document: one sample a line."""
    raw = document_path.read_bytes()
    lines = ",\n".join(json.dumps(item, ensure_ascii=False) for item in extract_samples(json.loads(raw)))
    head = {"source": OPENAPI_SOURCE, "sha256": hashlib.sha256(raw).hexdigest()}
    SAMPLE_FILE.write_text(f'{json.dumps(head)[:-1]}, "samples": [\n{lines}\n]}}\n', encoding="utf-8")


def _deref(document: Any, value: Any) -> Any:
    """Follow ``{"$ref": "#/..."}`` (a queryMore sample points at the query one)."""
    for _ in range(8):
        if not (isinstance(value, dict) and set(value) == {"$ref"}):
            return value
        pointer = str(value["$ref"]).removeprefix("#/")
        value = document
        for part in pointer.split("/"):
            value = value[part.replace("~1", "/").replace("~0", "~")]
    return value


def _root_of(route: str, kind: str, body: dict[str, Any]) -> list[str]:
    """The root elements the body may be: its @type, the name it is wrapped in, what the route answers."""
    roots: list[str] = []
    if isinstance(body.get("@type"), str) and body["@type"]:
        roots.append(body["@type"])
    if len(body) == 1 and next(iter(body))[:1].isupper():
        roots.append(next(iter(body)))  # {"Branch": {...}}: wrapped in its root's name
    parts = [p for p in route.split("/") if p and not p.startswith("{")]
    if parts[-1] in ("query", "queryMore"):
        roots.append("QueryConfig" if kind == "request" else "QueryResult")
    elif parts[-1] == "bulk":
        roots.append("BulkRequest" if kind == "request" else "BulkResult")
    elif parts[0] == "async":
        roots.append("AsyncOperationResult" if "response" in parts else "AsyncOperationTokenResult")
    else:
        roots.append(parts[-1] if parts[-1] != "execute" else parts[0])
    return list(dict.fromkeys(roots))


EXAMPLES = [
    (" ".join(filter(None, (method, route, kind, name))), _root_of(route, kind, body), body)
    for method, route, kind, name, body in json.loads(SAMPLE_FILE.read_text(encoding="utf-8"))["samples"]
]


DISAGREEMENTS = FIXTURES / "openapi-disagreements.json"


def _sample_outcomes(form: JsonForm, schema: etree.XMLSchema, layout: str) -> tuple[dict[str, str], int]:
    """The error of each sample that fails (keyed by route and kind), and how many passed."""
    operations = contract_of(_snapshot(layout)).operations.values()
    wrappers = {tag for op in operations for tag in (op.request, op.response)}  # data namespace in `single`
    failures: dict[str, str] = {}
    checked = 0
    for where, roots, body in EXAMPLES:
        tags = [f"{{{NS}}}{r}" for r in roots if f"{{{NS}}}{r}" in form.elements and f"{{{NS}}}{r}" not in wrappers]
        if not tags:
            continue  # an action's body (execute, cancelExecution ...): not an element of the schema
        errors: list[str] = []
        for tag in tags:
            try:
                element = form.from_json(body, tag)
            except JsonFormError as exc:
                errors.append(str(exc))
                continue
            if not schema.validate(element):
                errors.append(f"invalid: {schema.error_log.last_error.message}")
                continue
            assert form.to_json(form.from_json(form.to_json(element), tag)) == form.to_json(element)
            break
        else:
            failures[where] = errors[0]
            continue
        checked += 1
    return failures, checked


@pytest.mark.skipif(not OPENAPI.exists(), reason="Boomi's OpenAPI document is not on this machine")
def test_the_sample_fixture_is_every_sample_of_the_openapi_document() -> None:
    raw = OPENAPI.read_bytes()
    fixture = json.loads(SAMPLE_FILE.read_text(encoding="utf-8"))
    assert fixture["sha256"] == hashlib.sha256(raw).hexdigest()
    assert fixture["samples"] == extract_samples(json.loads(raw))


@pytest.mark.timeout(300)
def test_boomis_json_samples_parse_to_valid_xml(form: JsonForm, schema: etree.XMLSchema, layout: str) -> None:
    """Every JSON sample of Boomi's OpenAPI document maps to XML that validates, but those listed.

    The list holds the samples that disagree with the schema itself (a required field left
    out, a field the schema lacks, a misspelt ``@type``, ``"2.0"`` for an integer), each with
    the error the JSON form gives: the XML form of the same data would be refused too.
    """
    failures, checked = _sample_outcomes(form, schema, layout)
    expected = json.loads(DISAGREEMENTS.read_text())
    assert all(item["why"] for item in expected.values())
    assert failures == {where: item["error"] for where, item in expected.items()}
    assert checked >= 380
    assert len(failures) < checked / 3


def test_type_is_optional_in_requests(split: JsonForm) -> None:
    """Boomi's query sample without any ``@type``: the declared types, and the one expression that fits."""
    body = {"QueryFilter": {"expression": {"operator": "and", "nestedExpression": [
        {"argument": ["deleted"], "operator": "NOT_EQUALS", "property": "status"},
        {"operator": "or", "nestedExpression": []},
    ]}}}  # fmt: skip
    element = split.from_json(body, f"{{{NS}}}QueryConfig")
    expression = element[0][0]
    assert expression.get(f"{{{NS_XSI}}}type") == "api:GroupingExpression"
    assert [e.get(f"{{{NS_XSI}}}type") for e in expression] == ["api:SimpleExpression", "api:GroupingExpression"]
    assert element.get(f"{{{NS_XSI}}}type") is None
    assert element[0].get(f"{{{NS_XSI}}}type") is None
    bulk = split.from_json({"type": "GET", "request": [{"id": "a"}, {"id": "b"}]}, f"{{{NS}}}BulkRequest")
    assert [r.get(f"{{{NS_XSI}}}type") for r in bulk] == ["api:BulkId", "api:BulkId"]


def test_children_follow_the_schema_sequence(split: JsonForm) -> None:
    element = split.from_json({"result": [{"@type": "Role", "name": "r"}], "queryToken": "t"}, f"{{{NS}}}QueryResult")
    assert [etree.QName(c).localname for c in element] == ["queryToken", "result"]


@pytest.mark.parametrize(
    ("tag", "data", "message"),
    [
        (
            "QueryConfig",
            {
                "QueryFilter": {
                    "expression": {
                        "@type": "SimpleExpression",
                        "operator": "EQUALS",
                        "property": "p",
                        "argument": ["a", 5, {"x": 1}],
                    }
                }
            },
            "$.QueryFilter.expression.argument[2]: expected a string, got an object",
        ),
        (
            "QueryConfig",
            {"QueryFilter": {"expression": {"@type": "SimpleExpression", "operator": "EQUALS"}}},
            "$.QueryFilter.expression.property: property is required in SimpleExpression",
        ),
        ("QueryConfig", {}, "$.QueryFilter: QueryFilter is required in QueryConfig"),
        ("Atom", {"colour": "red"}, "$: unknown key 'colour' for Atom"),
        ("Atom", {"purgeImmediate": "yes"}, "$.purgeImmediate: not an xs:boolean"),
        ("Atom", {"purgeHistoryDays": 1.5}, "$.purgeHistoryDays: expected an integer, got a fraction"),
        ("Atom", {"purgeHistoryDays": True}, "$.purgeHistoryDays: expected an integer, got a boolean"),
        ("Atom", {"name": ["a", "b"]}, "$.name: expected a string, got an array"),
        ("Atom", {"@type": "Role"}, "$.@type: @type 'Role' is not Atom or a type derived from it"),
        ("Atom", {"@type": 7}, "$.@type: @type must be a string"),
        ("Atom", [], "$: expected an object, got an array"),
        (
            "QueryResult",
            {"result": [{"name": "x"}]},
            "$.result[0]: @type is needed: BaseType is abstract and 2 types fit (Element, Privilege)",
        ),
        ("QueryResult", {"result": [{"@type": "Nope"}]}, "$.result[0].@type: @type 'Nope' is not BaseType"),
        (
            "Role",
            {"Description": None, "id": "r", "Privileges": {"Privilege": [{"name": "x"}, 3]}},
            "$.Privileges.Privilege[1]: expected an object, got a number",
        ),
        ("Nowhere", {"a": 1}, "$: {http://api.platform.boomi.com/}Nowhere is not an element of the schema"),
    ],
)
def test_errors_name_the_json_path(split: JsonForm, tag: str, data: Any, message: str) -> None:
    with pytest.raises(JsonFormError) as caught:
        split.from_json(data, f"{{{NS}}}{tag}")
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)
    assert isinstance(caught.value, BoomiSoapError)
    assert caught.value.path == message.partition(":")[0]


def test_values_never_appear_in_errors(split: JsonForm) -> None:
    with pytest.raises(JsonFormError) as caught:
        split.from_json({"purgeHistoryDays": "hunter2-secret"}, f"{{{NS}}}Atom")
    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        (f'<Atom xmlns="{NS}" colour="red"/>', "$: Atom has no attribute colour"),
        (f'<Atom xmlns="{NS}" purgeHistoryDays="many"/>', "$.purgeHistoryDays: not an integer"),
        (f'<Atom xmlns="{NS}"><x/></Atom>', "$: Atom has no child {http://api.platform.boomi.com/}x"),
        (f'<Atom xmlns="{NS}">text</Atom>', "$: Atom has no text content"),
        (f'<result xmlns="{NS}" name="x"/>', "$: BaseType is abstract and the element has no xsi:type"),
        (f'<result xmlns="{NS}" xmlns:xsi="{NS_XSI}" xsi:type="Nope"/>', "$: xsi:type Nope is not a type"),
        (f'<Role xmlns="{NS}" xmlns:xsi="{NS_XSI}" xsi:type="Atom"/>', "$: xsi:type Atom is not derived from Role"),
        ('<unknown xmlns="urn:x"/>', "$: {urn:x}unknown is not an element of the schema and has no xsi:type"),
        (
            f'<Component xmlns="{NS}" componentId="c"><object><process/></object><processOverrides/></Component>',
            "$.object: object holds elements, which have no JSON form here",
        ),
    ],
)
def test_xml_without_a_json_form_is_refused(split: JsonForm, xml: str, message: str) -> None:
    with pytest.raises(JsonFormError) as caught:
        split.to_json(etree.fromstring(xml))
    assert str(caught.value).startswith(message)


def test_a_parent_binding_the_namespaces_otherwise_keeps_xsi_type_right(split: JsonForm) -> None:
    parent = etree.Element(f"{{{NS}}}query", nsmap={"other": NS, "i": NS_XSI})
    body = {"@type": "QueryConfig", "QueryFilter": {"expression": {"operator": "and", "nestedExpression": []}}}
    child = split.from_json(body, f"{{{NS}}}config", parent=parent)  # not a global element: typed
    assert child.getparent() is parent
    assert child.get(f"{{{NS_XSI}}}type") == "other:QueryConfig"
    assert child[0][0].get(f"{{{NS_XSI}}}type") == "other:GroupingExpression"
    assert split.to_json(child)["QueryFilter"]["expression"]["@type"] == "GroupingExpression"
    with pytest.raises(JsonFormError):
        split.from_json({"@type": "QueryConfig", "x": 1}, f"{{{NS}}}config", parent=parent)
    assert len(parent) == 1  # nothing half-built is left behind


def test_an_element_typed_by_xsi_type_converts_without_a_declaration(split: JsonForm) -> None:
    element = etree.fromstring(f'<object xmlns="{NS}" xmlns:xsi="{NS_XSI}" xsi:type="Role" name="r"/>')
    data = split.to_json(element)
    assert data == {"@type": "Role", "name": "r"}
    back = split.from_json(data, f"{{{NS}}}object")
    assert canon(back) == canon(element)


@pytest.mark.timeout(60)
def test_nesting_is_bounded(split: JsonForm) -> None:
    expression: dict[str, Any] = {"operator": "and", "nestedExpression": []}
    deepest = expression
    for _ in range(MAX_DEPTH + 5):
        inner: dict[str, Any] = {"operator": "and", "nestedExpression": []}
        deepest["nestedExpression"].append(inner)
        deepest = inner
    with pytest.raises(JsonFormError, match=f"nested deeper than {MAX_DEPTH} levels"):
        split.from_json({"QueryFilter": {"expression": expression}}, f"{{{NS}}}QueryConfig")
    document = etree.fromstring(
        f'<QueryConfig xmlns="{NS}" xmlns:xsi="{NS_XSI}"><QueryFilter>'
        f'<expression xsi:type="GroupingExpression" operator="and"/></QueryFilter></QueryConfig>'
    )
    parent = document[0][0]
    for _ in range(MAX_DEPTH + 5):  # built, not parsed: libxml2's parser stops at this depth by itself
        parent = etree.SubElement(parent, f"{{{NS}}}nestedExpression", operator="and")
        parent.set(f"{{{NS_XSI}}}type", "GroupingExpression")
    with pytest.raises(JsonFormError, match="nested deeper"):
        split.to_json(document)


@pytest.mark.timeout(60)
def test_sizes_are_bounded() -> None:
    with pytest.raises(JsonFormError, match="larger than 100 bytes"):
        loads(b"[" + b"1," * 60 + b"1]", max_bytes=100)
    with pytest.raises(JsonFormError, match="not JSON"):
        loads(b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(JsonFormError, match="not JSON"):
        loads(b"{nope")
    assert loads(b'{"a": [1]}') == {"a": [1]}


def test_scalars_coerce_like_boomis_samples(split: JsonForm) -> None:
    """What Boomi's samples send: a boolean argument, "200" for an int, ["Long", 654], one item without its array."""
    element = split.from_json(
        {"QueryFilter": {"expression": {"operator": "EQUALS", "property": "p", "argument": [True]}}},
        f"{{{NS}}}QueryConfig",
    )
    assert element[0][0][0].text == "true"
    atom = split.from_json({"purgeHistoryDays": "30", "forceRestartTime": ["Long", 5]}, f"{{{NS}}}Atom")
    assert (atom.get("purgeHistoryDays"), atom.get("forceRestartTime")) == ("30", "5")
    single = split.from_json({"result": {"@type": "Role", "name": "r"}}, f"{{{NS}}}QueryResult")
    assert split.to_json(single)["result"] == [{"@type": "Role", "name": "r"}]  # an array again on the way out


# -- property: any query filter survives XML -> JSON -> XML ---------------------------------

_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)
_simple = st.builds(
    lambda op, prop, args: {"@type": "SimpleExpression", "operator": op, "property": prop, "argument": args},
    st.sampled_from(["EQUALS", "LIKE", "BETWEEN", "IS_NULL"]),
    _text,
    st.lists(_text, max_size=3),
)
_expression = st.recursive(
    _simple,
    lambda inner: st.builds(
        lambda op, items: {"@type": "GroupingExpression", "operator": op, "nestedExpression": items},
        st.sampled_from(["and", "or"]),
        st.lists(inner, max_size=3),
    ),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(expression=_expression, token=st.one_of(st.none(), _text))
def test_query_configs_round_trip(split: JsonForm, expression: dict[str, Any], token: str | None) -> None:
    tag = f"{{{NS}}}QueryConfig"
    data = {"@type": "QueryConfig", "QueryFilter": {"@type": "QueryFilter", "expression": expression}}
    for nested in _walk(expression):  # the form leaves empty arrays out, as Boomi does
        if not nested.get("argument", nested.get("nestedExpression", [1])):
            nested.pop("argument", None)
            nested.pop("nestedExpression", None)
    element = split.from_json(data, tag)
    assert split.to_json(element) == data
    assert canon(split.from_json(split.to_json(element), tag)) == canon(element)


def _walk(expression: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield expression
    for item in expression.get("nestedExpression", []):
        yield from _walk(item)


# -- real answers of the local service, on every layout -------------------------------------


@pytest.mark.timeout(120)
def test_answers_of_the_local_service_round_trip(connect: Any) -> None:
    """A query built from JSON, its answer (wrapper and all) to JSON and back, on the service's own layout."""
    _service, client = connect()
    form = JsonForm.of(client.snapshot)
    query = client.contract.operations["query"]
    payload = etree.Element(query.request)
    object_type = query.input("objectType")
    assert object_type is not None
    etree.SubElement(payload, object_type.tag).text = "TradingPartnerComponent"
    config = query.input("queryConfig")
    assert config is not None
    body = {"@type": "QueryConfig", "QueryFilter": {"expression": {"operator": "and", "nestedExpression": []}}}
    form.from_json(body, config.tag, parent=payload)
    answer = client.call_xml(payload)
    data = form.to_json(answer)
    assert canon(form.from_json(data, str(etree.QName(answer)))) == canon(answer)
    partner = data["results"]["result"][0]
    assert partner["@type"] == "TradingPartnerComponent"
    assert partner["ContactInfo"]["address2"] == ""  # Boomi's empty required element survives
    again = form.from_json(partner, f"{{{NS}}}TradingPartnerComponent")
    assert form.to_json(again) == partner


def test_nesting_json_reads_but_converters_would_recurse_on_is_refused() -> None:
    # 300 levels: json reads them, and whoever walks the value next (zeep, redaction) recurses.
    with pytest.raises(JsonFormError, match=f"nested deeper than {MAX_DEPTH} levels"):
        loads(b"[" * 300 + b"]" * 300)
    with pytest.raises(JsonFormError, match="nested too deep"):
        loads(b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")
    assert loads(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH) is not None
    assert loads(b'{"a": "[[[[["}', max_depth=2) == {"a": "[[[[["}  # brackets in strings do not nest


@pytest.mark.parametrize(
    ("data", "path", "reason"),
    [
        ({"name": "a\x00b", "classification": "PROD"}, "$.name", "U+0000"),
        ({"name": "bell\x07", "classification": "PROD"}, "$.name", "U+0007"),
        ({"name": "\ud800", "classification": "PROD"}, "$.name", "U+D800"),
        ({"name": "x\ufffe", "classification": "PROD"}, "$.name", "U+FFFE"),
        ({"name": "n", "classification": "PROD", "@type": "a b"}, "$.@type", "is not"),
    ],
    ids=["nul", "bell", "lone-surrogate", "non-character", "type-with-a-space"],
)
def test_what_xml_cannot_carry_is_a_json_form_error(
    split: JsonForm, data: dict[str, Any], path: str, reason: str
) -> None:
    with pytest.raises(JsonFormError, match=re.escape(reason)) as caught:
        split.from_json(data, f"{{{NS}}}Environment")
    assert caught.value.path == path
    assert "\x00" not in str(caught.value)


@pytest.mark.parametrize("tag", ["a b", "1x", "\x01", "{urn:x}a}b", "\ud800"])
def test_an_element_name_xml_refuses_is_a_json_form_error(split: JsonForm, tag: str) -> None:
    with pytest.raises(JsonFormError, match="@type is not an XML name"):
        split.from_json({"@type": tag}, f"{{{NS}}}{tag}")
