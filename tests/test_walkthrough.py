"""A newcomer's first session, scripted: every step through the installed command line.

Clean ``HOME``, ``BOOMI_*`` exported as the README says, ``serve`` in the background,
``fetch`` from it, ``call`` create/get/update/delete/execute/send, ``codegen --out``
into a folder of one's own, then the generated package imported and used.  No
step may print a traceback, every error is one line, and the endpoint printed is
the one the user configured.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER

pytestmark = pytest.mark.timeout(240)

PROGRAM = """
from acme_boomi import TypedClient, types as t
from boomi_soap import Client

with Client.from_cache() as client:
    typed = TypedClient(client)
    account = typed.get_account("localdemo-A1B2C3")
    print(type(account).__name__, account.account_id)
    print(hasattr(typed, "create_process"), hasattr(typed, "create_environment"))
"""


class Session:
    """A shell of one's own: its environment, its folder, and what every command printed."""

    def __init__(self, home: Path) -> None:
        self.cwd = home / "work"
        self.cwd.mkdir(parents=True)
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("BOOMI_", "XDG_"))}
        self.env = {
            **keep,
            "HOME": str(home),
            "BOOMI_ACCOUNT_ID": DEFAULT_ACCOUNT,
            "BOOMI_USERNAME": DEFAULT_USER,
            "BOOMI_PASSWORD": DEFAULT_PASSWORD,
        }
        self.errors: list[str] = []

    def run(self, *args: str, stdin: str = "", status: int = 0) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "boomi_soap", *args],
            input=stdin, capture_output=True, text=True, env=self.env, cwd=self.cwd, timeout=120,
        )  # fmt: skip
        assert "Traceback" not in done.stdout + done.stderr, (args, done.stderr)
        assert done.returncode == status, (args, done.stdout, done.stderr)
        self.errors += [line for line in done.stderr.splitlines() if line.startswith("Error")]
        return done


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    shell = Session(tmp_path / "home")
    server = subprocess.Popen(
        [sys.executable, "-m", "boomi_soap", "serve", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=shell.env, cwd=shell.cwd,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        shell.env["BOOMI_BASE_URL"] = server.stdout.readline().split()[4]
        yield shell
    finally:
        server.terminate()
        server.communicate(timeout=10)


def test_a_newcomers_first_session(session: Session, tmp_path: Path) -> None:
    base = session.env["BOOMI_BASE_URL"]
    endpoint = f"{base}/api/soap/v1/{DEFAULT_ACCOUNT}"

    fetched = session.run("fetch")
    assert fetched.stdout.startswith("new snapshot: ")
    assert f"fetch: endpoint {endpoint}?wsdl (BOOMI_BASE_URL); account {DEFAULT_ACCOUNT} (BOOMI_ACCOUNT_ID)" in (
        fetched.stderr
    )
    assert str(tmp_path / "home") in fetched.stdout  # the user cache under the clean HOME

    new = json.dumps({"@type": "Environment", "name": "Walkthrough", "classification": "TEST"})
    created = json.loads(session.run("call", "create", stdin=new).stdout)
    assert (
        f"call get: endpoint {endpoint} (BOOMI_BASE_URL)"
        in session.run("call", "get", "Account", DEFAULT_ACCOUNT).stderr
    )
    got = json.loads(session.run("call", "get", "Environment", created["id"]).stdout)
    assert got["name"] == "Walkthrough"
    updated = json.loads(session.run("call", "update", stdin=json.dumps({**got, "name": "Renamed"})).stdout)
    assert updated["name"] == "Renamed"
    session.run("call", "delete", "Environment", created["id"])
    session.run("call", "delete", "Environment", created["id"], status=1)

    atom = json.loads(session.run("call", "query", "Atom", "--filter", "status = ONLINE", "--limit", "1").stdout)
    started = session.run("call", "execute", atom["id"], "--process-name", "Orders - Shopify to SAP")
    assert json.loads(started.stdout)["process"] == "Orders - Shopify to SAP"  # a change says what it did

    envelope = session.run("call", "get", "Account", DEFAULT_ACCOUNT, "--dry-run").stdout
    assert DEFAULT_PASSWORD not in envelope
    (session.cwd / "get.xml").write_text(envelope)
    answer = json.loads(session.run("call", "send", "get.xml", "--format", "json").stdout)
    assert answer["operation"] == "getResponse"
    assert DEFAULT_ACCOUNT in answer["answer"]

    session.run("call", "get", "Process", "nope", status=1)
    session.run("call", "query", "Process", "--filter", "name = 'Orders", status=2)

    out = tmp_path / "src" / "acme_boomi"
    session.run("codegen", "--out", str(out))
    session.run("codegen", "--out", str(tmp_path / "src" / "my-pkg"), status=2)
    used = subprocess.run(
        [sys.executable, "-c", PROGRAM], capture_output=True, text=True, timeout=120, cwd=session.cwd,
        env={**session.env, "PYTHONPATH": str(out.parent)},
    )  # fmt: skip
    assert used.returncode == 0, used.stderr
    assert used.stdout.splitlines() == [f"Account {DEFAULT_ACCOUNT}", "False True"]

    assert len(session.errors) == 4
    for line in session.errors:
        assert DEFAULT_PASSWORD not in line
