"""Boomi's own OpenAPI examples as the test of pre-send validation, on every layout.

Every request example of Boomi's OpenAPI description (the packaged copy,
``boomi_soap/localservice/openapi/``) is checked the way the client checks a request
before a byte is sent: the REST body (a JSON one converted to XML by the JSON form,
as the REST JSON client's bodies are) validated by :class:`SchemaValidator`; a
``queryMore`` token inside its SOAP envelope.  All of them pass except those
``tests/fixtures/boomi-openapi/manifest.json`` lists under ``refused``, each with its
reason and the exact error, and the list is held exact both ways.

``python -m tests.boomi_soap.test_boomi_examples`` rewrites the manifest's list of
examples from the packaged description (the reasons are kept, a new refusal gets
``"reason": "?"`` for a person to judge).
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import sys
from collections import Counter
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from lxml import etree

from boomi_soap._xml.safe import parse_xml
from boomi_soap.exceptions import BoomiSoapError, XMLInputError
from boomi_soap.snapshot.cache import Snapshot, pinned_store
from boomi_soap.snapshot.contract import contract_of
from boomi_soap.snapshot.schema import load_schema
from boomi_soap.validate import SchemaValidator
from boomi_soap.wire.jsonform import JsonForm
from boomi_soap.wire.restmap import JsonBodies

ROOT = Path(__file__).parents[2]
OPENAPI = ROOT / "boomi_soap" / "localservice" / "openapi" / "platformOpenAPISv3.0.3.json"
MANIFEST = ROOT / "tests" / "fixtures" / "boomi-openapi" / "manifest.json"
NS_ENVELOPE = "http://schemas.xmlsoap.org/soap/envelope/"
LAYOUTS = {
    "split": ("localdemo-A1B2C3", "platform"),
    "single": ("localsingle-A1B2C3", "platform"),
    "partner": ("localdemo-A1B2C3", "partner"),
}
# The reasons a request example may be refused for (see the manifest's README).
REASONS = (
    "not well-formed",
    "contradicts itself",
    "a placeholder value",
    "sequence order: the writer orders",
    "whitespace in an empty element: the writer writes none",
)
METHODS = ("get", "put", "post", "delete", "patch")


# -- the examples of the description ----------------------------------------------------


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def value_at(document: Any, pointer: str) -> Any:
    """The value at a JSON pointer, following ``{"$ref": ...}`` (a queryMore example points at another)."""
    value = document
    for part in pointer.lstrip("/").split("/"):
        value = value[part.replace("~1", "/").replace("~0", "~")]
    for _ in range(8):
        if not (isinstance(value, dict) and set(value) == {"$ref"}):
            break
        value = value_at(document, unquote(str(value["$ref"]).removeprefix("#")))  # a URI fragment
    return value


def _digest(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _schema_name(content: dict[str, Any]) -> str | None:
    ref = (content.get("schema") or {}).get("$ref")
    return str(ref).rsplit("/", 1)[-1] if ref else None


def _request_root(path: str, content: dict[str, Any]) -> str | None:
    """The element a request body stands for: what the REST client sends on that path."""
    if path.endswith("/query"):
        return "QueryConfig"  # the description names per-object query configs, the schema has one
    if path.endswith("/bulk"):
        return "BulkRequest"
    return _schema_name(content)


def _object_of(value: Any, fallback: str | None) -> str | None:
    """The object an example holds: its JSON ``@type``, its XML root, else the body's schema."""
    if isinstance(value, dict) and isinstance(value.get("@type"), str) and value["@type"]:
        return str(value["@type"])
    if isinstance(value, str) and value.lstrip().startswith("<"):
        try:
            return etree.QName(parse_xml(value.encode("utf-8"), source="example")).localname
        except XMLInputError:
            return fallback
    return fallback


