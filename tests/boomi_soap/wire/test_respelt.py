"""A type name Boomi misspells is read as the type it misspells, on the XML and the JSON path alike.

Boomi's own example answers write ``AtomConnectionFieldeExtensionSummary`` for
``AtomConnectionFieldExtensionSummary``; the tolerant reader reads such a name as the one
type it is a letter or so off, records ``misspelt-type``, and refuses it in strict mode.
"""

from __future__ import annotations

import json
import tempfile
from functools import cache
from pathlib import Path

import pytest
from lxml import etree

from boomi_soap.exceptions import JsonFormError, ResponseError
from boomi_soap.snapshot.cache import pinned_store
from boomi_soap.wire import Deviations, check_answer
from boomi_soap.wire.tolerance import respelt
from tests.boomi_soap.test_boomi_examples import LAYOUTS, Checker

DATA = "http://api.platform.boomi.com/"
RIGHT, WRONG = "AtomConnectionFieldExtensionSummary", "AtomConnectionFieldeExtensionSummary"
FIELDS = {"atomId": "a-1", "connectionId": "c-1", "extensionGroupId": "g-1"}


@cache
def _checker(layout: str) -> Checker:
    account, flavour = LAYOUTS[layout]
    return Checker(pinned_store().current(account, flavour), Path(tempfile.mkdtemp(prefix="compiled-")))  # type: ignore[arg-type]


def test_a_name_one_letter_off_exactly_one_is_respelt() -> None:
    names = [RIGHT, "EnvironmentConnectionFieldExtensionSummary", "Atom"]
    assert respelt(WRONG, names) == RIGHT
    assert respelt(RIGHT, names) is None  # a known name is not respelt
    assert respelt("Process", names) is None  # nothing close
    assert respelt("Atomx", ["Atoms", "Atomy"]) is None  # two close names: which one is not guessed


def _xml(type_name: str) -> etree._Element:
    attributes = " ".join(f'{k}="{v}"' for k, v in FIELDS.items())
    return etree.fromstring(
        f'<api:QueryResult xmlns:api="{DATA}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        f' numberOfResults="1"><api:result xsi:type="api:{type_name}" {attributes}><api:field/></api:result>'
        "</api:QueryResult>"
    )


def _json(checker: Checker, type_name: str) -> etree._Element:
    body = json.dumps(
        {"@type": "QueryResult", "numberOfResults": 1, "result": [{"@type": type_name, **FIELDS, "field": {}}]}
    )
    return etree.fromstring(checker.bodies.from_json(body.encode(), "QueryResult", max_bytes=1 << 20, lenient=True))


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_xml_and_json_read_a_misspelt_type_alike(layout: str) -> None:
    checker = _checker(layout)
    read = []
    for answer in (_xml(WRONG), _json(checker, WRONG)):
        seen = Deviations()
        check_answer(checker.validator, answer, mode="tolerant", operation="query", deviations=seen)
        assert [(d.type, d.field, d.kind) for d in seen] == [(RIGHT, "xsi:type", "misspelt-type")]
        assert answer[0].get("{http://www.w3.org/2001/XMLSchema-instance}type", "").endswith(f":{RIGHT}")
        read.append(etree.tostring(answer, method="c14n"))
    right = _xml(RIGHT)
    assert not checker.validator.findings(right)
    assert read[0] == etree.tostring(right, method="c14n")  # repaired, the XML is the correct answer


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_strict_mode_refuses_a_misspelt_type_on_both_paths(layout: str) -> None:
    checker = _checker(layout)
    for answer in (_xml(WRONG), _json(checker, WRONG)):
        with pytest.raises(ResponseError, match="does not fit the schema"):
            check_answer(checker.validator, answer, mode="strict", operation="query", deviations=Deviations())


def test_a_name_close_to_no_type_is_still_refused() -> None:
    checker = _checker("split")
    with pytest.raises(ResponseError):
        check_answer(checker.validator, _xml("Zzyzx"), mode="tolerant", operation="query", deviations=Deviations())
    with pytest.raises(JsonFormError, match="Zzyzx"):
        _json(checker, "Zzyzx")


def test_an_exact_writer_never_respells() -> None:
    """Requests are built strictly: a misspelt @type in a body the client sends is refused, naming it."""
    checker = _checker("split")
    body = json.dumps({"@type": "QueryResult", "result": [{"@type": WRONG, **FIELDS, "field": {}}]}).encode()
    with pytest.raises(JsonFormError, match=WRONG):
        checker.bodies.from_json(body, "QueryResult", max_bytes=1 << 20)
