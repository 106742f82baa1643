"""Complete validation: every independent problem, past an element out of order, as xmlschema finds them.

The documents are the benchmark's multi-error corpus (bench/corpus/multi-error): each
has an element out of order and two to four problems in all, some of them after that
element under the same parent or inside it, where libxml2 alone checks nothing more.
Each test runs xmlschema's ``iter_errors`` on the same document and compares the
number of issues and the element each is on.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from boomi_soap.localservice import DEFAULT_ACCOUNT
from boomi_soap.snapshot.cache import pinned_store
from boomi_soap.snapshot.schema import SchemaBundle, load_schema
from boomi_soap.validate import SchemaValidator, ValidationIssue, xpath_of

MULTI_ERROR = Path(__file__).parents[2] / "bench" / "corpus" / "multi-error"
DOCUMENTS = sorted(MULTI_ERROR.glob("*.xml"))
ENVELOPE = "{http://schemas.xmlsoap.org/soap/envelope/}Envelope"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> SchemaBundle:
    return load_schema(pinned_store().current(DEFAULT_ACCOUNT), compiled_dir=tmp_path_factory.mktemp("compiled"))


@pytest.fixture(scope="module")
def validator(bundle: SchemaBundle) -> SchemaValidator:
    return SchemaValidator(bundle)


def xmlschema_paths(bundle: SchemaBundle, data: bytes) -> Counter[str]:
    """The XPath of the element each of xmlschema's errors is on (a misplaced child's own, not its parent's)."""
    root = etree.fromstring(data)
    found: Counter[str] = Counter()
    for target in list(root[-1]) if root.tag == ENVELOPE else [root]:
        namespaces = {prefix or "": uri for prefix, uri in target.nsmap.items()}
        for error in bundle.explainer.iter_errors(target, namespaces=namespaces):  # type: ignore[arg-type]
            element = error.elem
            assert isinstance(element, etree._Element)
            index = getattr(error, "index", None)
            if isinstance(index, int) and "nexpected child" in (error.reason or "") and 0 <= index < len(element):
                element = element[index]
            found[xpath_of(element)] += 1
    return found


def element_paths(issues: list[ValidationIssue]) -> Counter[str]:
    """Our issues' paths, an attribute's issue counted on its element (as xmlschema places it)."""
    return Counter(issue.path.partition("/@")[0] for issue in issues)


def test_the_corpus_is_there() -> None:
    assert len(DOCUMENTS) >= 6


@pytest.mark.parametrize("document", DOCUMENTS, ids=[p.stem for p in DOCUMENTS])
def test_every_problem_on_the_same_elements_as_xmlschema(
    validator: SchemaValidator, bundle: SchemaBundle, document: Path
) -> None:
    data = document.read_bytes()
    issues = list(validator.iter_errors(data, source=document.name))
    theirs = xmlschema_paths(bundle, data)
    assert 2 <= len(issues) <= 4, [str(i) for i in issues]
    assert len(issues) == sum(theirs.values()), ([str(i) for i in issues], theirs)
    assert element_paths(issues) == theirs
    out_of_order = [i for i in issues if i.reason.startswith("Unexpected child")]
    assert out_of_order  # each document has an element out of order ...
    first = min(out_of_order, key=lambda i: (i.line or 0, i.column or 0))
    assert any((i.line or 0) >= (first.line or 0) and i is not first for i in issues)  # ... and a problem past it
    assert all(i.line and i.column and i.reason for i in issues)
    assert not validator.is_valid(data)


@pytest.mark.parametrize("document", DOCUMENTS, ids=[p.stem for p in DOCUMENTS])
def test_findings_see_past_the_element_out_of_order(validator: SchemaValidator, document: Path) -> None:
    # findings() is libxml2's account completed past each element out of order, without xmlschema's words.
    root = etree.fromstring(document.read_bytes())
    findings = [f for target in validator.targets(root) for f in validator.findings(target)]
    assert any(f.unexpected for f in findings)
    assert len(findings) >= 2


def test_a_child_where_the_type_has_no_content_is_reported(validator: SchemaValidator) -> None:
    # libxml2 says only "content is empty" on the parent; xmlschema names the child too, and so does ours.
    issues = list(validator.iter_errors((MULTI_ERROR / "environment-order-then-enum.xml").read_bytes()))
    unexpected = [i.path.rpartition("/")[2] for i in issues if i.reason.startswith("Unexpected child")]
    assert unexpected == ["api:environmentSettings", "api:name"]


_EMPTY_TYPE = (
    '<soap:create xmlns:soap="http://soap.api.platform.boomi.com/" xmlns:api="http://api.platform.boomi.com/"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    '<object xsi:type="api:Environment" name="S"{attributes}>{content}</object></soap:create>'
)


@pytest.mark.parametrize(
    ("attributes", "content"),
    [
        ("", "<api:environmentSettings/>"),
        ("", "x<api:a/><api:b>t</api:b>y"),
        ("", "  <api:a/>\n<api:a/>"),
        ("", "hello"),
        ("", "<!--c--><api:a/>"),
        ("", "<api:a/>tail"),
        ("", "   "),
        (' classification="X"', "<api:a/>"),
    ],
    ids=["child", "text-children-tail", "whitespace-children", "text", "comment-first", "tail", "whitespace", "attr"],
)
def test_content_where_the_type_has_none_is_told_as_xmlschema_tells_it(
    validator: SchemaValidator, bundle: SchemaBundle, attributes: str, content: str
) -> None:
    # libxml2 says one line for the text and one for all the children; ours says what xmlschema
    # says (each child by its position among all children, text before and between them) without asking it.
    data = _EMPTY_TYPE.format(attributes=attributes, content=content).encode()
    root = etree.fromstring(data)
    namespaces = {prefix or "": uri for prefix, uri in root.nsmap.items()}
    theirs = []
    for error in bundle.explainer.iter_errors(root, namespaces=namespaces):  # type: ignore[arg-type]
        element = error.elem
        assert isinstance(element, etree._Element)
        index = getattr(error, "index", None)
        if isinstance(index, int) and "nexpected child" in (error.reason or "") and 0 <= index < len(element):
            element = element[index]
        theirs.append((xpath_of(element), error.reason))
    ours = [(i.path.partition("/@")[0], i.reason) for i in validator.iter_errors(data)]
    assert sorted(ours) == sorted(theirs)
    assert all(i.line and i.column for i in validator.iter_errors(data))
    # explain_limit=0: xmlschema is never asked, and the account is the same.
    alone = [(i.path.partition("/@")[0], i.reason) for i in SchemaValidator(bundle, explain_limit=0).iter_errors(data)]
    assert sorted(alone) == sorted(theirs)
