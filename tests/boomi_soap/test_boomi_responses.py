"""Boomi's own example answers, read by the client's reader in tolerant mode, on every layout.

Every 2xx response example of Boomi's OpenAPI description (JSON, and XML where it is
well-formed XML in the data namespace) goes through what the REST client does with an
answer: a JSON body converted leniently to its XML form, the tolerant check
(:func:`boomi_soap.wire.tolerance.check_answer`), and then the typed bindings build
the result.  ``tests/fixtures/boomi-openapi/responses.json`` lists, per example, the
deviations it carries from the project's contract (type, field, kind) and, for an
example that is not read, what the reader said and why that is right (``reason``, one
of :data:`REASONS`, each checked against the example); both are held exact: a new
deviation fails, and so does one that went away.  In strict mode exactly the examples
with a deviation fail.  The answers of ``cancelExecution`` and ``executeProcess`` are
read as the REST client reads them: it takes nothing from their body.

``python -m tests.boomi_soap.test_boomi_responses`` rewrites the fixture (review the diff).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from boomi_soap._xml.safe import parse_xml
from boomi_soap.bindings import types as bound
from boomi_soap.exceptions import BoomiSoapError, ResponseError
from boomi_soap.snapshot.cache import pinned_store
from boomi_soap.wire import Deviations, check_answer
from boomi_soap.wire.restmap import _EMPTY_ANSWER
from boomi_soap.wire.xmlbind import from_element
from tests.boomi_soap.test_boomi_examples import LAYOUTS, Checker, _document, _manifest, value_at

EXPECTED = Path(__file__).parents[1] / "fixtures" / "boomi-openapi" / "responses.json"
DATA = "http://api.platform.boomi.com/"
# Why an example may stay unread; each is checked against the example (see reason_of).
REASONS = ("not well-formed", "not in the data namespace")
IGNORED = "the REST client reads no field of this answer"


def _responses() -> list[dict[str, Any]]:
    return [e for e in _manifest()["examples"] if e["direction"] == "response" and str(e["status"]).startswith("2")]


def _root(schema_name: str) -> str:
    """The element a JSON answer stands for, as the REST client reads it (restmap's answer roots).

    The OpenAPI names a query's answer ``BranchQueryResponse``, a bulk one
    ``FolderBulkResponse``, an asynchronous one ``ListQueuesAsyncResponse``; on the wire
    they are a QueryResult, a BulkResult and an AsyncOperationResult.
    """
    for suffix, root in (("QueryResponse", "QueryResult"), ("BulkResponse", "BulkResult"),
                         ("AsyncResponse", "AsyncOperationResult")):  # fmt: skip
        if schema_name.endswith(suffix) and schema_name != suffix:
            return root
    return schema_name


def read(checker: Checker, entry: dict[str, Any], mode: str = "tolerant") -> dict[str, Any]:
    """What the reader makes of one example: its deviations, or why it is not read."""
    value = value_at(_document(), entry["pointer"])
    if entry["path"].split("/")[1] in _EMPTY_ANSWER:  # restmap.response: the wrapper is empty, the body unread
        return {"deviations": [], "ignored": IGNORED}
    try:
        if entry["media"] == "application/json":
            body = json.dumps(value).encode("utf-8")
            root_name = _root(entry["object"] or "BaseType")
            root = etree.fromstring(checker.bodies.from_json(body, root_name, max_bytes=1 << 24, lenient=True))
        else:
            if not isinstance(value, str):
                return {"unread": "not an XML document"}
            root = parse_xml(value.encode("utf-8"), source="example")
    except BoomiSoapError as exc:
        return {"unread": f"{type(exc).__name__}: {exc}"}
    if etree.QName(root).namespace != DATA:
        return {"unread": f"not in the data namespace: {etree.QName(root).text}"}
    seen = Deviations()
    try:
        check_answer(checker.validator, root, mode=mode, operation=entry["operation"], deviations=seen)  # type: ignore[arg-type]
    except ResponseError as exc:
        if mode == "strict":
            raise
        return {"unread": str(exc).partition(": ")[2]}
    target = bound.REGISTRY.get(etree.QName(root).localname)
    if target is not None:
        from_element(root, target)  # the result is built: ValueError would fail the test
    return {"deviations": sorted({(d.type, d.field, d.kind) for d in seen})}


@cache
def _checker(layout: str) -> Checker:
    import tempfile

    account, flavour = LAYOUTS[layout]
    return Checker(pinned_store().current(account, flavour), Path(tempfile.mkdtemp(prefix="compiled-")))  # type: ignore[arg-type]


def _expected() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EXPECTED.read_text(encoding="utf-8"))
    return data


def reason_of(entry: dict[str, Any], unread: str) -> str | None:
    """Which of :data:`REASONS` explains why ``entry`` is not read (``None``: none does)."""
    if entry["media"] == "application/xml" and unread.startswith("XMLInputError: ") and "not well-formed" in unread:
        return "not well-formed"  # lxml says so: not XML at all, so no reader can take it
    if unread.startswith("not in the data namespace: "):
        return "not in the data namespace"  # another API's namespace, none, or a misspelt one: the wrong wrapper
    return None


def outcomes(layout: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for entry in _responses():
        outcome = read(_checker(layout), entry)
        if "deviations" in outcome:
            outcome["deviations"] = [list(d) for d in outcome["deviations"]]
        else:
            outcome["reason"] = reason_of(entry, outcome["unread"])
        found[entry["id"]] = outcome
    return found


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_boomis_response_examples_read_tolerantly_with_exactly_the_listed_deviations(layout: str) -> None:
    expected = _expected()["examples"]
    assert outcomes(layout) == expected


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_strict_mode_refuses_exactly_the_examples_that_deviate(layout: str) -> None:
    checker = _checker(layout)
    expected = _expected()["examples"]
    refused: dict[str, str] = {}
    for entry in _responses():
        if "deviations" not in expected[entry["id"]]:
            continue
        try:
            read(checker, entry, mode="strict")
        except ResponseError as exc:
            refused[entry["id"]] = str(exc)
    assert set(refused) == {k for k, v in expected.items() if v.get("deviations")}
    assert all("does not fit the schema" in message for message in refused.values())


def test_every_unread_example_has_a_checked_reason() -> None:
    unread = {k: v for k, v in _expected()["examples"].items() if "unread" in v}
    assert {k: v["reason"] for k, v in unread.items() if v["reason"] not in REASONS} == {}


def test_the_figures_add_up() -> None:
    data = _expected()
    assert data["figures"] == figures(data["examples"])
    assert len(data["examples"]) == len(_responses())


def figures(examples: dict[str, Any]) -> dict[str, Any]:
    """The counts the closing note gives, from the outcome of every example."""
    read_ok = [v for v in examples.values() if "deviations" in v]
    return {
        "responses_2xx": len(examples),
        "read": len(read_ok),
        "json": sum(1 for k in examples if k.endswith("application/json")),
        "read_json": sum(1 for k, v in examples.items() if "deviations" in v and k.endswith("application/json")),
        "xml_well_formed_in_the_data_namespace": sum(
            1
            for k, v in examples.items()
            if k.endswith("application/xml") and v.get("reason") not in ("not well-formed", "not in the data namespace")
        ),
        "read_xml": sum(1 for k, v in examples.items() if "deviations" in v and k.endswith("application/xml")),
        "with_deviations": sum(1 for v in read_ok if v["deviations"]),
        "unread": len(examples) - len(read_ok),
        "unread_by_reason": dict(sorted(Counter(str(v["reason"]) for v in examples.values() if "unread" in v).items())),
        "ignored": sum(1 for v in read_ok if "ignored" in v),
        "deviations_by_kind": dict(sorted(Counter(d[2] for v in read_ok for d in v["deviations"]).items())),
    }


def write() -> None:
    found = outcomes("split")
    data = {"figures": figures(found), "examples": found}
    EXPECTED.write_text(json.dumps(data, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    print(json.dumps(data["figures"], indent=1), file=sys.stderr)


if __name__ == "__main__":
    write()
