"""Every reader of hostile input fails with the project's own error, and nothing else.

Seeded mutations of real answers and inputs (control characters, names XML refuses,
deep nesting, truncation, floods of attributes and namespace declarations, byte
flips) go to each reader directly, as bytes: no socket, a canned session where a
client is needed.  Each test counts its inputs and fails on the first exception
outside :class:`~boomi_soap.exceptions.BoomiSoapError`, listing a few with the input
that raised them.  ``pytest -s`` prints the counts (the closing figures of issue 22).
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from lxml import etree

from boomi_soap._xml.safe import parse_xml
from boomi_soap.cli._input import load_object, parse_filters
from boomi_soap.client import Client
from boomi_soap.connectnow import ConnectNowClient
from boomi_soap.credentials import Credentials
from boomi_soap.exceptions import BoomiSoapError
from boomi_soap.localservice import DEFAULT_ACCOUNT
from boomi_soap.platform.polling import read_async_result
from boomi_soap.query import F, Grouping, Simple, check_expression, check_operators
from boomi_soap.settings import ClientSettings, RetryPolicy
from boomi_soap.snapshot.cache import pinned_store
from boomi_soap.snapshot.contract import contract_of
from boomi_soap.snapshot.schema import load_schema
from boomi_soap.validate import SchemaValidator
from boomi_soap.wire.jsonform import JsonForm, loads
from boomi_soap.wire.records import CallRecord
from boomi_soap.wire.rest import rest_error
from boomi_soap.wire.restmap import JsonBodies, RestCall, RestMap, error_message
from tests.boomi_soap.wire.test_jsonform import EXAMPLES  # Boomi's own JSON samples, with the element of each

FIXTURES = Path(__file__).parents[1] / "fixtures"
DATA = "http://api.platform.boomi.com/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
ENDPOINT = "http://127.0.0.1:9/api/soap/v1/fuzz"
ENVELOPE = (
    b'<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>'
    b'<ns4:getResponse xmlns:ns4="http://soap.api.platform.boomi.com/" xmlns:bns="http://api.platform.boomi.com/"'
    b' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><bns:result xsi:type="bns:Environment" id="e1"'
    b' name="Production" classification="PROD"/></ns4:getResponse></S:Body></S:Envelope>'
)
SOAP_SEEDS = (
    ENVELOPE,
    (FIXTURES / "boomi-samples" / "TradingPartnerComponent.get.response.modern.xml").read_bytes(),
    (FIXTURES / "envelopes" / "query.paging.response.fixed.xml").read_bytes(),
)
REQUEST = (FIXTURES / "requests" / "valid" / "query-grouping.xml").read_bytes()
CONNECT_NOW_SEEDS = (
    b'{"result": [{"id": "i1", "name": "Pack", "installationType": "MULTI", "processes": [{"id": "p1"}]}]}',
    b'{"errorMessage": "insufficient permissions", "result": null}',
    b'{"environments": [{"id": "e1", "name": "Production", "classification": "PROD"}]}',
)
# What XML cannot carry, names it refuses, and spellings that have tripped parsers.
CONTROL = ("\x00", "\x01", "\x08", "\x0b", "\x1f", "\x7f", "\x85", "\ufffe", "\uffff", "\ud800", "\udfff", "\u2028")
BAD_NAMES = ("a b", "1a", "a:b:c", ":", "", "-x", "a\x01", "\ufffe", "{urn:x}a", "a}b", "x" * 300, "\ud800")
XML_SNIPPETS = (
    b"\x00", b"\x01", b"\x1f", b"\xff", b"\xc0\x80", b"\xed\xa0\x80", b"\xef\xbf\xbe", b"&#1;", b"&#xD800;",
    b"&bogus;", b"&amp;", b"<![CDATA[x]]>", b"<!-- c -->", b"<?pi x?>", b"<!DOCTYPE a>", b"<", b">", b"</", b'"',
    b"'", b"=", b" xmlns:x='urn:x'", b' xsi:type="bns:Nope"', b' xsi:type="nope:X"', b"<1a/>", b"<a b/>",
    b' a="1" a="2"', b"\r\n", b"\xe2\x80\xa8",
)  # fmt: skip
JSON_TOKENS = (
    b"NaN", b"Infinity", b"-Infinity", b"1e999", b"1" * 5000, b"null", b"true", b"[]", b"{}", b'"\\ud800"',
    b'"\\u0000"', b'"\\u0001"', b"\x00", b"\xff", b"[" * 2000, b"{", b"}", b",", b":", b'"', b"\\",
)  # fmt: skip

# Floods, built once: each input inserts one whole (building them per input would cost more than reading).
# Each: a size within the bounds, one just past them, one far past (the 160,000 declarations of issue 22).
ATTRIBUTES = {n: b"".join(b' a%d="v"' % i for i in range(n)) for n in (20, 1_001, 60_000)}
DECLARATIONS = {n: b"".join(b' xmlns:n%d="urn:n%d"' % (i, i) for i in range(n)) for n in (20, 1_001, 160_000)}
NESTING = {n: (b"<d>" * n, b"</d>" * n) for n in (50, 257, 5_000)}
TAGS = {n: b"<e/>" * n for n in (10, 100_001, 200_000)}
SMALL_FIRST = (0,) * 60 + (1,) * 19 + (2,)  # the index of the size: mostly small floods, a large one in 80

# The default, tolerant reader: its repair rounds meet every mutation (strict mode only refuses sooner).
SETTINGS = ClientSettings(rate_limit=None, retry=RetryPolicy(max_retries=0), responses="tolerant")


# -- mutations ------------------------------------------------------------------------


def mutate_xml(seed: bytes, rng: random.Random) -> bytes:
    """One to three edits of ``seed``, each a kind of hostile answer."""
    data = bytearray(seed)
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(data) + 1)
        kind = rng.randrange(12)
        if kind == 0:  # a byte flip
            if data:
                data[min(at, len(data) - 1)] = rng.randrange(256)
        elif kind == 1:  # a snippet of what parsers trip on
            data[at:at] = rng.choice(XML_SNIPPETS)
        elif kind == 2:  # a control character, a lone surrogate or a non-character, UTF-8 encoded
            data[at:at] = rng.choice(CONTROL).encode("utf-8", "surrogatepass")
        elif kind == 3:  # truncation
            del data[at:]
        elif kind == 4:  # a tag name XML refuses
            tag = data.find(b"<", at)
            if 0 <= tag < len(data) - 1 and data[tag + 1 : tag + 2] not in (b"/", b"!", b"?"):
                data[tag + 1 : tag + 1] = rng.choice(BAD_NAMES).encode("utf-8", "surrogatepass") + b" "
        elif kind == 5:  # deep nesting at a tag boundary
            opening, closing = rng.choice(list(NESTING.values()))
            tag = data.find(b"<", at)
            tag = tag if tag >= 0 else len(data)
            data[tag:tag] = opening + closing
        elif kind == 6:  # a flood of attributes on one start tag
            space = data.find(b" ", at)
            if space >= 0:
                data[space:space] = list(ATTRIBUTES.values())[rng.choice(SMALL_FIRST)]
        elif kind == 7:  # a flood of namespace declarations
            space = data.find(b" ", at)
            if space >= 0:
                data[space:space] = list(DECLARATIONS.values())[rng.choice(SMALL_FIRST)]
        elif kind == 8:  # a segment repeated
            end = min(len(data), at + rng.randint(1, 200))
            data[at:at] = bytes(data[at:end]) * rng.randint(2, 50)
        elif kind == 9:  # a segment deleted
            del data[at : at + rng.randint(1, 40)]
        elif kind == 10:  # another encoding announced, or used
            text = bytes(data).split(b"?>", 1)[-1] if data.startswith(b"<?xml") else bytes(data)
            choice = rng.randrange(8)
            if choice == 0:
                data = bytearray(b'<?xml version="1.0" encoding="UTF-7"?>' + text)
            elif choice == 1:
                data = bytearray(b'<?xml version="1.0" encoding="ISO-8859-1"?>' + text)
            elif choice == 2:
                data = bytearray(text.decode("utf-8", "replace").encode("utf-16"))
            elif choice == 3:
                data = bytearray(b"\xef\xbb\xbf" + text)
        else:  # many tags
            data[at:at] = list(TAGS.values())[rng.choice(SMALL_FIRST)]
    return bytes(data)


def _hostile_value(rng: random.Random) -> Any:
    kind = rng.randrange(9)
    if kind == 0:
        return "x" + rng.choice(CONTROL) + "y"
    if kind == 1:
        return rng.choice(BAD_NAMES)
    if kind == 2:  # deep nesting, as arrays or objects (deeper than json.dumps writes: see DEEP)
        value: Any = "leaf"
        for _ in range(rng.choice((50, 255, 257, 600))):
            value = [value] if rng.random() < 0.5 else {"k": value}
        return value if rng.random() < 0.9 else DEEP
    if kind == 3:
        return rng.choice((None, True, False, 0, -1, 1.5, 2**70, [], {}, [None], ["Long", ["Long", 1]]))
    if kind == 4:
        return {"@type": rng.choice(BAD_NAMES), "id": "x"}
    if kind == 5:
        return ["Long", rng.choice(("1", "x", None, [1], {"a": 1}))]
    if kind == 6:
        return "9" * rng.choice((10, 5_000))
    if kind == 7:
        return {rng.choice(BAD_NAMES): "v", "\x00": 1}
    return "".join(rng.choice(("a", "<", "&", '"', "\u00e9", "\U0001f600")) for _ in range(rng.randint(0, 30)))


def mutate_json_value(seed: Any, rng: random.Random) -> Any:
    """``seed`` (a JSON value) with one to three values replaced by hostile ones."""
    data = copy.deepcopy(seed)
    for _ in range(rng.randint(1, 3)):
        holder, key = None, None
        node = data
        for _ in range(rng.randint(0, 6)):
            if isinstance(node, dict) and node:
                holder, key = node, rng.choice(list(node))
            elif isinstance(node, list) and node:
                holder, key = node, rng.randrange(len(node))
            else:
                break
            node = holder[key]
        if holder is None:
            if isinstance(data, dict):
                data[rng.choice(("@type", "id", "name", "\x01", "a b"))] = _hostile_value(rng)
            else:
                data = _hostile_value(rng)
        elif isinstance(holder, dict) and rng.random() < 0.2:
            holder[rng.choice(BAD_NAMES)] = holder.pop(key)
        else:
            holder[key] = _hostile_value(rng)
    return data


class _Deep:
    """Stands for JSON nested deeper than Python's recursion limit, spliced in as text."""


