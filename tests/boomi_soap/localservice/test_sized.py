"""A sized local service: ExecutionRecords seeded by position answer as stored ones would."""

from __future__ import annotations

import copy
import http.client
import os
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from lxml import etree

from boomi_soap.exceptions import ServiceConfigError
from boomi_soap.localservice import DEFAULT_ACCOUNT, LocalService, ServiceConfig
from boomi_soap.localservice.config import MAX_EXECUTION_RECORDS
from boomi_soap.localservice.contract import NS_DATA, load_release
from boomi_soap.localservice.model import Record
from boomi_soap.localservice.query import run_query
from boomi_soap.localservice.seed import EXECUTION_RECORDS, seed_account
from boomi_soap.localservice.store import _MAX_CURSORS as MAX_CURSORS
from boomi_soap.localservice.store import PAGE_SIZE, AccountStore
from tests.boomi_soap.localservice.helpers import NS, RawSoap, envelope
from tests.boomi_soap.localservice.test_query import all_results, grouping, query_body, simple

SIZE = 1_000
TYPE = "ExecutionRecord"


@pytest.fixture
def sized(contract: str) -> Iterator[LocalService]:
    """A service seeded with :data:`SIZE` ExecutionRecords, on each contract layout."""
    config = ServiceConfig(rate_limit=None, contract=contract, execution_records=SIZE)
    with LocalService(config) as running:
        yield running


@pytest.fixture
def soap_sized(sized: LocalService) -> RawSoap:
    return RawSoap(sized)


def reference(store: AccountStore) -> AccountStore:
    """A store holding every record of ``store`` materialised, put one by one (as the seed once did)."""
    plain = AccountStore(store.account_id)
    for type_name in store.types():
        for record in store.all(type_name):
            plain.put(Record(record.type, record.key, copy.deepcopy(record.element)))
    return plain


def every_page(store: AccountStore, type_name: str, config: etree._Element | None) -> list[bytes]:
    """Run a query in process and follow its tokens; the serialised records, in order."""
    info = load_release("current", "split").index.types[type_name]
    page = run_query(store, info, None, config)
    out = [etree.tostring(r.element) for r in page.records]
    while page.token is not None:
        following = store.next_page(page.token)
        assert following is not None
        assert len(page.records) == PAGE_SIZE
        page = following
        out.extend(etree.tostring(r.element) for r in page.records)
    return out


def query_config(expression: str = "", sort: str = "") -> etree._Element:
    xml = (
        f'<api:queryConfig xmlns:api="{NS_DATA}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<api:QueryFilter>{expression}</api:QueryFilter>{sort}</api:queryConfig>"
    )
    return etree.fromstring(xml)


def sort_by(*fields: tuple[str, str]) -> str:
    inner = "".join(f'<api:sortField fieldName="{f}" sortOrder="{o}"/>' for f, o in fields)
    return f"<api:QuerySort>{inner}</api:QuerySort>"


# -- configuration --------------------------------------------------------------------------


def test_the_default_size_is_the_seed_constant() -> None:
    assert ServiceConfig().execution_records == EXECUTION_RECORDS == 260


@pytest.mark.parametrize("bad", [-1, MAX_EXECUTION_RECORDS + 1])
def test_an_impossible_size_is_refused(bad: int) -> None:
    with pytest.raises(ServiceConfigError, match="execution_records must be between 0 and 10,000,000"):
        ServiceConfig(execution_records=bad)


@pytest.mark.parametrize("size", [0, 1, 259, 260, 261, 1_000])
def test_count_and_every_key_at_small_sizes(size: int) -> None:
    store = AccountStore(DEFAULT_ACCOUNT)
    seed_account(store, load_release("current", "split").index, execution_records=size)
    records = store.all(TYPE)
    assert store.count(TYPE) == len(records) == size
    assert len({r.key for r in records}) == size
    for record in records[:3] + records[-3:]:
        found = store.get(TYPE, record.key)
        assert found is not None
        assert etree.tostring(found.element) == etree.tostring(record.element)
    assert (TYPE in set(store.types())) == (size > 0)


