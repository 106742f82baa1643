"""The tolerant reader on every path: drift in real answers, planted on the wire by a proxy.

A proxy in front of the local service rewrites its answers as a newer (or sparser)
Boomi would send them: an Atom status the snapshot does not list, ExecutionRecord
children out of order, a required ExecutionRecord element left out.  Every path
(zeep and typed, over SOAP, REST XML and REST JSON, and the asyncio client) must read
the page, keep what it can, give one WARNING per deviation and count it on the
client; ``strict`` refuses the same answers naming the drift, ``off`` reads without
looking.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from boomi_soap import AsyncClient
from boomi_soap.bindings import TypedClient
from boomi_soap.client import Client
from boomi_soap.credentials import Credentials
from boomi_soap.exceptions import ResponseError
from boomi_soap.localservice import DEFAULT_PASSWORD, DEFAULT_USER, LocalService
from boomi_soap.settings import ClientSettings
from boomi_soap.snapshot.cache import Snapshot
from boomi_soap.wire import Deviation, Deviations
from tests.drifting import drifting_proxy

CREDENTIALS = Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD)
DATA = "http://api.platform.boomi.com/"
_TAG = rb"(?:[\w.-]+:)?"


def restarting(body: bytes, content_type: str) -> bytes:
    """One Atom status a newer release added."""
    body = body.replace(b'status="ONLINE"', b'status="RESTARTING"')
    return re.sub(rb'"status"\s*:\s*"ONLINE"', b'"status": "RESTARTING"', body)


def reordered(body: bytes, content_type: str) -> bytes:
    """ExecutionRecord's atomId before account (JSON has no order to change)."""
    pair = (
        rb"(<" + _TAG + rb"account>[^<]*</" + _TAG + rb"account>)(<" + _TAG + rb"atomId>[^<]*</" + _TAG + rb"atomId>)"
    )
    return re.sub(pair, rb"\2\1", body)


def sparse(body: bytes, content_type: str) -> bytes:
    """ExecutionRecord without its required atomName."""
    body = re.sub(rb"<" + _TAG + rb"atomName>[^<]*</" + _TAG + rb"atomName>", b"", body)
    return re.sub(rb'"atomName"\s*:\s*"[^"]*"\s*,?', b"", body)


def _value(item: Any) -> Any:
    return getattr(item, "value", item)  # a typed enumeration member, or the text kept


# name -> (rewrite, object type, what each record must read as, the deviation, JSON shows it)
PROBES: dict[str, tuple[Callable[[bytes, str], bytes], str, Callable[[Any], bool], tuple[str, str, str], bool]] = {
    "atom status": (
        restarting, "Atom", lambda r: _value(r.status) in ("RESTARTING", "OFFLINE"),
        ("Atom", "status", "unknown-value"), True,
    ),
    "element order": (
        reordered, "ExecutionRecord", lambda r: bool(_field(r, "account") and _field(r, "atomId")),
        ("ExecutionRecord", "account", "out-of-order"), False,
    ),
    "sparse record": (
        sparse, "ExecutionRecord", lambda r: _field(r, "atomName") is None and bool(_field(r, "executionId")),
        ("ExecutionRecord", "atomName", "missing"), True,
    ),
}  # fmt: skip
PATHS = (
    "zeep soap",
    "typed soap",
    "zeep rest-xml",
    "typed rest-xml",
    "zeep rest-json",
    "typed rest-json",
    "async soap",
)


def _field(record: Any, name: str) -> Any:
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
    return getattr(record, name) if hasattr(record, name) else getattr(record, snake)