def _bodies(pointer: str, content: dict[str, Any]) -> Iterator[tuple[str, str]]:
    if "example" in content:
        yield "", f"{pointer}/example"
    for name in content.get("examples", {}):
        yield name, f"{pointer}/examples/{_escape(name)}/value"


def list_examples(document: Any) -> list[dict[str, Any]]:
    """One entry per request and response example of the description, in document order."""
    found: list[dict[str, Any]] = []

    def add(**entry: Any) -> None:
        value = value_at(document, entry["pointer"])
        fallback = entry.pop("fallback")
        entry["object"] = _object_of(value, fallback)
        entry["sha256"] = _digest(value)
        name = f" {entry['name']}" if entry["name"] else ""
        where = f"{entry['method']} {entry['path']}" if entry["method"] else entry["path"]
        kind = "request" if entry["direction"] == "request" else f"response {entry['status']}"
        media = entry["media"] or "(no media type)"
        found.append({"id": f"{where} {kind} {media}{name}", **entry})

    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            base = f"/paths/{_escape(path)}/{method}"
            common = {"method": method.upper(), "path": path, "operation": operation.get("operationId")}
            for media, content in operation.get("requestBody", {}).get("content", {}).items():
                for name, pointer in _bodies(f"{base}/requestBody/content/{_escape(media)}", content):
                    add(**common, direction="request", status=None, media=media, name=name, pointer=pointer,
                        fallback=_request_root(path, content))  # fmt: skip
            for status, answer in operation.get("responses", {}).items():
                if "$ref" in answer:
                    continue  # a shared answer: listed once, under components, below
                for media, content in answer.get("content", {}).items():
                    pointer = f"{base}/responses/{status}/content/{_escape(media)}"
                    if not isinstance(content, dict):  # an example put where a media type belongs
                        add(**common, direction="response", status=status, media=None, name="", pointer=pointer,
                            fallback=None)  # fmt: skip
                        continue
                    for name, at in _bodies(pointer, content):
                        add(**common, direction="response", status=status, media=media, name=name, pointer=at,
                            fallback=_schema_name(content))  # fmt: skip
    for status, answer in document.get("components", {}).get("responses", {}).items():
        for media, content in answer.get("content", {}).items():
            pointer = f"/components/responses/{status}/content/{_escape(media)}"
            for name, at in _bodies(pointer, content):
                add(method=None, path=f"components/responses/{status}", operation=None, direction="response",
                    status=status, media=media, name=name, pointer=at, fallback=_schema_name(content))  # fmt: skip
    return found


@cache
def _document() -> Any:
    return json.loads(OPENAPI.read_bytes())


@cache
def _manifest() -> Any:
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


def _requests() -> list[dict[str, Any]]:
    return [entry for entry in _manifest()["examples"] if entry["direction"] == "request"]


# -- pre-send validation -----------------------------------------------------------------


