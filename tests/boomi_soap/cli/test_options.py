"""``--profile``: its settings after each flag and variable, the where-line naming it, and ``profiles list|show``."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import keyring
import pytest
import yaml
from click.testing import CliRunner

from boomi_soap.cli import main
from boomi_soap.cli._options import (
    account_option,
    base_url_option,
    profile_credentials,
    profile_option,
    source,
    user_option,
    where,
)
from boomi_soap.cli._output import fail
from boomi_soap.exceptions import BoomiSoapError
from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_API_TOKEN, DEFAULT_USER
from tests.boomi_soap.cli.conftest import compiled
from tests.boomi_soap.conftest import Connect
from tests.boomi_soap.test_credentials import MemoryKeyring

ONE_LAYOUT = pytest.mark.contracts("split", why="profiles only choose the settings; the layout does not matter")
PROFILE_SECRET = "pr0file-Cli-Secret-41d9"
# Every setting a profile could give, unset: the CLI sees only what a test sets.
CLEAN = dict.fromkeys(
    ("BOOMI_ACCOUNT_ID", "BOOMI_BASE_URL", "BOOMI_USERNAME", "BOOMI_PASSWORD", "BOOMI_API_TOKEN", "BOOMI_PROFILE")
)


def _profiles(tmp_path: Path, text: str) -> dict[str, str | None]:
    path = tmp_path / "profiles.toml"
    path.write_text(text, encoding="utf-8")
    return {**CLEAN, "BOOMI_SOAP_PROFILES": str(path)}


def _secret_file(tmp_path: Path, value: str = PROFILE_SECRET) -> Path:
    path = tmp_path / "boomi.secret"
    path.write_text(value + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


@click.command()
@profile_option
@account_option
@user_option
@base_url_option
def shown(account: str | None, user: str | None, base_url: str | None) -> None:
    """Say each setting and where it came from, and the secret's length (never the secret)."""
    try:
        credentials = profile_credentials(user)
    except BoomiSoapError as exc:
        raise fail(exc) from None
    where("shown", endpoint=str(base_url), endpoint_from=source("base_url", "BOOMI_BASE_URL"), account=str(account),
          user=credentials.username)  # fmt: skip
    click.echo(json.dumps({"account": account, "user": user, "base_url": base_url, "token": credentials.is_token,
                           "secret_length": len(credentials.secret)}))  # fmt: skip


PROFILE = """
[prod]
account = "acct-profile"
user = "profile@example.com"
base_url = "https://profile.example.com"
secret = "file:{secret}"
"""


def test_flag_beats_environment_beats_profile(tmp_path: Path) -> None:
    secret = _secret_file(tmp_path)
    env = _profiles(tmp_path, PROFILE.format(secret=secret))
    runner = CliRunner()
    only = runner.invoke(shown, ["--profile", "prod"], env=env)
    assert only.exit_code == 0, only.output
    assert json.loads(only.stdout) == {"account": "acct-profile", "user": "profile@example.com",
                                       "base_url": "https://profile.example.com", "token": True,
                                       "secret_length": len(PROFILE_SECRET)}  # fmt: skip
    assert only.stderr == (
        "shown: endpoint https://profile.example.com (profile prod); account acct-profile (profile prod);"
        f" user BOOMI_TOKEN.profile@example.com (profile prod); secret file {secret} (profile prod)\n"
    )
    # The environment wins over the profile, the flag over both; BOOMI_PROFILE names the profile.
    env_too = {**env, "BOOMI_PROFILE": "prod", "BOOMI_ACCOUNT_ID": "acct-env", "BOOMI_PASSWORD": "env-pw"}
    mixed = runner.invoke(shown, ["--user", "flag@example.com"], env=env_too)
    assert mixed.exit_code == 0, mixed.output
    assert json.loads(mixed.stdout) == {"account": "acct-env", "user": "flag@example.com",
                                        "base_url": "https://profile.example.com", "token": False,
                                        "secret_length": len("env-pw")}  # fmt: skip
    assert "account acct-env (BOOMI_ACCOUNT_ID); user flag@example.com (--user)" in mixed.stderr
    assert "secret BOOMI_PASSWORD (environment)" in mixed.stderr
    flagged = runner.invoke(shown, ["--account", "acct-flag"], env=env_too)
    assert "account acct-flag (--account)" in flagged.stderr
    # Without a profile, nothing of one is said.
    plain = runner.invoke(shown, [], env={**CLEAN, "BOOMI_USERNAME": "u", "BOOMI_API_TOKEN": "t"})
    assert plain.exit_code == 0, plain.output
    assert "profile" not in plain.stderr
    assert "secret" not in plain.stderr
    for result in (only, mixed, flagged):
        assert PROFILE_SECRET not in result.output


@pytest.mark.parametrize(
    ("text", "name", "message"),
    [
        ('[dev]\naccount = "a"\n', "prod", "no profile 'prod' in"),
        ('[prod]\npassword = "' + PROFILE_SECRET + '"\n', "prod", "holds a secret (password)"),
        ('[prod]\nsecret = "file:/nonexistent/boomi.secret"\nuser = "u"\n', "prod", "secrets file /nonexistent"),
    ],
)
def test_a_bad_profile_or_its_secret_is_one_line(tmp_path: Path, text: str, name: str, message: str) -> None:
    result = CliRunner().invoke(shown, ["--profile", name], env=_profiles(tmp_path, text))
    assert result.exit_code != 0
    errors = [line for line in result.output.splitlines() if "rror" in line]
    assert len(errors) == 1, result.output
    assert message in errors[0]
    assert PROFILE_SECRET not in result.output
    assert "Traceback" not in result.output


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
def test_a_secret_file_open_to_others_is_refused_by_the_command(tmp_path: Path) -> None:
    secret = _secret_file(tmp_path)
    secret.chmod(0o644)
    result = CliRunner().invoke(shown, ["--profile", "prod"], env=_profiles(tmp_path, PROFILE.format(secret=secret)))
    assert result.exit_code == 2
    assert f"run chmod 600 {secret}" in result.output
    assert PROFILE_SECRET not in result.output


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    before = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(before)


