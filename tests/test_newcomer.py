"""The README's first hour, scripted: a newcomer's session through the installed command line.

Exactly as README.rst and docs/getting-started.rst tell it: ``serve --port 0`` in the
background, ``BOOMI_*`` exported, ``fetch`` in a folder of one's own (outside the
checkout, a clean ``HOME``), the README's ``first.py``, ``call get`` / ``call query``,
``run``, ``deploy --dry-run`` and a real deploy, then ``ipack install`` against the
Partner service.  Along the way the mistakes a newcomer makes (an environment that does
not exist, a mistyped pack, a mistyped flag or type): after each the service's objects,
listed over the API, are what they were before, the error is one ``Error:`` line on
stderr with exit 1 (failed operation) or 2 (usage), never a traceback, and every flag it
names is one the command's ``--help`` lists.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER
from boomi_soap.localservice.config import DEFAULT_SUB_ACCOUNTS

pytestmark = pytest.mark.timeout(300)

ROOT = Path(__file__).resolve().parents[1]
PROCESS = "Orders - Shopify to SAP"
SUB = DEFAULT_SUB_ACCOUNTS[0]
# What every command says on stderr before its work (the where-lines), and click's usage frame.
_CHATTER = re.compile(r"^(\S[\w -]*: (endpoint|snapshot|cache|sub-account) |Usage: |Try '|$)")


def _python_block(page: Path) -> str:
    """A page's first Python block, as the reader saves it."""
    block = page.read_text(encoding="utf-8").split(".. code-block:: python\n", 1)[1]
    lines = []
    for line in block.splitlines()[1:]:
        if line and not line.startswith("   "):
            break
        lines.append(line)
    return textwrap.dedent("\n".join(lines)).strip() + "\n"


def _first_script() -> str:
    """The README's first script, which the getting-started page tells the same."""
    script = _python_block(ROOT / "README.rst")
    assert "Client.from_cache()" in script
    assert _python_block(ROOT / "docs" / "getting-started.rst") == script
    return script


class Shell:
    """A newcomer's shell: a clean HOME, a folder outside the checkout, the README's variables."""

    def __init__(self, home: Path) -> None:
        self.cwd = home / "work"
        self.cwd.mkdir(parents=True)
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("BOOMI_", "XDG_"))}
        self.env = {**keep, "HOME": str(home)}
        self.steps = 0
        self.mistakes: list[str] = []
        self.helps: dict[tuple[str, ...], str] = {}
        self.listings: list[dict[str, int]] = []  # what each listing of the objects counted

    def export(self, base_url: str) -> None:
        # README: export BOOMI_BASE_URL=... BOOMI_ACCOUNT_ID=... BOOMI_USERNAME=... BOOMI_PASSWORD=...
        self.env.update(
            BOOMI_BASE_URL=base_url,
            BOOMI_ACCOUNT_ID=DEFAULT_ACCOUNT,
            BOOMI_USERNAME=DEFAULT_USER,
            BOOMI_PASSWORD=DEFAULT_PASSWORD,
        )

    def _run(self, argv: list[str], stdin: str = "") -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            argv, input=stdin, capture_output=True, text=True, env=self.env, cwd=self.cwd, timeout=120
        )  # fmt: skip
        assert "Traceback" not in done.stdout + done.stderr, (argv, done.stderr)
        return done

    def step(self, *args: str, status: int = 0) -> subprocess.CompletedProcess[str]:
        """A command of the README's path: it must succeed (or end as the README says)."""
        done = self._run([sys.executable, "-m", "boomi_soap", *args])
        assert done.returncode == status, (args, done.stdout, done.stderr)
        assert not [line for line in done.stderr.splitlines() if line.startswith("Error")], (args, done.stderr)
        self.steps += 1
        return done

    def python(self, script: Path) -> subprocess.CompletedProcess[str]:
        done = self._run([sys.executable, script.name])
        assert done.returncode == 0, done.stderr
        self.steps += 1
        return done

    def mistake(self, command: tuple[str, ...], *args: str, status: int) -> str:
        """A mistaken command: exit ``status``, one error line, and the flags it names exist."""
        done = self._run([sys.executable, "-m", "boomi_soap", *command, *args])
        assert done.returncode == status, (command, args, done.stdout, done.stderr)
        errors = [line for line in done.stderr.splitlines() if line.startswith("Error")]
        assert len(errors) == 1, done.stderr
        rest = [line for line in done.stderr.splitlines() if not line.startswith("Error")]
        assert all(_CHATTER.match(line) for line in rest), rest  # nothing but the where-lines and usage frame
        flags = set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", errors[0]))
        typed = {arg.split("=")[0] for arg in args if arg.startswith("--")}
        for flag in flags - typed:  # a flag it suggests (one merely quoted back is the user's own)
            assert re.search(rf"(?<![\w-]){flag}(?![\w-])", self.help(command)), (flag, errors[0])
        self.mistakes.append(errors[0])
        return errors[0]

    def help(self, command: tuple[str, ...]) -> str:
        if command not in self.helps:
            self.helps[command] = self.step(*command, "--help").stdout
        return self.helps[command]

    def objects(self, *types: str, partner: bool = False) -> dict[str, list[str]]:
        """The service's objects of ``types``, listed over the API (``call query``), by type."""
        where = ["--flavour", "partner", "--sub-account", SUB] if partner else []
        found = {}
        for kind in types:
            done = self._run(
                [sys.executable, "-m", "boomi_soap", "-q", "call", "query", kind, *where, "--format", "json"]
            )
            assert done.returncode == 0, (kind, done.stderr)
            rows = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
            found[kind] = sorted(json.dumps(row, sort_keys=True) for row in rows)
        self.listings.append({kind: len(rows) for kind, rows in found.items()})
        return found