DEEP = _Deep()
DEEP_TEXT = '[{"k":' * 3_000 + "1" + "}]" * 3_000


def mutate_json(seed: Any, rng: random.Random) -> bytes:
    """A hostile JSON document: mutated values, then sometimes mutated bytes."""
    value = mutate_json_value(seed, rng)
    text = json.dumps(value, ensure_ascii=rng.random() < 0.5, default=lambda _: "@@DEEP@@")
    text = text.replace('"@@DEEP@@"', DEEP_TEXT)
    data = bytearray(text.encode("utf-8", "surrogatepass"))
    if rng.random() < 0.3:
        at = rng.randrange(len(data) + 1)
        choice = rng.randrange(3)
        if choice == 0:
            del data[at:]
        elif choice == 1:
            data[at:at] = rng.choice(JSON_TOKENS)
        elif data:
            data[min(at, len(data) - 1)] = rng.randrange(256)
    return bytes(data)


# -- the harness ------------------------------------------------------------------------


COUNTS: dict[str, int] = {}


@pytest.fixture(scope="module", autouse=True)
def total() -> Iterator[None]:
    """Print the inputs of every reader together, for the closing figures (``pytest -s``)."""
    yield
    print(f"fuzz total: {sum(COUNTS.values())} inputs over {len(COUNTS)} readers, 0 foreign exceptions")