@ONE_LAYOUT
def test_a_call_through_a_profile_with_its_secret_in_the_keyring(
    connect: Connect, tmp_path: Path, memory_keyring: MemoryKeyring, caplog: pytest.LogCaptureFixture
) -> None:
    service, _ = connect()
    cache = tmp_path / "cli-cache"
    memory_keyring.set_password("boomi-soap", "local", DEFAULT_API_TOKEN)
    env = _profiles(
        tmp_path,
        f'[local]\naccount = "{DEFAULT_ACCOUNT}"\nuser = "{DEFAULT_USER}"\nbase_url = "{service.base_url}"\n'
        'secret = "keyring"\n',
    )
    env.update(BOOMI_FLAVOUR=service.flavour, BOOMI_SOAP_COMPILED_DIR=compiled())
    runner = CliRunner()
    fetched = runner.invoke(main, ["fetch", "--cache-dir", str(cache), "--profile", "local"], env=env)
    assert fetched.exit_code == 0, fetched.output
    assert fetched.stderr.splitlines()[0].endswith(
        f"; user BOOMI_TOKEN.{DEFAULT_USER} (profile local); secret keyring boomi-soap/local (profile local)"
    )
    assert f"account {DEFAULT_ACCOUNT} (profile local)" in fetched.stderr
    args = ["call", "get", "Account", DEFAULT_ACCOUNT, "--cache-dir", str(cache), "--format", "json"]
    got = runner.invoke(main, [*args, "--profile", "local"], env=env)
    assert got.exit_code == 0, got.output
    assert json.loads(got.stdout)["accountId"] == DEFAULT_ACCOUNT
    where_line = got.stderr.splitlines()[0]
    assert where_line == (
        f"call get: endpoint {service.endpoint()} (profile local); account {DEFAULT_ACCOUNT} (profile local);"
        f" user BOOMI_TOKEN.{DEFAULT_USER} (profile local); secret keyring boomi-soap/local (profile local)"
    )
    # With the client's debug log (whole envelopes), the token is still nowhere in the log.
    caplog.set_level(logging.DEBUG, logger="boomi_soap")
    logged = runner.invoke(main, ["-vv", *args, "--profile", "local"], env=env)
    assert logged.exit_code == 0, logged.output
    assert "Envelope" in caplog.text
    assert DEFAULT_API_TOKEN not in caplog.text + logged.output
    # A wrong token in the keyring is the service's refusal, and the token is never printed.
    memory_keyring.set_password("boomi-soap", "local", PROFILE_SECRET)
    refused = runner.invoke(main, ["-vv", *args, "--profile", "local"], env=env)
    assert refused.exit_code == 1
    assert PROFILE_SECRET not in refused.output + caplog.text
    # The secret is nowhere in the cache either.
    for path in cache.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert PROFILE_SECRET.encode() not in content, path
            assert DEFAULT_API_TOKEN.encode() not in content, path


def test_profiles_list_and_show_never_print_a_secret(tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    secret = _secret_file(tmp_path)
    memory_keyring.set_password("boomi-soap", "dev", PROFILE_SECRET)
    env = _profiles(tmp_path, PROFILE.format(secret=secret) + '\n[dev]\naccount = "acct-dev"\nsecret = "keyring"\n')
    runner = CliRunner()
    listed = runner.invoke(main, ["profiles", "list", "--format", "json"], env=env)
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert [(r["name"], r["secret"]) for r in rows] == [("prod", f"file {secret}"), ("dev", "keyring boomi-soap/dev")]
    as_yaml = runner.invoke(main, ["profiles", "list", "--format", "yaml"], env=env)
    assert yaml.safe_load(as_yaml.stdout) == rows
    text = runner.invoke(main, ["profiles", "list"], env=env)
    assert text.stdout.splitlines()[0].startswith("prod  acct-profile  profile@example.com  secret: file ")
    assert f"profiles: {tmp_path / 'profiles.toml'}" in text.stderr
    show = runner.invoke(main, ["profiles", "show", "dev", "--format", "json"], env=env)
    assert json.loads(show.stdout)["account"] == "acct-dev"
    table = runner.invoke(main, ["profiles", "show", "prod", "--format", "table"], env=env)
    assert "acct-profile" in table.stdout
    missing = runner.invoke(main, ["profiles", "show", "nope"], env=env)
    assert missing.exit_code == 2
    assert "no profile 'nope'" in missing.output
    for result in (listed, as_yaml, text, show, table, missing):
        assert PROFILE_SECRET not in result.output


def test_profiles_in_a_real_process(tmp_path: Path) -> None:
    secret = _secret_file(tmp_path)
    env = {k: v for k, v in _profiles(tmp_path, PROFILE.format(secret=secret)).items() if v is not None}
    env = {**{k: v for k, v in os.environ.items() if k not in CLEAN}, **env}
    done = subprocess.run(
        [sys.executable, "-m", "boomi_soap", "profiles", "show", "prod", "--format", "yaml"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert yaml.safe_load(done.stdout)["secret"] == f"file {secret}"
    assert PROFILE_SECRET not in done.stdout + done.stderr
    helped = subprocess.run(
        [sys.executable, "-m", "boomi_soap", "call", "get", "--help"], env=env, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert "BOOMI_PROFILE" in helped.stdout