class Checker:
    """Pre-send validation of request bodies against one pinned snapshot."""

    def __init__(self, snapshot: Snapshot, compiled: Path) -> None:
        self.contract = contract_of(snapshot)
        self.validator = SchemaValidator(load_schema(snapshot, compiled_dir=compiled))
        self.form = JsonForm.of(snapshot)
        self.bodies = JsonBodies(self.form, self.contract.data_namespace)

    def element(self, entry: dict[str, Any], value: Any) -> etree._Element:
        """The XML the client would validate for an example.

        Raises:
            BoomiSoapError: If it has no XML form (not well-formed, or JSON the form refuses).
        """
        if entry["media"] == "text/plain":  # a queryMore token: the envelope the client sends
            operation = self.contract.operations["queryMore"]
            envelope = etree.Element(f"{{{NS_ENVELOPE}}}Envelope")
            wrapper = etree.SubElement(etree.SubElement(envelope, f"{{{NS_ENVELOPE}}}Body"), operation.request)
            slot = operation.input("queryToken")
            assert slot is not None
            etree.SubElement(wrapper, slot.tag).text = str(value)
            return envelope
        if entry["media"] == "application/json":
            body = json.dumps(value).encode("utf-8")
            return etree.fromstring(self.bodies.from_json(body, entry["root"], max_bytes=1 << 24))
        return parse_xml(str(value).encode("utf-8"), source="example")

    def error(self, entry: dict[str, Any], value: Any) -> str | None:
        """The first error pre-send validation gives, or ``None`` when the example passes."""
        try:
            element = self.element(entry, value)
        except BoomiSoapError as exc:
            return f"{type(exc).__name__}: {exc}"
        issues = list(self.validator.iter_errors(element, source="example"))
        return f"{issues[0].path}: {issues[0].reason}" if issues else None

    def passes(self, element: etree._Element) -> bool:
        return not any(True for _ in self.validator.iter_errors(element, source="example"))

    def in_schema_order(self, entry: dict[str, Any], value: Any) -> etree._Element:
        """The same XML with every element's children in schema order (what the writer sends)."""
        element = self.element(entry, value)
        return self.form.from_json(self.form.to_json(element), str(element.tag))

    def without_whitespace(self, entry: dict[str, Any], value: Any) -> etree._Element:
        """The same XML without whitespace-only text (an indented document's layout)."""
        element = copy.deepcopy(self.element(entry, value))
        for node in element.iter():
            if node.text is not None and not node.text.strip():
                node.text = None
            if node.tail is not None and not node.tail.strip():
                node.tail = None
        return element


