"""Bulk GET over SOAP (one get per id, under the limiter) answers as REST's one bulk call does."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest

from boomi_soap.async_client import AsyncClient
from boomi_soap.client import Client
from boomi_soap.credentials import Credentials
from boomi_soap.exceptions import InvalidRequestError
from boomi_soap.localservice import DEFAULT_PASSWORD, DEFAULT_USER, LocalService
from boomi_soap.platform.bulk import BulkResults, update_schedules, update_schedules_steps
from boomi_soap.platform.deploy import Schedule
from boomi_soap.platform.steps import adrive
from boomi_soap.settings import ClientSettings
from boomi_soap.snapshot.cache import Snapshot

CREDENTIALS = Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD)


def make(snapshot: Snapshot, compiled_dir: Path, transport: str) -> Client:
    settings = ClientSettings(rate_limit=None)
    return Client(snapshot, CREDENTIALS, settings=settings, compiled_dir=compiled_dir, transport=transport)  # type: ignore[arg-type]


def test_soap_bulk_is_one_get_per_id_and_answers_as_rest_does(
    snapshot: Snapshot, compiled_dir: Path, service: LocalService, caplog: pytest.LogCaptureFixture
) -> None:
    known = [r.key for r in service.store().all("Environment")]
    wanted = [known[0], "environment-unknown-1", *known[1:], "environment-unknown-2"]
    with make(snapshot, compiled_dir, "soap") as soap, make(snapshot, compiled_dir, "rest") as rest:
        before = service.limit_stats().accepted
        with caplog.at_level(logging.INFO, logger="boomi_soap.bulk"):
            over_soap = soap.bulk_get("Environment", wanted)
        assert service.limit_stats().accepted == before + len(wanted)  # one get per id, each counted
        assert "the WSDL has no bulk operation" in caplog.text
        over_rest = rest.bulk_get("Environment", wanted)
    assert [i.id for i in over_soap.items] == [i.id for i in over_rest.items] == wanted
    assert [(i.index, i.status) for i in over_soap.items] == [(i.index, i.status) for i in over_rest.items]
    assert set(over_soap.errors) == set(over_rest.errors) == {"environment-unknown-1", "environment-unknown-2"}
    assert {k: v.name for k, v in over_soap.found.items()} == {k: v.name for k, v in over_rest.found.items()}
    assert all("environment-unknown" in message for message in over_soap.errors.values())


def test_soap_bulk_refuses_what_rest_refuses_before_sending(
    snapshot: Snapshot, compiled_dir: Path, service: LocalService
) -> None:
    with make(snapshot, compiled_dir, "soap") as soap:
        before = service.limit_stats().accepted
        for ids, reason in (([f"e-{n}" for n in range(101)], "at most 100"), ([], "at least one id"), ("e-1", "list")):
            with pytest.raises(InvalidRequestError, match=reason):
                soap.bulk_get("Environment", ids)
        assert service.limit_stats().accepted == before


def _seeded_schedules(client: Client, service: LocalService) -> list[Any]:
    return [client.get("ProcessSchedules", r.key) for r in service.store().all("ProcessSchedules")][:3]


@pytest.mark.parametrize("transport", ["soap", "rest"])
def test_bulk_update_of_process_schedules_is_one_call_and_replaces_each(
    snapshot: Snapshot, compiled_dir: Path, service: LocalService, transport: str
) -> None:
    with make(snapshot, compiled_dir, transport) as client:
        current = _seeded_schedules(client, service)
        assert len(current) >= 2
        wanted = []
        for n, schedules in enumerate(current):
            wanted.append(
                client.new_object(
                    "ProcessSchedules",
                    id=schedules.id,
                    atomId=schedules.atomId,
                    processId=schedules.processId,
                    Retry=schedules.Retry,
                    Schedule=[Schedule(minutes=str(5 + n), hours="7").as_fields()],
                )
            )
        before = service.limit_stats().accepted
        results = update_schedules(client, wanted)
        assert service.limit_stats().accepted == before + 1  # one call for all of them
        assert [item.id for item in results.items] == [s.id for s in current]
        assert not results.errors
        for n, schedules in enumerate(current):
            again = client.get("ProcessSchedules", schedules.id)
            assert [(s.minutes, s.hours) for s in again.Schedule] == [(str(5 + n), "7")]
            assert results.found[schedules.id].Schedule[0].minutes == str(5 + n)


def test_bulk_update_refuses_before_sending(snapshot: Snapshot, compiled_dir: Path, service: LocalService) -> None:
    with make(snapshot, compiled_dir, "rest") as client:
        one = _seeded_schedules(client, service)[0]
        before = service.limit_stats().accepted
        with pytest.raises(InvalidRequestError, match="1 to 15"):
            update_schedules(client, [one] * 16)
        with pytest.raises(InvalidRequestError, match="1 to 15"):
            update_schedules(client, [])
        with pytest.raises(InvalidRequestError, match="not Environment"):
            update_schedules(client, [client.new_object("Environment", name="x", classification="TEST")])
        assert service.limit_stats().accepted == before


def test_the_service_refuses_a_bulk_update_of_another_type(
    snapshot: Snapshot, compiled_dir: Path, service: LocalService
) -> None:
    with make(snapshot, compiled_dir, "rest") as client:
        body = (
            b'<bns:BulkRequest xmlns:bns="http://api.platform.boomi.com/" type="UPDATE">'
            b'<bns:request id="e-1"/></bns:BulkRequest>'
        )
        root = client.address.replace("/api/soap/v1/", "/api/rest/v1/")
        status, answer = client.post_linked(
            f"{root}/Environment/bulk", body, content_type="application/xml", max_bytes=65536, operation="bulk"
        )
    assert status == 400
    assert b"Bulk UPDATE is for ProcessSchedules only" in answer


@pytest.mark.parametrize("transport", ["soap", "rest"])
def test_the_bulk_update_steps_run_on_the_async_client_as_on_the_sync_one(
    snapshot: Snapshot, compiled_dir: Path, service: LocalService, transport: str
) -> None:
    with make(snapshot, compiled_dir, transport) as client:
        current = _seeded_schedules(client, service)
        wanted = [
            client.new_object(
                "ProcessSchedules", id=s.id, atomId=s.atomId, processId=s.processId, Retry=s.Retry,
                Schedule=[Schedule(minutes="9", hours="3").as_fields()],
            )
            for s in current
        ]  # fmt: skip

        async def main() -> BulkResults:
            async with AsyncClient(client) as aclient:
                with pytest.raises(InvalidRequestError, match="1 to 15"):
                    await adrive(aclient, update_schedules_steps(aclient, []))
                return await adrive(aclient, update_schedules_steps(aclient, wanted))

        before = service.limit_stats().accepted
        results = asyncio.run(main())
        assert service.limit_stats().accepted == before + 1  # one call for all of them, never repeated
        assert [item.id for item in results.items] == [s.id for s in current]
        assert not results.errors
        for schedules in current:
            assert [(s.minutes, s.hours) for s in client.get("ProcessSchedules", schedules.id).Schedule] == [("9", "3")]
            assert results.found[schedules.id].Schedule[0].minutes == "9"
