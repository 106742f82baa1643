"""Running the code blocks of README.rst and docs/ against the local service.

Each block is matched to a way of running it (or an explicit reason not to) by how it
starts, so a new block without one fails (tests/test_readme.py, tests/test_docs.py).
Blocks written for a real account run with the local service standing in for it: its
URL as ``BOOMI_BASE_URL``, its account and demo user in place of ``acme-ABC123`` and
``ann@example.com``.  Shell blocks run in bash in a folder of their own, with
``boomi-soap`` (and ``.venv/bin/boomi-soap``, ``.venv/bin/activate`` and ``python``)
this checkout.
"""

from __future__ import annotations

import base64
import os
import shutil
import socket
import stat
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import docutils.core
import docutils.nodes
import pytest

from boomi_soap.localservice import (
    DEFAULT_ACCOUNT,
    DEFAULT_API_TOKEN,
    DEFAULT_PASSWORD,
    DEFAULT_USER,
    LocalService,
    ServiceConfig,
)

ROOT = Path(__file__).parents[1]
VALID = ROOT / "tests" / "fixtures" / "requests" / "valid"
DOCS = sorted((ROOT / "docs").rglob("*.rst"))


def blocks(path: Path) -> list[tuple[str, str]]:
    """(language, text) of every ``code-block`` of one reStructuredText file, in order.

    Sphinx's own directives and roles (``toctree``, ``automodule``, ``:doc:``) are unknown
    to plain docutils: they become error messages, never code blocks, and are ignored.
    """
    tree = docutils.core.publish_doctree(
        path.read_text(encoding="utf-8"), settings_overrides={"report_level": 5, "halt_level": 5}
    )
    found = []
    for node in tree.findall(docutils.nodes.literal_block):
        classes = node.get("classes", [])
        if "code" in classes:
            found.append((classes[-1], node.astext()))
    return found


def as_local(text: str) -> str:
    """A block written for a real account, pointed at the local service's account and user."""
    return text.replace("acme-ABC123", DEFAULT_ACCOUNT).replace("ann@example.com", DEFAULT_USER)


@dataclass
class Sandbox:
    """A folder, an environment and a running local service for one block."""

    cwd: Path
    env: dict[str, str]
    service: LocalService

    def bash(self, script: str, *, stdin: str = "") -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            input=stdin, capture_output=True, text=True, env=self.env, cwd=self.cwd, timeout=240,
        )  # fmt: skip
        assert done.returncode == 0, (script, done.stdout, done.stderr)
        assert "Traceback" not in done.stdout + done.stderr
        return done

    def fetch(self) -> None:
        self.bash("boomi-soap -q fetch")

    def drop(self, *names: str) -> None:
        """Take variables out of the environment, for a block that sets them itself."""
        for name in names:
            self.env.pop(name, None)


def _executable(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


@contextmanager
def open_sandbox(tmp_path: Path, compiled: Path | None = None) -> Iterator[Sandbox]:
    """A sandbox whose ``.venv/bin`` runs this checkout, with a local service standing in for Boomi.

    ``compiled`` is a compiled-schema directory the sandboxes of a session share (a form is
    keyed by its snapshot's digest): each block's commands then compile only what is new.
    """
    bin_dir = tmp_path / "work" / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    _executable(bin_dir / "boomi-soap", f'#!/bin/sh\nexec "{sys.executable}" -m boomi_soap "$@"\n')
    _executable(bin_dir / "python", f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    (bin_dir / "activate").write_text(f'PATH="{bin_dir}:$PATH"\nexport PATH\n')
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("BOOMI_", "XDG_"))}
    with LocalService(ServiceConfig(rate_limit=None)) as service:
        env = {
            **keep,
            "HOME": str(tmp_path / "home"),
            "PATH": f"{bin_dir}{os.pathsep}{keep.get('PATH', '')}",
            "PYTHONPATH": str(ROOT),
            "BOOMI_ACCOUNT_ID": DEFAULT_ACCOUNT,
            "BOOMI_USERNAME": DEFAULT_USER,
            "BOOMI_PASSWORD": DEFAULT_PASSWORD,
            "BOOMI_BASE_URL": service.base_url,  # stands in for https://api.boomi.com
            "BOOMI_SOAP_CACHE_DIR": str(tmp_path / "cache"),
            **({"BOOMI_SOAP_COMPILED_DIR": str(compiled)} if compiled is not None else {}),
        }
        yield Sandbox(tmp_path / "work", env, service)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _ids(box: Sandbox) -> dict[str, str]:
    store = box.service.store()
    return {
        "process_id": store.all("Process")[0].key,
        "atom_id": next(a.key for a in store.all("Atom") if a.element.get("status") == "ONLINE"),
    }