@pytest.fixture(scope="module", params=sorted(LAYOUTS))
def checker(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Checker:
    account, flavour = LAYOUTS[str(request.param)]
    snapshot = pinned_store().current(account, flavour)  # type: ignore[arg-type]
    return Checker(snapshot, tmp_path_factory.mktemp("compiled"))


def outcomes(checker: Checker) -> dict[str, str]:
    """The error of every request example that fails, by id."""
    failures: dict[str, str] = {}
    for entry in _requests():
        error = checker.error(entry, value_at(_document(), entry["pointer"]))
        if error is not None:
            failures[entry["id"]] = error
    return failures


# -- tests ---------------------------------------------------------------------------------


def test_the_manifest_lists_every_example_of_the_packaged_description() -> None:
    manifest = _manifest()
    assert manifest["sha256"] == hashlib.sha256(OPENAPI.read_bytes()).hexdigest()
    listed = [{k: v for k, v in entry.items() if k != "root"} for entry in manifest["examples"]]
    assert listed == list_examples(_document())
    counts = Counter((e["direction"], e["media"]) for e in manifest["examples"])
    assert sum(n for (direction, _), n in counts.items() if direction == "request") == 464
    assert counts[("response", "application/json")] + counts[("response", "application/xml")] == 603
    assert counts[("response", None)] == 1  # PublisherIntegrationPack/bulk: content.example, no media type
    assert len({e["id"] for e in manifest["examples"]}) == len(manifest["examples"])


def test_every_refusal_has_a_reason_from_the_short_list() -> None:
    refused = _manifest()["refused"]
    ids = {e["id"] for e in _requests()}
    assert set(refused) <= ids
    assert all(item["reason"] in REASONS and item["detail"] and item["error"] for item in refused.values())
    assert len(refused) < len(ids) / 6


@pytest.mark.timeout(300)
def test_boomis_request_examples_pass_pre_send_validation(checker: Checker) -> None:
    """All but the listed ones pass; the listed ones fail with exactly the recorded error."""
    refused = _manifest()["refused"]
    failures = outcomes(checker)
    assert failures == {key: item["error"] for key, item in refused.items()}
    passing = len(_requests()) - len(failures)
    assert passing == _manifest()["figures"]["requests_passing"]


@pytest.mark.timeout(300)
def test_each_reason_is_real(checker: Checker) -> None:
    """An order or whitespace refusal passes once the writer's form is sent; the others stay refused."""
    document = _document()
    by_id = {e["id"]: e for e in _requests()}
    for key, item in _manifest()["refused"].items():
        entry, value = by_id[key], value_at(document, by_id[key]["pointer"])
        if item["reason"] == "not well-formed":
            assert entry["media"] == "application/xml"
            with pytest.raises(XMLInputError):
                parse_xml(str(value).encode("utf-8"), source=key)
        elif item["reason"].startswith("sequence order"):
            assert "Unexpected child" in item["error"] or "not complete" in item["error"]
            assert checker.passes(checker.in_schema_order(entry, value)), key
        elif item["reason"].startswith("whitespace"):
            assert checker.passes(checker.without_whitespace(entry, value)), key
        else:  # the example disagrees with its own description: no writer can fix that
            try:
                fixed = checker.without_whitespace(entry, value)
            except BoomiSoapError:
                continue  # the JSON form refuses it (an unknown key, a missing one)
            assert not checker.passes(fixed), key
            if entry["media"] == "application/xml":
                with contextlib.suppress(BoomiSoapError):  # schema order does not mend it either
                    assert not checker.passes(checker.in_schema_order(entry, value)), key


def test_the_figures_add_up() -> None:
    figures = _manifest()["figures"]
    reasons = Counter(item["reason"] for item in _manifest()["refused"].values())
    assert figures["requests"] == len(_requests())
    assert figures["requests_passing"] + sum(reasons.values()) == figures["requests"]
    assert figures["refused_by_reason"] == dict(sorted(reasons.items()))


# -- refreshing the manifest -----------------------------------------------------------------


def write_manifest(refused: dict[str, dict[str, str]] | None = None) -> None:
    """Rewrite the manifest from the packaged description, keeping the recorded reasons."""
    raw = OPENAPI.read_bytes()
    document = json.loads(raw)
    examples = list_examples(document)
    for entry in examples:
        if entry["direction"] == "request":
            content = value_at(document, entry["pointer"].rsplit("/example", 1)[0])
            entry["root"] = _request_root(entry["path"], content)
    old = json.loads(MANIFEST.read_text(encoding="utf-8")).get("refused", {}) if MANIFEST.exists() else {}
    reasons = {**old, **(refused or {})}
    account, flavour = LAYOUTS["split"]
    import tempfile

    checker = Checker(pinned_store().current(account, flavour), Path(tempfile.mkdtemp()))  # type: ignore[arg-type]
    failures: dict[str, dict[str, str]] = {}
    for entry in examples:
        if entry["direction"] != "request":
            continue
        error = checker.error(entry, value_at(document, entry["pointer"]))
        if error is not None:
            known = reasons.get(entry["id"], {"reason": "?", "detail": "?"})
            failures[entry["id"]] = {"reason": known["reason"], "detail": known["detail"], "error": error}
    requests = sum(1 for e in examples if e["direction"] == "request")
    by_reason = Counter(item["reason"] for item in failures.values())
    manifest = {
        "source": "boomi_soap/localservice/openapi/platformOpenAPISv3.0.3.json (see SOURCE.md there)",
        "sha256": hashlib.sha256(raw).hexdigest(),
        "figures": {
            "requests": requests,
            "requests_passing": requests - len(failures),
            "refused_by_reason": dict(sorted(by_reason.items())),
            "responses": sum(1 for e in examples if e["direction"] == "response"),
        },
        "refused": failures,
        "examples": examples,
    }
    lines = ",\n".join("  " + json.dumps(e, ensure_ascii=False) for e in examples)
    head = json.dumps({k: v for k, v in manifest.items() if k != "examples"}, indent=1, ensure_ascii=False)
    MANIFEST.write_text(f'{head[:-2]},\n "examples": [\n{lines}\n ]\n}}\n', encoding="utf-8")


if __name__ == "__main__":
    write_manifest(json.loads(Path(sys.argv[1]).read_text()) if len(sys.argv) > 1 else None)
