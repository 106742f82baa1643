"""A fetch killed at any point leaves the previous snapshot whole; tampering is refused."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from boomi_soap.client import Client
from boomi_soap.credentials import Credentials, Endpoint
from boomi_soap.exceptions import CacheIntegrityError
from boomi_soap.localservice import DEFAULT_ACCOUNT, LocalService
from boomi_soap.snapshot.cache import CacheStore, refresh
from tests.reliability.conftest import PASSWORD, USER, Evidence


@pytest.mark.contracts("split", why="each fetch writes a new release, and 'next' is published in the split layout only")
def test_a_fetch_killed_at_random_points_leaves_the_previous_snapshot_whole(
    service: LocalService, workdir: Path
) -> None:
    root = workdir / "crash"
    store = CacheStore(root)
    endpoint = Endpoint(DEFAULT_ACCOUNT, service.base_url, service.flavour)
    credentials = Credentials.from_password(USER, PASSWORD)
    refresh(store, endpoint, credentials)
    env = {
        "PATH": "/usr/bin:/bin",
        "BOOMI_ACCOUNT_ID": DEFAULT_ACCOUNT,
        "BOOMI_BASE_URL": service.base_url,
        "BOOMI_USERNAME": USER,
        "BOOMI_PASSWORD": PASSWORD,
    }
    draw = random.Random(20261123)
    for run in range(10):
        service.set_release("next" if run % 2 == 0 else "current")  # every fetch would write a new snapshot
        command = [sys.executable, "-m", "boomi_soap", "fetch", "--cache-dir", str(root)]
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(draw.uniform(0.05, 0.6))
        process.send_signal(signal.SIGKILL)
        process.wait()
        store.current(DEFAULT_ACCOUNT)  # raises if CURRENT names a partial snapshot
        assert store.verify() == []
    outcome = refresh(store, endpoint, credentials)  # the next fetch cleans up and works
    assert store.verify() == []
    assert not list((root / "platform" / DEFAULT_ACCOUNT).glob(".tmp-*"))
    assert outcome.snapshot == store.current(DEFAULT_ACCOUNT)


def test_a_tampered_snapshot_fails_verify_and_the_client_refuses_it(
    service: LocalService, workdir: Path, evidence: Evidence
) -> None:
    root = workdir / f"tamper-{service.config.contract}"
    credentials = Credentials.from_password(USER, PASSWORD)
    snapshot = refresh(
        CacheStore(root), Endpoint(DEFAULT_ACCOUNT, service.base_url, service.flavour), credentials
    ).snapshot
    xsd = snapshot.directory / "service.xsd1.xsd"
    xsd.write_bytes(xsd.read_bytes().replace(b"Process", b"Pr0cess", 1))
    problems = CacheStore(root).verify()
    assert [type(p) for p in problems] == [CacheIntegrityError]
    env = {
        "BOOMI_ACCOUNT_ID": DEFAULT_ACCOUNT,
        "BOOMI_USERNAME": USER,
        "BOOMI_PASSWORD": PASSWORD,
        "BOOMI_SOAP_CACHE_DIR": str(root),
        "BOOMI_FLAVOUR": service.flavour,
        "BOOMI_BASE_URL": service.base_url,
    }
    with pytest.raises(
        CacheIntegrityError, match=r"service\.xsd1\.xsd: content does not match the manifest"
    ) as refused:
        Client.from_cache(env=env)
    evidence.error(refused.value)