def _serve(shell: Shell, *args: str) -> Iterator[tuple[str, list[str]]]:
    server = subprocess.Popen(
        [sys.executable, "-m", "boomi_soap", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=shell.env, cwd=shell.cwd,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        first = server.stdout.readline()
        banner = [first] + [server.stdout.readline() for _ in range(3 if "partner" in args else 2)]
        yield first.split()[4], banner
    finally:
        server.terminate()
        server.communicate(timeout=10)


@pytest.fixture
def shell(tmp_path: Path) -> Shell:
    return Shell(tmp_path / "home")


def test_the_readmes_first_hour(shell: Shell) -> None:
    assert not shell.cwd.resolve().is_relative_to(ROOT)  # a folder of one's own, not the checkout
    bundled = sorted(p.name for p in (ROOT / "boomi_soap" / "wsdl_cache").rglob("*"))
    platform = _serve(shell)
    base_url, banner = next(platform)
    try:
        assert base_url.startswith("http://127.0.0.1:")
        assert f"sign in as {DEFAULT_USER}" in "".join(banner)
        shell.export(base_url)

        # fetch: "says where it connects, then 'new snapshot: ...'", into the user cache.
        fetched = shell.step("fetch")
        assert fetched.stdout.startswith("new snapshot: "), fetched.stdout
        assert str(Path(shell.env["HOME"])) in fetched.stdout
        assert "BOOMI_BASE_URL" in fetched.stderr

        # The first script, saved as first.py and run with python.
        script = shell.cwd / "first.py"
        script.write_text(_first_script(), encoding="utf-8")
        printed = shell.python(script).stdout.splitlines()
        assert len(printed) == 3, printed
        assert re.fullmatch(r"\d+ runs ended in ERROR", printed[1]), printed
        assert printed[2].startswith("created "), printed
        assert printed[2].endswith("deleted: True"), printed

        # A first CLI session.
        got = shell.step("call", "get", "Account", DEFAULT_ACCOUNT, "--format", "json")
        assert json.loads(got.stdout)["accountId"] == DEFAULT_ACCOUNT
        queried = shell.step("call", "query", "Process", "--filter", "name LIKE Orders%", "--limit", "3", "--format", "json")  # fmt: skip
        names = [json.loads(line)["name"] for line in queried.stdout.splitlines()]
        assert PROCESS in names
        assert len(names) <= 3
        ran = shell.step("run", PROCESS, "--atom", "Production Atom")
        assert re.search(r"^status +COMPLETE$", ran.stdout, re.M), ran.stdout
        request = re.search(r"^request_id +(\S+)$", ran.stdout, re.M)
        assert request
        assert f"submitted request {request[1]}" in ran.stderr

        # Mistakes on the way: a mistyped flag, a mistyped type, a missing option (usage, exit 2).
        assert "'--atom'" in shell.mistake(("run",), PROCESS, "--atm", "Production Atom", status=2)
        assert "did you mean Process" in shell.mistake(("call", "query"), "Proces", status=2)
        assert "--environment" in shell.mistake(("deploy",), PROCESS, status=2)

        deployments = ("PackagedComponent", "DeployedPackage", "Environment")
        before = shell.objects(*deployments)
        planned = shell.step("deploy", PROCESS, "--environment", "Test", "--dry-run")
        assert planned.stdout.startswith(f"would package process {PROCESS} (")
        assert shell.objects(*deployments) == before  # a dry run writes nothing

        # A mistyped environment, with a version of one's own: nothing written, and the retry is not refused.
        line = shell.mistake(("deploy",), PROCESS, "--environment", "Tset", "--version", "9.0-newcomer", status=1)
        assert "--environment 'Tset'" in line
        assert "Tset" in line
        assert shell.objects(*deployments) == before
        done = shell.step("deploy", PROCESS, "--environment", "Test", "--version", "9.0-newcomer", "--format", "json")
        deployed = json.loads(done.stdout)
        after = shell.objects(*deployments)
        assert after != before
        # One package and one deployment more (the earlier deployment to Test is now inactive), no environment.
        keys = {"PackagedComponent": "packageId", "DeployedPackage": "deploymentId", "Environment": "id"}
        new = {
            kind: [row for row in map(json.loads, after[kind]) if row[key] not in {json.loads(old)[key] for old in before[kind]}]
            for kind, key in keys.items()
        }  # fmt: skip
        assert [row["packageVersion"] for row in new["PackagedComponent"]] == ["9.0-newcomer"], new
        assert [row["packageVersion"] for row in new["DeployedPackage"]] == ["9.0-newcomer"], deployed
        assert new["Environment"] == []
    finally:
        platform.close()

    # Integration packs: the Partner service, its contract fetched as the partner flavour.
    partner = _serve(shell, "--contract", "partner")
    base_url, banner = next(partner)
    try:
        assert f"{SUB} (this login may act on it)" in "".join(banner)
        shell.export(base_url)
        assert shell.step("fetch", "--flavour", "partner").stdout.startswith("new snapshot: ")
        environments = json.loads(shell.step("ipack", "environments", "--sub-account", SUB, "--format", "json").stdout)
        assert "Production" in [env["name"] for env in environments]
        packs = ("IntegrationPackInstance", "IntegrationPackEnvironmentAttachment")
        before = shell.objects(*packs, partner=True)

        install = ("ipack", "install")
        # An environment name that does not exist: the error says what there is.
        line = shell.mistake(
            install, "Shopify Storefront", "--environment", "Prodution", "--sub-account", SUB, status=1
        )
        assert "--environment 'Prodution'" in line, line
        assert "Production (" in line, line
        assert shell.objects(*packs, partner=True) == before
        # A pack name mistyped.
        line = shell.mistake(
            install, "Shopify Storfront", "--environment", "Production", "--sub-account", SUB, status=1
        )
        assert "PACK 'Shopify Storfront'" in line, line
        assert shell.objects(*packs, partner=True) == before
        # The fix: both by name, and the single-install pack is not refused as "already installed".
        done = shell.step(*install, "Shopify Storefront", "--environment", "Production", "--sub-account", SUB, "--format", "json")  # fmt: skip
        instance = json.loads(done.stdout)["id"]
        after = shell.objects(*packs, partner=True)
        assert len(after["IntegrationPackInstance"]) == len(before["IntegrationPackInstance"]) + 1
        assert len(after["IntegrationPackEnvironmentAttachment"]) == len(before["IntegrationPackEnvironmentAttachment"]) + 1  # fmt: skip
        installed = json.loads(shell.step("ipack", "installed", "--sub-account", SUB, "--format", "json").stdout)
        assert instance in json.dumps(installed)
    finally:
        partner.close()

    assert sorted(p.name for p in (ROOT / "boomi_soap" / "wsdl_cache").rglob("*")) == bundled  # read-only
    assert len(shell.mistakes) == 6
    assert shell.steps >= 14
    print(f"newcomer: {shell.steps} steps, {len(shell.mistakes)} mistakes, listings {shell.listings}")  # -s shows it
