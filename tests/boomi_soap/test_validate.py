"""The validator: corpus with a manifest of expected errors, documented examples,
engine agreement, error objects, the compiled-schema cache and hostile input."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from lxml import etree

from boomi_soap._xml.safe import parse_xml
from boomi_soap.exceptions import CacheIntegrityError, DocumentInvalidError, XMLInputError
from boomi_soap.localservice import DEFAULT_ACCOUNT
from boomi_soap.snapshot.cache import pinned_store
from boomi_soap.snapshot.schema import CompiledCache, SchemaBundle, load_schema, resolve_schema, schema_from_files
from boomi_soap.validate import (
    SchemaValidator,
    ValidationIssue,
    _parse,
    _Text,
    for_people,
    validate_sources,
    xpath_of,
)
from tests.boomi_soap.conftest import reference_bundle
from tests.hostile import HOSTILE

FIXTURES = Path(__file__).parents[1] / "fixtures"
CORPUS = FIXTURES / "requests"


def manifest() -> dict[str, tuple[int, list[str]]]:
    expected = {}
    for line in (CORPUS / "MANIFEST").read_text().splitlines():
        if line and not line.startswith("#"):
            name, count, paths = line.split("\t")
            expected[name] = (int(count), sorted(paths.split()))
    return expected


@pytest.fixture(scope="module")
def compiled_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("compiled")


@pytest.fixture(scope="module")
def bundle(compiled_dir: Path) -> SchemaBundle:
    return load_schema(pinned_store().current(DEFAULT_ACCOUNT), compiled_dir=compiled_dir)


@pytest.fixture(scope="module")
def validator(bundle: SchemaBundle) -> SchemaValidator:
    return SchemaValidator(bundle)


def test_manifest_covers_the_invalid_corpus() -> None:
    assert sorted(manifest()) == sorted(f"invalid/{p.name}" for p in (CORPUS / "invalid").glob("*.xml"))


@pytest.mark.parametrize("name", sorted(p.name for p in (CORPUS / "valid").glob("*.xml")))
def test_valid_corpus(validator: SchemaValidator, name: str) -> None:
    path = CORPUS / "valid" / name
    assert list(validator.iter_errors(path)) == []
    assert validator.is_valid(path)
    validator.validate(path)


@pytest.mark.parametrize("name", sorted(manifest()))
def test_invalid_corpus_matches_the_manifest(validator: SchemaValidator, name: str) -> None:
    count, paths = manifest()[name]
    issues = list(validator.iter_errors(CORPUS / name))
    assert len(issues) == count, [str(i) for i in issues]
    assert sorted(i.path for i in issues) == paths
    assert all(i.line for i in issues)
    assert not validator.is_valid(CORPUS / name)
    with pytest.raises(DocumentInvalidError) as caught:
        validator.validate(CORPUS / name)
    assert len(caught.value.issues) == count


SAMPLES = FIXTURES / "boomi-samples"
DOCUMENTS = sorted(CORPUS.rglob("*.xml")) + sorted(
    p for d in (FIXTURES / "envelopes", SAMPLES) for p in d.glob("*.xml") if "fragment" not in p.name
)


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_libxml2_and_xmlschema_agree(bundle: SchemaBundle, validator: SchemaValidator, path: Path) -> None:
    root = etree.parse(str(path)).getroot()
    for target in validator.targets(root):
        namespaces = {k or "": v for k, v in target.nsmap.items()}
        try:
            slow = bundle.explainer.is_valid(target, namespaces=namespaces, use_location_hints=False)  # type: ignore[arg-type]
        except LookupError:
            slow = False  # xmlschema cannot even resolve it (unknown xsi:type): invalid
        assert bundle.lxml.validate(target) == slow, path.name


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_libxml2_explains_as_xmlschema_does(bundle: SchemaBundle, path: Path) -> None:
    # libxml2 alone (no xmlschema at all) points at the same nodes as xmlschema alone,
    # and where it gives a value, it gives xmlschema's very words, line and column.
    alone = SchemaValidator(bundle, explain_limit=0)
    data = path.read_bytes()
    ours = list(alone.iter_errors(data, source=path.name))
    try:
        theirs = [
            issue
            for target in alone.targets(parse_xml(data))
            for _, issue in alone._explain(target, path.name, _Text(data))
        ]
    except LookupError:  # xmlschema cannot even resolve it (unknown xsi:type); libxml2 still says why
        assert ours, path.name
        return
    assert {i.path for i in ours} == {i.path for i in theirs}, path.name
    same = {(i.path, i.value): i for i in theirs}
    for issue in ours:
        if issue.value is not None:
            assert same[issue.path, issue.value] == issue


def _xmlschema_issues(validator: SchemaValidator, data: bytes, source: str) -> list[ValidationIssue]:
    """Every error plain xmlschema's iter_errors gives, in this module's form (XPath, line, reason)."""
    return [
        issue
        for target in validator.targets(parse_xml(data))
        for _, issue in validator._explain(target, source, _Text(data))
    ]


@pytest.mark.parametrize("name", sorted(manifest()))
def test_every_problem_xmlschema_reports_is_reported(validator: SchemaValidator, name: str) -> None:
    # The same problems as xmlschema's iter_errors, one for one: the count and the
    # failing nodes, including everything after an element out of order.
    data = (CORPUS / name).read_bytes()
    ours = list(validator.iter_errors(data, source=name))
    try:
        theirs = _xmlschema_issues(validator, data, name)
    except LookupError:  # xmlschema cannot resolve an unknown xsi:type at all; libxml2 still says why
        assert ours
        return
    assert len(ours) == len(theirs), [str(i) for i in ours]
    assert sorted(i.path for i in ours) == sorted(i.path for i in theirs)
    assert sorted((i.path, i.line) for i in ours) == sorted((i.path, i.line) for i in theirs)


def test_three_independent_problems_are_three_issues(validator: SchemaValidator) -> None:
    # An element out of order no longer hides what follows it in the same parent.
    order, enum, integer = validator.iter_errors(CORPUS / "invalid" / "order-enum-integer.xml", source="d.xml")
    assert (order.line, order.column) == (5, 9)
    assert order.path.endswith("/object/api:componentType")
    assert order.reason == "Unexpected child with tag 'api:componentType' at position 1."
    assert order.expected == ("api:componentId",)
    assert (enum.line, enum.path.endswith("/object/api:listenerStatus"), enum.value) == (12, True, "SNOOZING")
    assert enum.reason == "value must be one of ['RUNNING', 'PAUSED']"
    assert (integer.line, integer.path.endswith("/object/api:version"), integer.value) == (15, True, "three")
    assert integer.reason == "'three' is not an integer"


def test_the_cli_reports_every_problem(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from boomi_soap.cli import main

    document = CORPUS / "invalid" / "order-enum-integer.xml"
    env = {"BOOMI_SOAP_COMPILED_DIR": str(tmp_path)}
    text = CliRunner().invoke(main, ["validate", str(document)], env=env)
    assert text.exit_code == 1, text.output
    lines = [line for line in text.output.splitlines() if line.startswith(str(document))]
    assert [line.split(":")[1] for line in lines] == ["5", "12", "15"], text.output
    done = CliRunner().invoke(main, ["validate", "--format", "json", str(document)], env=env)
    (report,) = json.loads(done.output)["documents"]
    assert [issue["line"] for issue in report["issues"]] == [5, 12, 15]
    assert all(issue["path"] and issue["reason"] for issue in report["issues"])


def test_an_unknown_xsi_type_after_a_break_is_named(validator: SchemaValidator) -> None:
    # Past the break a child keeps its own xsi:type; one that names no type is reported as it is
    # before a break (invalid/unknown-type.xml): the name, and the abstract type it falls back to.
    text = (CORPUS / "valid" / "query-grouping.xml").read_bytes()
    unbroken = list(validator.iter_errors(text.replace(b'xsi:type="api:GroupingExpression"', b'xsi:type="api:Nope"')))
    text = text.replace(b"<api:objectType>", b"<api:limit>5</api:limit><api:objectType>", 1)
    limit, *after = validator.iter_errors(text.replace(b'xsi:type="api:GroupingExpression"', b'xsi:type="api:Nope"'))
    assert limit.path.endswith("/soap:query/api:limit")
    assert [(i.path, i.reason) for i in after] == [(i.path, i.reason) for i in unbroken]
    assert "'{http://api.platform.boomi.com/}Nope' of the xsi:type attribute does not resolve" in after[0].reason


def test_children_after_a_break_in_a_schema_of_no_namespace_and_anonymous_types(tmp_path: Path) -> None:
    # The children libxml2 skips are checked against their declarations whatever the
    # schema's layout: no target namespace, unqualified locals, anonymous types nested.
    (tmp_path / "order.xsd").write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        '<xs:element name="order"><xs:complexType><xs:sequence>'
        '<xs:element name="id" type="xs:int"/>'
        '<xs:element name="line" maxOccurs="unbounded"><xs:complexType><xs:sequence>'
        '<xs:element name="sku" type="xs:string"/><xs:element name="qty" type="xs:positiveInteger"/>'
        '</xs:sequence><xs:attribute name="kind"><xs:simpleType><xs:restriction base="xs:string">'
        '<xs:enumeration value="goods"/><xs:enumeration value="service"/></xs:restriction></xs:simpleType>'
        "</xs:attribute></xs:complexType></xs:element>"
        "</xs:sequence></xs:complexType></xs:element></xs:schema>"
    )
    checker = SchemaValidator(schema_from_files([tmp_path / "order.xsd"]))
    document = b"""<order>
  <line kind="gift"><sku>A</sku><qty>0</qty></line>
  <id>seven</id>
  <line><qty>2</qty><sku>B</sku></line>
  <note>rush</note>
