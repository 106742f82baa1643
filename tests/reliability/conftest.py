"""The reliability suite: the real client, cache, validator and local service, with
sentinel credentials whose every trace is hunted down: after each test that gathers
evidence, in what it added (``_no_secret_left``), and by ``test_zz_secret_scan.py``.

``--soak`` multiplies the load and at-most-once rounds by 10.
"""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from boomi_soap.client import Client
from boomi_soap.credentials import Credentials, Endpoint
from boomi_soap.localservice import DEFAULT_ACCOUNT, LocalService, ServiceConfig, User
from boomi_soap.settings import ClientSettings, RetryPolicy
from boomi_soap.snapshot.cache import CacheStore, Snapshot, refresh
from tests.conftest import Lease

USER = "sentinel@example.com"
PASSWORD = "Sentinel-Pw-7f3a9c2e"
TOKEN = "Sentinel-Tok-51be02d4"
SECRETS = (
    PASSWORD,
    TOKEN,
    base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode(),
    base64.b64encode(f"BOOMI_TOKEN.{USER}:{TOKEN}".encode()).decode(),
)
FAST_RETRY = RetryPolicy(max_retries=4, backoff=0.01, max_backoff=0.05)


@pytest.fixture(scope="session")
def scale(request: pytest.FixtureRequest) -> int:
    return 10 if request.config.getoption("--soak") else 1


@dataclass
class Evidence:
    """Everything the suite produced that must not hold a secret."""

    texts: list[str] = field(default_factory=list)
    directories: list[Path] = field(default_factory=list)
    records: list[logging.LogRecord] = field(default_factory=list)

    def error(self, exc: BaseException) -> None:
        self.texts += [str(exc), repr(exc)]

    def mark(self) -> tuple[int, int, float]:
        """Where the evidence stands now: for :meth:`hits` of what comes after."""
        return len(self.records), len(self.texts), time.time()

    def hits(self, since: tuple[int, int, float] = (0, 0, 0.0), files: Sequence[Path] = ()) -> list[str]:
        """Where a secret shows in the records, texts and files added after ``since`` (and in ``files``)."""
        records, texts, changed = since
        found: list[str] = []
        for record in self.records[records:]:
            message = record.getMessage()
            found += [f"log {record.name}: {s[:6]}..." for s in SECRETS if s in message]
        for text in self.texts[texts:]:
            found += [f"text: {s[:6]}..." for s in SECRETS if s in text]
        written = [p for d in self.directories for p in d.rglob("*") if p.is_file() and p.stat().st_mtime >= changed]
        for path in [*written, *files]:
            data = path.read_bytes()
            found += [f"file {path}: {s[:6]}..." for s in SECRETS if s.encode() in data]
        return found


class _Keep(logging.Handler):
    def __init__(self, evidence: Evidence) -> None:
        super().__init__(logging.DEBUG)
        self.evidence = evidence

    def emit(self, record: logging.LogRecord) -> None:
        self.evidence.records.append(record)


# DEBUG on these loggers, not on the root: pytest resets the root's level after each
# test phase (log_level in setup.cfg), which would end the DEBUG trail after the first test.
TRACED = ("boomi_soap", "zeep", "urllib3", "requests")


@pytest.fixture(scope="session")
def evidence() -> Iterator[Evidence]:
    kept = Evidence()
    handler = _Keep(kept)
    root = logging.getLogger()
    previous = {name: logging.getLogger(name).level for name in TRACED}
    root.addHandler(handler)
    for name in TRACED:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield kept
    finally:
        root.removeHandler(handler)
        for name, level in previous.items():
            logging.getLogger(name).setLevel(level)


@pytest.fixture(autouse=True)
def _no_secret_left(request: pytest.FixtureRequest) -> Iterator[None]:
    """After a test that gathers evidence: no secret in the records, texts or files it added.

    Checked per test, so the scan depends neither on the order the tests run in nor on
    which xdist worker runs them; a leak fails the teardown of the test that leaked it.
    """
    if "evidence" not in request.fixturenames:
        yield
        return
    evidence: Evidence = request.getfixturevalue("evidence")
    records, texts, now = evidence.mark()
    yield
    # A second's slack: a file's mtime may be rounded down from the moment it was written.
    hits = evidence.hits((records, texts, now - 1.0))
    if hits:
        pytest.fail(f"{request.node.nodeid} left a secret: {hits}", pytrace=False)


def sentinel_config(**overrides: object) -> ServiceConfig:
    user = User(USER, password=PASSWORD, api_token=TOKEN, accounts=frozenset({DEFAULT_ACCOUNT}))
    settings = {"rate_limit": None, "users": (user,)} | overrides
    return ServiceConfig(**settings)  # type: ignore[arg-type]


@pytest.fixture
def service(evidence: Evidence, contract: str, lease: Lease) -> LocalService:
    """A sentinel-credential service on each contract layout (the session's, reset to its starting state)."""
    return lease.service(sentinel_config(contract=contract))


@pytest.fixture(scope="session")
def workdir(tmp_path_factory: pytest.TempPathFactory, evidence: Evidence) -> Path:
    path = tmp_path_factory.mktemp("reliability")
    evidence.directories.append(path)
    return path


def snapshot_of(service: LocalService, workdir: Path) -> Snapshot:
    store = CacheStore(workdir / "cache")
    return refresh(
        store, Endpoint(DEFAULT_ACCOUNT, service.base_url, service.flavour), Credentials.from_password(USER, PASSWORD)
    ).snapshot


def client_for(service: LocalService, workdir: Path, **settings: object) -> Client:
    options = {"rate_limit": None, "retry": FAST_RETRY} | settings
    return Client(
        snapshot_of(service, workdir),
        Credentials.from_password(USER, PASSWORD),
        endpoint=Endpoint(DEFAULT_ACCOUNT, service.base_url, service.flavour),
        settings=ClientSettings(**options),  # type: ignore[arg-type]
        compiled_dir=workdir / "compiled",
    )
