"""The RESTish transport against the local service: REST-only calls, Boomi's how-to run, and SOAP/REST parity."""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from boomi_soap.cli import main
from boomi_soap.client import Client
from boomi_soap.credentials import Credentials, Endpoint
from boomi_soap.exceptions import (
    BoomiSoapError,
    ConfigurationError,
    InvalidRequestError,
    NotFoundError,
    QuotaExceededError,
)
from boomi_soap.localservice import (
    DEFAULT_ACCOUNT,
    DEFAULT_API_TOKEN,
    DEFAULT_PASSWORD,
    DEFAULT_USER,
    Injection,
    LocalService,
    ServiceConfig,
)
from boomi_soap.localservice.config import DEFAULT_SUB_ACCOUNTS
from boomi_soap.query import F
from boomi_soap.settings import ClientSettings, RetryPolicy
from boomi_soap.snapshot.cache import Snapshot
from boomi_soap.wire.restmap import RestCall

CREDENTIALS = Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD)
FAST = ClientSettings(rate_limit=None, retry=RetryPolicy(max_retries=3, backoff=0.01, max_backoff=0.05))


def make(snapshot: Snapshot, compiled_dir: Path, transport: str, **kwargs: Any) -> Client:
    return Client(snapshot, CREDENTIALS, settings=FAST, compiled_dir=compiled_dir, transport=transport, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def rest(snapshot: Snapshot, compiled_dir: Path) -> Client:
    return make(snapshot, compiled_dir, "rest")


@pytest.fixture
def soap(snapshot: Snapshot, compiled_dir: Path) -> Client:
    return make(snapshot, compiled_dir, "soap")


@pytest.fixture
def rest_json(snapshot: Snapshot, compiled_dir: Path) -> Client:
    return make(snapshot, compiled_dir, "rest", format="json")


def online_atom(service: LocalService) -> str:
    return next(a.key for a in service.store().all("Atom") if a.element.get("status") == "ONLINE")


# -- acceptance: bulk GET ------------------------------------------------------------------


def test_bulk_get_of_100_ids_with_5_unknown_is_one_call(rest: Client, soap: Client, service: LocalService) -> None:
    for n in range(95 - service.store().count("Environment")):
        soap.create("Environment", name=f"Bulk {n}", classification="TEST")
    known = [r.key for r in service.store().all("Environment")]
    assert len(known) == 95
    unknown = [f"environment-unknown-{n}" for n in range(5)]
    wanted = known[:50] + unknown + known[50:]
    before = service.limit_stats().accepted
    results = rest.bulk_get("Environment", wanted)
    assert service.limit_stats().accepted == before + 1  # one call, one count
    assert len(results.found) == 95
    assert len(results.errors) == 5
    assert set(results.errors) == set(unknown)
    assert all("does not exist" in message for message in results.errors.values())
    assert [item.id for item in results.items] == wanted
    assert {type(v).__name__ for v in results.found.values()} == {"Environment"}
    assert results.found[known[-1]].name == "Bulk 91"
    with pytest.raises(InvalidRequestError, match="does not support the BULK operation"):
        rest.bulk_get("ExecutionRecord", ["x"])


def test_bulk_get_of_101_ids_is_refused_before_sending(rest: Client, service: LocalService) -> None:
    before = service.limit_stats().accepted
    with pytest.raises(InvalidRequestError, match="101 ids; a bulk GET takes at most 100"):
        rest.bulk_get("Environment", [f"e-{n}" for n in range(101)])
    assert service.limit_stats().accepted == before


def test_rest_only_calls_say_so_over_soap(soap: Client) -> None:
    for call in (lambda: soap.execution_record("r"), soap.openapi):
        with pytest.raises(InvalidRequestError, match="REST-only: build the client with transport='rest'") as refused:
            call()
        assert "\n" not in str(refused.value)


def test_an_unknown_transport_is_one_line(snapshot: Snapshot, compiled_dir: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"unknown transport 'ftp' \(use 'soap' or 'rest'\)"):
        make(snapshot, compiled_dir, "ftp")


def test_the_openapi_description(rest: Client) -> None:
    document = rest.openapi()
    assert document["openapi"] == "3.0.3"
    assert len(document["paths"]) == 334


# -- seed 003: Boomi's how-to, run over REST -------------------------------------------------


def test_execute_process_over_rest_shows_in_execution_records(rest: Client, service: LocalService) -> None:
    """The how-to's ProcessExecutionRequest (process id, atom id, a priority property) starts a run."""
    atom, process = online_atom(service), service.store().all("Process")[0].key
    before = {r.key for r in service.store().all("ExecutionRecord")}
    rest.execute_process(atom, process_id=process, properties={"priority": "medium"})
    new = [r for r in service.store().all("ExecutionRecord") if r.key not in before]
    assert [(r.element.findtext("{*}processId"), r.element.findtext("{*}atomId")) for r in new] == [(process, atom)]
    seen = rest.query("ExecutionRecord", F("executionId") == new[0].key)
    assert [r.processId for r in seen] == [process]


def test_execute_process_over_rest_from_the_cli(
    service: LocalService, own_snapshot: Snapshot, compiled_dir: Path
) -> None:
    atom, process = online_atom(service), service.store().all("Process")[0].key
    env = {
        "BOOMI_ACCOUNT_ID": DEFAULT_ACCOUNT,
        "BOOMI_BASE_URL": service.base_url,
        "BOOMI_USERNAME": DEFAULT_USER,
        "BOOMI_PASSWORD": "",
        "BOOMI_API_TOKEN": DEFAULT_API_TOKEN,  # Basic auth as BOOMI_TOKEN.<email>:<token>
        "BOOMI_FLAVOUR": service.flavour,
        "BOOMI_SOAP_CACHE_DIR": str(own_snapshot.directory.parents[2]),
        "BOOMI_SOAP_COMPILED_DIR": str(compiled_dir),
    }
    before = service.store().count("ExecutionRecord")
    args = ["call", "execute", atom, "--process-id", process, "--property", "priority=medium", "--transport", "rest"]
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 0, result.output
    assert service.store().count("ExecutionRecord") == before + 1
    listed = CliRunner().invoke(main, ["call", "get", "Account", DEFAULT_ACCOUNT, "--transport", "rest"], env=env)
    assert json.loads(listed.stdout)["@type"] == "Account"
    rest_root = service.endpoint().replace("/api/soap/v1/", "/api/rest/v1/")
    assert f"call get: endpoint {rest_root} (" in listed.stderr  # says where it talks: the REST root
    dry = CliRunner().invoke(main, [*args, "--dry-run"], env=env)
    assert dry.exit_code == 0, dry.output
    root = service.endpoint().replace("/api/soap/v1/", "/api/rest/v1/")
    assert dry.stdout.startswith(f"POST {root}/executeProcess\n")
    assert "Authorization: Basic ***" in dry.stdout
    assert "<Name>priority</Name>" in dry.stdout
    assert DEFAULT_API_TOKEN not in dry.stdout
    assert service.store().count("ExecutionRecord") == before + 1  # the dry run sent nothing


@pytest.mark.timeout(60)
def test_execution_record_answers_202_until_the_record_exists(rest: Client, service: LocalService) -> None:
    request = rest.create(
        "ExecutionRequest",
        atomId=online_atom(service),
        processId=service.store().all("Process")[0].key,
        DynamicProcessProperties={"DynamicProcessProperty": []},
        ProcessProperties={},
    )
    assert "/api/rest/v1/" in request.recordUrl  # the link Boomi's REST example gives
    records = rest.execution_record(request.requestId)
    while records is None:  # the service's timeline makes the record appear after a moment
        time.sleep(0.05)
        records = rest.execution_record(request.requestId)
    assert [type(r).__name__ for r in records] == ["ExecutionRecord"]
    with pytest.raises(NotFoundError, match="does not exist"):
        rest.execution_record("executionrecord-nope")


# -- limits counted across both APIs ---------------------------------------------------------


def test_soap_and_rest_share_the_daily_quota(snapshot: Snapshot, compiled_dir: Path, contract: str) -> None:
    with LocalService(ServiceConfig(rate_limit=None, daily_quota=3, contract=contract)) as service:
        endpoint = Endpoint(DEFAULT_ACCOUNT, service.base_url, service.flavour)
        soap = make(snapshot, compiled_dir, "soap", endpoint=endpoint)
        rest = make(snapshot, compiled_dir, "rest", endpoint=endpoint)
        soap.get("Account", DEFAULT_ACCOUNT)
        rest.get("Account", DEFAULT_ACCOUNT)
        soap.get("Account", DEFAULT_ACCOUNT)
        with pytest.raises(QuotaExceededError) as spent:
            rest.get("Account", DEFAULT_ACCOUNT)
        assert spent.value.attempts == 1
        assert spent.value.http_status == 503
        assert service.limit_stats().accepted == 3


@pytest.mark.contracts("partner", why="the sub-account override is the Partner API's")
def test_the_override_child_travels_as_override_account(rest: Client, soap: Client) -> None:
    sub = DEFAULT_SUB_ACCOUNTS[0]
    over_rest = rest.call("get", objectType="Account", objectId=sub, accountId=sub)
    assert over_rest.accountId == sub
    assert serial(over_rest) == serial(soap.call("get", objectType="Account", objectId=sub, accountId=sub))
    with pytest.raises(NotFoundError):
        rest.get("Account", sub)  # without the override: the primary account's view


@pytest.mark.timeout(60)
def test_rest_reads_are_retried_after_ambiguous_failures(rest: Client, service: LocalService) -> None:
    service.inject(Injection.DROP_AFTER)
    assert len(rest.bulk_get("Environment", [e.key for e in service.store().all("Environment")]).found) == 3
    assert service.injections.fired() == {Injection.DROP_AFTER: 1}


def test_query_more_needs_a_token_from_this_client(rest: Client) -> None:
    with pytest.raises(InvalidRequestError, match="needs the object type"):
        rest.call("queryMore", queryToken="a-token-from-elsewhere")


# -- differential: the same calls on the same store, over both transports --------------------


def outcome(call: Any) -> Any:
    try:
        return ("ok", serial(call()))
    except BoomiSoapError as exc:
        return ("error", type(exc).__name__, exc.operation, getattr(exc, "code", None), str(exc).split(" (HTTP")[0])


def serial(value: Any) -> Any:
    from zeep.helpers import serialize_object

    return json.loads(json.dumps(serialize_object(value), default=str))


def test_soap_and_rest_give_equal_results(soap: Client, rest: Client, rest_json: Client, service: LocalService) -> None:
    process = service.store().all("Process")[3].key
    calls = {
        "get account": lambda c: c.get("Account", DEFAULT_ACCOUNT),
        "get process": lambda c: c.get("Process", process),
        "get unknown": lambda c: c.get("Process", "nope"),
        "query all pages": lambda c: list(c.query("ExecutionRecord")),
        "query filter": lambda c: list(c.query("Process", F("name").like("Orders%"))),
        "query sorted": lambda c: list(
            c.query("ExecutionRecord", F("status") == "ERROR", sort={"executionTime": "DESC"})
        ),
        "roles": lambda c: c.call("getAssignableRoles"),
        "bad type": lambda c: c.get("NoSuchType", "x"),
        "not supported": lambda c: c.create("Process", name="x"),
        "delete unknown": lambda c: c.delete("Environment", "nope"),
    }
    for name, call in calls.items():
        expected = outcome(lambda c=call: c(soap))
        assert outcome(lambda c=call: c(rest)) == expected, name
        assert outcome(lambda c=call: c(rest_json)) == expected, f"{name} (JSON)"
    # Writes: one transport creates, the other reads, updates and deletes.
    created = soap.create("Environment", name="Parity", classification="TEST")
    assert serial(rest.get("Environment", created.id)) == serial(created)
    created.name = "Parity 2"
    assert serial(rest.update(created)) == serial(soap.get("Environment", created.id))
    created.name = "Parity 3"
    assert serial(rest_json.update(created)) == serial(soap.get("Environment", created.id))
    assert serial(rest_json.get("Environment", created.id)) == serial(rest.get("Environment", created.id))
    assert rest.delete("Environment", created.id) is True
    assert soap.delete("Environment", created.id) is False
    assert rest_json.delete("Environment", created.id) is False


def test_json_bulk_execute_and_records(rest_json: Client, service: LocalService) -> None:
    ids = [e.key for e in service.store().all("Environment")]
    results = rest_json.bulk_get("Environment", [*ids, "nope"])
    assert sorted(results.found) == sorted(ids)
    assert list(results.errors) == ["nope"]
    before = service.store().count("ExecutionRecord")
    rest_json.execute_process(online_atom(service), process_id=service.store().all("Process")[0].key,
                              properties={"priority": "medium"})  # fmt: skip
    assert service.store().count("ExecutionRecord") == before + 1


def test_component_writes_are_xml_only_in_json(rest_json: Client) -> None:
    wire = rest_json.core.rest
    assert wire is not None
    body = b'<bns:Component xmlns:bns="http://api.platform.boomi.com/" name="c"/>'
    for operation, path in (("create", "/Component"), ("update", "/Component/c-1")):
        call = RestCall(operation, "POST", path, body, "application/xml", object_type="Component")
        with pytest.raises(InvalidRequestError, match=f"Component {operation} takes XML only on Boomi's REST API"):
            wire.outgoing(call)  # refused before anything is sent
    with pytest.raises(InvalidRequestError, match="Component bulk takes XML only"):
        rest_json.bulk_get("Component", ["x"])


def test_json_needs_the_rest_transport(snapshot: Snapshot, compiled_dir: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"format='json' needs transport='rest' \(SOAP is XML\)"):
        make(snapshot, compiled_dir, "soap", format="json")


def test_json_bodies_are_masked_in_debug_logs(rest_json: Client, caplog: pytest.LogCaptureFixture) -> None:
    from boomi_soap._xml.redact import debug_body

    body = b'{"@type":"Thing","name":"visible","password":"s3cr3t","inner":{"apiToken":"t0ken","n":1}}'
    shown = debug_body(body, 1024)
    assert "s3cr3t" not in shown
    assert "t0ken" not in shown
    assert '"name":"visible"' in shown
    with caplog.at_level(logging.DEBUG, logger="boomi_soap.client"):
        rest_json.get("Account", DEFAULT_ACCOUNT)
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "Authorization: Basic ***" in text
    assert '"@type":"Account"' in text  # the JSON answer, logged as it came
    assert DEFAULT_PASSWORD not in text


# -- hostile REST answers ----------------------------------------------------------------

BOMB = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><bns:Account xmlns:bns="http://api.platform.boomi.com/">&a;</bns:Account>'
HOSTILE_ANSWERS = [
    ("xml", (200, BOMB, "application/xml"), "HTTP 200: the get body is not well-formed XML"),
    ("xml", (200, b"<bns:Nope xmlns:bns='urn:x'/>", "application/xml"), "not an object of the data schema"),
    ("xml", (200, b'<bns:Account xmlns:bns="http://api.platform.boomi.com/" bogus="1"/>', "application/xml"),
     "does not fit the schema"),
    ("xml", (404, b"<html><body>Not here</body></html>", "text/html"), "not a SOAP answer \\(HTML\\)"),
    ("json", (200, b'{"@type": "Account", "nope": 1}', "application/json"), "the JSON answer does not fit the schema"),
    ("json", (200, b"[1, 2", "application/json"), "the JSON answer does not fit the schema"),
]  # fmt: skip


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("wire", "answer", "message"), HOSTILE_ANSWERS)
def test_hostile_rest_answers_are_one_line_response_errors(
    wire: str, answer: tuple[int, bytes, str], message: str, compiled_dir: Path
) -> None:
    from boomi_soap.exceptions import ResponseError
    from boomi_soap.snapshot.cache import pinned_store
    from tests.scripted import reply, scripted

    status, body, kind = answer
    with scripted(reply(status, body, {"Content-Type": kind})) as server:
        client = Client(
            pinned_store().current(DEFAULT_ACCOUNT), CREDENTIALS, endpoint=f"{server.base_url}/api/soap/v1/{DEFAULT_ACCOUNT}",
            # A misfit is refused in strict mode; the tolerant reader's view of them: tests/boomi_soap/wire.
            settings=dataclasses.replace(FAST, responses="strict"), compiled_dir=compiled_dir, transport="rest",
            format=wire,  # type: ignore[arg-type]
        )  # fmt: skip
        with pytest.raises(ResponseError, match=message) as refused:
            client.get("Account", DEFAULT_ACCOUNT)
    assert "\n" not in str(refused.value)
    assert server.received[0].path == f"/api/rest/v1/{DEFAULT_ACCOUNT}/Account/{DEFAULT_ACCOUNT}"
