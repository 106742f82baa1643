"""The async pattern, REST links and size-capped log downloads."""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import pytest

from boomi_soap.exceptions import AsyncTimeoutError, ResponseError, TransportError
from boomi_soap.platform.polling import (
    Backoff,
    DownloadTooLargeError,
    download_artifacts,
    download_log,
    http_get,
    poll_async,
    read_async_result,
    write_private,
)
from tests.boomi_soap.conftest import FAST, Connect

DONE = (
    b'<bns:AsyncOperationResult xmlns:bns="http://api.platform.boomi.com/"'
    b' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" responseStatusCode="200" numberOfResults="1">'
    b'<bns:result xsi:type="bns:AtomDiskSpace" quotaLimit="1 GB" totalSize="2 MB"/></bns:AsyncOperationResult>'
)


def test_the_body_decides_not_the_http_status() -> None:
    assert read_async_result(DONE.replace(b'"200"', b'"202"'), operation="async") is None
    done = read_async_result(DONE, operation="async")
    assert done is not None
    assert done.status == 200
    assert [r.get("quotaLimit") for r in done.results] == ["1 GB"]
    with pytest.raises(ResponseError, match="responseStatusCode 500"):
        read_async_result(DONE.replace(b'"200"', b'"500"'), operation="async")
    with pytest.raises(ResponseError, match="expected an AsyncOperationResult"):
        read_async_result(b"<html/>", operation="async")


def test_a_log_larger_than_the_cap_is_refused(connect: Connect) -> None:
    _, client = connect(log_bytes=50_000)
    execution = client.run_process("Orders - Shopify to SAP", "Production Atom", poll=FAST, timeout=30)
    assert execution.execution_id is not None
    log = download_log(client, execution_id=execution.execution_id, max_bytes=50_000)
    assert len(log) == 50_000
    with pytest.raises(DownloadTooLargeError, match="over the cap of 10000") as caught:
        download_log(client, execution_id=execution.execution_id, max_bytes=10_000)
    assert caught.value.limit == 10_000


def test_an_atom_log_download(connect: Connect) -> None:
    service, client = connect(log_bytes=100)
    atom = next(a.key for a in service.store().all("Atom") if a.element.get("status") == "ONLINE")
    assert b"INFO" in download_log(client, atom_id=atom, log_date="2026-11-30")
    with pytest.raises(ValueError, match="exactly one"):
        download_log(client)


def test_a_link_elsewhere_is_not_followed(connect: Connect) -> None:
    _, client = connect()
    # Refused before any connection: the loopback guard would fail the test otherwise.
    with pytest.raises(TransportError, match=r"refusing https://elsewhere\.example\.com/x: not on"):
        http_get(client, "https://elsewhere.example.com/x", max_bytes=10, operation="async")


def test_poll_async_follows_a_record_url(connect: Connect) -> None:
    _, client = connect()
    execution = client.run_process("Orders - Shopify to SAP", "Production Atom", wait=False)
    result = poll_async(client, execution.record_url, timeout=30, backoff=FAST)
    assert result.status == 200
    assert client.from_xml(result.results[0]).executionId.startswith("execution-")
    with pytest.raises(ResponseError, match="HTTP 400"):
        poll_async(client, execution.record_url.replace("executionrecord-", "executionrecord-0"), timeout=1)


def test_a_log_that_answers_202_twice_is_polled_until_ready(connect: Connect, tmp_path: Path) -> None:
    from boomi_soap.localservice import executions

    service, client = connect(log_bytes=300)
    execution = client.run_process("Orders - Shopify to SAP", "Production Atom", poll=FAST, timeout=30)
    assert execution.execution_id is not None
    executions.hold_downloads(service.store(), 2)
    waited: list[float] = []
    log = download_log(client, execution_id=execution.execution_id, backoff=FAST, sleep=waited.append)
    assert (len(log), len(waited)) == (300, 2)
    with pytest.raises(AsyncTimeoutError, match="not ready after 1 polls"):
        download_log(client, execution_id=execution.execution_id, backoff=Backoff(1, 1, 1), timeout=0.5)
    kept = write_private(tmp_path / "logs" / "run.log", log)
    assert kept.read_bytes() == log
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert [p.name for p in kept.parent.iterdir()] == ["run.log"]  # no temporary file left


def test_execution_artifacts_are_a_zip_of_the_run(connect: Connect) -> None:
    from boomi_soap.localservice import executions

    service, client = connect()
    execution = client.run_process("Orders - Shopify to SAP", "Production Atom", poll=FAST, timeout=30)
    assert execution.execution_id is not None
    executions.hold_downloads(service.store(), 1)
    archive = download_artifacts(client, execution.execution_id, backoff=FAST, sleep=lambda _: None)
    names = zipfile.ZipFile(io.BytesIO(archive)).namelist()
    assert f"{execution.execution_id}/process_log.txt" in names
    with pytest.raises(DownloadTooLargeError):
        download_artifacts(client, execution.execution_id, max_bytes=10, backoff=FAST)
