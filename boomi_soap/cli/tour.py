"""The guided tour behind ``boomi-soap quickstart``.

Against the bundled local service (default) it starts the service on loopback,
fetches the account's WSDL into a cache, and through the client shows a ``get``, a
paged query, a ``create``, a process run followed to its end and a bad request refused before
sending.  Against a real account it runs only the read-only part.
"""

from __future__ import annotations

import itertools
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from boomi_soap.client import Client
from boomi_soap.credentials import Credentials, Endpoint
from boomi_soap.exceptions import BoomiSoapError, RequestValidationError, ResponseError
from boomi_soap.platform.polling import Backoff
from boomi_soap.query import F
from boomi_soap.snapshot.cache import CacheStore, refresh

__all__ = ["run_quickstart"]

Say = Callable[[str], None]
_PAGE = 100  # results per query page on the platform


def _tour(client: Client, say: Say, *, account_id: str, writes: bool) -> int:
    account = client.get("Account", account_id)
    if type(account).__name__ != "Account":
        raise ResponseError("get", f"Account {account_id} answered a {type(account).__name__}, not an Account")
    say(f"get        Account {account.accountId}: {account.name!r}, status {account.status}")

    def progress(pages: int, results: int) -> None:
        say(f"           page {pages}: {results} execution records so far")

    started = time.monotonic()
    records = client.query("ExecutionRecord", on_page=progress)
    # A real account may hold millions of records: read its first page only (a page is
    # at most 100 results, so the 101st would be the first of the next page).
    read = records if writes else itertools.islice(records, _PAGE)
    errors = sum(1 for record in read if record.status == "ERROR")
    more = "" if writes or records.exhausted or records.seen < _PAGE else " (first page only; more not read)"
    say(
        f"query      ExecutionRecord: {records.seen} records in {records.pages} pages{more}"
        f" ({errors} with status ERROR), {time.monotonic() - started:.1f} s at the rate limit"
    )
    if writes:
        environment = client.create("Environment", name="Quickstart QA", classification="TEST")
        say(f"create     Environment {environment.name!r} -> id {environment.id}")
        atom = next(iter(client.query("Atom", F("status") == "ONLINE")))
        # As `boomi-soap run` does: an ExecutionRequest, then its ExecutionRecord until the run ends.
        execution = client.run_process(
            "Orders - Shopify to SAP", atom.id, properties={"priority": "high"}, timeout=60, poll=Backoff(0.2, 2, 1.0)
        )
        say(
            f"run        'Orders - Shopify to SAP' on {atom.name!r}: request {execution.request_id}"
            f" -> execution {execution.execution_id}, {execution.status}"
        )
    try:
        client.create("Environment", name="Staging", classification="STAGING")
    except RequestValidationError as refused:
        issue = refused.issues[0]
        say("refused    a bad request, before sending it:")
        say(f"           {issue.path}")  # type: ignore[attr-defined]
        say(f"           {issue.reason}")  # type: ignore[attr-defined]
        return 0
    say("unexpected: the bad request was not refused")
    return 1


def run_quickstart(
    say: Say,
    *,
    account_id: str | None = None,
    credentials: Credentials | None = None,
    base_url: str | None = None,
) -> int:
    """Run the tour; return the process exit status.

    Args:
        say: Prints one line.
        account_id: A real account (read-only tour); ``None`` for the local service.
        credentials: For a real account.
        base_url: For a real account (default NA).

    Raises:
        BoomiSoapError: If a step fails.
    """
    with tempfile.TemporaryDirectory(prefix="boomi-soap-quickstart-") as scratch:
        cache = CacheStore(Path(scratch) / "wsdl_cache")
        compiled = Path(scratch) / "compiled"
        if account_id is not None:
            if credentials is None:
                raise BoomiSoapError("credentials are required for a real account")
            endpoint = Endpoint.from_sources(account_id=account_id, base_url=base_url)
            outcome = refresh(cache, endpoint, credentials)
            say(f"fetch      {endpoint.wsdl_url} -> {len(outcome.snapshot.files)} files, sha256 {outcome.snapshot.id}")
            client = Client(outcome.snapshot, credentials, endpoint=endpoint, compiled_dir=compiled)
            say(f"layout     {client.contract.describe()}")
            return _tour(client, say, account_id=account_id, writes=False)
        from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER, LocalService

        with LocalService() as service:
            say(f"service    local AtomSphere service on {service.base_url} (5 calls/s, like Boomi)")
            local = Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD)
            endpoint = Endpoint(DEFAULT_ACCOUNT, service.base_url)
            outcome = refresh(cache, endpoint, local)
            say(f"fetch      {endpoint.wsdl_url} -> {len(outcome.snapshot.files)} files, sha256 {outcome.snapshot.id}")
            client = Client(outcome.snapshot, local, compiled_dir=compiled)
            say(f"layout     {client.contract.describe()}")
            before = service.limit_stats().accepted
            status = _tour(client, say, account_id=DEFAULT_ACCOUNT, writes=True)
            calls = service.limit_stats().accepted - before
            say(f"done       {calls} calls reached the service; the refused request was not one of them")
            return status