def run(name: str, read: Callable[[bytes], object], inputs: Iterator[bytes]) -> int:
    """Feed every input to ``read``; fail listing the first exceptions outside BoomiSoapError."""
    count = 0
    foreign: list[str] = []
    for data in inputs:
        count += 1
        try:
            read(data)
        except BoomiSoapError:
            pass
        except Exception as exc:  # what this test hunts
            foreign.append(f"{type(exc).__name__}: {str(exc)[:120]} <- {data[:120]!r}")
    print(f"fuzz {name}: {count} inputs, {len(foreign)} foreign exceptions")
    COUNTS[name] = count
    assert not foreign, f"{len(foreign)} foreign exceptions in {count} inputs, e.g.:\n" + "\n".join(foreign[:8])
    return count


def inputs(
    seeds: tuple[Any, ...], mutate: Callable[[Any, random.Random], bytes], count: int, seed: int
) -> Iterator[bytes]:
    """``count`` mutations of the seeds, the same on every run."""
    rng = random.Random(seed)
    for index in range(count):
        yield mutate(seeds[index % len(seeds)], rng)


class Canned(requests.Session):
    """Answers every request with the next body and status set on it, no network."""

    def __init__(self) -> None:
        super().__init__()
        self.body = b""
        self.status = 200

    def _answer(self) -> requests.Response:
        response = requests.Response()
        response.status_code = self.status
        response._content = self.body
        response.headers["Content-Type"] = "text/xml"
        return response

    def post(self, url: str | bytes, data: Any = None, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        return self._answer()

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        return self._answer()


# -- fixtures ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def snapshot() -> Any:
    return pinned_store().current(DEFAULT_ACCOUNT)


@pytest.fixture(scope="module")
def soap(snapshot: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[Client, Canned]:
    session = Canned()
    client = Client(
        snapshot, Credentials.from_password("fuzz@example.com", "pw"), endpoint=ENDPOINT, session=session,
        settings=SETTINGS, compiled_dir=tmp_path_factory.mktemp("compiled"),
    )  # fmt: skip
    return client, session


@pytest.fixture(scope="module")
def form(snapshot: Any) -> JsonForm:
    return JsonForm.of(snapshot)


@pytest.fixture(scope="module")
def restmap(snapshot: Any) -> RestMap:
    return RestMap(contract_of(snapshot))


def _wrappers() -> list[etree._Element]:
    """The response wrappers (SOAP Body children) of the SOAP seeds."""
    found = []
    for seed in SOAP_SEEDS:
        body = parse_xml(seed).find("{http://schemas.xmlsoap.org/soap/envelope/}Body")
        assert body is not None
        found.append(next(c for c in body if isinstance(c.tag, str)))
    return found


@pytest.fixture(scope="module")
def rest_seeds(restmap: RestMap) -> tuple[tuple[str, bytes], ...]:
    """(operation, REST XML answer) as the local service writes them, from the SOAP seeds."""
    seeds = []
    for wrapper in _wrappers():
        operation = "query" if etree.QName(wrapper).localname == "queryResponse" else "get"
        seeds.append((operation, restmap.answer(operation, wrapper)[1]))
    return tuple(seeds)


# -- one test per reader ------------------------------------------------------------------


def test_fuzz_hardened_parser() -> None:
    seeds = (*SOAP_SEEDS, REQUEST)
    run("xmlsafe.parse_xml", parse_xml, inputs(seeds, mutate_xml, 15_000, 1))


def test_fuzz_soap_answers(soap: tuple[Client, Canned]) -> None:
    client, session = soap

    def read(data: bytes) -> None:
        session.body = data
        client.get("Environment", "e1")

    run("SOAP answers (Client.get)", read, inputs(SOAP_SEEDS[:2], mutate_xml, 2_000, 2))


def test_fuzz_soap_answers_read_by_zeep(soap: tuple[Client, Canned]) -> None:
    client, session = soap

    def read(data: bytes) -> None:
        session.body = data
        list(client.query("Environment"))

    run("SOAP answers (zeep, Client.query)", read, inputs(SOAP_SEEDS[2:], mutate_xml, 800, 3))


def test_fuzz_rest_xml_answers(restmap: RestMap, rest_seeds: tuple[tuple[str, bytes], ...]) -> None:
    operations = {body: operation for operation, body in rest_seeds}

    def read(data: bytes) -> None:
        operation = "query" if b"QueryResult" in data[:400] else "get"
        restmap.response(RestCall(operation, "GET", "/Environment/e1", object_type="Environment"), data)

    assert operations
    run("REST XML answers", read, inputs(tuple(operations), mutate_xml, 10_000, 4))


def test_fuzz_rest_error_bodies(rest_seeds: tuple[tuple[str, bytes], ...]) -> None:
    xml_errors = (
        b'<?xml version="1.0" encoding="UTF-8"?><error><message>Object not found</message></error>',
        b'<api:Error xmlns:api="http://api.platform.boomi.com/"><api:message>Too many requests</api:message></api:Error>',
    )
    json_errors: tuple[Any, ...] = (
        {"@type": "Error", "message": "insufficient permissions"},
        {"error": {"message": "Rate limit exceeded", "code": 503}},
    )

    def read(data: bytes) -> None:
        message = error_message(data)
        assert isinstance(message, str)
        assert "\n" not in message
        error = rest_error("get", rng.choice((400, 403, 404, 409, 429, 500, 503)), data, CallRecord("get"))
        assert message in str(error)
        assert "\n" not in str(error)

    rng = random.Random(5)
    count = run("REST error bodies (XML)", read, inputs(xml_errors, mutate_xml, 6_000, 6))
    count += run("REST error bodies (JSON)", read, inputs(json_errors, mutate_json, 6_000, 7))
    assert count == 12_000


def test_fuzz_rest_json_answers(
    form: JsonForm, restmap: RestMap, rest_seeds: tuple[tuple[str, bytes], ...], snapshot: Any
) -> None:
    bodies = JsonBodies(form, contract_of(snapshot).data_namespace)
    seeds = []
    for operation, body in rest_seeds:
        try:
            seeds.append((operation, json.loads(bodies.to_json(body))))
        except BoomiSoapError:
            continue  # a sample with no JSON form (text between elements)
    assert seeds

    def mutate(seed: tuple[str, Any], rng: random.Random) -> bytes:
        return seed[0].encode() + b"\n" + mutate_json(seed[1], rng)

    def read(data: bytes) -> None:
        operation, _, body = data.partition(b"\n")
        call = RestCall(operation.decode(), "GET", "/Environment/e1", object_type="Environment")
        xml = bodies.from_json(body, bodies.answer_root(call.operation, "Environment"), max_bytes=1 << 26)
        restmap.response(call, xml)

    run("REST JSON answers", read, inputs(tuple(seeds), mutate, 12_000, 8))


def test_fuzz_rest_client_answers(snapshot: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """The whole REST path of a client (XML and JSON), on a canned session."""
    session = Canned()
    clients = [
        Client(
            snapshot,
            Credentials.from_password("fuzz@example.com", "pw"),
            endpoint=ENDPOINT,
            session=session,
            settings=SETTINGS,
            compiled_dir=tmp_path_factory.mktemp(f"rest-{kind}"),
            transport="rest",
            format=kind,
        )
        for kind in ("xml", "json")
    ]
    restmap = RestMap(contract_of(snapshot))
    bodies = JsonBodies(JsonForm.of(snapshot), contract_of(snapshot).data_namespace)
    xml_seed = restmap.answer("get", _wrappers()[0])[1]
    json_seed = json.loads(bodies.to_json(xml_seed))
    rng = random.Random(9)

    def read(data: bytes) -> None:
        session.status = rng.choice((200, 200, 200, 400, 404, 500, 503))
        session.body = data
        clients[data.lstrip()[:1] == b"{"].get("Environment", "e1")

    count = run("REST client answers (XML)", read, inputs((xml_seed,), mutate_xml, 1_200, 10))
    count += run("REST client answers (JSON)", read, inputs((json_seed,), mutate_json, 1_200, 11))
    assert count == 2_400


def test_fuzz_async_results() -> None:
    results = tuple(
        b'<bns:AsyncOperationResult xmlns:bns="http://api.platform.boomi.com/"'
        b' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" responseStatusCode="%s">%s</bns:AsyncOperationResult>'
        % (code, body)
        for code, body in (
            (b"200", b'<bns:result xsi:type="bns:AtomConnectionFieldExtensionSummary" atomId="a1"/>'),
            (b"202", b""),
            (b"200", b'<bns:result xsi:type="bns:ListenerStatus" listenerId="l1" status="listening"/>' * 3),
        )
    )

    def read(data: bytes) -> None:
        read_async_result(data, operation="AsyncOperationResult")

    run("async results", read, inputs(results, mutate_xml, 10_000, 12))


def test_fuzz_connect_now_answers() -> None:
    session = Canned()
    client = ConnectNowClient(
        "http://127.0.0.1:9", credentials=Credentials.from_password("fuzz@example.com", "pw"), session=session
    )
    seeds = tuple(json.loads(s) for s in CONNECT_NOW_SEEDS)
    rng = random.Random(13)

    def read(data: bytes) -> None:
        session.status = rng.choice((200, 200, 200, 201, 400, 401, 403, 500))
        session.body = data if rng.random() < 0.97 else b""
        client.get_installed_ipacks("sub-1")

    run("Connect Now answers", read, inputs(seeds, mutate_json, 8_000, 14))


def test_fuzz_jsonform(form: JsonForm) -> None:
    seeds = tuple(
        (root, body) for _, roots, body in EXAMPLES for root in roots[:1] if f"{{{DATA}}}{root}" in form.elements
    )
    assert len(seeds) > 300

    def mutate(seed: tuple[str, Any], rng: random.Random) -> bytes:
        root = seed[0] if rng.random() < 0.9 else rng.choice(BAD_NAMES)
        return root.encode("utf-8", "surrogatepass") + b"\n" + mutate_json(seed[1], rng)

    def read(data: bytes) -> None:
        root, _, body = data.partition(b"\n")
        value = loads(body)
        element = form.from_json(value, f"{{{DATA}}}{root.decode('utf-8', 'replace')}")
        form.to_json(element)

    run("jsonform (JSON to XML and back)", read, inputs(seeds, mutate, 10_000, 15))


def test_fuzz_jsonform_from_xml(form: JsonForm) -> None:
    seeds = tuple(etree.tostring(w[0]) for w in _wrappers() if len(w))

    def read(data: bytes) -> None:
        form.to_json(parse_xml(data))

    run("jsonform (XML to JSON)", read, inputs(seeds, mutate_xml, 4_000, 16))


def test_fuzz_validator(snapshot: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    validator = SchemaValidator(load_schema(snapshot, compiled_dir=tmp_path_factory.mktemp("validator")))

    def read(data: bytes) -> None:
        list(validator.iter_errors(data, source="fuzz"))

    run("validator", read, inputs((REQUEST, *SOAP_SEEDS), mutate_xml, 2_000, 17))


def test_fuzz_filter_parser() -> None:
    operators = ("EQUALS", "LIKE", "BETWEEN", "IS_NULL", "=", "!=", ">", "<=", "starts_with")
    grouping = ("and", "or")
    rng = random.Random(18)
    pieces = (*operators, "name", "status", "'", '"', "\\", " ", "%", *CONTROL, *BAD_NAMES, "a b", "'unclosed")

    def texts() -> Iterator[bytes]:
        for _ in range(10_000):
            words = [rng.choice(pieces) for _ in range(rng.randint(0, 6))]
            yield json.dumps([" ".join(words) for _ in range(rng.randint(1, 3))]).encode()

    nested: list[Any] = []
    for depth in (10, 300, 5_000):  # groupings nested by hand, as a program could
        node: Any = F("name") == "x"
        for _ in range(depth):
            node = Grouping("and", (node, F("status") == "ERROR"))
        nested.append(node)

    def read(data: bytes) -> None:
        where = parse_filters(json.loads(data))
        if rng.random() < 0.05 and where is not None:
            where = Grouping("or", (where, rng.choice(nested)))
        check_expression(where)
        if where is not None:
            check_operators(where, operators, grouping)

    run("filter parser", read, texts())


def test_fuzz_filter_expressions_built_by_hand() -> None:
    rng = random.Random(19)

    def shapes() -> Iterator[bytes]:
        for _ in range(3_000):
            yield bytes([rng.randrange(6), rng.randrange(256)])

    def read(data: bytes) -> None:
        kind, pick = data
        value: Any = CONTROL[pick % len(CONTROL)] if pick % 2 else BAD_NAMES[pick % len(BAD_NAMES)]
        expression: Any = {
            0: Simple("EQUALS", value, ("x",)),
            1: Simple(value, "name", ()),
            2: Grouping("and", (F("name") == value, "not an expression")),  # type: ignore[arg-type]
            3: Grouping("or", [F("name") == "x"]),  # type: ignore[arg-type]
            4: Simple("EQUALS", "name", (1, None)),  # type: ignore[arg-type]
            5: F("name") == value,
        }[kind]
        check_expression(expression)

    run("filter expressions built by hand", read, shapes())


def test_fuzz_cli_object_input(soap: tuple[Client, Canned], form: JsonForm) -> None:
    """What ``call create -`` reads: JSON through jsonform's reader, XML through the hardened parser."""
    client, _ = soap
    json_seeds = ({"@type": "Environment", "name": "Production", "classification": "PROD"},)
    xml_seed = b'<api:Environment xmlns:api="http://api.platform.boomi.com/" name="Production" classification="PROD"/>'
    rng = random.Random(20)

    def mutate(seed: Any, rng: random.Random) -> bytes:
        return mutate_json(seed, rng) if rng.random() < 0.7 else mutate_xml(xml_seed, rng)

    def read(data: bytes) -> None:
        load_object(client, data, source="<stdin>", object_type=None if rng.random() < 0.8 else "Environment")

    run("CLI object input", read, inputs(json_seeds, mutate, 4_000, 21))
