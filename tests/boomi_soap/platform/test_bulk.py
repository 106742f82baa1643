"""Bulk GET over SOAP (one get per id, under the limiter) answers as REST's one bulk call does."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from boomi_soap.client import Client
from boomi_soap.credentials import Credentials
from boomi_soap.exceptions import InvalidRequestError
from boomi_soap.localservice import DEFAULT_PASSWORD, DEFAULT_USER, LocalService
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
