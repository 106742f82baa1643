"""Named profiles: the account, user and base URL of one sign-in, and where its secret is kept.

A person with several accounts names each sign-in once, in ``profiles.toml`` in the user
config directory (``~/.config/boomi-soap/profiles.toml`` on Linux; ``BOOMI_SOAP_PROFILES``
names another file), and picks one with ``--profile NAME`` or ``BOOMI_PROFILE``::

    [prod]
    account = "acme-ABC123"
    user = "ann@example.com"
    base_url = "https://api.platform.gb.boomi.com"  # optional: the snapshot's endpoint otherwise
    auth = "token"                                   # "token" (the default) or "password"
    secret = "keyring"                               # see below

``secret`` says where the secret is kept, never the secret itself: ``"environment"``
(``BOOMI_PASSWORD`` / ``BOOMI_API_TOKEN``, the default), ``"keyring"`` (the OS keyring,
service ``boomi-soap``, entry the profile's name), ``"keyring:ENTRY"``, or ``"file:PATH"``
(a file of the user's alone, outside any git work tree: see
:class:`~boomi_soap.credentials.FileSecret`).  A profile holding a ``password`` or
``token`` key is refused, without repeating it.

Each setting is taken from its flag, else its environment variable, else the profile.

The user config directory comes from ``platformdirs`` (a dependency already, for the
cache's directory): it knows each system's convention (XDG on Linux, ``Application
Support`` on macOS, ``%APPDATA%`` on Windows), which the standard library does not.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from boomi_soap.credentials import Credentials, EnvironmentSecret, FileSecret, KeyringSecret, SecretProvider
from boomi_soap.exceptions import ConfigurationError

__all__ = ["PROFILES_FILE", "Profile", "load_profile", "load_profiles", "profiles_path"]

PROFILES_FILE: Final = "profiles.toml"
_KEYS: Final = ("account", "user", "base_url", "auth", "secret")
# Keys a person might put a secret under: refused, so a secret never sits in the profiles file.
_SECRET_KEYS: Final = frozenset({"password", "token", "api_token", "apitoken", "secret_value", "otp"})


@dataclass(frozen=True)
class Profile:
    """One named sign-in (see the module docstring).

    Attributes:
        name: The profile's name (its table in the file).
        account: The account id, or ``None``.
        user: The user name or e-mail, or ``None``.
        base_url: The host to call, or ``None``.
        auth: ``token`` (an API token) or ``password``.
        secret: Where the secret is kept: ``environment``, ``keyring[:ENTRY]`` or ``file:PATH``.
        path: The file the profile was read from.
    """

    name: str
    account: str | None = None
    user: str | None = None
    base_url: str | None = None
    auth: Literal["token", "password"] = "token"
    secret: str = "environment"  # noqa: S105 - the name of a provider, not a secret
    path: Path | None = None

    def provider(self, env: Mapping[str, str] | None = None) -> SecretProvider:
        """The provider ``secret`` names.

        Raises:
            ConfigurationError: For a ``secret`` that names no provider.
        """
        kind, _, rest = self.secret.partition(":")
        token = self.auth == "token"
        if kind == "environment" and not rest:
            return EnvironmentSecret(env)
        if kind == "keyring":
            return KeyringSecret(rest or self.name, is_token=token)
        if kind == "file" and rest:
            return FileSecret(Path(os.path.expanduser(rest)), is_token=token)
        raise ConfigurationError(
            f"profile {self.name!r} in {self.path}: secret {self.secret!r} names no provider"
            ' (use "environment", "keyring", "keyring:ENTRY" or "file:PATH")'
        )

    def credentials(self, env: Mapping[str, str] | None = None) -> Credentials:
        """The profile's credentials: its user (else ``BOOMI_USERNAME``), the environment's secret, else its provider's.

        Raises:
            ConfigurationError: If the user or the secret is missing or refused.
        """
        return Credentials.from_sources(username=self.user, env=env, provider=self.provider(env))


def profiles_path(env: Mapping[str, str] | None = None) -> Path:
    """The profiles file: ``BOOMI_SOAP_PROFILES``, else ``profiles.toml`` in the user config directory."""
    env = os.environ if env is None else env
    named = env.get("BOOMI_SOAP_PROFILES")
    if named:
        return Path(os.path.expanduser(named))
    import platformdirs

    return Path(platformdirs.user_config_dir("boomi-soap", appauthor=False)) / PROFILES_FILE


def _profile(name: str, table: object, path: Path) -> Profile:
    if not isinstance(table, dict):
        raise ConfigurationError(f"{path}: {name!r} is not a table (write [{name}] above its keys)")
    held = sorted(k for k in table if k.lower() in _SECRET_KEYS)
    if held:
        raise ConfigurationError(
            f"profile {name!r} in {path} holds a secret ({held[0]}): remove it and name where the secret"
            ' is kept instead (secret = "keyring" or "file:PATH")'
        )
    unknown = sorted(k for k in table if k not in _KEYS)
    if unknown:
        raise ConfigurationError(f"profile {name!r} in {path}: unknown key {unknown[0]!r} (keys: {', '.join(_KEYS)})")
    for key, value in table.items():
        if not isinstance(value, str) or not value:
            raise ConfigurationError(f"profile {name!r} in {path}: {key} must be a non-empty string")
    auth = table.get("auth", "token")
    if auth not in ("token", "password"):
        raise ConfigurationError(f"profile {name!r} in {path}: auth must be 'token' or 'password', not {auth!r}")
    profile = Profile(
        name,
        account=table.get("account"),
        user=table.get("user"),
        base_url=table.get("base_url"),
        auth=auth,
        secret=table.get("secret", "environment"),
        path=path,
    )
    profile.provider()  # a secret naming no provider is refused when the file is read
    return profile


def load_profiles(path: Path | None = None) -> dict[str, Profile]:
    """Every profile of the file, by name (none when the file does not exist).

    Raises:
        ConfigurationError: One line naming the file: unreadable, not TOML, or a profile refused.
    """
    path = profiles_path() if path is None else path
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"profiles file {path} cannot be read ({type(exc).__name__})") from None
    except tomllib.TOMLDecodeError as exc:  # its message names the line and column, not the text
        raise ConfigurationError(f"profiles file {path} is not valid TOML: {exc}") from None
    return {name: _profile(name, table, path) for name, table in data.items()}


def load_profile(name: str, path: Path | None = None) -> Profile:
    """The profile ``name``.

    Raises:
        ConfigurationError: If the file or the profile is missing, naming the file and what it holds.
    """
    path = profiles_path() if path is None else path
    found = load_profiles(path)
    if name in found:
        return found[name]
    if not found:
        raise ConfigurationError(
            f"no profile {name!r}: {path} holds no profiles (write [{name}] with account, user and secret there)"
        )
    raise ConfigurationError(f"no profile {name!r} in {path} (profiles: {', '.join(sorted(found))})")
