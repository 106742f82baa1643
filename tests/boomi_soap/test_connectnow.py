"""``ConnectNowClient`` against the local ``/ws/simple`` endpoints: the same lifecycle, the same outcomes."""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from boomi_soap.connectnow import EXTRA_OPERATIONS, OPERATIONS, ConnectNowClient, ConnectNowError
from boomi_soap.credentials import Credentials
from boomi_soap.exceptions import ConfigurationError, ResponseError, ServiceTimeoutError
from boomi_soap.localservice import DEFAULT_PASSWORD, DEFAULT_USER, LocalService
from boomi_soap.localservice import connectnow as served
from boomi_soap.localservice.config import DEFAULT_SUB_ACCOUNTS
from boomi_soap.settings import ClientSettings
from tests.boomi_soap.conftest import Connect
from tests.boomi_soap.platform.test_ipacks import PACK, PARTNER, SECRET, SUB, partner_lifecycle
from tests.scripted import Answer, Scripted, drip, flood, reply, scripted

CREDENTIALS = Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD)
AUTH = base64.b64encode(f"{DEFAULT_USER}:{DEFAULT_PASSWORD}".encode()).decode()
TERMINAL = {"COMPLETE", "COMPLETE_WARN", "ERROR", "ABORTED", "DISCARDED"}


def _fields(items: list[dict[str, Any]], key: str) -> tuple[dict[str, str | None], dict[str, bool]]:
    values: dict[str, str | None] = {}
    encrypted: dict[str, bool] = {}
    for item in items:
        secret = item.get("usesEncryption") == "true"
        values[item[key]] = None if secret else item.get("value", "")
        if secret:
            encrypted[item[key]] = item.get("encryptedValueSet") == "true"
    return values, encrypted


def connectnow_lifecycle(client: ConnectNowClient, since: datetime) -> dict[str, Any]:
    """The lifecycle of :func:`partner_lifecycle`, through the Connect Now operations."""
    available = client.get_all_ipacks_available_to_account(SUB, "BOTH")["IntegrationPack"]
    pack = next(p for p in available if p["name"] == PACK)
    environment = next(e for e in client.get_environments_for_account(SUB)["Environment"] if e["name"] == "Production")
    deployed = client.create_integration_pack_deployment(SUB, environment["id"], pack["id"], "Acme Orders")
    instance = deployed["IntegrationPackInstance"]["id"]
    installed = [i["id"] for i in client.get_installed_ipacks(SUB)["IntegrationPackInstance"]]
    processes = client.get_installed_ipack_instance_processes(SUB, instance)["ProcessId"]
    connection = client.get_extended_connections_for_installed_ipack(SUB, instance, "MULTI")["connections"][0]
    settings = client.get_extended_process_properties_for_installed_ipack(SUB, instance, "MULTI")[
        "processPropertyContainers"
    ][0]
    client.upsert_environment_extensions(
        SUB, instance, "MULTI",
        connections=[{"id": connection["id"], "field": [{"id": "url", "value": "https://erp.example.com"},
                                                        {"id": "password", "value": SECRET}]}],
    )  # fmt: skip
    second = client.upsert_environment_extensions(
        SUB, instance, "MULTI",
        connections=[{"id": connection["id"], "field": [{"id": "user", "value": "integration"}]}],
        process_property_containers=[{"id": settings["id"], "processProperties": [{"key": "batchSize", "value": "50"}]}],
    )  # fmt: skip
    values, encrypted = _fields(second["connections"][0]["field"], "id")
    properties, secret_properties = _fields(second["processPropertyContainers"][0]["ProcessPropertyValue"], "key")
    url = client.get_oauth2_access_token_url(SUB, connection["id"], environment["id"], instance, "accessToken")["url"]
    schedules = client.get_process_schedules(SUB, instance)["ProcessSchedules"]
    daily = {"minutes": "0", "hours": "6", "daysOfWeek": "*", "daysOfMonth": "*", "months": "*", "years": "*"}
    client.upsert_process_schedules(SUB, [{**schedules[0], "Schedule": [daily]}])
    scheduled = [s for s in client.get_process_schedules(SUB, instance)["ProcessSchedules"] if s.get("Schedule")]
    started = client.execute_integration_process(SUB, processes[0]["wrapperProcessId"])
    status, ran = "SUBMITTED", []
    deadline = time.monotonic() + 30
    while status not in TERMINAL and time.monotonic() < deadline:
        time.sleep(0.05)
        records = client.get_process_execution_records(SUB, since)["ExecutionRecord"]
        ran = [r for r in records if r["executionId"] == started["executionId"]]
        status = ran[0]["status"] if ran else status
    deleted = client.delete_installed_ipack_instance(SUB, instance)["deleted"]
    profile = client.get_boomi_account_profile(SUB)["Account"]
    return {
        "available": sorted(p["name"] for p in available),
        "installed": installed == [instance],
        "processes": sorted(p["name"] for p in processes),
        "values": values,
        "properties": properties,
        "encrypted": {
            **{f"{connection['name']}/{k}": v for k, v in encrypted.items()},
            **{f"{settings['name']}/{k}": v for k, v in secret_properties.items()},
        },
        "oauth2_url": "/oauth2/authorize/" in url,
        "schedules": len(schedules),
        "scheduled": [(s["Schedule"][0]["hours"], s["Schedule"][0]["minutes"]) for s in scheduled],
        "status": status,
        "recorded": [r["status"] for r in ran],
        "record_process": [r["processName"] for r in ran],
        "uninstalled": deleted and client.get_installed_ipacks(SUB)["IntegrationPackInstance"] == [],
        "profile": profile["accountId"],
    }


