"""A sentinel password and API token, driven through a real local service at DEBUG: never shown.

Over SOAP, REST XML and REST JSON, with the password and with the token: every log
record (zeep's too, as ``-vvv`` turns on), every repr and every error message is
searched for the sentinels, and so is what the CLI prints at ``-vvv``, a dry run included.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from boomi_soap.cli import main
from boomi_soap.client import Client
from boomi_soap.credentials import Credentials, Endpoint
from boomi_soap.exceptions import BoomiSoapError
from boomi_soap.limits.limiter import backend_for
from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_USER, LocalService, ServiceConfig
from boomi_soap.localservice.config import User
from boomi_soap.platform.deploy import get_extensions, update_extension_properties
from boomi_soap.settings import ClientSettings
from boomi_soap.snapshot.cache import CacheStore, refresh

PASSWORD = "Sentinel-Pw-7f3a9c"
TOKEN = "Sentinel-Tok-2b8e41"
SECRET = "Sentinel-Db-5d0c62"  # a secret-named extension property's value
SENTINELS = (PASSWORD, TOKEN, SECRET)
ENVIRONMENT = "Test"


@pytest.fixture(scope="module")
def service() -> Iterator[LocalService]:
    """A local service whose one user signs in with the sentinel password or the sentinel token."""
    config = ServiceConfig(rate_limit=None, users=(User(DEFAULT_USER, password=PASSWORD, api_token=TOKEN),))
    with LocalService(config) as running:
        yield running


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> pytest.LogCaptureFixture:
    """Every logger at DEBUG, zeep's included (what ``-vvv`` does); call :func:`_debug` in the test itself."""
    monkeypatch.setattr(logging.getLogger("zeep"), "level", logging.NOTSET)  # put back after the test
    return caplog


def _debug(logs: pytest.LogCaptureFixture) -> None:
    # In the test, not the fixture: the ini's log_level (WARNING) sets each phase's handler anew.
    logs.set_level(logging.DEBUG)
    logging.getLogger("zeep").setLevel(logging.DEBUG)


def _shown(logs: pytest.LogCaptureFixture, *texts: str) -> str:
    """Everything a user or a log could see: the log records, formatted with their arguments, and ``texts``."""
    records = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in logs.records)
    return "\n".join((records, *texts))


def _count(text: str) -> int:
    return sum(text.count(sentinel) for sentinel in SENTINELS)


@pytest.mark.parametrize("secret", ["password", "token"])
@pytest.mark.parametrize(("transport", "form"), [("soap", "xml"), ("rest", "xml"), ("rest", "json")])
def test_no_sentinel_in_logs_reprs_or_errors(
    service: LocalService,
    debug_logs: pytest.LogCaptureFixture,
    tmp_path: Path,
    transport: str,
    form: str,
    secret: str,
) -> None:
    _debug(debug_logs)
    credentials = (
        Credentials.from_password(DEFAULT_USER, PASSWORD)
        if secret == "password"
        else Credentials.from_token(DEFAULT_USER, TOKEN)
    )
    endpoint = Endpoint(DEFAULT_ACCOUNT, service.base_url, service.flavour)
    snapshot = refresh(CacheStore(tmp_path / "cache"), endpoint, credentials).snapshot
    limiter = f"redis://127.0.0.1:1/0?password={PASSWORD}"  # nothing listens on port 1
    settings = ClientSettings(
        rate_limit=None, proxies={"http": f"http://proxy-user:{PASSWORD}@127.0.0.1:9"}, limiter=limiter
    )
    client = Client(
        snapshot,
        credentials,
        settings=ClientSettings(rate_limit=None),
        compiled_dir=tmp_path / "compiled",
        transport=transport,  # type: ignore[arg-type]
        format=form,  # type: ignore[arg-type]
    )
    texts = [repr(client), repr(credentials), repr(settings), str(settings)]

    update_extension_properties(client, ENVIRONMENT, {"dbPassword": SECRET, "region": "eu-central-1"})
    found = {p.name: p.value for p in get_extensions(client, ENVIRONMENT).properties.property}
    assert found["dbPassword"] == SECRET  # it went there and back, logged both ways at DEBUG

    with pytest.raises(BoomiSoapError) as missing:
        client.get("Environment", "no-such-environment")
    texts.append(str(missing.value))
    wrong = Credentials(credentials.username, credentials.secret + "-wrong", is_token=credentials.is_token)
    refused = Client(snapshot, wrong, settings=ClientSettings(rate_limit=None), transport=transport)  # type: ignore[arg-type]
    with pytest.raises(BoomiSoapError) as unauthorised:
        refused.get("Environment", "no-such-environment")
    texts.append(str(unauthorised.value))
    for store in (limiter, f"redis://user:{PASSWORD}@127.0.0.1:1/0"):
        with pytest.raises(BoomiSoapError) as unreachable:
            backend_for(store)
        texts.append(str(unreachable.value))

    shown = _shown(debug_logs, *texts)
    assert "dbPassword" in shown  # the property was logged, its value masked
    if form == "json":  # the REST JSON body, both ways: the pair masked by meaning
        assert shown.count('"name":"dbPassword","value":"***"') >= 2
    assert _count(shown) == 0, [line for line in shown.splitlines() if _count(line)][:5]


@pytest.mark.parametrize("secret", ["password", "token"])
@pytest.mark.parametrize("transport", ["soap", "rest"])
def test_no_sentinel_from_the_cli_at_vvv_a_dry_run_included(
    service: LocalService, debug_logs: pytest.LogCaptureFixture, tmp_path: Path, transport: str, secret: str
) -> None:
    _debug(debug_logs)
    runner = CliRunner()
    env = {
        "BOOMI_ACCOUNT_ID": DEFAULT_ACCOUNT,
        "BOOMI_BASE_URL": service.base_url,
        "BOOMI_USERNAME": DEFAULT_USER,
        "BOOMI_PASSWORD": PASSWORD if secret == "password" else "",
        "BOOMI_API_TOKEN": TOKEN if secret == "token" else "",
        "BOOMI_FLAVOUR": service.flavour,
        "BOOMI_SOAP_COMPILED_DIR": str(tmp_path / "compiled"),
    }
    cache = ["--cache-dir", str(tmp_path / "cache")]
    fetched = runner.invoke(main, ["-vvv", "fetch", *cache], env=env)
    assert fetched.exit_code == 0, fetched.output
    outputs = [fetched.output]
    command = ["-vvv", "extensions", ENVIRONMENT, "--transport", transport, *cache]
    set_it = runner.invoke(main, [*command, "--set", f"dbPassword={SECRET}"], env=env)
    assert set_it.exit_code == 0, set_it.output
    outputs.append(set_it.stderr)  # stdout shows the properties, as asked
    dry = runner.invoke(main, [*command, "--set", f"dbPassword={SECRET}-next", "--dry-run"], env=env)
    assert dry.exit_code == 0, dry.output
    assert dry.stdout == "would set dbPassword: *** -> ***\n"
    outputs.append(dry.output)
    variable = "BOOMI_PASSWORD" if secret == "password" else "BOOMI_API_TOKEN"
    refused = runner.invoke(main, command, env={**env, variable: env[variable] + "-wrong"})
    assert refused.exit_code == 1
    outputs.append(refused.output)
    shown = _shown(debug_logs, *outputs)
    assert _count(shown) == 0, [line for line in shown.splitlines() if _count(line)][:5]