# -- one runner per block ---------------------------------------------------------------


def run_install_and_quickstart(box: Sandbox, text: str) -> None:
    # The install half is what made the environment running these tests; the tour runs as written.
    install = "python3 -m venv .venv && .venv/bin/pip install . && "
    assert text.startswith(install)
    done = box.bash(text.removeprefix(install))
    assert "refused    a bad request, before sending it:" in done.stdout


def run_serve_and_curl(box: Sandbox, text: str) -> None:
    serve, curl = text.splitlines()
    server = subprocess.Popen(
        ["bash", "-c", "exec " + serve.split("#")[0]], stdout=subprocess.PIPE, text=True, env=box.env, cwd=box.cwd
    )
    try:
        assert server.stdout is not None
        port = server.stdout.readline().split()[4].rsplit(":", 1)[1]
        done = box.bash(curl.replace("PORT", port) + " --fail --silent")
        assert "<wsdl:definitions" in done.stdout or "definitions" in done.stdout
    finally:
        server.terminate()
        server.communicate(timeout=10)


def run_serve_in_its_own_terminal(box: Sandbox, text: str) -> None:
    # The first session's service: on a free port here (8787 may be taken), stopped as Ctrl-C would.
    port = free_port()
    server = subprocess.Popen(
        ["bash", "-c", "exec " + text.replace("8787", str(port))],
        stdout=subprocess.PIPE, text=True, env=box.env, cwd=box.cwd,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        assert server.stdout.readline().startswith(f"AtomSphere local service on http://127.0.0.1:{port} ")
        wsdl = f"http://127.0.0.1:{port}/api/soap/v1/{DEFAULT_ACCOUNT}?wsdl"
        request = urllib.request.Request(wsdl)
        login = base64.b64encode(f"{DEFAULT_USER}:{DEFAULT_PASSWORD}".encode()).decode()
        request.add_unredirected_header("Authorization", f"Basic {login}")
        with urllib.request.urlopen(request, timeout=30) as answer:
            assert b"definitions" in answer.read()
    finally:
        server.terminate()
        server.communicate(timeout=10)
    assert server.returncode == 0


def run_session_fetch(box: Sandbox, text: str) -> None:
    # The sandbox's service is the one the first block started on 8787; the block sets every
    # variable itself, and fetch writes to the user cache (HOME is the sandbox's).
    box.drop("BOOMI_ACCOUNT_ID", "BOOMI_USERNAME", "BOOMI_PASSWORD", "BOOMI_BASE_URL", "BOOMI_SOAP_CACHE_DIR")
    done = box.bash(text.replace("http://127.0.0.1:8787", box.service.base_url))
    assert "new snapshot: " in done.stdout
    assert list((Path(box.env["HOME"]) / ".cache" / "boomi-soap").rglob("manifest.json"))


def run_first_script(box: Sandbox, text: str) -> None:
    box.fetch()  # the state the session's fetch block leaves
    (box.cwd / "first.py").write_text(text)
    done = box.bash("python first.py")
    lines = done.stdout.splitlines()
    assert lines[0] == "Local Demo Account active", done.stdout
    failed, said = lines[1].split(" ", 1)
    assert int(failed) > 0, done.stdout
    assert said == "runs ended in ERROR", done.stdout
    assert lines[2].startswith("created "), done.stdout
    assert lines[2].endswith(" deleted: True"), done.stdout
    assert not [e for e in box.service.store().all("Environment") if e.element.get("name") == "QA"]


def run_cli_session(box: Sandbox, text: str) -> None:
    box.fetch()
    done = box.bash(text)
    assert '"accountId": "localdemo-A1B2C3"' in done.stdout
    assert '"name": "Orders - Shopify to SAP"' in done.stdout
    assert "COMPLETE" in done.stdout
    assert "would package process" in done.stdout
    assert "split layout" in done.stdout
    assert "1 valid, 0 invalid" in done.stdout + done.stderr
    assert (box.cwd / "qa.xml").read_text().count("***") >= 1  # the password is masked in the dry run


def run_local_python(box: Sandbox, text: str) -> None:
    exec(compile(text, "<code block>", "exec"), {})


def run_fetch(box: Sandbox, text: str) -> None:
    box.drop("BOOMI_PASSWORD")  # the block reads the API token from the terminal
    done = box.bash(as_local(text), stdin=DEFAULT_API_TOKEN + "\n")
    assert "new snapshot: " in done.stdout
    assert "ok: 1 snapshot(s) verified" in done.stdout


def run_quickstart_account(box: Sandbox, text: str) -> None:
    box.drop("BOOMI_PASSWORD")  # the block reads the password from the terminal
    done = box.bash(as_local(text), stdin=DEFAULT_PASSWORD + "\n")
    assert "(first page only; more not read)" in done.stdout
    assert "refused    a bad request, before sending it:" in done.stdout


def run_regenerate_pinned(box: Sandbox, text: str) -> None:
    shutil.copytree(ROOT / "wsdl_cache", box.cwd / "wsdl_cache")
    box.drop("BOOMI_ACCOUNT_ID", "BOOMI_BASE_URL", "BOOMI_SOAP_CACHE_DIR")
    box.bash(text.replace("8787", str(free_port())))
    pinned = {
        f"{flavour}/{account}": sum(p.is_dir() for p in (box.cwd / "wsdl_cache" / flavour / account).iterdir())
        for flavour, account in (
            ("platform", DEFAULT_ACCOUNT),
            ("partner", DEFAULT_ACCOUNT),
            ("platform", "localsingle-A1B2C3"),
        )
    }
    assert pinned == {
        f"platform/{DEFAULT_ACCOUNT}": 2,
        f"partner/{DEFAULT_ACCOUNT}": 1,
        "platform/localsingle-A1B2C3": 1,
    }


def _python_with_service(
    box: Sandbox, text: str, monkeypatch: pytest.MonkeyPatch, *, with_client: bool = False
) -> None:
    """Run a Python block with ``process_id`` and ``atom_id`` (and ``client``) of the local service."""
    box.fetch()
    for name, value in box.env.items():
        if name.startswith("BOOMI_"):
            monkeypatch.setenv(name, value)
    names: dict[str, object] = {**_ids(box)}
    if with_client:
        from boomi_soap import Client

        names["client"] = Client.from_cache()
    exec(compile(as_local(text), "<code block>", "exec"), names)


def _python_with_client(box: Sandbox, text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A block that uses ``client`` too: a client of the local service."""
    _python_with_service(box, text, monkeypatch, with_client=True)


def run_runs_cli(box: Sandbox, text: str) -> None:
    box.fetch()
    done = box.bash(as_local(text))
    assert '"status": "COMPLETE"' in done.stdout
    assert "Traceback" not in done.stderr


def run_call_script(box: Sandbox, text: str) -> None:
    box.fetch()
    ids = _ids(box)
    box.env["PROCESS_ID"] = ids["process_id"]
    box.env["ATOM_ID"] = ids["atom_id"]
    done = box.bash(as_local(text))
    assert "Traceback" not in done.stderr


def run_codegen(box: Sandbox, text: str) -> None:
    box.bash(as_local(text))
    assert (box.cwd / "src" / "acme_boomi" / "types.py").is_file()
    check = "import sys; sys.path.insert(0, 'src'); import acme_boomi; print(acme_boomi.SNAPSHOT_SHA256[:4])"
    box.bash(f'"{sys.executable}" -c "{check}"')


def run_validate(box: Sandbox, text: str) -> None:
    box.fetch()
    (box.cwd / "requests").mkdir()
    (box.cwd / "build").mkdir()
    for name in ("get.xml", "delete.xml", "query-grouping.xml"):
        shutil.copy(VALID / name, box.cwd / "requests" / name)
        shutil.copy(VALID / name, box.cwd / "build" / name)
    shutil.copy(VALID / "get.xml", box.cwd / "envelope.xml")
    shutil.copy(VALID / "rest-process.xml", box.cwd / "body.xml")
    shutil.copy(VALID / "rest-process.xml", box.cwd / "process.xml")
    box.bash(as_local(text))


def run_pytest_file(box: Sandbox, text: str) -> None:
    """A user's test file: plain pytest finds the installed plugin's fixtures (no conftest)."""
    (box.cwd / text.splitlines()[0].removeprefix("# ")).write_text(text, encoding="utf-8")
    done = box.bash(f'"{sys.executable}" -m pytest -q -p no:cacheprovider -p no:xdist')
    assert done.stdout.splitlines()[-1].startswith("3 passed"), done.stdout


Runner = Callable[..., None]
RUNNERS: list[tuple[str, Runner | str]] = [
    ("python3 -m venv .venv && .venv/bin/pip install . &&", run_install_and_quickstart),
    (".venv/bin/boomi-soap serve --port 0", run_serve_and_curl),
    (".venv/bin/boomi-soap serve --port 8787", run_serve_in_its_own_terminal),
    (". .venv/bin/activate ", run_session_fetch),
    ("from boomi_soap import Client, F\n\nwith Client.from_cache() as client:", run_first_script),
    ("boomi-soap call get Account localdemo-A1B2C3\n", run_cli_session),
    ("python3 -m venv .venv && .venv/bin/pip install -e '.[test]'",
     "the test command itself: .ci/run runs it verbatim and tests/test_quality.py checks the two agree"),
    ("from boomi_soap.localservice import LocalService", run_local_python),
    ("export BOOMI_ACCOUNT_ID=acme-ABC123 BOOMI_USERNAME=ann@example.com\nread -rs BOOMI_API_TOKEN", run_fetch),
    ("export BOOMI_ACCOUNT_ID=acme-ABC123 BOOMI_USERNAME=ann@example.com\nread -rs BOOMI_PASSWORD",
     run_quickstart_account),
    ("rm -rf wsdl_cache/platform", run_regenerate_pinned),
    ("from datetime import date", _python_with_service),
    ('boomi-soap call get Process "$PROCESS_ID"', run_call_script),
    ("boomi-soap fetch --account acme-ABC123", run_codegen),
    ("from boomi_soap import Client, F\nfrom boomi_soap.bindings import TypedClient", _python_with_service),
    ("boomi-soap validate requests/", run_validate),
    ("from boomi_soap import Backoff", _python_with_client),
    ("import asyncio\n\nfrom boomi_soap import AsyncClient, F, fan_out", _python_with_service),
    ('boomi-soap run "Orders - Shopify to SAP"', run_runs_cli),
    ("import tempfile\nfrom pathlib import Path", run_local_python),
    ("from boomi_soap import Client\n", _python_with_service),
    ("# test_orders.py\nimport pytest", run_pytest_file),
]  # fmt: skip


def runner_of(text: str) -> Runner | str:
    matches = [how for prefix, how in RUNNERS if text.startswith(prefix)]
    assert len(matches) == 1, f"code block without exactly one runner here:\n{text[:200]}"
    return matches[0]


def run_block(text: str, box: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run one block its way, or skip it with its reason."""
    how = runner_of(text)
    if isinstance(how, str):
        pytest.skip(how)
    if how in (_python_with_service, _python_with_client):
        how(box, text, monkeypatch)
    else:
        how(box, text)