def test_other_objects_do_not_depend_on_the_size() -> None:
    index = load_release("current", "split").index
    stores = []
    for size in (0, EXECUTION_RECORDS, 5_000):
        store = AccountStore(DEFAULT_ACCOUNT)
        seed_account(store, index, execution_records=size)
        stores.append(store)
    for type_name in stores[1].types():
        if type_name != TYPE:
            dumps = [[etree.tostring(r.element) for r in s.all(type_name)] for s in stores]
            assert dumps[0] == dumps[1] == dumps[2], type_name
    # The first 260 records are the default ones, whatever the size.
    default = [etree.tostring(r.element) for r in stores[1].all(TYPE)]
    assert [etree.tostring(stores[2].resolve(TYPE, n).element) for n in range(EXECUTION_RECORDS)] == default


def test_a_large_seed_costs_memory_only_when_touched() -> None:
    index = load_release("current", "split").index
    tracemalloc.start()
    try:
        store = AccountStore(DEFAULT_ACCOUNT)
        seed_account(store, index, execution_records=100_000)
        _, seeded_peak = tracemalloc.get_traced_memory()
        refs = store.refs(TYPE)
        tail = store.resolve(TYPE, refs[-1])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert seeded_peak < 5 * 1024 * 1024  # the default seed's own objects, not 100,000 records
    assert peak < 20 * 1024 * 1024  # a list of positions and one record
    assert store.count(TYPE) == len(refs) == 100_000
    assert store.get(TYPE, tail.key) is not None
    assert store.get(TYPE, tail.key.replace("-", "_", 1)) is None


def test_an_id_of_another_account_or_position_is_unknown() -> None:
    index = load_release("current", "split").index
    here, there = AccountStore(DEFAULT_ACCOUNT), AccountStore("otheraccount-1")
    seed_account(here, index, execution_records=2_000)
    seed_account(there, index, execution_records=2_000)
    theirs = there.resolve(TYPE, 1_500).key
    assert here.get(TYPE, theirs) is None
    mine = here.resolve(TYPE, 1_500).key
    node = mine[len("execution-") :][24:36]
    assert node == f"{1_500:012x}"
    beyond = mine.replace(node, f"{5_000:012x}")
    assert here.get(TYPE, beyond) is None
    garbled = mine.replace(node, "zzzzzzzzzzzz")
    assert here.get(TYPE, garbled) is None


# -- queries equal to a materialised reference ------------------------------------------------

FILTERS = [
    ("all", "", ""),
    ("status", simple("EQUALS", "status", "ERROR"), ""),
    ("not-status", simple("NOT_EQUALS", "status", "COMPLETE"), ""),
    ("duration", simple("GREATER_THAN", "executionDuration", "60000"), ""),
    ("between", simple("BETWEEN", "executionTime", "2026-11-03T00:00:00Z", "2026-11-05T12:00:00Z"), ""),
    ("like", simple("LIKE", "processName", "%Salesforce%"), ""),
    (
        "grouping",
        grouping(
            "or",
            simple("STARTS_WITH", "processName", "Invoices", tag="nestedExpression"),
            grouping(
                "and",
                simple("EQUALS", "status", "ERROR", tag="nestedExpression"),
                simple("LESS_THAN_OR_EQUAL", "inboundDocumentCount", "100", tag="nestedExpression"),
                tag="nestedExpression",
            ),
        ),
        "",
    ),
    ("sorted", "", sort_by(("executionDuration", "DESC"))),
    (
        "filtered-sorted",
        simple("EQUALS", "status", "COMPLETE"),
        sort_by(("processName", "ASC"), ("recordedDate", "DESC")),
    ),
    ("null", simple("IS_NULL", "parentExecutionId"), sort_by(("atomName", "ASC"))),
]


@pytest.mark.parametrize(("expression", "sort"), [f[1:] for f in FILTERS], ids=[f[0] for f in FILTERS])
def test_queries_answer_as_over_stored_records(expression: str, sort: str) -> None:
    store = AccountStore(DEFAULT_ACCOUNT)
    seed_account(store, load_release("current", "split").index, execution_records=SIZE)
    config = query_config(expression, sort) if expression or sort else None
    seeded = every_page(store, TYPE, config)
    assert seeded == every_page(reference(store), TYPE, config)
    assert seeded  # each filter matches something in 1,000 records


