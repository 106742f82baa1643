"""Query filters and paging, end to end over HTTP against the seeded store."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests
from lxml import etree

from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER, LocalService, ServiceConfig
from boomi_soap.localservice.contract import NS_DATA, load_release
from boomi_soap.localservice.model import Record
from boomi_soap.localservice.query import compile_filter, run_query, sort_records
from boomi_soap.localservice.seed import EXECUTION_RECORDS, PROCESS_NAMES, seed_account
from boomi_soap.localservice.store import AccountStore, ColumnSource
from tests.boomi_soap.localservice.helpers import NS, RawSoap

EPOCH = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)  # first seeded execution; one every 17 minutes


def simple(operator: str, prop: str, *arguments: str, tag: str = "expression") -> str:
    args = "".join(f"<api:argument>{a}</api:argument>" for a in arguments)
    return f'<api:{tag} xsi:type="api:SimpleExpression" operator="{operator}" property="{prop}">{args}</api:{tag}>'


def grouping(operator: str, *nested: str, tag: str = "expression") -> str:
    return f'<api:{tag} xsi:type="api:GroupingExpression" operator="{operator}">{"".join(nested)}</api:{tag}>'


def query_body(object_type: str, expression: str | None = None, sort: str = "") -> str:
    config = ""
    if expression is not None or sort:
        config = f"<api:queryConfig><api:QueryFilter>{expression or ''}</api:QueryFilter>{sort}</api:queryConfig>"
    return f"<soap:query><api:objectType>{object_type}</api:objectType>{config}</soap:query>"


def all_results(soap: RawSoap, body: str) -> tuple[list[etree._Element], list[int]]:
    """Run a query and follow queryMore to the end; return results and page sizes."""
    payload = soap.ok(body)
    results: list[etree._Element] = []
    sizes: list[int] = []
    while True:
        page = payload.find("api:results", NS)
        items = page.findall("api:result", NS)
        assert page.get("numberOfResults") == str(len(items))
        results.extend(items)
        sizes.append(len(items))
        token = page.findtext("api:queryToken", namespaces=NS)
        if token is None:
            return results, sizes
        payload = soap.ok(f"<soap:queryMore><api:queryToken>{token}</api:queryToken></soap:queryMore>")
        assert payload.tag == f"{{{soap.wrapper_ns}}}queryMoreResponse"


def names(results: list[etree._Element]) -> list[str]:
    return sorted(r.get("name") or "" for r in results)


def test_paging_returns_every_record_once(soap: RawSoap, service: LocalService) -> None:
    results, sizes = all_results(soap, query_body("ExecutionRecord"))
    assert sizes == [100, 100, EXECUTION_RECORDS - 200]
    ids = [r.findtext("api:executionId", namespaces=NS) for r in results]
    assert len(set(ids)) == len(ids) == EXECUTION_RECORDS
    assert set(ids) == {r.key for r in service.store().all("ExecutionRecord")}


def test_paging_is_a_stable_snapshot_and_tokens_replay(soap: RawSoap, service: LocalService) -> None:
    first = soap.ok(query_body("ExecutionRecord")).find("api:results", NS)
    token = first.findtext("api:queryToken", namespaces=NS)
    atom = next(a for a in service.store().all("Atom") if a.element.get("status") == "ONLINE")
    process = service.store().all("Process")[0].key
    soap.ok(
        f"<soap:executeProcess><api:processId>{process}</api:processId><api:atomId>{atom.key}</api:atomId></soap:executeProcess>"
    )
    more = f"<soap:queryMore><api:queryToken>{token}</api:queryToken></soap:queryMore>"
    second = soap.ok(more).find("api:results", NS)
    replay = soap.ok(more).find("api:results", NS)
    ids = [r.findtext("api:executionId", namespaces=NS) for r in second.findall("api:result", NS)]
    assert ids == [r.findtext("api:executionId", namespaces=NS) for r in replay.findall("api:result", NS)]
    third_token = second.findtext("api:queryToken", namespaces=NS)
    third = soap.ok(f"<soap:queryMore><api:queryToken>{third_token}</api:queryToken></soap:queryMore>")
    assert third.find("api:results", NS).get("numberOfResults") == str(EXECUTION_RECORDS - 200)


def test_small_result_has_no_token(soap: RawSoap) -> None:
    page = soap.ok(query_body("Role")).find("api:results", NS)
    assert page.find("api:queryToken", NS) is None
    assert page.get("numberOfResults") == "4"


ORDERS = ["Orders - Salesforce to NetSuite", "Orders - Shopify to SAP"]
EDI = sorted(n for n in PROCESS_NAMES if "EDI" in n)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        (simple("EQUALS", "name", "Orders - Shopify to SAP"), ["Orders - Shopify to SAP"]),
        (
            simple("NOT_EQUALS", "name", "Orders - Shopify to SAP"),
            sorted(set(PROCESS_NAMES) - {"Orders - Shopify to SAP"}),
        ),
        (simple("LIKE", "name", "Orders%"), ORDERS),
        (simple("LIKE", "name", "%EDI%"), EDI),
        (simple("STARTS_WITH", "name", "Orders"), ORDERS),
        (simple("CONTAINS", "name", "EDI"), EDI),
        (simple("NOT_CONTAINS", "name", "EDI"), sorted(set(PROCESS_NAMES) - set(EDI))),
        (simple("BETWEEN", "name", "Orders", "Ordert"), ORDERS),
        (simple("GREATER_THAN", "name", "Vendors - Master Data Sync"), []),
        (simple("GREATER_THAN_OR_EQUAL", "name", "Vendors - Master Data Sync"), ["Vendors - Master Data Sync"]),
        (simple("LESS_THAN", "name", "Bank"), ["Acknowledgements - EDI 997"]),
        (simple("LESS_THAN_OR_EQUAL", "name", "Acknowledgements - EDI 997"), ["Acknowledgements - EDI 997"]),
        (simple("IS_NOT_NULL", "name"), sorted(PROCESS_NAMES)),
        (simple("IS_NULL", "name"), []),
        (simple("IS_NULL", "integrationPackId"), sorted(PROCESS_NAMES)),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 40 else None,
)
def test_each_operator_on_process_names(soap: RawSoap, expression: str, expected: list[str]) -> None:
    results, _ = all_results(soap, query_body("Process", expression))
    assert names(results) == expected


def test_nested_grouping_and_or(soap: RawSoap) -> None:
    expression = grouping(
        "or",
        simple("STARTS_WITH", "name", "Orders", tag="nestedExpression"),
        grouping(
            "and",
            simple("CONTAINS", "name", "EDI", tag="nestedExpression"),
            simple("NOT_EQUALS", "name", "Acknowledgements - EDI 997", tag="nestedExpression"),
            tag="nestedExpression",
        ),
    )
    results, _ = all_results(soap, query_body("Process", expression))
    assert names(results) == sorted([*ORDERS, *(n for n in EDI if n != "Acknowledgements - EDI 997")])


def test_dates_compare_as_instants(soap: RawSoap) -> None:
    low = EPOCH.isoformat().replace("+00:00", "Z")
    high = "2026-11-01T08:00:00+01:00"  # 07:00Z: executions at 06:00, 06:17, 06:34, 06:51
    results, _ = all_results(soap, query_body("ExecutionRecord", simple("BETWEEN", "executionTime", low, high)))
    times = sorted(r.findtext("api:executionTime", namespaces=NS) for r in results)
    assert times == [(EPOCH + timedelta(minutes=17 * n)).strftime("%Y-%m-%dT%H:%M:%SZ") for n in range(4)]


def test_numbers_compare_as_numbers(soap: RawSoap, service: LocalService) -> None:
    durations = [
        int(r.element.findtext("api:executionDuration", namespaces=NS)) for r in service.store().all("ExecutionRecord")
    ]
    expected = sum(1 for d in durations if d > 9999)
    results, _ = all_results(soap, query_body("ExecutionRecord", simple("GREATER_THAN", "executionDuration", "9999")))
    assert len(results) == expected
    assert 0 < expected < len(durations)


def test_enumerated_and_boolean_properties(soap: RawSoap) -> None:
    prod, _ = all_results(soap, query_body("Environment", simple("EQUALS", "classification", "PROD")))
    assert names(prod) == ["Production"]
    top, _ = all_results(soap, query_body("Folder", simple("IS_NULL", "parentId")))
    assert names(top) == ["Home"]
    deleted, _ = all_results(soap, query_body("Folder", simple("EQUALS", "deleted", "TRUE")))
    assert names(deleted) == ["Archive"]


def test_account_properties_are_case_insensitive(soap: RawSoap) -> None:
    results, _ = all_results(soap, query_body("Account", simple("EQUALS", "ACCOUNTID", "localdemo-A1B2C3")))
    assert len(results) == 1


def test_sort(soap: RawSoap) -> None:
    sort = '<api:QuerySort><api:sortField fieldName="executionTime" sortOrder="DESC"/></api:QuerySort>'
    expression = simple("IS_NOT_NULL", "executionId")
    results, _ = all_results(soap, query_body("ExecutionRecord", expression, sort))
    times = [r.findtext("api:executionTime", namespaces=NS) for r in results]
    assert times == sorted(times, reverse=True)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        (simple("EQUALS", "colour", "red"), "colour does not exist"),
        (simple("BETWEEN", "name", "a"), "Operator BETWEEN takes 2 argument(s), 1 given for property name"),
        (simple("IS_NULL", "name", "a"), "Operator IS_NULL takes 0 argument(s), 1 given for property name"),
    ],
)
def test_filter_mistakes_are_faults(soap: RawSoap, expression: str, message: str) -> None:
    reply = soap.call(query_body("Process", expression))
    assert reply.fault() == ("S:Client", message, "INVALID_REQUEST")


def test_bad_argument_type_is_a_fault(soap: RawSoap) -> None:
    reply = soap.call(query_body("ExecutionRecord", simple("GREATER_THAN", "executionDuration", "lots")))
    assert reply.fault()[1] == "'lots' is not a number for executionDuration"


def test_schema_rejects_unknown_operator(soap: RawSoap) -> None:
    reply = soap.call(query_body("Process", simple("ENDS_WITH", "name", "SAP")))
    faultcode, message, code = reply.fault()
    assert (faultcode, code) == ("S:Client", "INVALID_REQUEST")
    assert "ENDS_WITH" in message
    assert "SimpleExpressionOperator" in message or "enumeration" in message


@pytest.mark.contracts("split", why="the drifted 'next' release is published in the split layout only")
def test_next_release_accepts_ends_with(soap: RawSoap, service: LocalService) -> None:
    service.set_release("next")
    results, _ = all_results(soap, query_body("Process", simple("ENDS_WITH", "name", "to SAP")))
    assert names(results) == ["Orders - Shopify to SAP"]


def test_documented_grouping_fragment_is_understood(soap: RawSoap, fixtures_dir) -> None:
    fragment = (fixtures_dir / "boomi-samples" / "QueryFilter.GroupingExpression.fragment.fixed.xml").read_text()
    expression = fragment[fragment.index("<expression") :]
    reply = soap.call(query_body("Process", expression))
    assert reply.fault()[1] == "ABC does not exist"


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        (simple("GREATER_THAN", "executionDuration", "NaN"), "'NaN' is not a number for executionDuration"),
        (simple("LESS_THAN", "executionDuration", "Infinity"), "'Infinity' is not a number for executionDuration"),
        (simple("EQUALS", "executionDuration", "12 s"), "'12 s' is not a number for executionDuration"),
        (
            simple("BETWEEN", "executionTime", "2026-11-01T06:00:00", "2026-11-01T07:00:00Z"),
            "'2026-11-01T06:00:00' is not a date-time with a time zone for executionTime; add Z or an offset such as +01:00",
        ),
    ],
    ids=["nan", "infinity", "not-a-number", "naive-datetime"],
)
def test_filter_values_are_type_checked(soap: RawSoap, expression: str, message: str) -> None:
    reply = soap.call(query_body("ExecutionRecord", expression))
    assert reply.status == 500
    assert reply.fault() == ("S:Client", message, "INVALID_REQUEST")
    assert soap.call(query_body("Role")).status == 200  # and the service is still there


@pytest.mark.parametrize(
    ("pattern", "matches"),
    [
        ("Orders%", True),
        ("%EDI%", False),
        ("%e%e%e%e%e%Z", False),
        ("%e%e%e%e%e%", True),
        ("Orders-eeee%eeee", True),
        ("Orders-%%e", True),
        ("%Z%Z", False),
        ("Orders-e", False),
    ],
)
@pytest.mark.timeout(60)  # a backtracking matcher never finishes %e%e%e%e%e%Z over 200 characters
def test_like_matches_without_backtracking(soap: RawSoap, pattern: str, matches: bool) -> None:
    name = "Orders-" + "e" * 193
    soap.ok(f'<soap:create><object xsi:type="api:Environment" name="{name}" classification="TEST"/></soap:create>')
    results, _ = all_results(soap, query_body("Environment", simple("LIKE", "name", pattern)))
    assert (name in names(results)) is matches


# -- the column view answers as a plain filter over built records ----------------------------------

SIZED = 3_000
NUMERIC = {
    "executionDuration",
    "inboundDocumentCount",
    "inboundDocumentSize",
    "inboundErrorDocumentCount",
    "outboundDocumentCount",
    "outboundDocumentSize",
}
DATES = {"executionTime", "recordedDate"}


def _fields(record: etree._Element) -> dict[str, str]:
    out = dict(record.attrib)
    out.update({etree.QName(c).localname: c.text or "" for c in record if isinstance(c.tag, str)})
    return out


def _as_compared(name: str, text: str) -> object:
    if name in NUMERIC:
        return int(text)
    if name in DATES:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    return text


def _between(name: str, low: str, high: str) -> Callable[[dict[str, str]], bool]:
    return lambda r: _as_compared(name, low) <= _as_compared(name, r[name]) <= _as_compared(name, high)  # type: ignore[operator]


# (id, filter XML, sort XML, the same filter in plain Python, the sort fields)
SIZED_QUERIES: list[tuple[str, str, str, Callable[[dict[str, str]], bool], list[tuple[str, bool]]]] = [
    (
        "equals-sorted-by-time",
        simple("EQUALS", "status", "ERROR"),
        '<api:QuerySort><api:sortField fieldName="executionTime" sortOrder="DESC"/></api:QuerySort>',
        lambda r: r["status"] == "ERROR",
        [("executionTime", True)],
    ),
    (
        "between-dates",
        simple("BETWEEN", "executionTime", "2026-11-05T00:00:00Z", "2026-11-19T12:30:00+01:00"),
        '<api:QuerySort><api:sortField fieldName="executionDuration" sortOrder="ASC"/></api:QuerySort>',
        _between("executionTime", "2026-11-05T00:00:00Z", "2026-11-19T12:30:00+01:00"),
        [("executionDuration", False)],
    ),
    (
        "in-as-or",  # the filter grammar has no IN: an OR of EQUALS is how a caller asks for one
        grouping(
            "or",
            *(simple("EQUALS", "processName", n, tag="nestedExpression") for n in PROCESS_NAMES[3:6]),
        ),
        '<api:QuerySort><api:sortField fieldName="processName" sortOrder="ASC"/>'
        '<api:sortField fieldName="recordedDate" sortOrder="DESC"/></api:QuerySort>',
        lambda r: r["processName"] in PROCESS_NAMES[3:6],
        [("processName", False), ("recordedDate", True)],
    ),
    (
        "nested-and-or",
        grouping(
            "and",
            grouping(
                "or",
                simple("EQUALS", "status", "ERROR", tag="nestedExpression"),
                simple("NOT_EQUALS", "executionType", "exec_sched", tag="nestedExpression"),
                tag="nestedExpression",
            ),
            simple("GREATER_THAN_OR_EQUAL", "inboundDocumentCount", "120", tag="nestedExpression"),
            grouping(
                "or",
                simple("STARTS_WITH", "processName", "Orders", tag="nestedExpression"),
                simple("LIKE", "processName", "%to%", tag="nestedExpression"),
                tag="nestedExpression",
            ),
        ),
        "",
        lambda r: (
            (r["status"] == "ERROR" or r["executionType"] != "exec_sched")
            and int(r["inboundDocumentCount"]) >= 120
            and (r["processName"].startswith("Orders") or "to" in r["processName"])
        ),
        [],
    ),
    (
        "every-record-two-keys",
        simple("IS_NOT_NULL", "executionId"),
        '<api:QuerySort><api:sortField fieldName="atomName" sortOrder="DESC"/>'
        '<api:sortField fieldName="outboundDocumentSize" sortOrder="ASC"/></api:QuerySort>',
        lambda r: True,
        [("atomName", True), ("outboundDocumentSize", False)],
    ),
]


def _reference(
    records: list[etree._Element], keep: Callable[[dict[str, str]], bool], sort: list[tuple[str, bool]]
) -> list[str]:
    """The ids a plain filter and sort over every built record give, in order."""
    rows = [r for r in map(_fields, records) if keep(r)]
    for name, down in reversed(sort):  # stable passes, least significant first
        rows.sort(key=lambda r: _as_compared(name, r[name]), reverse=down)
    return [r["executionId"] for r in rows]


@pytest.fixture(scope="module")
def sized_service() -> Iterator[LocalService]:
    """Seeded ExecutionRecords mixed with stored ones: a changed seeded record, a deleted one, a new run."""
    with LocalService(ServiceConfig(rate_limit=None, execution_records=SIZED)) as running:
        store = running.store()
        changed = store.resolve("ExecutionRecord", 1_500)
        element = copy.deepcopy(changed.element)
        element.find(f"{{{NS_DATA}}}status").text = "ERROR"  # type: ignore[union-attr]
        element.find(f"{{{NS_DATA}}}processName").text = PROCESS_NAMES[4]  # type: ignore[union-attr]
        store.put(Record(changed.type, changed.key, element))
        assert store.delete("ExecutionRecord", store.resolve("ExecutionRecord", 2_000).key)
        yield running


def _soap_pages(service: LocalService, expression: str, sort: str) -> tuple[list[str], list[int], list[bool]]:
    soap = RawSoap(service)
    payload = soap.ok(query_body("ExecutionRecord", expression, sort))
    ids: list[str] = []
    sizes: list[int] = []
    tokens: list[bool] = []
    while True:
        page = payload.find("api:results", NS)
        found = [r.findtext("api:executionId", namespaces=NS) or "" for r in page.findall("api:result", NS)]
        ids.extend(found)
        sizes.append(len(found))
        token = page.findtext("api:queryToken", namespaces=NS)
        tokens.append(token is not None)
        if token is None:
            return ids, sizes, tokens
        payload = soap.ok(f"<soap:queryMore><api:queryToken>{token}</api:queryToken></soap:queryMore>")


def _rest_pages(service: LocalService, expression: str, sort: str) -> tuple[list[str], list[int], list[bool]]:
    base = service.endpoint().replace("/api/soap/v1/", "/api/rest/v1/")
    auth = (DEFAULT_USER, DEFAULT_PASSWORD)
    body = (
        f'<api:QueryConfig xmlns:api="{NS_DATA}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<api:QueryFilter>{expression}</api:QueryFilter>{sort}</api:QueryConfig>"
    )
    reply = requests.post(f"{base}/ExecutionRecord/query", data=body, auth=auth, timeout=30)
    ids: list[str] = []
    sizes: list[int] = []
    tokens: list[bool] = []
    while True:
        assert reply.status_code == 200, reply.text
        page = etree.fromstring(reply.content)
        found = [r.findtext(f"{{{NS_DATA}}}executionId") or "" for r in page.iterchildren(f"{{{NS_DATA}}}result")]
        assert page.get("numberOfResults") == str(len(found))
        ids.extend(found)
        sizes.append(len(found))
        token = page.findtext(f"{{{NS_DATA}}}queryToken")
        tokens.append(token is not None)
        if token is None:
            return ids, sizes, tokens
        reply = requests.post(
            f"{base}/ExecutionRecord/queryMore", data=token, headers={"Content-Type": "text/plain"}, auth=auth,
            timeout=30,
        )  # fmt: skip


@pytest.mark.parametrize("wire", ["soap", "rest"])
@pytest.mark.parametrize(
    ("expression", "sort", "keep", "fields"), [q[1:] for q in SIZED_QUERIES], ids=[q[0] for q in SIZED_QUERIES]
)
def test_sized_queries_answer_as_a_plain_filter(
    sized_service: LocalService,
    wire: str,
    expression: str,
    sort: str,
    keep: Callable[[dict[str, str]], bool],
    fields: list[tuple[str, bool]],
) -> None:
    store = sized_service.store()
    records = [r.element for r in store.all("ExecutionRecord")]
    assert len(records) == SIZED - 1  # one deleted
    expected = _reference(records, keep, fields)
    ids, sizes, tokens = (_soap_pages if wire == "soap" else _rest_pages)(sized_service, expression, sort)
    assert ids == expected
    assert len(ids) > 100  # more than a page
    assert sizes == [100] * (len(ids) // 100) + ([len(ids) % 100] if len(ids) % 100 or not ids else [])
    assert tokens == [True] * (len(sizes) - 1) + [False]


def test_the_column_view_answers_as_the_record_predicate(sized_service: LocalService) -> None:
    """The same filters, in process: the new path's rows against compile_filter and sort_records over built records."""
    store = sized_service.store()
    info = sized_service.release.index.types["ExecutionRecord"]
    built = store.all("ExecutionRecord")
    for _, expression, sort, _, _ in SIZED_QUERIES:
        config = etree.fromstring(
            f'<api:queryConfig xmlns:api="{NS_DATA}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<api:QueryFilter>{expression}</api:QueryFilter>{sort}</api:queryConfig>"
        )
        found = config.find(f"{{{NS_DATA}}}QueryFilter/{{{NS_DATA}}}expression")
        kept = built if found is None else [r for r in built if compile_filter(found, info, None)(r)]
        fields = [
            (f.get("fieldName", ""), f.get("sortOrder") == "DESC")
            for f in config.iterfind(f"{{{NS_DATA}}}QuerySort/{{{NS_DATA}}}sortField")
        ]
        expected = [r.key for r in (sort_records(kept, info, fields) if fields else kept)]
        page = run_query(store, info, None, config)
        keys = [r.key for r in page.records]
        while page.token is not None:
            following = store.next_page(page.token)
            assert following is not None
            page = following
            keys.extend(r.key for r in page.records)
        assert keys == expected


def test_a_seeded_column_reads_what_its_records_hold(sized_service: LocalService) -> None:
    store = sized_service.store()
    source = store.seed_source("ExecutionRecord")
    assert isinstance(source, ColumnSource)
    positions = [0, 1, EXECUTION_RECORDS - 1, EXECUTION_RECORDS, EXECUTION_RECORDS + 1, 2_999]
    built = [_fields(source.record(n).element) for n in positions]
    for name in built[0]:
        assert source.column(name, positions) == [b[name] for b in built], name
    assert source.column("noSuchField", positions) == [None] * len(positions)


def test_a_column_reads_what_records_hold_across_years() -> None:
    store = AccountStore(DEFAULT_ACCOUNT)
    seed_account(store, load_release("current", "split").index, execution_records=100_000)
    source = store.seed_source("ExecutionRecord")
    assert isinstance(source, ColumnSource)
    positions = [260, 1_439, 30_001, 61_234, 77_777, 99_999]  # past month, year and leap-day boundaries
    built = [_fields(source.record(n).element) for n in positions]
    for name in built[0]:
        assert source.column(name, positions) == [b[name] for b in built], name
        assert source.column(name, positions) == [b[name] for b in built], name  # read again, from kept digests