@PARTNER
@pytest.mark.timeout(180)
def test_the_same_lifecycle_through_connect_now_has_equal_outcomes(
    connect: Connect, caplog: pytest.LogCaptureFixture
) -> None:
    service, client = connect()
    since = datetime.now(UTC) - timedelta(minutes=1)
    through_partner = partner_lifecycle(client, since)
    with (
        ConnectNowClient(service.base_url, credentials=CREDENTIALS) as connect_now,
        caplog.at_level(logging.DEBUG, logger="boomi_soap"),
    ):
        through_connect_now = connectnow_lifecycle(connect_now, since)
    assert through_connect_now == through_partner
    assert through_connect_now["status"] == "COMPLETE"
    # Nothing secret in any logged body: not the auth field, not the password, not the encrypted value.
    assert '"auth": "***"' in caplog.text
    for secret in (AUTH, DEFAULT_PASSWORD, SECRET):
        assert secret not in caplog.text


def test_the_client_knows_the_16_operations() -> None:
    assert len(set(OPERATIONS)) == 16
    assert set(served._HANDLERS) == {*OPERATIONS, *EXTRA_OPERATIONS}  # the local service answers each


@PARTNER
def test_each_request_carries_exactly_the_documented_body(service: LocalService) -> None:
    bodies: list[tuple[str, str, dict[str, Any]]] = []

    class Recorder(BaseHTTPRequestHandler):
        def _record(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            bodies.append((self.command, self.path, json.loads(self.rfile.read(length))))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")

        do_POST = do_DELETE = _record  # noqa: N815

        def log_message(self, *args: object) -> None:
            pass

    with _server(Recorder) as base_url, ConnectNowClient(base_url, credentials=CREDENTIALS) as client:
        since = datetime(2026, 11, 1, 6, 0, 0, 123000, tzinfo=UTC)
        client.create_integration_pack_deployment("A", "E", "P", "N")
        client.execute_integration_process("A", "X")
        client.get_all_ipacks_available_to_account("A")
        client.get_all_ipacks_available_to_account("A", "BOTH")
        client.get_boomi_account_profile("A")
        client.get_environments_for_account("A")
        client.get_extended_connections_for_installed_ipack("A", "I", "MULTI")
        client.get_extended_cross_reference_tables_for_installed_ipack("A", "I", "MULTI")
        client.get_extended_maps_for_installed_ipack("A", "I", "MULTI", [{"id": "C"}])
        client.get_extended_process_properties_for_installed_ipack("A", "I", "SINGLE")
        client.get_process_execution_records("A", since)
        client.get_installed_ipacks("A")
        client.get_oauth2_access_token_url("A", "C", "E", "G", "F")
        client.get_process_schedules("A", "I")
        client.get_installed_ipack_instance_processes("A", "I")
        client.delete_installed_ipack_instance("A", "I")
        client.upsert_environment_extensions("A", "I", "MULTI", connections=[{"id": "C"}])
    base = {"auth": AUTH, "accountId": "A"}
    extended = {**base, "id": "I", "@type": "MULTI"}
    assert bodies == [
        ("POST", "/ws/simple/createIntegrationPackDeployment",
         {**base, "environmentId": "E", "integrationPackId": "P", "integrationPackOverrideName": "N"}),
        ("POST", "/ws/simple/executeIntegrationProcess", {**base, "id": "X"}),
        ("POST", "/ws/simple/getAllIPacksAvailableToAccount", base),
        ("POST", "/ws/simple/getAllIPacksAvailableToAccount", {**base, "@type": "BOTH"}),
        ("POST", "/ws/simple/getBoomiAccountProfile", base),
        ("POST", "/ws/simple/getEnvironmentsForAccount", base),
        ("POST", "/ws/simple/getExtendedConnectionsForInstalledIPack", extended),
        ("POST", "/ws/simple/getExtendedCrossReferenceTablesForInstalledIPack", extended),
        ("POST", "/ws/simple/getExtendedMapsForInstalledIPack", {**extended, "connection": [{"id": "C"}]}),
        ("POST", "/ws/simple/getExtendedProcessPropertiesForInstalledIPack", {**extended, "@type": "SINGLE"}),
        ("POST", "/ws/simple/getProcessExecutionRecords", {**base, "date": "2026-11-01T06:00:00.123"}),
        ("POST", "/ws/simple/getInstalledIPacks", base),
        ("POST", "/ws/simple/getOAuth2AccessTokenURL",
         {**base, "connectionId": "C", "environmentId": "E", "extensionGroupId": "G", "fieldId": "F"}),
        ("POST", "/ws/simple/getProcessSchedules", {**base, "id": "I"}),
        ("POST", "/ws/simple/getInstalledIPackInstanceProcesses", {**base, "id": "I"}),
        ("DELETE", "/ws/simple/deleteInstalledIPackInstance", {**base, "id": "I"}),
        ("POST", "/ws/simple/upsertEnvironmentExtensions",
         {**base, "iPackInstanceId": "I", "@ipackType": "MULTI", "processPropertyContainers": [],
          "connections": [{"id": "C"}], "crossReferenceTables": []}),
    ]  # fmt: skip


@PARTNER
def test_error_message_is_a_typed_failure(service: LocalService) -> None:
    with ConnectNowClient(service.base_url, credentials=CREDENTIALS) as client:
        with pytest.raises(ConnectNowError, match="insufficient permissions") as denied:
            client.get_installed_ipacks(DEFAULT_SUB_ACCOUNTS[1])
        assert denied.value.http_status == 403
        with pytest.raises(ConnectNowError, match="does not exist"):
            client.get_installed_ipack_instance_processes(SUB, "no-such-instance")
    wrong = Credentials.from_password(DEFAULT_USER, "wrong-password")
    with ConnectNowClient(service.base_url, credentials=wrong) as client, pytest.raises(ConnectNowError) as refused:
        client.get_installed_ipacks(SUB)
    assert refused.value.http_status == 401
    assert "wrong-password" not in str(refused.value)


def test_plain_http_is_for_loopback_only() -> None:
    with pytest.raises(ConfigurationError):
        ConnectNowClient("http://connect.example.com", credentials=CREDENTIALS)


def test_a_redirect_is_refused() -> None:
    class Redirect(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:1/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    with (
        _server(Redirect) as base_url,
        ConnectNowClient(base_url, credentials=CREDENTIALS) as client,
        pytest.raises(ResponseError, match="redirect"),
    ):
        client.get_installed_ipacks(SUB)


class _server:  # noqa: N801 - used as a context manager, like a function
    """A throwaway HTTP server on loopback for wire-level checks."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        quick = type(handler.__name__, (handler,), {"disable_nagle_algorithm": True})  # see tests.docserver.serving
        self.httpd = HTTPServer(("127.0.0.1", 0), quick)

    def __enter__(self) -> str:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __exit__(self, *exc_info: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# -- bounds: the deadline, the size cap, answers cut short ---------------------------------

BOUNDED = ClientSettings(rate_limit=None, total_timeout=1.5, max_response_bytes=256 * 1024)


def _raw(data: bytes) -> Answer:
    """Write ``data`` as the whole answer, then close the connection."""

    def answer(handler: BaseHTTPRequestHandler, state: Scripted) -> None:
        handler.wfile.write(data)
        handler.wfile.flush()
        handler.close_connection = True

    return answer


@pytest.mark.parametrize(
    ("answer", "error", "message"),
    [
        (drip(0.2), ServiceTimeoutError, "within the total timeout of 1.5 s"),
        (drip(0.2, headers_first=True), ServiceTimeoutError, "within the total timeout of 1.5 s"),
        (_raw(b"HTTP/1.1 200 OK\r\nContent-Type: applica"), ResponseError, "no body"),
        (_raw(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n"), ResponseError, "no body"),
        (
            _raw(b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"result": ['),
            ResponseError,
            "unreadable answer",
        ),
        (flood(1024 * 1024), ResponseError, "larger than 262144 bytes"),
    ],
    ids=["dripped", "dripped-after-the-headers", "cut-inside-the-headers", "no-body", "cut-in-the-body", "flood"],
)
def test_an_answer_out_of_bounds_or_cut_short_is_an_error(answer: Answer, error: type[Exception], message: str) -> None:
    with (
        scripted(answer) as server,
        ConnectNowClient(server.base_url, credentials=CREDENTIALS, settings=BOUNDED) as client,
        pytest.raises(error, match=message) as caught,
    ):
        client.get_installed_ipacks(SUB)
    assert DEFAULT_PASSWORD not in str(caught.value)
    assert AUTH not in str(caught.value)


def test_deep_json_and_control_characters_are_one_line_errors() -> None:
    deep = b'{"result": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with (
        scripted(reply(200, deep, {"Content-Type": "application/json"})) as server,
        ConnectNowClient(server.base_url, credentials=CREDENTIALS) as client,
        pytest.raises(ConnectNowError, match=r"the answer is not JSON .*nested too deep"),
    ):
        client.get_installed_ipacks(SUB)
    nested = b'{"result": ' + b"[" * 300 + b"]" * 300 + b"}"  # json reads it; the bound of 256 does not
    with (
        scripted(reply(200, nested, {"Content-Type": "application/json"})) as server,
        ConnectNowClient(server.base_url, credentials=CREDENTIALS) as client,
        pytest.raises(ConnectNowError, match="nested deeper than 256 levels"),
    ):
        client.get_installed_ipacks(SUB)
    failed = json.dumps({"errorMessage": "line one\nline two\x00\x1b[31m"}).encode()
    with (
        scripted(reply(400, failed, {"Content-Type": "application/json"})) as server,
        ConnectNowClient(server.base_url, credentials=CREDENTIALS) as client,
        pytest.raises(ConnectNowError) as caught,
    ):
        client.get_installed_ipacks(SUB)
    assert str(caught.value) == "getInstalledIPacks: line one line two  [31m (HTTP 400)"