@pytest.mark.timeout(300)
def test_paging_over_http_returns_every_record_once(soap_sized: RawSoap, sized: LocalService) -> None:
    results, sizes = all_results(soap_sized, query_body(TYPE))
    assert sizes == [PAGE_SIZE] * (SIZE // PAGE_SIZE)
    ids = [r.findtext("api:executionId", namespaces=NS) for r in results]
    assert ids == [sized.store().resolve(TYPE, ref).key for ref in sized.store().refs(TYPE)]
    assert len(set(ids)) == SIZE


@pytest.mark.timeout(300)
def test_filtered_paging_over_http_matches_the_reference(soap_sized: RawSoap, sized: LocalService) -> None:
    expression = simple("EQUALS", "status", "ERROR")
    sort = sort_by(("executionTime", "DESC"))
    results, sizes = all_results(soap_sized, query_body(TYPE, expression, sort))
    got = [r.findtext("api:executionId", namespaces=NS) for r in results]
    plain = reference(sized.store())
    info = sized.release.index.types[TYPE]
    page = run_query(plain, info, None, query_config(expression, sort))
    want = [r.key for r in page.records]
    while page.token is not None:
        following = plain.next_page(page.token)
        assert following is not None
        page = following
        want += [r.key for r in page.records]
    assert got == want
    assert len(got) > PAGE_SIZE
    assert sizes[:-1] == [PAGE_SIZE] * (len(sizes) - 1)


# -- changes, snapshots and tokens ------------------------------------------------------------


def test_a_changed_seeded_record_keeps_its_place_and_cursors_keep_the_old_one() -> None:
    store = AccountStore(DEFAULT_ACCOUNT)
    seed_account(store, load_release("current", "split").index, execution_records=SIZE)
    first = store.first_page(store.refs(TYPE), TYPE)
    assert first.token is not None
    target = store.resolve(TYPE, 650)
    changed = etree.fromstring(etree.tostring(target.element))
    changed.find(f"{{{NS_DATA}}}status").text = "ABORTED"  # type: ignore[union-attr]
    store.put(Record(TYPE, target.key, changed))
    gone = store.resolve(TYPE, 651).key
    assert store.delete(TYPE, gone)
    assert not store.delete(TYPE, gone)
    assert store.get(TYPE, gone) is None
    assert store.count(TYPE) == SIZE - 1
    now = store.all(TYPE)
    assert now[650].element.findtext(f"{{{NS_DATA}}}status") == "ABORTED"
    assert gone not in {r.key for r in now}
    # The cursor opened before the change still pages through the records as they were.
    page, seen = first, list(first.records)
    while page.token is not None:
        following = store.next_page(page.token)
        assert following is not None
        page = following
        seen.extend(page.records)
    assert len(seen) == SIZE
    assert etree.tostring(seen[650].element) == etree.tostring(target.element)
    assert seen[651].key == gone


def test_a_record_created_by_a_run_comes_after_the_seeded_ones(sized: LocalService) -> None:
    soap = RawSoap(sized)
    store = sized.store()
    atom = next(a for a in store.all("Atom") if a.element.get("status") == "ONLINE")
    process = store.all("Process")[0].key
    soap.ok(
        f"<soap:executeProcess><api:processId>{process}</api:processId>"
        f"<api:atomId>{atom.key}</api:atomId></soap:executeProcess>"
    )
    assert store.count(TYPE) == SIZE + 1
    newest = store.resolve(TYPE, store.refs(TYPE)[-1])
    assert newest.element.findtext(f"{{{NS_DATA}}}launcherID") == "api"
    assert store.get(TYPE, newest.key) is not None


@pytest.mark.contracts(
    "split",
    why="cursor eviction is the store's, below the contract; an unknown token's fault is checked on every layout"
    " (test_operations.py)",
)
def test_an_evicted_token_is_an_expired_one_and_a_live_one_replays(soap_sized: RawSoap, sized: LocalService) -> None:
    store = sized.store()
    first = soap_sized.ok(query_body(TYPE)).find("api:results", NS)
    old = first.findtext("api:queryToken", namespaces=NS)
    for _ in range(MAX_CURSORS):  # the oldest cursors give way to newer ones
        latest = store.first_page(store.refs(TYPE), TYPE).token
    reply = soap_sized.call(f"<soap:queryMore><api:queryToken>{old}</api:queryToken></soap:queryMore>")
    assert reply.status == 500
    assert reply.fault()[1] == "Invalid or expired queryToken"
    more = f"<soap:queryMore><api:queryToken>{latest}</api:queryToken></soap:queryMore>"
    once, again = (soap_sized.ok(more).find("api:results", NS) for _ in range(2))
    ids = [
        [r.findtext("api:executionId", namespaces=NS) for r in page.findall("api:result", NS)] for page in (once, again)
    ]
    assert ids[0] == ids[1]
    assert len(ids[0]) == PAGE_SIZE


# -- the serve command --------------------------------------------------------------------------


def _count_over_http(base: str) -> int:
    url = urlsplit(f"{base}/api/soap/v1/{DEFAULT_ACCOUNT}")
    wrapper = "http://soap.api.platform.boomi.com/"
    body = f"<soap:query><api:objectType>{TYPE}</api:objectType></soap:query>"
    total = 0
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=30)
    try:
        while True:
            connection.request("POST", url.path, body=envelope(body, wrapper_ns=wrapper), headers={"SOAPAction": '""'})
            response = connection.getresponse()
            reply = etree.fromstring(response.read())
            assert response.status == 200
            results = reply.find(".//api:results", NS)
            assert results is not None
            total += int(results.get("numberOfResults", "0"))
            token = results.findtext("api:queryToken", namespaces=NS)
            if token is None:
                return total
            body = f"<soap:queryMore><api:queryToken>{token}</api:queryToken></soap:queryMore>"
    finally:
        connection.close()


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    ("args", "env", "size"), [(["--records", "1234"], {}, 1234), ([], {"BOOMI_SERVE_RECORDS": "150"}, 150)]
)
def test_serve_takes_the_size_from_a_flag_or_the_environment(args: list[str], env: dict[str, str], size: int) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BOOMI_")}
    command = [sys.executable, "-m", "boomi_soap", "serve", "--port", "0", "--rate-limit", "1000", *args]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=clean | env)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("AtomSphere local service on http://127.0.0.1:"), process.stderr
        assert _count_over_http(first.split()[4]) == size
    finally:
        process.terminate()
        process.communicate(timeout=10)


