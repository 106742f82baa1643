"""Where a client built from the cache gets its account, endpoint, snapshot and credentials.

Each setting comes from the argument, else the environment, else the snapshot or the
default, in that order (the CLI follows the same order).  :func:`cached_sources` is
shared by :meth:`Client.from_cache <boomi_soap.client.Client.from_cache>` and the async
client, so both pick the same snapshot and refuse the same hosts.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal, cast

from boomi_soap.credentials import DEFAULT_BASE_URL, EU_BASE_URL, Credentials, Endpoint, Flavour, check_url, origin
from boomi_soap.exceptions import ConfigurationError
from boomi_soap.settings import ClientSettings
from boomi_soap.snapshot.cache import CacheStore, Snapshot, default_cache_dir

__all__ = ["REGIONS", "TRANSPORTS", "Sources", "cached_sources", "checked_address", "checked_transport", "rest_wire"]

if TYPE_CHECKING:
    from boomi_soap.snapshot.contract import Contract
    from boomi_soap.wire.rest import RestWire

REGIONS: Final = {"na": DEFAULT_BASE_URL, "eu": EU_BASE_URL}
TRANSPORTS: Final = ("soap", "rest")
_log = logging.getLogger("boomi_soap.client")


@dataclass(frozen=True)
class Sources:
    """What a client is built from, and why.

    Attributes:
        snapshot: The account's current cached snapshot.
        credentials: Who calls.
        endpoint: The configured endpoint, or ``None`` to call the snapshot's.
        transport: ``"soap"`` or ``"rest"``.
        where: Where each came from, for the INFO line a client logs once built.
    """

    snapshot: Snapshot
    credentials: Credentials
    endpoint: Endpoint | None
    transport: str
    where: tuple[str, str]


def cached_sources(
    account_id: str | None,
    *,
    cache_dir: Path | None,
    flavour: Flavour | None,
    credentials: Credentials | None,
    base_url: str | None,
    settings: ClientSettings,
    env: Mapping[str, str] | None,
    region: Literal["na", "eu"] | None,
    transport: str | None,
) -> Sources:
    """The sources of a client built from the cache (see :meth:`boomi_soap.client.Client.from_cache`).

    Raises:
        ConfigurationError: If the account or credentials are missing, or the endpoint is refused.
        SnapshotNotFoundError: If nothing is cached.
        CacheIntegrityError: If the snapshot is damaged.
        CachePermissionError: If the cache is a link, another user's or writable by others.
    """
    if region is not None:
        if region not in REGIONS:
            raise ConfigurationError(f"unknown region {region!r} (use {', '.join(REGIONS)})")
        if base_url is not None and base_url.rstrip("/") != REGIONS[region]:
            raise ConfigurationError(f"give base_url or region={region!r}, not both")
        base_url = REGIONS[region]
    source = os.environ if env is None else env
    configured = bool(base_url or source.get("BOOMI_BASE_URL"))
    chosen = cast("Flavour", flavour or source.get("BOOMI_FLAVOUR") or "platform")  # Endpoint checks it
    endpoint = Endpoint.from_sources(
        account_id=account_id, base_url=base_url, flavour=chosen, env=env, allow_insecure=settings.allow_insecure
    )
    store = CacheStore(cache_dir or default_cache_dir(env), read_only=True)
    snapshot = store.current(endpoint.account_id, endpoint.flavour)
    credentials = credentials or Credentials.from_sources(env=env)
    if not configured and not settings.allow_other_host and origin(snapshot.endpoint) != origin(endpoint.url):
        raise ConfigurationError(
            f"the cached snapshot of {endpoint.account_id} calls {snapshot.endpoint}, not the configured base URL"
            f" {endpoint.base_url}; set BOOMI_BASE_URL (or base_url=) to the host to call,"
            " or pass ClientSettings(allow_other_host=True)"
        )
    account_from = "argument" if account_id else "BOOMI_ACCOUNT_ID"
    endpoint_from = "base_url=" if base_url else "BOOMI_BASE_URL" if configured else "the snapshot"
    return Sources(
        snapshot,
        credentials,
        endpoint if configured else None,
        transport or source.get("BOOMI_TRANSPORT") or "soap",
        (account_from, endpoint_from),
    )


def log_sources(sources: Sources, address: str) -> None:
    """Say where calls go and why, as the CLI does on stderr (visible at INFO)."""
    snapshot = sources.snapshot
    _log.info(
        "account %s (%s), endpoint %s (%s), snapshot %s",
        snapshot.account_id, sources.where[0], address, sources.where[1], snapshot.directory,
    )  # fmt: skip


def checked_address(snapshot: Snapshot, endpoint: Endpoint | str | None, settings: ClientSettings) -> str:
    """Where a client built from ``snapshot`` sends its calls, checked.

    ``endpoint``, else the snapshot's (sealed by its hash), which must be on the origin its
    WSDL came from unless ``ClientSettings(allow_other_host=True)``: naming ``endpoint`` in
    code is the opt-in to another host.  Always ``http(s)``, no user information, and plain
    ``http://`` only to loopback unless ``allow_insecure``.

    Raises:
        ConfigurationError: If the address is refused (one line, no secret).
    """
    address = endpoint.url if isinstance(endpoint, Endpoint) else endpoint or snapshot.endpoint
    insecure = settings.allow_insecure or (isinstance(endpoint, Endpoint) and endpoint.allow_insecure)
    check_url(address, what="endpoint", allow_insecure=insecure)
    if endpoint is None and not settings.allow_other_host and origin(address) != origin(snapshot.origin_url):
        raise ConfigurationError(
            f"the snapshot's endpoint {address} is not on the origin its WSDL came from"
            f" ({snapshot.origin_url or 'unknown'}); pass endpoint= or ClientSettings(allow_other_host=True)"
        )
    return address


def checked_transport(transport: object, format: object) -> tuple[Literal["soap", "rest"], Literal["xml", "json"]]:  # noqa: A002
    """The transport and body format asked for, or a one-line :class:`ConfigurationError`."""
    if transport not in TRANSPORTS:
        raise ConfigurationError(f"unknown transport {transport!r} (use {' or '.join(map(repr, TRANSPORTS))})")
    if format not in ("xml", "json"):
        raise ConfigurationError(f"unknown format {format!r} (use 'xml' or 'json')")
    if format == "json" and transport != "rest":
        raise ConfigurationError("format='json' needs transport='rest' (SOAP is XML)")
    return ("rest" if transport == "rest" else "soap"), ("json" if format == "json" else "xml")


def rest_wire(
    contract: Contract, credentials: Credentials, address: str, settings: ClientSettings, snapshot: Snapshot, form: str
) -> RestWire:
    """The REST wire of a ``transport="rest"`` client (XML, or JSON with ``format="json"``).

    Raises:
        ConfigurationError: If the contract has no REST form.
    """
    from boomi_soap.wire.rest import RestWire
    from boomi_soap.wire.restmap import JsonBodies, RestError, RestMap, rest_root

    json = None
    if form == "json":
        from boomi_soap.wire.jsonform import JsonForm

        json = JsonBodies(JsonForm.of(snapshot), contract.data_namespace)
    try:
        restmap = RestMap(contract)
    except RestError as exc:
        raise ConfigurationError(f"transport='rest': {exc}") from None
    lenient = settings.responses != "strict"
    return RestWire(
        restmap, credentials, rest_root(address), json=json,
        max_response_bytes=settings.max_response_bytes, lenient=lenient,
    )  # fmt: skip
