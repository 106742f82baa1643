"""Who signs in, and where: credentials and the account's endpoint.

Both come from arguments or from the environment (``BOOMI_ACCOUNT_ID``,
``BOOMI_USERNAME``, ``BOOMI_PASSWORD`` or ``BOOMI_API_TOKEN``, ``BOOMI_BASE_URL``).
With an API token, the user name is the e-mail address and the ``BOOMI_TOKEN.``
prefix is added here.  Secrets never appear in a ``repr`` or message.

Every URL credentials may travel to passes :func:`check_url`: ``http`` or ``https``
only, no user information (``https://user:password@host``), and plain ``http://``
only to loopback unless insecure transport is allowed explicitly.  A URL the service
supplies (a ``recordUrl``, a log's ``url``, a schema import) is followed only when
:func:`same_origin` says it has the configured origin; :func:`url_problem` refuses the
shapes that two HTTP parsers would read as different hosts.

The secret comes from a :class:`SecretProvider`: :class:`EnvironmentSecret` (the
variables above), :class:`FileSecret` (a file of the user's alone, outside any git work
tree) or :class:`KeyringSecret` (the OS keyring, with the optional ``keyring`` extra).
A provider says where it looks (:attr:`SecretProvider.where`) and never what it found.
"""

from __future__ import annotations

import ipaddress
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal, Protocol
from urllib.parse import quote, urlsplit

from boomi_soap._xml.redact import redact_url
from boomi_soap.exceptions import ConfigurationError

__all__ = [
    "DEFAULT_BASE_URL",
    "EU_BASE_URL",
    "FLAVOURS",
    "KEYRING_SERVICE",
    "Credentials",
    "Endpoint",
    "EnvironmentSecret",
    "FileSecret",
    "Flavour",
    "KeyringSecret",
    "Secret",
    "SecretProvider",
    "check_url",
    "is_loopback",
    "origin",
    "same_origin",
    "url_problem",
]

DEFAULT_BASE_URL: Final = "https://api.boomi.com"
EU_BASE_URL: Final = "https://api.platform.gb.boomi.com"
TOKEN_PREFIX: Final = "BOOMI_TOKEN."  # noqa: S105 - a user-name prefix, not a secret

Flavour = Literal["platform", "partner", "apim"]
FLAVOURS: Final[tuple[Flavour, ...]] = ("platform", "partner", "apim")
_PATHS: Final[dict[Flavour, str]] = {"platform": "", "partner": "/partner", "apim": "/apim"}


# The one URL policy (every request the client makes passes it before credentials are
# attached).  urllib.parse, urllib3 (requests) and httpx disagree on hostile authorities:
# urlsplit reads the host after the last "@", urllib3 ends the authority at a backslash, urlsplit
# silently drops tabs and newlines.  Rather than pick one parser's reading, a URL is taken
# only when its authority is plain enough that every parser reads the same host and port:
# ASCII letters, digits, "." and "-" (or a bracketed IPv6 address) and a decimal port, so
# no user information and no percent-encoding in the authority; no backslash, whitespace
# or control character anywhere in the URL, and at most MAX_URL characters (a longer one
# costs the parsers time in proportion).  urllib3, which requests connects with, must agree.
_PLAIN_URL: Final = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://"
    r"(?P<host>[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::(?P<port>[0-9]{1,5}))?"
    r"(?P<rest>[/?#].*)?",
    re.DOTALL,
)
_NOT_IN_URL: Final = re.compile(r"[\x00-\x20\x7f\\]")
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}
MAX_URL: Final = 8192

Origin = tuple[str, str, int | None]


