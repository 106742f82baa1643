"""No trace of the sentinel credentials anywhere, whatever order the tests run in.

Scanned after each test that gathers evidence (``_no_secret_left`` in conftest.py): every
log record (DEBUG included), every exception message and ``repr`` kept, every file written
under the working directories.  Here: the CLI's stdout and stderr for the commands that
handle credentials, and every file of the working directories and the generated bindings.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from boomi_soap.cli import main
from boomi_soap.localservice import DEFAULT_ACCOUNT, LocalService
from tests.reliability.conftest import PASSWORD, TOKEN, USER, Evidence, client_for, sentinel_config

ROOT = Path(__file__).parents[2]


def test_cli_output_is_kept(workdir: Path, evidence: Evidence, contract: str) -> None:
    runner = CliRunner()
    with LocalService(sentinel_config(contract=contract)) as service:
        base = {
            "BOOMI_ACCOUNT_ID": DEFAULT_ACCOUNT,
            "BOOMI_BASE_URL": service.base_url,
            "BOOMI_USERNAME": USER,
            "BOOMI_FLAVOUR": service.flavour,
        }
        cache = ["--cache-dir", str(workdir / "cli-cache")]
        runs = [
            (["-vv", "fetch", *cache], base | {"BOOMI_PASSWORD": PASSWORD}),
            (["-vv", "fetch", *cache], base | {"BOOMI_API_TOKEN": TOKEN}),
            (["fetch", *cache], base | {"BOOMI_PASSWORD": PASSWORD + "-wrong"}),
            (["-vv", "call", "get", "Account", DEFAULT_ACCOUNT, *cache], base | {"BOOMI_PASSWORD": PASSWORD}),
            (["call", "get", "Process", "missing", *cache], base | {"BOOMI_PASSWORD": PASSWORD}),
            (["cache", "verify", *cache], {}),
        ]
        for args, env in runs:
            result = runner.invoke(main, args, env={"BOOMI_PASSWORD": "", "BOOMI_API_TOKEN": "", **env})
            evidence.texts += [result.stdout, result.stderr, repr(result.exception)]
        client = client_for(service, workdir)
        evidence.texts += [repr(client), repr(client._credentials)]


def test_no_secret_anywhere(workdir: Path, evidence: Evidence) -> None:
    since = evidence.mark()
    with LocalService(sentinel_config()) as service:
        client_for(service, workdir).get("Account", DEFAULT_ACCOUNT)
    # The trail the scan reads is at DEBUG and holds the envelopes (their Password element).
    assert any("Password" in r.getMessage() for r in evidence.records[since[0] :])
    files = [p for d in evidence.directories for p in d.rglob("*") if p.is_file()]
    files += [p for p in (ROOT / "boomi_soap" / "bindings").rglob("*") if p.is_file()]
    assert len(files) > 10
    assert evidence.hits(files=files) == []


def test_the_scan_finds_a_planted_secret(tmp_path: Path) -> None:
    (tmp_path / "kept.txt").write_text(f"token={TOKEN}")
    planted = Evidence(texts=["nothing", f"password={PASSWORD}"], directories=[tmp_path])
    assert planted.hits() == [f"text: {PASSWORD[:6]}...", f"file {tmp_path / 'kept.txt'}: {TOKEN[:6]}..."]
    assert planted.hits(planted.mark()) == []
