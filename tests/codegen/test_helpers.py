"""Per-object helpers of the typed client: one per object and operation of the objects table, none else."""

from __future__ import annotations

import inspect
from pathlib import Path

from boomi_soap.bindings import OPERATIONS, TypedClient
from boomi_soap.bindings import types as t
from boomi_soap.client import Client
from boomi_soap.credentials import Credentials
from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER, LocalService
from boomi_soap.query import F
from codegen.filters import field_name, helper_name
from codegen.objects import published_operations
from codegen.render import HELPER_OPERATIONS
from tests.conftest import Lease

CREDENTIALS = Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD)


def _helpers() -> set[str]:
    """TypedClient's public methods that are not a WSDL operation."""
    operations = {field_name(name) for name in OPERATIONS}
    return {
        name
        for name, member in inspect.getmembers(TypedClient, inspect.isfunction)
        if not name.startswith("_") and name not in operations
    }


def test_the_helpers_are_the_objects_tables_operations() -> None:
    expected = {
        f"{operation.lower()}_{helper_name(name)}"
        for name, operations in published_operations().items()
        for operation in HELPER_OPERATIONS
        if operation in operations
    }
    assert _helpers() == expected
    assert len(expected) == 239


def test_no_helper_for_a_type_that_is_not_an_object() -> None:
    helpers = _helpers()
    for gone in (
        "delete_log_download",
        "get_roles",
        "query_async_operation_token_result",
        "update_clear_queue_request",
    ):
        assert gone not in helpers
    # ... while the query-only and EXECUTE objects have theirs
    assert {"query_event", "query_execution_summary_record", "query_as2_connector_record"} <= helpers
    assert {"execute_clear_queue", "execute_java_rollback", "execute_merge_request"} <= helpers
    assert "get_event" not in helpers
    assert "create_execution_summary_record" not in helpers


def test_execute_helpers_take_the_objects_request_type() -> None:
    signature = inspect.signature(TypedClient.execute_clear_queue)
    assert signature.parameters["obj"].annotation == "t.ClearQueueRequest"
    assert inspect.signature(TypedClient.execute_merge_request).parameters["obj"].annotation == "t.MergeRequest"


def _event(event_id: str, level: str, execution_id: str) -> dict[str, str]:
    """An Event in Boomi's JSON form, with every field the OpenAPI requires."""
    when = "2026-12-01T10:00:00Z"
    text = ("atomId", "atomName", "classification", "environment", "error", "errorType", "erroredStepLabel")
    more = ("erroredStepType", "processId", "processName", "status", "title", "topLevelProcessId")
    dates = ("endTime", "eventDate", "recordDate", "startTime", "updateDate")
    return {
        "@type": "Event",
        **{name: f"{name}-1" for name in (*text, *more)},
        **dict.fromkeys(dates, when),
        "accountId": DEFAULT_ACCOUNT,
        "eventId": event_id,
        "eventLevel": level,
        "eventType": "process.execution",
        "executionId": execution_id,
    }


def test_query_only_objects_through_their_helpers(service: LocalService, lease: Lease, tmp_path: Path) -> None:
    """The bundled bindings query objects that have no global element, on every contract."""
    service.seed(
        [
            _event("ev-1", "ERROR", "execution-typed-1"),
            _event("ev-2", "INFO", "execution-typed-2"),
            {"@type": "ExecutionSummaryRecord", "processID": "process-typed", "status": "ERROR"},
            {"@type": "ExecutionConnector", "id": "connector-typed-1", "executionId": "execution-typed-1"},
            {"@type": "ThroughputAccount", "date": "2026-12-01", "value": 10},
        ]
    )
    typed = TypedClient(Client(lease.snapshot(service, CREDENTIALS), CREDENTIALS, compiled_dir=tmp_path))
    events = list(typed.query_event(F("eventLevel") == "ERROR"))
    assert [(type(e), e.event_id, e.execution_id) for e in events] == [(t.Event, "ev-1", "execution-typed-1")]
    summaries = list(typed.query_execution_summary_record())
    assert [(type(s), s.process_id, s.status) for s in summaries] == [
        (t.ExecutionSummaryRecord, "process-typed", "ERROR")
    ]
    connectors = list(typed.query_execution_connector(F("executionId") == "execution-typed-1"))
    assert [(type(c), c.id_) for c in connectors] == [(t.ExecutionConnector, "connector-typed-1")]
    assert [type(a) for a in typed.query_throughput_account()] == [t.ThroughputAccount]