def url_problem(url: str) -> str | None:
    """Why credentials may not travel to ``url`` on the grounds of its shape, or ``None``.

    Only the shape is judged here (see :func:`origin`), not where the URL points.
    """
    if not isinstance(url, str):
        return "not a string"
    if len(url) > MAX_URL:
        return f"longer than {MAX_URL} characters"
    if _NOT_IN_URL.search(url):
        return "a backslash, space or control character in the URL"
    match = _PLAIN_URL.fullmatch(url)
    if match is None:
        authority = url.partition("://")[2]
        authority = re.split(r"[/?#]", authority, maxsplit=1)[0]
        if "@" in authority:
            return "user information in the authority"
        return "not a plain scheme://host[:port] URL"
    port = match["port"]
    if port is not None and not 0 < int(port) < 65536:
        return f"port {port} out of range"
    from urllib3.util import parse_url  # the parser requests connects with

    try:
        seen = parse_url(url)
    except ValueError:
        return "unreadable to the HTTP library"
    if (seen.host or "").strip("[]").lower() != match["host"].strip("[]").lower() or seen.port != (
        int(port) if port is not None else None
    ):
        return "read differently by the HTTP library"
    return None


def origin(url: str) -> Origin:
    """Scheme, lower-case host and port (the default one filled in) of a URL.

    Raises:
        ConfigurationError: If the URL's shape is refused (:func:`url_problem`): a URL
            that parsers could read as two different hosts has no single origin.
    """
    problem = url_problem(url)
    if problem is not None:
        raise ConfigurationError(f"refusing {redact_url(url)!r}: {problem}")
    match = _PLAIN_URL.fullmatch(url)
    assert match is not None  # url_problem checked it
    scheme = match["scheme"].lower()
    port = int(match["port"]) if match["port"] is not None else _DEFAULT_PORTS.get(scheme)
    return scheme, match["host"].strip("[]").lower(), port


def same_origin(url: str, home: str) -> bool:
    """Whether ``url`` has a plain shape and the origin of ``home`` (never raises)."""
    try:
        return origin(url) == origin(home)
    except ConfigurationError:
        return False


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine: ``localhost``, 127.0.0.0/8 or ::1."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str, *, what: str, allow_insecure: bool = False) -> None:
    """Refuse a URL that credentials must not travel to.

    Args:
        url: The URL.
        what: What it is, for the message (``base URL``, ``endpoint``).
        allow_insecure: Allow plain ``http://`` to a host other than loopback.

    Raises:
        ConfigurationError: One line, which never repeats user information.
    """
    problem = url_problem(url)
    if problem == "user information in the authority":
        raise ConfigurationError(
            f"{what} {redact_url(url)} holds user information; give credentials through"
            " BOOMI_USERNAME and BOOMI_PASSWORD or BOOMI_API_TOKEN, never in a URL"
        )
    if problem is not None:
        raise ConfigurationError(f"invalid {what} {redact_url(url)!r}: {problem}")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(f"invalid {what} {url!r} (want https://host[:port])")
    if parts.scheme == "http" and not allow_insecure and not is_loopback(parts.hostname):
        raise ConfigurationError(
            f"{what} {url} is plain http://: the password would travel in clear text;"
            " use https://, or allow_insecure=True if you must"
        )


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
        provider: SecretProvider | None = None,
    ) -> Credentials:
        """Resolve credentials from arguments, then the environment, then ``provider``.

        Args:
            username: Overrides ``BOOMI_USERNAME``.
            password: Overrides ``BOOMI_PASSWORD``.
            api_token: Overrides ``BOOMI_API_TOKEN``.
            env: The environment (``os.environ`` by default).
            provider: Where the secret is kept when neither the arguments nor the environment
                hold one (a profile's file or keyring entry).

        Returns:
            The credentials.

        Raises:
            ConfigurationError: If the user name or both secrets are missing, or both are given.
        """
        env = os.environ if env is None else env
        username = username or env.get("BOOMI_USERNAME") or None
        if not username:
            raise ConfigurationError("no user name: pass --user or set BOOMI_USERNAME")
        if password and api_token:
            raise ConfigurationError("both a password and an API token are set; keep one")
        if api_token:
            return cls.from_token(username, api_token)
        if password:
            return cls.from_password(username, password)
        found: SecretProvider = EnvironmentSecret(env)
        if provider is not None and not (env.get("BOOMI_PASSWORD") or env.get("BOOMI_API_TOKEN")):
            found = provider  # the environment, when set, comes first
        return found.secret().credentials(username)


