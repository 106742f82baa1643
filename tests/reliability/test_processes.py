"""200 concurrent creates through the project's Client, from 4 processes: all made, none failed."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

from boomi_soap.client import Client
from boomi_soap.credentials import Credentials, Endpoint, Flavour
from boomi_soap.exceptions import BoomiSoapError
from boomi_soap.localservice import DEFAULT_ACCOUNT, LocalService
from boomi_soap.settings import ClientSettings
from boomi_soap.snapshot.cache import CacheStore
from tests.reliability.conftest import FAST_RETRY, PASSWORD, USER, Evidence, client_for, sentinel_config

PROCESSES = 4
PER_PROCESS = 50


def _create_all(base_url: str, flavour: Flavour, workdir: str, process: int) -> list[str]:
    """In a child process: ``PER_PROCESS`` creates at once, one thread each; return the errors."""
    client = Client(
        CacheStore(Path(workdir) / "cache").current(DEFAULT_ACCOUNT, flavour),
        Credentials.from_password(USER, PASSWORD),
        endpoint=Endpoint(DEFAULT_ACCOUNT, base_url, flavour),
        settings=ClientSettings(rate_limit=None, retry=FAST_RETRY),
        compiled_dir=Path(workdir) / "compiled",
    )

    def create(n: int) -> str | None:
        try:
            client.create("Environment", name=f"proc-{process}-{n}", classification="TEST")
        except BoomiSoapError as exc:
            return repr(exc)
        return None

    with ThreadPoolExecutor(max_workers=PER_PROCESS) as pool:
        return [error for error in pool.map(create, range(PER_PROCESS)) if error is not None]


def test_concurrent_creates_from_four_processes(workdir: Path, evidence: Evidence, contract: str) -> None:
    with LocalService(sentinel_config(contract=contract)) as service:
        client_for(service, workdir)  # fetch the snapshot and compile the schema once, for every child
        spawn = multiprocessing.get_context("spawn")  # no fork of a process running server threads
        with ProcessPoolExecutor(max_workers=PROCESSES, mp_context=spawn) as pool:
            futures = [
                pool.submit(_create_all, service.base_url, service.flavour, str(workdir), p) for p in range(PROCESSES)
            ]
            errors = [error for future in futures for error in future.result()]
        made = [
            e.element.get("name")
            for e in service.store().all("Environment")
            if (e.element.get("name") or "").startswith("proc-")
        ]
    evidence.texts += errors
    assert errors == []
    assert sorted(made) == sorted(f"proc-{p}-{n}" for p in range(PROCESSES) for n in range(PER_PROCESS))
