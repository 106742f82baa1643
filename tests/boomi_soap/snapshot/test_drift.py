"""Schema drift against the known answer of the drifted release's CHANGES.md."""

from __future__ import annotations

import json
import re
from importlib import resources

from boomi_soap.localservice import DEFAULT_ACCOUNT
from boomi_soap.snapshot.cache import pinned_store
from boomi_soap.snapshot.drift import Change, diff_contracts, load_contract, render_json, render_text

KINDS = {
    "new object type": ("added", "type"),
    "new optional element": ("added", "element"),
    "new optional attribute": ("added", "attribute"),
    "new enumeration value": ("added", "enumeration"),
    "removed optional attribute": ("removed", "attribute"),
    "new operation": ("added", "operation"),
}


def known_answer() -> list[tuple[str, str, str]]:
    """The changes CHANGES.md lists, as (kind, component, path)."""
    text = (resources.files("boomi_soap.localservice") / "contract" / "next" / "CHANGES.md").read_text()
    answer = []
    for row in re.findall(r"^\| \d+ \| (.+?) \| .+? \| (.+?) \| (.+?) \|$", text, re.MULTILINE):
        change, component, detail = row
        kind, what = KINDS[change]
        name = component.split()[-1]
        if what == "element":
            path = f"{name}/{detail.split()[1]}"
        elif what == "attribute":
            path = f"{name}/@{detail.split()[1]}"
        elif what == "enumeration":
            path = f"{name}={detail.split()[1]}"
        else:
            path = name
        answer.append((kind, what, path))
    return sorted(answer)


def pinned_pair() -> tuple[object, object]:
    store = pinned_store()
    current = store.current(DEFAULT_ACCOUNT)
    other = next(d for d in store.snapshot_dirs(DEFAULT_ACCOUNT) if d != current.directory)
    return load_contract(current), load_contract(store.open(other))


def test_diff_of_the_reference_and_next_is_exactly_the_known_answer() -> None:
    answer = known_answer()
    assert len(answer) == 9
    old, new = pinned_pair()
    changes = diff_contracts(old, new)  # type: ignore[arg-type]
    assert sorted((c.kind, c.component, c.path) for c in changes) == answer


def test_reverse_diff_mirrors_it() -> None:
    old, new = pinned_pair()
    forward = diff_contracts(old, new)  # type: ignore[arg-type]
    backward = diff_contracts(new, old)  # type: ignore[arg-type]
    flip = {"added": "removed", "removed": "added"}
    assert sorted((flip[c.kind], c.component, c.path) for c in forward) == sorted(
        (c.kind, c.component, c.path) for c in backward
    )


def test_a_snapshot_does_not_differ_from_itself() -> None:
    old, _ = pinned_pair()
    assert diff_contracts(old, old) == []  # type: ignore[arg-type]
    assert render_text([]) == "no changes\n"


def test_renderings() -> None:
    changes = [
        Change("added", "type", "ProcessLabel"),
        Change("removed", "attribute", "Account/@widgetAccount", "name=widgetAccount"),
    ]
    text = render_text(changes)
    assert text.splitlines()[-1] == "1 added, 1 removed"
    document = json.loads(render_json(changes))
    assert document["changes"][1] == {
        "kind": "removed",
        "component": "attribute",
        "path": "Account/@widgetAccount",
        "detail": "name=widgetAccount",
    }


def test_a_layout_change_is_only_the_wrappers_moving() -> None:
    """The same contract in the other layout: the data schema is equal, every operation moved namespace."""
    from boomi_soap.credentials import Endpoint
    from boomi_soap.snapshot.drift import load_fetched
    from boomi_soap.snapshot.fetch import Document, FetchResult

    def fetched(folder: str) -> FetchResult:
        root = resources.files("boomi_soap.localservice") / "contract" / folder
        names = sorted(p.name for p in root.iterdir() if p.name.endswith((".wsdl", ".xsd")))
        documents = tuple(Document(f"file:{n}", n, (root / n).read_bytes(), None, None, "now") for n in names)
        return FetchResult(Endpoint(DEFAULT_ACCOUNT), documents)

    changes = diff_contracts(load_fetched(fetched("current")), load_fetched(fetched("single")))
    assert {(c.kind, c.component) for c in changes} == {("changed", "operation")}
    assert len(changes) == 13
    moved = next(c for c in changes if c.path == "get")
    assert "{http://soap.api.platform.boomi.com/}get(" in moved.detail
    assert "{http://api.platform.boomi.com/}get(" in moved.detail
