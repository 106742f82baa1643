"""Last in the suite: no trace of the sentinel credentials anywhere.

Scanned: every log record of the suite (DEBUG included), every exception message and
``repr`` the suite kept, every file under its working directories, the generated
bindings, and the CLI's stdout and stderr for the commands that handle credentials.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from boomi_soap.cli import main
from boomi_soap.localservice import DEFAULT_ACCOUNT, LocalService
from tests.reliability.conftest import PASSWORD, SECRETS, TOKEN, USER, Evidence, client_for, sentinel_config

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


def test_no_secret_anywhere(evidence: Evidence) -> None:
    hits: list[str] = []
    for record in evidence.records:
        text = record.getMessage()
        hits += [f"log {record.name}: {s[:6]}..." for s in SECRETS if s in text]
    for text in evidence.texts:
        hits += [f"text: {s[:6]}..." for s in SECRETS if s in text]
    files = [p for d in evidence.directories for p in d.rglob("*") if p.is_file()]
    files += [p for p in (ROOT / "boomi_soap" / "bindings").rglob("*") if p.is_file()]
    for path in files:
        data = path.read_bytes()
        hits += [f"file {path}: {s[:6]}..." for s in SECRETS if s.encode() in data]
    assert len(evidence.records) > 100  # the suite did log, at DEBUG, envelopes included
    assert any("Password" in r.getMessage() for r in evidence.records)
    assert len(files) > 10
    assert hits == []