</order>"""
    ours = list(checker.iter_errors(document, source="o.xml"))
    theirs = _xmlschema_issues(checker, document, "o.xml")
    assert sorted((i.path, i.line) for i in ours) == sorted((i.path, i.line) for i in theirs)
    assert [(i.path, i.line) for i in ours] == [
        ("/order/line[1]", 2),
        ("/order/line[1]/@kind", 2),
        ("/order/line[1]/qty", 2),
        ("/order/id", 3),
        ("/order/line[2]/qty", 4),
        ("/order/note", 5),
    ]


def test_the_failing_node_is_found_without_lines(validator: SchemaValidator) -> None:
    # Everything on one line, then a tree built in memory (no lines at all): libxml2's
    # own path still names the second of two same-named siblings.
    text = (CORPUS / "valid" / "query-grouping.xml").read_bytes().replace(b'"BETWEEN"', b'"NEAR"')
    one_line = b" ".join(line.strip() for line in text.splitlines())
    wanted = "/api:queryConfig/api:QueryFilter/api:expression/api:nestedExpression[2]/@operator"
    (issue,) = validator.iter_errors(one_line)
    assert issue.path.endswith(wanted)
    assert (issue.line, issue.column, issue.value) == (1, one_line.index(b'operator="NEAR"') + 1, "NEAR")
    built = etree.fromstring(text)
    for node in built.iter():
        node.sourceline = 0  # as lxml leaves a tree built in memory
    (found,) = validator.iter_errors(built)
    assert (found.path, found.line, found.column, found.value) == (issue.path, None, None, "NEAR")
    # In the default namespace libxml2 writes * steps, counted among all element siblings.
    default = text.replace(b"<api:", b"<").replace(b"</api:", b"</")
    default = default.replace(b"<soap:query>", b'<soap:query xmlns="http://api.platform.boomi.com/">')
    unprefixed = etree.fromstring(default)
    for node in unprefixed.iter():
        node.sourceline = 0
    (star,) = validator.iter_errors(unprefixed)
    assert (star.path, star.value) == (issue.path, "NEAR")


def test_xmlschema_only_adds_what_libxml2_does_not_say(tmp_path: Path) -> None:
    snapshot = pinned_store().current(DEFAULT_ACCOUNT)
    imports = (("http://soap.api.platform.boomi.com/", "service.xsd2.xsd"),)
    fresh = SchemaBundle(snapshot.sha256, snapshot.directory, imports, CompiledCache(tmp_path))
    checker = SchemaValidator(fresh)
    assert fresh._lxml is None
    assert fresh._xmlschema is None
    for name in ("enumeration", "date-pattern", "integer", "missing-attribute", "several", "rest-missing-required"):
        assert list(checker.iter_errors(CORPUS / "invalid" / f"{name}.xml"))
    assert fresh._xmlschema is None
    assert not list(tmp_path.iterdir())
    abstract = CORPUS / "invalid" / "abstract-object.xml"
    (alone,) = SchemaValidator(fresh, explain_limit=0).iter_errors(abstract)
    assert alone.reason == "the type is abstract: give a concrete xsi:type"
    assert fresh._xmlschema is None
    (bounded,) = SchemaValidator(fresh, explain_limit=1).iter_errors(abstract)
    assert bounded.reason == "tns:BaseType is abstract: give a concrete xsi:type"
    assert len(list(checker.iter_errors(abstract))) == 2


@pytest.mark.timeout(300)
def test_threads_validate_side_by_side(validator: SchemaValidator) -> None:
    # Each thread reads its own libxml2 error log: no issue lost to, or taken from, another thread.
    paths = sorted(CORPUS.rglob("*.xml")) * 6
    alone = {path: list(validator.iter_errors(path)) for path in set(paths)}
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda path: list(validator.iter_errors(path)), paths))
    assert together == [alone[path] for path in paths]


_IMPORTS = """
import sys
from pathlib import Path
from boomi_soap.snapshot.schema import resolve_schema
from boomi_soap.validate import SchemaValidator, validate_sources
validator = SchemaValidator(resolve_schema())
report = validate_sources(validator, sys.argv[1:])
assert report.results[0].valid and not report.results[-1].valid, report.lines()
assert validator.is_valid(Path(sys.argv[1]) / "get.xml")
print(sorted(m for m in sys.modules if m.partition(".")[0] in ("xmlschema", "elementpath")))
"""


@pytest.mark.parametrize(
    ("invalid", "imported"), [("out-of-order", False), ("order-enum-integer", False), ("abstract-object", True)]
)
def test_xmlschema_is_imported_only_to_explain(tmp_path: Path, invalid: str, imported: bool) -> None:
    env = {**os.environ, "BOOMI_SOAP_COMPILED_DIR": str(tmp_path)}
    documents = [str(CORPUS / "valid"), str(CORPUS / "invalid" / f"{invalid}.xml")]
    done = subprocess.run(
        [sys.executable, "-c", _IMPORTS, *documents], env=env, capture_output=True, text=True, check=True
    )
    assert (done.stdout.strip() != "[]") is imported, done.stdout


def test_a_fragment_rooted_at_a_local_element_is_rejected(validator: SchemaValidator) -> None:
    # xmlschema accepts a local element (QueryFilter/expression) as a root; libxml2 does
    # not, and a document libxml2 rejects is never passed.
    (issue,) = validator.iter_errors(SAMPLES / "QueryFilter.GroupingExpression.fragment.fixed.xml")
    assert "No matching global declaration available for the validation root" in issue.reason


def test_the_five_classic_mistakes_in_one_run(validator: SchemaValidator) -> None:
    names = ["enumeration", "date-pattern", "integer", "missing-attribute", "out-of-order"]
    found = {name: list(validator.iter_errors(CORPUS / "invalid" / f"{name}.xml", source=name)) for name in names}
    (enumeration,) = found["enumeration"]
    assert (enumeration.line, enumeration.column, enumeration.value) == (7, 59, "SOUNDS_LIKE")
    assert "value must be one of" in enumeration.reason
    (pattern,) = found["date-pattern"]
    assert (pattern.line, pattern.path.endswith("/@dateInstalled"), pattern.value) == (4, True, "yesterday at noon")
    assert "'yesterday at noon' is not a valid datetime" in pattern.reason
    (integer,) = found["integer"]
    assert (integer.line, integer.value) == (4, "three")
    assert "'three' is not an integer" in integer.reason
    (missing,) = found["missing-attribute"]
    assert (missing.line, missing.column, missing.reason) == (7, 11, "missing required attribute 'property'")
    (order,) = found["out-of-order"]
    assert (order.line, order.column) == (5, 7)
    assert "Unexpected child with tag 'api:objectType'" in order.reason


def test_out_of_order_reports_what_was_expected(validator: SchemaValidator) -> None:
    document = b"""<api:QueryConfig xmlns:api="http://api.platform.boomi.com/">
  <api:QuerySort><api:sortField fieldName="x"/></api:QuerySort>