@dataclass(frozen=True)
class Endpoint:
    """The SOAP endpoint of one account.

    Attributes:
        account_id: The account id (part of every URL path).
        base_url: ``https://api.boomi.com`` (NA), ``https://api.platform.gb.boomi.com`` (EU) or another host.
        flavour: ``platform``, ``partner`` or ``apim``.
        allow_insecure: Allow a plain ``http://`` base URL on a host other than loopback.
    """

    account_id: str
    base_url: str = DEFAULT_BASE_URL
    flavour: Flavour = "platform"
    allow_insecure: bool = field(default=False, compare=False)

    def __post_init__(self) -> None:
        """Check the parts.

        Raises:
            ConfigurationError: On an empty account id, a bad, plain-http or credential-bearing
                URL, or an unknown flavour.
        """
        if not self.account_id or "/" in self.account_id or "?" in self.account_id:
            raise ConfigurationError(f"invalid account id {self.account_id!r}")
        check_url(self.base_url, what="base URL", allow_insecure=self.allow_insecure)
        parts = urlsplit(self.base_url)
        if parts.query or parts.fragment:
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
        allow_insecure: bool = False,
    ) -> Endpoint:
        """Resolve the endpoint from arguments, then ``BOOMI_ACCOUNT_ID`` and ``BOOMI_BASE_URL``.

        Raises:
            ConfigurationError: If no account id is given, or the base URL is refused.
        """
        env = os.environ if env is None else env
        account_id = account_id or env.get("BOOMI_ACCOUNT_ID") or None
        if not account_id:
            raise ConfigurationError("no account id: pass --account or set BOOMI_ACCOUNT_ID")
        base = (base_url or env.get("BOOMI_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        return cls(account_id, base, flavour, allow_insecure)

    @property
    def url(self) -> str:
        """The SOAP endpoint URL, ``{base}/api/soap/v1/{accountId}``."""
        return f"{self.base_url.rstrip('/')}{_PATHS[self.flavour]}/api/soap/v1/{quote(self.account_id, safe='')}"

    @property
    def wsdl_url(self) -> str:
        """The WSDL URL, ``{endpoint}?wsdl``."""
        return self.url + "?wsdl"


# -- where the secret comes from -----------------------------------------------------------
KEYRING_SERVICE: Final = "boomi-soap"


@dataclass(frozen=True)
class Secret:
    """A password or API token, as a provider found it.

    Attributes:
        value: The secret; excluded from ``repr``.
        is_token: Whether it is an API token (else a password).
    """

    value: str = field(repr=False)
    is_token: bool = False

    def credentials(self, username: str) -> Credentials:
        """The credentials of ``username`` with this secret."""
        if self.is_token:
            return Credentials.from_token(username, self.value)
        return Credentials.from_password(username, self.value)


class SecretProvider(Protocol):
    """Where a secret is kept: the environment, a file, the OS keyring."""

    @property
    def where(self) -> str:
        """Where it looks, for the line a command says where it talks (never the secret)."""

    def secret(self) -> Secret:
        """The secret.

        Raises:
            ConfigurationError: One line naming where it looked and the fix, never a secret.
        """


@dataclass(frozen=True)
class EnvironmentSecret:
    """``BOOMI_PASSWORD`` or ``BOOMI_API_TOKEN`` (exactly one of them)."""

    env: Mapping[str, str] | None = field(default=None, repr=False)

    @property
    def where(self) -> str:
        """The variable that holds the secret (both names when neither is set)."""
        env = os.environ if self.env is None else self.env
        if env.get("BOOMI_API_TOKEN") and not env.get("BOOMI_PASSWORD"):
            return "BOOMI_API_TOKEN"
        if env.get("BOOMI_PASSWORD") and not env.get("BOOMI_API_TOKEN"):
            return "BOOMI_PASSWORD"
        return "BOOMI_PASSWORD or BOOMI_API_TOKEN"

    def secret(self) -> Secret:
        """The secret of the environment.

        Raises:
            ConfigurationError: If neither or both variables are set.
        """
        env = os.environ if self.env is None else self.env
        password = env.get("BOOMI_PASSWORD") or None
        token = env.get("BOOMI_API_TOKEN") or None
        if password and token:
            raise ConfigurationError("both a password and an API token are set; keep one")
        if token:
            return Secret(token, is_token=True)
        if password:
            return Secret(password)
        raise ConfigurationError("no secret: set BOOMI_PASSWORD or BOOMI_API_TOKEN")


def _work_tree(path: Path) -> Path | None:
    """The git work tree ``path`` lies in (the nearest folder above it holding ``.git``), or ``None``."""
    for folder in path.parents:
        if (folder / ".git").exists():
            return folder
    return None


@dataclass(frozen=True)
class FileSecret:
    """A file holding the secret alone (its first line), readable by its owner only.

    It is refused unless it belongs to this user with mode 0600 (or 0400: no permission
    for group or others), and unless it lies outside every git work tree (so it cannot be
    committed by accident).  Both checks follow symbolic links to the file itself.

    Attributes:
        path: The file (``~`` is expanded).
        is_token: Whether it holds an API token (else a password).
    """

    path: Path
    is_token: bool = True

    @property
    def where(self) -> str:
        """``file PATH``."""
        return f"file {self.path}"

    def secret(self) -> Secret:
        """The first line of the file, after its checks.

        Raises:
            ConfigurationError: One line naming the file and the fix: missing, empty, open to
                others, another user's, or inside a git work tree.
        """
        path = Path(os.path.expanduser(self.path))
        try:
            real = path.resolve(strict=True)
            info = real.stat()
        except OSError:
            raise ConfigurationError(
                f"secrets file {path} not found: create it with the secret on its first line"
            ) from None
        if not stat.S_ISREG(info.st_mode):
            raise ConfigurationError(f"secrets file {path} is not a regular file")
        if os.name == "posix":
            if info.st_mode & 0o077:
                raise ConfigurationError(
                    f"secrets file {path} has mode {stat.S_IMODE(info.st_mode):04o}, open to others:"
                    f" run chmod 600 {path}"
                )
            if info.st_uid != os.getuid():
                raise ConfigurationError(f"secrets file {path} belongs to another user: keep your own copy, mode 0600")
        tree = _work_tree(real)
        if tree is not None:
            raise ConfigurationError(
                f"secrets file {path} is inside the git work tree {tree}: move it outside"
                " (for example to ~/.config/boomi-soap/) so it cannot be committed"
            )
        try:
            text = real.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            raise ConfigurationError(f"secrets file {path} cannot be read as UTF-8 text") from None
        value = text.splitlines()[0].strip() if text.strip() else ""
        if not value:
            raise ConfigurationError(f"secrets file {path} is empty: put the secret on its first line")
        return Secret(value, is_token=self.is_token)


@dataclass(frozen=True)
class KeyringSecret:
    """An entry of the OS keyring, through the ``keyring`` package (the extra ``boomi-soap[keyring]``).

    Attributes:
        entry: The entry's user-name field (a profile's name by default).
        is_token: Whether it holds an API token (else a password).
        service: The entry's service field.
    """

    entry: str
    is_token: bool = True
    service: str = KEYRING_SERVICE

    @property
    def where(self) -> str:
        """``keyring SERVICE/ENTRY``."""
        return f"keyring {self.service}/{self.entry}"

    def secret(self) -> Secret:
        """The keyring's entry.

        Raises:
            ConfigurationError: If ``keyring`` is not installed (naming the extra), the keyring
                cannot be read, or the entry is missing (naming the command that stores it).
        """
        try:
            import keyring  # optional: imported only when a profile keeps its secret there
            from keyring.errors import KeyringError
        except ImportError:
            raise ConfigurationError(
                f"the secret is in the OS keyring ({self.service}/{self.entry}) but the keyring package"
                " is not installed: pip install 'boomi-soap[keyring]'"
            ) from None
        try:
            value = keyring.get_password(self.service, self.entry)
        except KeyringError as exc:  # no backend, locked ...: the type names it, the text could hold anything
            raise ConfigurationError(
                f"the OS keyring cannot be read for {self.service}/{self.entry} ({type(exc).__name__})"
            ) from None
        if not value:
            raise ConfigurationError(
                f"no secret in the OS keyring for {self.service}/{self.entry}:"
                f" store one with: keyring set {self.service} {self.entry}"
            )
        return Secret(value, is_token=self.is_token)
