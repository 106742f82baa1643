"""Configuration of the local service: accounts, users and their credentials, limits.

A user signs in either with a password (username = login) or with an API token
(username = ``BOOMI_TOKEN.<login>``, password = the token), both for HTTP Basic
on the WSDL downloads and for the WS-Security ``UsernameToken`` on SOAP calls.
Secrets never appear in a ``repr``.
"""

from __future__ import annotations

import hmac
import os
from dataclasses import dataclass, field
from typing import Final

from boomi_soap.exceptions import ServiceConfigError
from boomi_soap.snapshot.reference import REFERENCE_ACCOUNT

__all__ = [
    "DEFAULT_ACCOUNT",
    "DEFAULT_API_TOKEN",
    "DEFAULT_PASSWORD",
    "DEFAULT_SUB_ACCOUNTS",
    "DEFAULT_USER",
    "MAX_EXECUTION_RECORDS",
    "TOKEN_PREFIX",
    "ServiceConfig",
    "User",
]

TOKEN_PREFIX: Final = "BOOMI_TOKEN."  # noqa: S105 - a user-name prefix, not a secret
DEFAULT_ACCOUNT: Final = REFERENCE_ACCOUNT  # the pinned snapshots' account (wsdl_cache/REFERENCE_ACCOUNT)
# Sub-accounts of the default (parent) account, for the Partner API's override; the demo
# user may act on the first only, so a call on behalf of the second is refused.
DEFAULT_SUB_ACCOUNTS: Final = ("localsub1-D4E5F6", "localsub2-G7H8I9")
DEFAULT_USER: Final = "demo@example.com"
# Published demo credentials of a loopback test service, not secrets.
DEFAULT_PASSWORD: Final = "demo-password"  # noqa: S105
DEFAULT_API_TOKEN: Final = "demo-api-token-0000"  # noqa: S105
# Seeded records are numbered in the 48-bit node field of their execution ids; a
# cursor over them still holds one entry per record, so stay well below that.
MAX_EXECUTION_RECORDS: Final = 10_000_000


@dataclass(frozen=True)
class User:
    """A platform user of the local service.

    Attributes:
        login: The user name (an e-mail address on the platform).
        password: Password, or ``None`` if the user may only use an API token.
        api_token: API token, or ``None``.
        accounts: Account ids the user may use.
    """

    login: str
    password: str | None = field(default=None, repr=False)
    api_token: str | None = field(default=None, repr=False)
    accounts: frozenset[str] = frozenset({DEFAULT_ACCOUNT, DEFAULT_SUB_ACCOUNTS[0]})

    def accepts(self, username: str, secret: str) -> bool:
        """Whether ``username``/``secret`` authenticate this user (constant-time compare)."""
        if username == TOKEN_PREFIX + self.login and self.api_token is not None:
            return hmac.compare_digest(secret.encode(), self.api_token.encode())
        if username == self.login and self.password is not None:
            return hmac.compare_digest(secret.encode(), self.password.encode())
        return False


