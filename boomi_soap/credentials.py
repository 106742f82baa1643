"""Who signs in, and where: credentials and the account's endpoint.

Both come from arguments or from the environment (``BOOMI_ACCOUNT_ID``,
``BOOMI_USERNAME``, ``BOOMI_PASSWORD`` or ``BOOMI_API_TOKEN``, ``BOOMI_BASE_URL``).
With an API token, the user name is the e-mail address and the ``BOOMI_TOKEN.``
prefix is added here.  Secrets never appear in a ``repr`` or message.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, Literal
from urllib.parse import quote, urlsplit

from boomi_soap.exceptions import ConfigurationError

__all__ = ["DEFAULT_BASE_URL", "EU_BASE_URL", "FLAVOURS", "Credentials", "Endpoint", "Flavour"]

DEFAULT_BASE_URL: Final = "https://api.boomi.com"
EU_BASE_URL: Final = "https://api.platform.gb.boomi.com"
TOKEN_PREFIX: Final = "BOOMI_TOKEN."  # noqa: S105 - a user-name prefix, not a secret

Flavour = Literal["platform", "partner", "apim"]
FLAVOURS: Final[tuple[Flavour, ...]] = ("platform", "partner", "apim")
_PATHS: Final[dict[Flavour, str]] = {"platform": "", "partner": "/partner", "apim": "/apim"}


@dataclass(frozen=True)
class Credentials:
    """A user name and its secret (password or API token).

    Attributes:
        username: As sent on the wire (``BOOMI_TOKEN.<email>`` for a token).
        secret: The password or token; excluded from ``repr``.
        is_token: Whether ``secret`` is an API token.
    """

    username: str
    secret: str = field(repr=False)
    is_token: bool = False

    @classmethod
    def from_password(cls, username: str, password: str) -> Credentials:
        """Credentials of a user name and password."""
        return cls(username, password)

    @classmethod
    def from_token(cls, email: str, token: str) -> Credentials:
        """Credentials of an API token; the ``BOOMI_TOKEN.`` prefix is added if missing."""
        username = email if email.startswith(TOKEN_PREFIX) else TOKEN_PREFIX + email
        return cls(username, token, is_token=True)

    @classmethod
    def from_sources(
        cls,
        *,
        username: str | None = None,
        password: str | None = None,
        api_token: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> Credentials:
        """Resolve credentials from arguments, then the environment.

        Args:
            username: Overrides ``BOOMI_USERNAME``.
            password: Overrides ``BOOMI_PASSWORD``.
            api_token: Overrides ``BOOMI_API_TOKEN``.
            env: The environment (``os.environ`` by default).

        Returns:
            The credentials.

        Raises:
            ConfigurationError: If the user name or both secrets are missing, or both are given.
        """
        env = os.environ if env is None else env
        username = username or env.get("BOOMI_USERNAME") or None
        password = password or env.get("BOOMI_PASSWORD") or None
        api_token = api_token or env.get("BOOMI_API_TOKEN") or None
        if not username:
            raise ConfigurationError("no user name: pass --user or set BOOMI_USERNAME")
        if password and api_token:
            raise ConfigurationError("both a password and an API token are set; keep one")
        if api_token:
            return cls.from_token(username, api_token)
        if password:
            return cls.from_password(username, password)
        raise ConfigurationError("no secret: set BOOMI_PASSWORD or BOOMI_API_TOKEN")


@dataclass(frozen=True)
class Endpoint:
    """The SOAP endpoint of one account.

    Attributes:
        account_id: The account id (part of every URL path).
        base_url: ``https://api.boomi.com`` (NA), ``https://api.platform.gb.boomi.com`` (EU) or another host.
        flavour: ``platform``, ``partner`` or ``apim``.
    """

    account_id: str
    base_url: str = DEFAULT_BASE_URL
    flavour: Flavour = "platform"

    def __post_init__(self) -> None:
        """Check the parts.

        Raises:
            ConfigurationError: On an empty account id, a bad URL or an unknown flavour.
        """
        if not self.account_id or "/" in self.account_id or "?" in self.account_id:
            raise ConfigurationError(f"invalid account id {self.account_id!r}")
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.username:
            raise ConfigurationError(f"invalid base URL {self.base_url!r} (want https://host[:port])")
        if self.flavour not in _PATHS:
            raise ConfigurationError(f"unknown flavour {self.flavour!r} (use {', '.join(FLAVOURS)})")

    @classmethod
    def from_sources(
        cls,
        *,
        account_id: str | None = None,
        base_url: str | None = None,
        flavour: Flavour = "platform",
        env: Mapping[str, str] | None = None,
    ) -> Endpoint:
        """Resolve the endpoint from arguments, then ``BOOMI_ACCOUNT_ID`` and ``BOOMI_BASE_URL``.

        Raises:
            ConfigurationError: If no account id is given.
        """
        env = os.environ if env is None else env
        account_id = account_id or env.get("BOOMI_ACCOUNT_ID") or None
        if not account_id:
            raise ConfigurationError("no account id: pass --account or set BOOMI_ACCOUNT_ID")
        return cls(account_id, (base_url or env.get("BOOMI_BASE_URL") or DEFAULT_BASE_URL).rstrip("/"), flavour)

    @property
    def url(self) -> str:
        """The SOAP endpoint URL, ``{base}/api/soap/v1/{accountId}``."""
        return f"{self.base_url.rstrip('/')}{_PATHS[self.flavour]}/api/soap/v1/{quote(self.account_id, safe='')}"

    @property
    def wsdl_url(self) -> str:
        """The WSDL URL, ``{endpoint}?wsdl``."""
        return self.url + "?wsdl"