@pytest.fixture
def drifted(service: LocalService, snapshot: Snapshot, compiled_dir: Path) -> Iterator[Callable[..., Client]]:
    """A client of ``path``'s transport whose answers pass through ``rewrite``."""
    rewrite: list[Callable[[bytes, str], bytes]] = [lambda body, kind: body]
    with ExitStack() as stack:
        proxy = stack.enter_context(drifting_proxy(service.base_url, lambda body, kind: rewrite[0](body, kind)))

        def build(path: str, change: Callable[[bytes, str], bytes], **settings: Any) -> Client:
            rewrite[0] = change
            _, _, wire = path.partition(" ")
            transport, _, form = wire.partition("-")
            return stack.enter_context(Client(
                snapshot, CREDENTIALS, endpoint=snapshot.endpoint.replace(service.base_url, proxy),
                settings=ClientSettings(rate_limit=None, **settings), compiled_dir=compiled_dir,
                transport=transport, format=form or "xml",  # type: ignore[arg-type]
            ))  # fmt: skip

        yield build


def read_all(client: Client, path: str, object_type: str) -> list[Any]:
    if path.startswith("typed"):
        typed = TypedClient(client)
        helper = {"Atom": typed.query_atom, "ExecutionRecord": typed.query_execution_record}[object_type]
        return list(helper())
    if path.startswith("async"):

        async def page() -> list[Any]:
            found = []
            async with AsyncClient(client) as twin:
                async for item in twin.query(object_type):
                    found.append(item)
            return found

        return asyncio.run(page())
    return list(client.query(object_type))


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("probe", sorted(PROBES))
def test_drift_is_read_on_every_path_with_one_warning(
    drifted: Callable[..., Client], path: str, probe: str, caplog: pytest.LogCaptureFixture
) -> None:
    change, object_type, holds, deviation, in_json = PROBES[probe]
    client = drifted(path, change)
    with caplog.at_level(logging.WARNING, logger="boomi_soap.deviations"):
        records = read_all(client, path, object_type)
    assert records
    assert all(holds(record) for record in records), records[:2]
    warned = [r.getMessage() for r in caplog.records if r.name == "boomi_soap.deviations"]
    if "json" in path and not in_json:
        assert client.deviations.total == 0  # JSON objects have no order: nothing drifted
        assert warned == []
        return
    assert {(d.type, d.field, d.kind) for d in client.deviations} == {deviation}  # query and queryMore
    assert client.deviations.total >= 1
    assert len(warned) == 1
    assert f"{deviation[0]}.{deviation[1]}" in warned[0]
    assert "RESTARTING" not in warned[0]  # the kind and the field, never the value


@pytest.mark.parametrize("path", [p for p in PATHS if not p.startswith("async")])
@pytest.mark.parametrize("probe", sorted(PROBES))
def test_strict_mode_refuses_the_same_drift_naming_it(drifted: Callable[..., Client], path: str, probe: str) -> None:
    change, object_type, _, deviation, in_json = PROBES[probe]
    if "json" in path and not in_json:
        pytest.skip("JSON objects have no order to drift")
    client = drifted(path, change, responses="strict")
    with pytest.raises(ResponseError, match="answer does not fit the schema") as refused:
        read_all(client, path, object_type)
    assert deviation[1] in str(refused.value)  # the field that drifted
    assert client.deviations.total == 0


@pytest.mark.contracts("split", why="the switch is layout-independent")
def test_off_reads_without_counting(drifted: Callable[..., Client]) -> None:
    client = drifted("zeep soap", restarting, responses="off")
    assert any(r.status == "RESTARTING" for r in client.query("Atom"))
    assert client.deviations.total == 0


@pytest.mark.contracts("split", why="the switch is layout-independent")
def test_the_two_readers_of_the_same_bytes_agree(drifted: Callable[..., Client]) -> None:
    """zeep and the typed bindings read the same drifted page into the same values."""
    client = drifted("zeep soap", lambda body, kind: sparse(reordered(body, kind), kind))
    by_zeep = sorted((r.executionId, r.account, r.atomId, r.atomName) for r in client.query("ExecutionRecord"))
    typed = TypedClient(client).query_execution_record()
    by_typed = sorted((r.execution_id, r.account, r.atom_id, r.atom_name) for r in typed)
    assert by_zeep == by_typed
    assert {(d.type, d.field, d.kind) for d in client.deviations} == {
        ("ExecutionRecord", "account", "out-of-order"),
        ("ExecutionRecord", "atomName", "missing"),
    }