def test_serve_refuses_a_negative_size() -> None:
    from click.testing import CliRunner

    from boomi_soap.cli import main

    result = CliRunner().invoke(main, ["serve", "--records", "-5"])
    assert result.exit_code == 2
    assert "--records" in result.output


def test_open_queries_over_many_records_hold_little_and_the_oldest_expire_first() -> None:
    store = AccountStore(DEFAULT_ACCOUNT)
    seed_account(store, load_release("current", "split").index, execution_records=100_000)
    odd = [ref for ref in store.refs(TYPE) if isinstance(ref, int) and ref % 2]
    tracemalloc.start()
    try:
        # Unfiltered result sets are the positions in order: a thousand open ones cost nothing each.
        every = [store.first_page(store.refs(TYPE), TYPE).token for _ in range(50)]
        _, unfiltered_peak = tracemalloc.get_traced_memory()
        tokens = [store.first_page(odd, TYPE).token for _ in range(100)]  # 5,000,000 positions asked for
        current, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert unfiltered_peak < 10 * 1024 * 1024
    assert current < 40 * 1024 * 1024  # at most 2,000,000 held, 8 bytes each
    assert store.next_page(tokens[0] or "") is None
    assert all(store.next_page(t or "") is None for t in every)
    latest = store.next_page(tokens[-1] or "")
    assert latest is not None
    assert [r.key for r in latest.records] == [store.resolve(TYPE, n).key for n in odd[100:200]]
