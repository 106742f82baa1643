"""Named profiles read from a real profiles.toml, with real secret files and modes."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from boomi_soap.credentials import EnvironmentSecret, FileSecret, KeyringSecret
from boomi_soap.exceptions import ConfigurationError
from boomi_soap.profiles import Profile, load_profile, load_profiles, profiles_path

SECRET = "pr0file-Secret-77ab"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "profiles.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_profiles_and_their_providers(tmp_path: Path) -> None:
    secret = tmp_path / "prod.secret"
    secret.write_text(SECRET, encoding="utf-8")
    secret.chmod(0o600)
    path = _write(
        tmp_path,
        f"""
[prod]
account = "acme-ABC123"
user = "ann@example.com"
base_url = "https://api.platform.gb.boomi.com"
secret = "file:{secret}"

[dev]
account = "acme-DEV"
user = "ann@example.com"
auth = "password"
secret = "keyring"

[ci]
account = "acme-CI"
secret = "keyring:ci-bot"
""",
    )
    found = load_profiles(path)
    assert list(found) == ["prod", "dev", "ci"]
    prod = found["prod"]
    assert (prod.account, prod.user, prod.base_url, prod.auth) == (
        "acme-ABC123",
        "ann@example.com",
        "https://api.platform.gb.boomi.com",
        "token",
    )
    assert prod.provider() == FileSecret(secret, is_token=True)
    assert prod.provider().secret().value == SECRET
    assert found["dev"].provider() == KeyringSecret("dev", is_token=False)
    assert found["ci"].provider() == KeyringSecret("ci-bot")
    assert isinstance(Profile("x").provider(), EnvironmentSecret)
    assert load_profile("dev", path).account == "acme-DEV"
    credentials = prod.credentials(env={})
    assert (credentials.username, credentials.secret) == ("BOOMI_TOKEN.ann@example.com", SECRET)
    assert prod.credentials(env={"BOOMI_PASSWORD": "env-pw"}).secret == "env-pw"  # the environment first


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[p]\naccount = "a"\npassword = "' + SECRET + '"\n', "holds a secret (password): remove it"),
        ('[p]\ntoken = "' + SECRET + '"\n', "holds a secret (token)"),
        ('[p]\nacount = "a"\n', "unknown key 'acount'"),
        ('[p]\nauth = "otp"\n', "auth must be 'token' or 'password'"),
        ('[p]\nsecret = "vault"\n', "names no provider"),
        ("[p]\naccount = 12\n", "account must be a non-empty string"),
        ("p = 1\n", "'p' is not a table"),
        ('[p]\naccount = "' + SECRET, "is not valid TOML"),
    ],
)
def test_a_bad_profile_is_one_line_naming_the_file_never_the_secret(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigurationError) as refused:
        load_profiles(path)
    shown = str(refused.value)
    assert message in shown
    assert str(path) in shown
    assert SECRET not in shown
    assert "\n" not in shown


def test_a_missing_profile_names_the_file_and_what_it_holds(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="holds no profiles"):
        load_profile("prod", tmp_path / "none.toml")
    path = _write(tmp_path, '[dev]\naccount = "a"\n[ci]\naccount = "b"\n')
    with pytest.raises(ConfigurationError, match=r"no profile 'prod' in .* \(profiles: ci, dev\)"):
        load_profile("prod", path)


def test_the_file_is_in_the_user_config_directory_unless_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert profiles_path({"BOOMI_SOAP_PROFILES": str(tmp_path / "p.toml")}) == tmp_path / "p.toml"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("BOOMI_SOAP_PROFILES", raising=False)
    if sys.platform.startswith("linux"):
        assert profiles_path() == tmp_path / "config" / "boomi-soap" / "profiles.toml"
    assert profiles_path().name == "profiles.toml"