def test_deviations_count_summarise_and_clear() -> None:
    seen = Deviations()
    assert seen.summary() == "answers fit the snapshot: no deviation"
    for operation in ("query", "queryMore", "query"):
        seen.add(Deviation(operation, "Atom", "status", "unknown-value"))
    seen.add(Deviation("get", "Process", "shape", "unknown-element"))
    assert seen.total == 4
    assert len(seen) == 3
    assert seen.counts()[Deviation("query", "Atom", "status", "unknown-value")] == 2
    assert seen.summary() == (
        "4 deviations from the snapshot: Atom.status unknown-value (x3), Process.shape unknown-element (x1)"
    )
    assert repr(seen) == "Deviations(total=4, distinct=3)"
    seen.clear()
    assert seen.total == 0
    assert str(Deviation("get", "Atom", "status", "unknown-value")) == "Atom.status unknown-value (in a get answer)"


# -- a client pinned to `current` against a service that moved to `next` -------------------
# What next/CHANGES.md adds that a `current` reader can meet in an answer.
NEXT_DRIFT = {
    ("Atom", "osName", "unknown-attribute"),
    ("Atom", "status", "unknown-value"),
    ("ExecutionRecord", "retryCount", "unknown-element"),
    ("Process", "ProcessLabel", "unknown-element"),
}


@pytest.mark.parametrize("path", ["zeep soap", "typed soap", "zeep rest-xml", "zeep rest-json"])
@pytest.mark.contracts("split", why="the drifted 'next' release is published in the split layout only")
def test_a_client_pinned_to_current_reads_everything_the_next_release_answers(
    service: LocalService, snapshot: Snapshot, compiled_dir: Path, path: str
) -> None:
    service.set_release("next")
    # Records as the next release holds them: its new fields set (next/CHANGES.md 3, 4, 5, 7).
    store = service.store()
    atom = store.all("Atom")[0].element
    atom.set("status", "RESTARTING")
    atom.set("osName", "Linux")
    record = store.all("ExecutionRecord")[0].element
    retry = etree.SubElement(record, f"{{{DATA}}}retryCount")
    retry.text = "2"
    top = record.find(f"{{{DATA}}}topLevelExecutionId")
    if top is not None:
        top.addnext(retry)
    etree.SubElement(store.all("Process")[0].element, f"{{{DATA}}}ProcessLabel", name="nightly")
    _, _, wire = path.partition(" ")
    transport, _, form = wire.partition("-")
    made = {
        mode: Client(
            snapshot, CREDENTIALS, settings=ClientSettings(rate_limit=None, responses=mode),  # type: ignore[arg-type]
            compiled_dir=compiled_dir, transport=transport, format=form or "xml",  # type: ignore[arg-type]
        )
        for mode in ("tolerant", "strict")
    }  # fmt: skip
    refused: list[str] = []
    with made["tolerant"] as client, made["strict"] as strict:
        typed = TypedClient(client)
        for object_type in ("Atom", "ExecutionRecord", "Process", "Account", "Environment"):
            if path.startswith("typed"):
                helper = getattr(typed, "query_" + re.sub(r"(?<!^)(?=[A-Z])", "_", object_type).lower())
                assert list(helper())
            else:
                found = list(client.query(object_type))
                assert found
                if object_type in ("Atom", "Process", "Environment"):
                    client.get(object_type, found[0].id)
            try:
                list(strict.query(object_type))
            except ResponseError as exc:
                refused.append(str(exc))
        seen = {(d.type, d.field, d.kind) for d in client.deviations}
    # JSON has no attributes: a key the snapshot does not declare is an unknown element there.
    json_form = {("Atom", "osName", "unknown-element")} if form == "json" else set()
    assert seen <= NEXT_DRIFT | json_form, seen
    assert seen  # the next release does show in its answers
    assert refused  # and strict mode says where
    assert all("answer does not fit the schema" in message for message in refused)
    assert any(field in " ".join(refused) for _, field, _ in seen)