</api:QueryConfig>"""
    (issue,) = validator.iter_errors(document, source="q.xml")
    assert issue.path == "/api:QueryConfig/api:QuerySort"
    assert issue.expected == ("api:QueryFilter",)
    assert str(issue).startswith("q.xml:2:3: /api:QueryConfig/api:QuerySort: Unexpected child")


def test_documented_examples(validator: SchemaValidator) -> None:
    for path in sorted(SAMPLES.glob("TradingPartnerComponent.*.modern.xml")):
        assert validator.is_valid(path), path.name
    # As published, the docs elide results and tokens with a literal "...": character data is not allowed there.
    for name in ("query.paging.response.fixed.xml", "queryMore.request.xml"):
        (issue,) = validator.iter_errors(FIXTURES / "envelopes" / name)
        assert issue.reason == "character data between child elements not allowed"


def test_prefixes_declared_on_the_envelope_are_honoured(validator: SchemaValidator) -> None:
    document = etree.parse(str(CORPUS / "valid" / "query-grouping.xml")).getroot()
    body_child = document[0][0]
    assert "xsi" not in body_child.attrib  # xsi and api are declared on the Envelope only
    assert validator.is_valid(body_child)


def test_expected_element(validator: SchemaValidator) -> None:
    path = CORPUS / "valid" / "rest-process.xml"
    assert validator.is_valid(path, element="api:Process")
    (issue,) = validator.iter_errors(path, element="{http://api.platform.boomi.com/}Atom")
    assert "is not the expected {http://api.platform.boomi.com/}Atom" in issue.reason


def test_xpath_positions() -> None:
    root = etree.fromstring(b'<a xmlns:q="urn:q"><b/><b><q:c/></b><d xmlns="urn:x"/></a>')
    assert xpath_of(root[1][0]) == "/a/b[2]/q:c"
    assert xpath_of(root[2], "id") == "/a/*[local-name()='d']/@id"


def test_issue_json_shape(validator: SchemaValidator) -> None:
    issue = next(validator.iter_errors(CORPUS / "invalid" / "integer.xml", source="i.xml"))
    assert issue.as_dict() == {
        "source": "i.xml",
        "path": "/soapenv:Envelope/soapenv:Body/soap:update/object/@purgeHistoryDays",
        "reason": "attribute purgeHistoryDays='three': 'three' is not an integer",
        "line": 4,
        "column": 43,
        "expected": [],
        "value": "three",
    }
    assert json.loads(json.dumps(issue.as_dict())) == issue.as_dict()
    assert isinstance(issue, ValidationIssue)


def test_a_real_pattern_facet(tmp_path: Path) -> None:
    (tmp_path / "codes.xsd").write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:codes" elementFormDefault="qualified">'
        '<xs:element name="code"><xs:simpleType><xs:restriction base="xs:string"><xs:pattern value="[A-Z]{3}-\\d{4}"/>'
        "</xs:restriction></xs:simpleType></xs:element></xs:schema>"
    )
    checker = SchemaValidator(schema_from_files([tmp_path / "codes.xsd"]))
    assert checker.is_valid(b'<code xmlns="urn:codes">ABC-1234</code>')
    (issue,) = checker.iter_errors(b'<code xmlns="urn:codes">abc-12</code>', source="c.xml")
    assert issue.value == "abc-12"
    assert "pattern" in issue.reason


def test_schema_references_must_stay_in_the_snapshot(tmp_path: Path) -> None:
    (tmp_path / "a.xsd").write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:a">'
        '<xs:import namespace="urn:b" schemaLocation="file:///etc/passwd"/></xs:schema>'
    )
    with pytest.raises(CacheIntegrityError, match="not a file of the snapshot"):
        schema_from_files([tmp_path / "a.xsd"])


# -- the compiled-schema cache ------------------------------------------------------------


@pytest.fixture
def fresh_bundle(tmp_path: Path) -> tuple[SchemaBundle, Path]:
    """The reference schema with an empty compiled cache of its own: its first explainer compiles."""
    compiled = tmp_path / "compiled"
    return reference_bundle(compiled), compiled


@pytest.fixture
def kept_bundle(compiled_once: Path, tmp_path: Path) -> tuple[SchemaBundle, Path]:
    """The reference schema with a copy of the session's compiled cache (its form to damage): it loads, not compiles."""
    compiled = tmp_path / "compiled"
    shutil.copytree(compiled_once, compiled)  # modes kept: the copy is as private as the original
    return reference_bundle(compiled), compiled


