"""Credentials and endpoints from arguments and the environment; the secret providers, on real files and keyring."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked

from boomi_soap.credentials import Credentials, Endpoint, EnvironmentSecret, FileSecret, KeyringSecret, Secret
from boomi_soap.exceptions import ConfigurationError


def test_password_from_environment() -> None:
    credentials = Credentials.from_sources(env={"BOOMI_USERNAME": "ann@example.com", "BOOMI_PASSWORD": "s3cret-pw"})
    assert (credentials.username, credentials.secret, credentials.is_token) == ("ann@example.com", "s3cret-pw", False)
    assert "s3cret-pw" not in repr(credentials)


def test_token_gets_the_prefix_once() -> None:
    env = {"BOOMI_USERNAME": "ann@example.com", "BOOMI_API_TOKEN": "tok-123"}
    assert Credentials.from_sources(env=env).username == "BOOMI_TOKEN.ann@example.com"
    env["BOOMI_USERNAME"] = "BOOMI_TOKEN.ann@example.com"
    assert Credentials.from_sources(env=env).username == "BOOMI_TOKEN.ann@example.com"
    assert "tok-123" not in repr(Credentials.from_sources(env=env))


def test_arguments_override_environment() -> None:
    env = {"BOOMI_USERNAME": "env@example.com", "BOOMI_PASSWORD": "env-pw"}
    credentials = Credentials.from_sources(username="arg@example.com", password="arg-pw", env=env)
    assert (credentials.username, credentials.secret) == ("arg@example.com", "arg-pw")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "no user name"),
        ({"BOOMI_USERNAME": "a"}, "no secret"),
        ({"BOOMI_USERNAME": "a", "BOOMI_PASSWORD": "p", "BOOMI_API_TOKEN": "t"}, "keep one"),
    ],
)
def test_incomplete_credentials(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        Credentials.from_sources(env=env)


def test_endpoint_urls() -> None:
    assert Endpoint("acme-ABC123").wsdl_url == "https://api.boomi.com/api/soap/v1/acme-ABC123?wsdl"
    eu = Endpoint("acme-ABC123", "https://api.platform.gb.boomi.com")
    assert eu.url == "https://api.platform.gb.boomi.com/api/soap/v1/acme-ABC123"
    assert Endpoint("acme-ABC123", flavour="partner").url == "https://api.boomi.com/partner/api/soap/v1/acme-ABC123"
    assert Endpoint("acme-ABC123", flavour="apim").url == "https://api.boomi.com/apim/api/soap/v1/acme-ABC123"


def test_endpoint_from_environment() -> None:
    env = {"BOOMI_ACCOUNT_ID": "acme-ABC123", "BOOMI_BASE_URL": "http://127.0.0.1:9/"}
    assert Endpoint.from_sources(env=env).url == "http://127.0.0.1:9/api/soap/v1/acme-ABC123"
    with pytest.raises(ConfigurationError, match="no account id"):
        Endpoint.from_sources(env={})


@pytest.mark.parametrize(
    "kwargs",
    [
        {"account_id": "a/b"},
        {"account_id": ""},
        {"account_id": "a", "base_url": "ftp://host"},
        {"account_id": "a", "base_url": "https://user:pw@host"},
        {"account_id": "a", "flavour": "other"},
    ],
)
def test_bad_endpoints(kwargs: dict[str, str]) -> None:
    with pytest.raises(ConfigurationError):
        Endpoint(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "url", ["https://:s3cret-in-url@api.boomi.com", "https://u:s3cret-in-url@api.boomi.com", "https://u@api.boomi.com"]
)
def test_user_information_in_a_base_url_is_refused_unechoed(url: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        Endpoint("acme-ABC123", url)
    message = str(refused.value)
    assert "holds user information" in message
    assert "s3cret-in-url" not in message
    assert "\n" not in message


def test_plain_http_is_refused_except_on_loopback() -> None:
    with pytest.raises(ConfigurationError, match="plain http://: the password would travel in clear text"):
        Endpoint("acme-ABC123", "http://api.boomi.com")
    with pytest.raises(ConfigurationError, match="plain http://"):
        Endpoint.from_sources(env={"BOOMI_ACCOUNT_ID": "a", "BOOMI_BASE_URL": "http://10.0.0.5:8080"})
    assert Endpoint("acme-ABC123", "http://api.boomi.com", allow_insecure=True).url.startswith("http://api.boomi.com/")
    for host in ("127.0.0.1", "127.8.9.10", "[::1]", "localhost"):
        assert Endpoint("acme-ABC123", f"http://{host}:8080").url == f"http://{host}:8080/api/soap/v1/acme-ABC123"


# -- secret providers ------------------------------------------------------------------------


SECRET = "s3cret-Provider-9f2c"


def _secret_file(folder: Path, mode: int = 0o600, text: str = SECRET + "\n") -> Path:
    path = folder / "boomi.secret"
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def test_a_file_of_mode_0600_outside_a_work_tree_gives_its_first_line(tmp_path: Path) -> None:
    path = _secret_file(tmp_path, text=SECRET + "\nignored\n")
    provider = FileSecret(path, is_token=True)
    found = provider.secret()
    assert (found.value, found.is_token) == (SECRET, True)
    assert SECRET not in repr(found)
    assert SECRET not in repr(provider)
    assert provider.where == f"file {path}"
    credentials = found.credentials("ann@example.com")
    assert credentials.username == "BOOMI_TOKEN.ann@example.com"
    assert credentials.secret == SECRET


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_a_file_open_to_others_is_refused_naming_the_file_and_the_fix(tmp_path: Path, mode: int) -> None:
    path = _secret_file(tmp_path, mode)
    with pytest.raises(ConfigurationError) as refused:
        FileSecret(path).secret()
    message = str(refused.value)
    assert str(path) in message
    assert f"chmod 600 {path}" in message
    assert f"{mode:04o}" in message
    assert SECRET not in message
    assert "\n" not in message


def test_a_file_of_mode_0400_is_taken(tmp_path: Path) -> None:
    assert FileSecret(_secret_file(tmp_path, 0o400), is_token=False).secret() == Secret(SECRET)


def test_a_file_inside_a_git_work_tree_is_refused(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "conf").mkdir()
    path = _secret_file(tmp_path / "conf")
    with pytest.raises(ConfigurationError, match="inside the git work tree") as refused:
        FileSecret(path).secret()
    assert str(path) in str(refused.value)
    assert SECRET not in str(refused.value)
    # A link from outside to a file inside is the same file, so refused too.
    outside = tmp_path.parent / f"{tmp_path.name}-link.secret"
    outside.symlink_to(path)
    try:
        with pytest.raises(ConfigurationError, match="inside the git work tree"):
            FileSecret(outside).secret()
    finally:
        outside.unlink()


@pytest.mark.parametrize(("text", "message"), [("", "is empty"), ("\n\n", "is empty")])
def test_an_empty_file_is_refused(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        FileSecret(_secret_file(tmp_path, text=text)).secret()


def test_a_missing_file_is_one_line_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="not found: create it") as refused:
        FileSecret(tmp_path / "nope").secret()
    assert str(tmp_path / "nope") in str(refused.value)


def test_the_environment_provider_names_its_variable() -> None:
    assert EnvironmentSecret({"BOOMI_API_TOKEN": SECRET}).where == "BOOMI_API_TOKEN"
    assert EnvironmentSecret({"BOOMI_PASSWORD": SECRET}).secret() == Secret(SECRET, is_token=False)
    with pytest.raises(ConfigurationError, match="no secret"):
        EnvironmentSecret({}).secret()


def test_the_environment_comes_before_a_provider(tmp_path: Path) -> None:
    provider = FileSecret(_secret_file(tmp_path), is_token=False)
    from_file = Credentials.from_sources(env={"BOOMI_USERNAME": "ann"}, provider=provider)
    assert from_file.secret == SECRET
    assert not from_file.is_token
    from_env = Credentials.from_sources(env={"BOOMI_USERNAME": "ann", "BOOMI_API_TOKEN": "env-tok"}, provider=provider)
    assert (from_env.secret, from_env.is_token) == ("env-tok", True)


# A real keyring backend: keyring's own base class, keeping its entries in memory.


class MemoryKeyring(KeyringBackend):
    """Entries in a dict; ``locked`` makes every read fail as a locked keyring does."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}
        self.locked = False

    def get_password(self, service: str, username: str) -> str | None:
        if self.locked:
            raise KeyringLocked(f"locked; the entry was {self.entries.get((service, username))}")
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        del self.entries[(service, username)]


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    before = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(before)


def test_a_keyring_entry_is_read_through_keyring(memory_keyring: MemoryKeyring) -> None:
    keyring.set_password("boomi-soap", "prod", SECRET)
    provider = KeyringSecret("prod")
    assert provider.secret() == Secret(SECRET, is_token=True)
    assert provider.where == "keyring boomi-soap/prod"
    assert SECRET not in repr(provider.secret())


def test_a_missing_or_locked_keyring_entry_is_one_line(memory_keyring: MemoryKeyring) -> None:
    with pytest.raises(ConfigurationError, match="store one with: keyring set boomi-soap prod"):
        KeyringSecret("prod").secret()
    memory_keyring.set_password("boomi-soap", "prod", SECRET)
    memory_keyring.locked = True
    with pytest.raises(ConfigurationError, match=r"cannot be read .*KeyringLocked") as refused:
        KeyringSecret("prod").secret()
    assert SECRET not in str(refused.value)


def test_without_keyring_installed_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "keyring", None)  # None: "not installed" to the import system
    with pytest.raises(ConfigurationError, match=r"pip install 'boomi-soap\[keyring\]'"):
        KeyringSecret("prod").secret()