@dataclass(frozen=True)
class ServiceConfig:
    """Settings of one local service.

    Attributes:
        host: Interface to listen on (loopback by default).
        port: TCP port; 0 picks a free one.
        accounts: Account ids served, each seeded with demo data.
        users: Who may sign in.
        rate_limit: Calls per second per account (``None``: unlimited).
        daily_quota: Calls per rolling 24 hours per account (``None``: unlimited).
        release: Contract served at start, ``"current"`` or ``"next"``.
        contract: Contract layout: ``"split"`` (wrappers in their own namespace, two schema
            documents), ``"single"`` (wrappers in the data namespace, one document) or
            ``"partner"`` (the Partner API, under ``/partner/api/soap/v1/``).
        sub_accounts: Sub-accounts of the first account, each seeded on first use.
        max_body_bytes: Largest request body accepted.
        max_unauthenticated_bytes: Most bytes of a body read before its sender has signed in
            (a SOAP body must carry its UsernameToken within them; a Connect Now body
            without an ``Authorization`` header may be no longer).
        max_buffered_bytes: Request bytes held across all connections; past it a new body
            is refused with 503 instead of read.
        max_stored_objects: Records an account may hold (seeded ones built on read do not
            count); past it a create is refused.
        max_stored_bytes: Serialized bytes of the records an account holds; past it a
            create or update is refused.
        sign_in_failures: Failed sign-ins allowed per user name and per source address
            within ``sign_in_window``; past them a sign-in is refused unchecked.
        sign_in_window: Seconds a failed sign-in counts for.
        max_elements: Most tags a request body may hold (every ``<`` counts, end tags too).
        max_namespaces: Most ``xmlns`` declarations a request body may hold.
        request_timeout: Seconds a connection may idle before the server drops it.
        header_timeout: Seconds a client has to send a request's line and headers.
        body_timeout: Seconds a client has to send a request's body, once its headers are in.
        workers: Threads that process complete requests (reading them takes none).
        backlog: Listen queue length.
        max_connections: Open connections kept; beyond it the oldest idle one (no request
            under way) is closed, or, if none is idle, the new connection is refused.
        execution_timeline: Seconds after an ``ExecutionRequest`` at which its
            ``ExecutionRecord`` appears (``ENQUEUED``), turns ``INPROCESS`` and ends.
        log_bytes: Size of a process or Atom log download.
        execution_records: ExecutionRecords seeded in each account (built when read, so
            100,000 cost little more than the default until they are touched).
        seed: A seed file: objects of any type in Boomi's JSON form, added to the demo data
            when the service starts (see :mod:`boomi_soap.localservice.seed` for its form).
            One that does not fit the schema stops the start, naming the file, the object
            and the field.
        answers: ``"complete"`` (every field the store holds) or ``"documented"`` (each
            object cut down to the fields Boomi's example answers show; see
            :mod:`boomi_soap.localservice.answers`).
        snapshot: A fetched snapshot directory (``boomi_soap.snapshot.cache`` layout) whose contract
            is served instead of the bundled one (see :class:`~boomi_soap.localservice.LocalService`).
    """

    host: str = "127.0.0.1"
    port: int = 0
    accounts: tuple[str, ...] = (DEFAULT_ACCOUNT,)
    users: tuple[User, ...] = (User(DEFAULT_USER, password=DEFAULT_PASSWORD, api_token=DEFAULT_API_TOKEN),)
    rate_limit: float | None = 5.0
    daily_quota: int | None = None
    release: str = "current"
    contract: str = "split"
    sub_accounts: tuple[str, ...] = DEFAULT_SUB_ACCOUNTS
    max_body_bytes: int = 10 * 1024 * 1024
    max_unauthenticated_bytes: int = 64 * 1024
    max_buffered_bytes: int = 128 * 1024 * 1024
    max_stored_objects: int = 20_000
    max_stored_bytes: int = 64 * 1024 * 1024
    sign_in_failures: int = 10
    sign_in_window: float = 10.0
    max_elements: int = 100_000
    max_namespaces: int = 1_000
    request_timeout: float = 30.0
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    workers: int = 16
    backlog: int = 128
    max_connections: int = 4_096
    execution_timeline: tuple[float, float, float] = (0.0, 0.2, 1.0)
    log_bytes: int = 4096
    execution_records: int = 260  # seed.EXECUTION_RECORDS, not imported: config stays light
    seed: str | os.PathLike[str] | None = None
    answers: str = "complete"
    snapshot: str | None = None

    def __post_init__(self) -> None:
        """Check the settings hang together.

        Raises:
            ServiceConfigError: On an impossible value.
        """
        if not self.accounts:
            raise ServiceConfigError("at least one account is required")
        for account in self.accounts:
            if not account or "/" in account or "?" in account:
                raise ServiceConfigError(f"invalid account id {account!r}")
        if self.rate_limit is not None and self.rate_limit <= 0:
            raise ServiceConfigError("rate_limit must be positive")
        if self.daily_quota is not None and self.daily_quota <= 0:
            raise ServiceConfigError("daily_quota must be positive")
        if not 0 <= self.port <= 65535:
            raise ServiceConfigError(f"port {self.port} is out of range")
        if self.release not in ("current", "next"):
            raise ServiceConfigError(f"unknown release {self.release!r} (use 'current' or 'next')")
        if self.contract not in ("split", "single", "partner"):
            raise ServiceConfigError(f"unknown contract {self.contract!r} (use 'split', 'single' or 'partner')")
        if self.release != "current" and self.contract != "split":
            raise ServiceConfigError(f"the {self.release!r} release exists for the 'split' contract only")
        for account in self.sub_accounts:
            if not account or "/" in account or "?" in account or account in self.accounts:
                raise ServiceConfigError(f"invalid sub-account id {account!r}")
        positive = (
            "max_body_bytes",
            "max_unauthenticated_bytes",
            "max_buffered_bytes",
            "max_stored_objects",
            "max_stored_bytes",
            "sign_in_failures",
            "max_elements",
            "max_namespaces",
            "workers",
            "backlog",
            "max_connections",
        )
        for name in (*positive, "request_timeout", "header_timeout", "body_timeout", "sign_in_window"):
            if getattr(self, name) <= 0:
                raise ServiceConfigError(f"{name} must be positive")
        if len(self.execution_timeline) != 3 or list(self.execution_timeline) != sorted(self.execution_timeline):
            raise ServiceConfigError("execution_timeline must be three ascending delays (appear, start, end)")
        if min(self.execution_timeline) < 0 or self.log_bytes < 0:
            raise ServiceConfigError("execution_timeline and log_bytes must not be negative")
        if not 0 <= self.execution_records <= MAX_EXECUTION_RECORDS:
            raise ServiceConfigError(f"execution_records must be between 0 and {MAX_EXECUTION_RECORDS:,}")
        if self.seed is not None and not os.fspath(self.seed):
            raise ServiceConfigError("seed must name a file")
        if self.answers not in ("complete", "documented"):
            raise ServiceConfigError(f"unknown answers {self.answers!r} (use 'complete' or 'documented')")

    def authenticate(self, username: str, secret: str) -> User | None:
        """Return the user these credentials sign in, or ``None``."""
        return next((u for u in self.users if u.accepts(username, secret)), None)