def test_compiled_form_is_reused_by_the_next_process(
    fresh_bundle: tuple[SchemaBundle, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, compiled = fresh_bundle
    assert first.explainer is not None
    files = sorted(p.name for p in compiled.iterdir())
    assert files[0] == "key" or files[1] == "key"
    assert oct((compiled / "key").stat().st_mode & 0o777) == "0o600"
    second = SchemaBundle(first.sha256, first.directory, first.imports, CompiledCache(compiled))
    monkeypatch.setattr(SchemaBundle, "_compile", lambda self: pytest.fail("compiled again"))
    assert "{http://api.platform.boomi.com/}Process" in second.explainer.maps.types


def test_a_tampered_pickle_is_never_loaded(kept_bundle: tuple[SchemaBundle, Path], tmp_path: Path) -> None:
    first, compiled = kept_bundle
    _ = first.explainer
    pickled = next(p for p in compiled.iterdir() if p.suffix == ".pickle")
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, (f"touch {marker}",))

    header, _, _ = pickled.read_bytes().partition(b"\n")
    signature = pickled.read_bytes()[len(header) + 1 : len(header) + 65]
    pickled.write_bytes(header + b"\n" + signature + b"\n" + pickle.dumps(Exploit()))
    second = SchemaBundle(first.sha256, first.directory, first.imports, CompiledCache(compiled))
    assert "{http://api.platform.boomi.com/}Process" in second.explainer.maps.types
    assert not marker.exists()
    assert CompiledCache(compiled).load(first.sha256) is not None  # rewritten, signed again


@pytest.mark.parametrize("damage", ["truncate", "garbage", "world-writable", "foreign-key"])
def test_a_damaged_compiled_form_is_recompiled(kept_bundle: tuple[SchemaBundle, Path], damage: str) -> None:
    first, compiled = kept_bundle
    _ = first.explainer
    pickled = next(p for p in compiled.iterdir() if p.suffix == ".pickle")
    if damage == "truncate":
        pickled.write_bytes(pickled.read_bytes()[:100])
    elif damage == "garbage":
        pickled.write_bytes(b"\x80\x05garbage")
    elif damage == "world-writable":
        pickled.chmod(0o666)
    else:
        (compiled / "key").write_bytes(os.urandom(32))
    assert CompiledCache(compiled).load(first.sha256) is None


# -- hostile input --------------------------------------------------------------------------


@pytest.mark.timeout(30)  # finishes: refused, never expanded (timings live in bench/)
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_input_is_refused(validator: SchemaValidator, name: str) -> None:
    with pytest.raises(XMLInputError):
        list(validator.iter_errors(HOSTILE[name], source=name))


def _many(count: int, piece: bytes, *, around: tuple[bytes, bytes] = (b"<r>", b"</r>")) -> bytes:
    return around[0] + piece * count + around[1]


_ATTRIBUTES = b"".join(b' a%d="1"' % n for n in range(1_001))
# What parse_xml refuses or settles, and the documents at its bounds: the validator's own reading must agree.
_READINGS: dict[str, bytes] = {
    **HOSTILE,
    "plain": b"<a/>",
    "declaration": b'<?xml version="1.0" encoding="UTF-8"?><a/>',
    "bom": b"\xef\xbb\xbf<a/>",
    "leading-space": b"  <a/>",
    "utf-16": '<?xml version="1.0" encoding="UTF-16"?><a/>'.encode("utf-16"),
    "utf-16-doctype": "<!DOCTYPE a><a/>".encode("utf-16-le"),
    "nul": b"<a>\x00</a>",
    "nul-in-attribute": b'<a x="\x00"/>',
    "nul-after-root": b"<a/>\x00<!DOCTYPE a>",
    "utf-16-le-no-bom": "<a/>".encode("utf-16-le"),
    "utf-32-le-no-bom": "<!DOCTYPE a><a/>".encode("utf-32-le"),
    "bang-in-text": b"<a>done!</a>",
    "bang-then-doctype": b"<a>!</a><!DOCTYPE a>",
    "doctype-in-comment": b"<a><!-- <!DOCTYPE a> --></a>",
    "doctype-in-cdata": b"<a><![CDATA[<!DOCTYPE a>]]></a>",
    "doctype-after-root": b"<a/><!DOCTYPE a>",
    "comment-first": b"<!-- x --><a/>",
    "processing-instruction": b"<a><?pi x?></a>",
    "not-well-formed": b"<a><b></a>",
    "one-byte": b"<",
    "empty": b"",
    "spaces": b"   ",
    "text": b"hello",
    "tags-at-bound": _many(99_998, b"<b/>"),
    "tags-over-bound": _many(99_999, b"<b/>"),
    "namespaces-at-bound": _many(1_000, b'<b xmlns:p="u"/>'),
    "namespaces-over-bound": _many(1_001, b'<b xmlns:p="u"/>'),
    "attributes-at-bound": b"<a" + _ATTRIBUTES[: _ATTRIBUTES.index(b" a1000=")] + b"/>",
    "attributes-over-bound": b"<a" + _ATTRIBUTES + b"/>",
    "signs-over-bound-spread": _many(1_001, b'<b c="1"/>'),
    "signs-in-text": _many(2_000, b"="),
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", sorted(_READINGS))
def test_documents_are_read_as_parse_xml_reads_them(validator: SchemaValidator, name: str) -> None:
    # The validator reads bytes in fewer steps than parse_xml: the same documents pass, the same are refused,
    # in the same words.
    data = _READINGS[name]
    expected: bytes | str
    try:
        expected = etree.tostring(parse_xml(data, source=name))
    except XMLInputError as exc:
        expected = str(exc)
    if isinstance(expected, str):
        for read in (
            _parse,
            lambda d, n: validator.iter_errors(d, source=n),
            lambda d, n: validator.is_valid(d, source=n),
        ):
            with pytest.raises(XMLInputError) as refused:
                read(data, name)
            assert str(refused.value) == expected
    else:
        assert etree.tostring(_parse(data, name)) == expected
        assert not validator.is_valid(data)  # read, then judged by the schema: none of these is a request


def test_the_usual_document_is_not_read_twice(validator: SchemaValidator, monkeypatch: pytest.MonkeyPatch) -> None:
    # parse_xml is the way for what the short reading does not settle, never for an ordinary request.
    import boomi_soap.validate as module

    calls: list[bytes] = []

    def counted(data: bytes, **kw: str) -> etree._Element:
        calls.append(data)
        return parse_xml(data, **kw)

    monkeypatch.setattr(module, "parse_xml", counted)
    ordinary = (CORPUS / "valid" / "get.xml").read_bytes()
    assert validator.is_valid(ordinary)
    assert list(validator.iter_errors(ordinary)) == []
    assert calls == []
    declared = b'<?xml version="1.0"?>' + ordinary
    assert validator.is_valid(declared)
    assert calls == [declared]


def test_files_are_read_whole_up_to_the_limit(validator: SchemaValidator, tmp_path: Path) -> None:
    document = (CORPUS / "valid" / "get.xml").read_bytes()
    (tmp_path / "fits.xml").write_bytes(document)
    (tmp_path / "over.xml").write_bytes(document + b" " * 10)
    report = validate_sources(validator, [str(tmp_path)], max_bytes=len(document) + 9)
    results = {Path(r.source).name: r for r in report.results}
    assert results["fits.xml"].valid
    assert results["over.xml"].error == f"{tmp_path / 'over.xml'}: larger than {len(document) + 9} bytes"
    # A file whose size the system does not give (st_size 0: a pipe) is read whole all the same.
    pipe = tmp_path / "pipe.xml"
    os.mkfifo(pipe)
    with ThreadPoolExecutor(1) as writer:
        writer.submit(pipe.write_bytes, document)
        (result,) = validate_sources(validator, [str(pipe)]).results
    assert result.valid


_ENV_OPEN = (
    b'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"'
    b' xmlns:soap="http://soap.api.platform.boomi.com/" xmlns:api="http://api.platform.boomi.com/">'
)
_GOOD = b"<soap:get><api:objectType>Process</api:objectType><api:objectId>x</api:objectId></soap:get>"
_BAD = b"<soap:get><api:objectId>x</api:objectId><api:objectType>Nope</api:objectType></soap:get>"
_ENVELOPES = {
    "one-good": b"<soapenv:Body>" + _GOOD + b"</soapenv:Body>",
    "header-then-body": b"<soapenv:Header><x/></soapenv:Header><soapenv:Body>" + _GOOD + b"</soapenv:Body>",
    "comment-and-pi-in-body": b"<soapenv:Body><!-- c --><?pi x?>" + _GOOD + b"<!-- d --></soapenv:Body>",
    "second-fails": b"<soapenv:Body>" + _GOOD + _BAD + b"</soapenv:Body>",
    "first-fails": b"<soapenv:Body>" + _BAD + _GOOD + _BAD + b"</soapenv:Body>",
    "two-bodies-first-good": b"<soapenv:Body>" + _GOOD + b"</soapenv:Body><soapenv:Body>" + _BAD + b"</soapenv:Body>",
    "two-bodies-first-bad": b"<soapenv:Body>" + _BAD + b"</soapenv:Body><soapenv:Body>" + _GOOD + b"</soapenv:Body>",
    "empty-body": b"<soapenv:Body/>",
    "body-of-comments": b"<soapenv:Body><!-- only --></soapenv:Body>",
    "no-body": b"<soapenv:Header/>",
    "nothing": b"",
}


@pytest.mark.parametrize("name", sorted(_ENVELOPES))
@pytest.mark.parametrize("element", [None, "soap:get"])
def test_the_short_valid_path_finds_what_the_long_one_finds(
    validator: SchemaValidator, name: str, element: str | None
) -> None:
    # iter_errors and is_valid validate the targets as they find them; the issues are those of the whole walk.
    data = _ENV_OPEN + _ENVELOPES[name] + b"</soapenv:Envelope>"
    root = parse_xml(data)
    walked = list(validator._issues(root, data, "<document>", validator.targets(root), element, None))
    assert list(validator.iter_errors(data, element=element)) == walked
    assert validator.is_valid(data, element=element) is (not walked)
    assert validator.is_valid(root, element=element) is (not walked)


def test_schema_location_hints_are_never_followed(validator: SchemaValidator, monkeypatch: pytest.MonkeyPatch) -> None:
    import urllib.request

    monkeypatch.setattr(urllib.request, "urlopen", lambda *a, **k: pytest.fail(f"fetched {a}"))
    document = (
        b'<api:Process xmlns:api="http://api.platform.boomi.com/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        b' xsi:schemaLocation="http://api.platform.boomi.com/ file:///etc/passwd http://x http://127.0.0.1:9/evil.xsd" name="x"/>'
    )
    (issue,) = validator.iter_errors(document)
    assert "Description" in issue.reason


@pytest.mark.parametrize(
    ("reason", "plain"),
    [
        ("invalid literal for int() with base 10: 'three'", "'three' is not an integer"),
        ("Invalid datetime string 'noon' for <class 'elementpath.datatypes.datetime.DateTime10'>",
         "'noon' is not a valid datetime"),
        ("XsdComplexType(name='tns:BaseType') is abstract", "tns:BaseType is abstract: give a concrete xsi:type"),
        ("could not convert string to float: 'x'", "'x' is not a number"),
    ],
)  # fmt: skip
def test_messages_are_for_people(reason: str, plain: str) -> None:
    assert for_people(reason) == plain


def test_an_empty_folder_is_reported(tmp_path: Path) -> None:
    report = validate_sources(SchemaValidator(resolve_schema()), [str(tmp_path)])
    assert not report.ok
    assert report.lines() == [f"error: {tmp_path}: no *.xml file in this folder"]
