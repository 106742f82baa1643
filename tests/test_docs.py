"""The manual under docs/: every code block runs, Sphinx builds it cleanly, and the project files exist.

The code blocks run as the README's do (tests/docblocks.py).  The build is the one a
reader makes, ``sphinx-build -W -b html docs OUT``: warnings are errors, and the pages
it writes hold the command line reference of every command and the API reference of
every public name.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

import boomi_soap
import boomi_soap.bindings
import boomi_soap.localservice
from boomi_soap.cli import main
from tests.docblocks import DOCS, ROOT, RUNNERS, Sandbox, blocks, open_sandbox, run_block, runner_of

PAGES = [(path, text) for path in DOCS for _, text in blocks(path)]
GUIDES = ("cache", "client", "codegen", "limits", "localservice", "partner", "rest", "runs", "security",
          "tolerant-reader", "validation")  # fmt: skip


@pytest.fixture
def sandbox(tmp_path: Path, compiled_dir: Path) -> Iterator[Sandbox]:
    with open_sandbox(tmp_path, compiled_dir) as box:
        yield box


def test_every_docs_block_has_a_runner() -> None:
    assert len(PAGES) >= 10, "the docs' code blocks were not found"
    for _, text in PAGES:
        runner_of(text)


def test_every_runner_runs_a_block() -> None:
    # A runner left behind by a block that moved or went is a test of nothing.
    texts = [text for path in [ROOT / "README.rst", *DOCS] for _, text in blocks(path)]
    unused = [prefix for prefix, _ in RUNNERS if not any(text.startswith(prefix) for text in texts)]
    assert unused == []


@pytest.mark.timeout(300)
@pytest.mark.parametrize(
    "text",
    [text for _, text in PAGES],
    ids=[f"{path.relative_to(ROOT / 'docs')}:{i}" for i, (path, _) in enumerate(PAGES)],
)
def test_docs_block(text: str, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    run_block(text, sandbox, monkeypatch)


def _commands(command: click.Command, path: str) -> Iterator[str]:
    yield path
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from _commands(sub, f"{path}-{name}")


@pytest.mark.timeout(300)
def test_sphinx_builds_the_manual_without_warnings(tmp_path: Path) -> None:
    built = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", str(ROOT / "docs"), str(tmp_path)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert built.returncode == 0, built.stdout + built.stderr
    assert built.stderr == "", built.stderr
    for page in ("index", "getting-started", "cli", "api", "development", "changelog"):
        assert (tmp_path / f"{page}.html").is_file(), page
    for guide in GUIDES:
        assert (tmp_path / "guides" / f"{guide}.html").is_file(), guide
    # The command line reference, generated from the click commands: every command and group.
    cli_page = (tmp_path / "cli.html").read_text()
    assert "\N{EN DASH}" not in cli_page  # "--account" in the help stays two hyphens
    cli = set(re.findall(r'id="([^"]+)"', cli_page))
    missing = [path for path in _commands(main, "boomi-soap") if path not in cli]
    assert missing == [], missing
    # The API reference: every public name, under its public module's name only.
    api = set(re.findall(r'id="([^"]+)"', (tmp_path / "api.html").read_text()))
    for module in (boomi_soap, boomi_soap.bindings, boomi_soap.localservice):
        absent = [name for name in module.__all__ if f"{module.__name__}.{name}" not in api]
        assert absent == [], (module.__name__, absent)
    internal = sorted({i.split(".")[1] for i in api if i.startswith("boomi_soap.") and "." in i[11:]}
                      - {*boomi_soap.__all__, "bindings", "localservice"})  # fmt: skip
    assert internal == [], f"documented under an internal module path: {internal}"


def test_licence_changelog_and_security_note() -> None:
    licence = (ROOT / "LICENSE").read_text()
    assert licence.startswith("MIT License")
    assert "license = MIT" in (ROOT / "setup.cfg").read_text()
    changelog = (ROOT / "CHANGELOG.rst").read_text()
    assert "Unreleased" in changelog
    security = (ROOT / "SECURITY.rst").read_text()
    for topic in ("What is sent where", "What is cached", "Secrets", "Reporting a vulnerability"):
        assert topic in security
    reporting = security.split("Reporting a vulnerability", 1)[1]
    # The channel is the repository's private security advisories, not an invented address.
    assert "private security advisories" in reporting
    assert "Report a vulnerability" in reporting
    assert "@" not in reporting


def test_every_changelog_entry_is_a_titled_item() -> None:
    # Under each release, entries are definition-list items (a title, then indented text): a
    # paragraph of its own between them is a stray line.
    lines = (ROOT / "CHANGELOG.rst").read_text().splitlines()
    body = lines[lines.index("Unreleased") + 2 :]
    stray = [
        line for i, line in enumerate(body)
        if line and not line.startswith((" ", "-", "=")) and not (i + 1 < len(body) and body[i + 1].startswith("    "))
        and not (i + 1 < len(body) and body[i + 1].startswith(("---", "===")))
    ]  # fmt: skip
    assert stray == []
