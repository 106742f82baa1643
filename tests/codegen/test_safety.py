"""Codegen cannot hurt an installation: where it writes, under which name, and what it generates."""

from __future__ import annotations

import ast
import importlib
import logging
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from boomi_soap.cli import main
from boomi_soap.client import Client
from boomi_soap.credentials import Credentials, Endpoint
from boomi_soap.exceptions import InvalidRequestError
from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER, LocalService
from boomi_soap.settings import ClientSettings
from boomi_soap.snapshot.cache import CacheStore, Snapshot, pinned_store, refresh

ROOT = Path(__file__).parents[2]
CREDENTIALS = Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD)
RUNTIME = {"boomi_soap.wire.xmlbind", "boomi_soap.exceptions", "boomi_soap.client", "boomi_soap.query"}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_out_is_required_unless_check(runner: CliRunner) -> None:
    result = runner.invoke(main, ["codegen"])
    assert result.exit_code == 2
    assert "Error: --out is required (the package directory to write), unless --check" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--out", "{tmp}/my-pkg"], "package name 'my-pkg' is not a dotted Python identifier ('my-pkg')"),
        (
            ["--out", "{tmp}/x", "--package", "acme.class"],
            "package name 'acme.class' is not a dotted Python identifier",
        ),
        (["--out", "{purelib}/acme_boomi"], "refusing to write into {purelib}/acme_boomi: it is inside the installed"),
        (["--out", "{library}/acme"], "refusing to write into {library}/acme: it is inside the boomi_soap package"),
        (["--out", "{library}/bindings", "--package", "acme"], "it is inside the boomi_soap package itself"),
    ],
)
def test_refused_targets_write_nothing(runner: CliRunner, tmp_path: Path, args: list[str], message: str) -> None:
    places = {
        "tmp": str(tmp_path),
        "purelib": str(Path(sysconfig.get_paths()["purelib"]).resolve()),
        "library": str(ROOT / "boomi_soap"),
    }
    before = sorted((ROOT / "boomi_soap").rglob("*"))
    result = runner.invoke(main, ["codegen", *[a.format(**places) for a in args]])
    assert result.exit_code == 2, result.output
    assert message.format(**places) in result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []
    assert sorted((ROOT / "boomi_soap").rglob("*")) == before
    assert not (Path(places["purelib"]) / "acme_boomi").exists()


def test_the_bundled_bindings_are_regenerated_only_explicitly(runner: CliRunner) -> None:
    result = runner.invoke(main, ["codegen", "--out", "boomi_soap/bindings", "--package", "boomi_soap.bindings"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("wrote 0 changed file(s) of 4 to boomi_soap/bindings")


def test_an_unwritable_out_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    result = runner.invoke(main, ["-q", "codegen", "--out", str(tmp_path / "file" / "acme")])
    assert result.exit_code == 1
    assert result.output == f"Error: {tmp_path}/file/acme: cannot write (Not a directory)\n"


@pytest.fixture
def generated(runner: CliRunner, tmp_path: Path) -> Iterator[Path]:
    """``acme_boomi`` generated from the pinned snapshot into a temporary folder, importable."""
    out = tmp_path / "src" / "acme_boomi"
    result = runner.invoke(main, ["codegen", "--out", str(out)])
    assert result.exit_code == 0, result.output
    sys.path.insert(0, str(out.parent))
    try:
        yield out
    finally:
        sys.path.remove(str(out.parent))
        for name in [m for m in sys.modules if m == "acme_boomi" or m.startswith("acme_boomi.")]:
            del sys.modules[name]


def test_the_package_imports_only_itself_and_the_runtime(generated: Path) -> None:
    imported: set[str] = set()
    for path in generated.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
    ours = {m for m in imported if m.split(".")[0] in ("acme_boomi", "boomi_soap")}
    assert {m for m in ours if not m.startswith("acme_boomi")} <= RUNTIME
    assert "acme_boomi" in ours
    assert all(m.split(".")[0] in sys.stdlib_module_names for m in imported - ours)


@pytest.fixture
def snapshot(service: LocalService, tmp_path: Path) -> Snapshot:
    endpoint = Endpoint(DEFAULT_ACCOUNT, service.base_url, service.flavour)
    return refresh(CacheStore(tmp_path / "cache"), endpoint, CREDENTIALS).snapshot


@pytest.mark.contracts("split", why="the bindings are generated from the pinned split snapshot")
def test_generated_helpers_follow_what_each_object_supports(
    generated: Path, snapshot: Snapshot, service: LocalService, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    package = importlib.import_module("acme_boomi")
    t = importlib.import_module("acme_boomi.types")
    typed_client = package.TypedClient
    for missing in ("create_process", "delete_account", "update_execution_record"):
        assert not hasattr(typed_client, missing), missing
    for present in ("get_process", "query_process", "get_account", "create_environment", "delete_environment"):
        assert hasattr(typed_client, present), present
    assert pinned_store().current(DEFAULT_ACCOUNT).sha256 == package.SNAPSHOT_SHA256

    client = Client(snapshot, CREDENTIALS, settings=ClientSettings(rate_limit=None), compiled_dir=tmp_path)
    with caplog.at_level(logging.WARNING, logger="boomi_soap.bindings"):
        typed = typed_client(client)
        typed_client(client)
    warnings = [r.getMessage() for r in caplog.records if r.name == "boomi_soap.bindings"]
    assert warnings == []  # the same contract on another port: only the address differs

    before = service.limit_stats().accepted
    with pytest.raises(InvalidRequestError) as refused:
        typed.create_environment(t.Atom(name="x"))
    assert str(refused.value) == "create: expected a Environment, got a Atom; not sent"
    assert service.limit_stats().accepted == before
    assert typed.get_account(DEFAULT_ACCOUNT).account_id == DEFAULT_ACCOUNT


def test_bindings_warn_once_on_another_snapshot(
    snapshot: Snapshot, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from boomi_soap.wire.xmlbind import check_snapshot

    client = Client(snapshot, CREDENTIALS, settings=ClientSettings(rate_limit=None), compiled_dir=tmp_path)
    with caplog.at_level(logging.WARNING, logger="boomi_soap.bindings"):
        check_snapshot(client, "0" * 64, f"acme_{snapshot.sha256[:8]}")
        check_snapshot(client, "0" * 64, f"acme_{snapshot.sha256[:8]}")
        check_snapshot(client, snapshot.sha256, "acme_same")
        check_snapshot(client, "1" * 64, "acme_other_contract", contract="1" * 64)
    messages = [r.getMessage() for r in caplog.records if r.name == "boomi_soap.bindings"]
    assert len(messages) == 2
    assert messages[0].startswith(f"acme_{snapshot.sha256[:8]} was generated from snapshot sha256 0000000000000000,")
    assert messages[0].endswith("regenerate with boomi-soap codegen")
    assert messages[1].startswith("acme_other_contract was generated from snapshot sha256 1111111111111111,")


@pytest.mark.contracts("split", "single", why="split is the bundled bindings' contract, single another one")
def test_bundled_bindings_warn_only_when_the_contract_differs_not_the_address(
    snapshot: Snapshot,
    service: LocalService,
    contract: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import boomi_soap.bindings as bindings
    from boomi_soap.wire import xmlbind

    bundled = pinned_store().current(DEFAULT_ACCOUNT)
    assert snapshot.endpoint != bundled.endpoint  # the fetched snapshot names this service, on its own free port
    assert snapshot.sha256 != bindings.SNAPSHOT_SHA256  # every byte hashed: the WSDL's soap:address differs

    client = Client(snapshot, CREDENTIALS, settings=ClientSettings(rate_limit=None), compiled_dir=tmp_path)
    # The warning is once per process and snapshot, and the pooled service's snapshot may have met
    # the bindings in an earlier test: start from none warned.
    monkeypatch.setattr(xmlbind, "_warned", set())
    with caplog.at_level(logging.WARNING, logger="boomi_soap.bindings"):
        typed = bindings.TypedClient(client)
    messages = [r.getMessage() for r in caplog.records if r.name == "boomi_soap.bindings"]
    if contract == "split":
        assert messages == []
        assert typed.get_account(DEFAULT_ACCOUNT).account_id == DEFAULT_ACCOUNT
    else:
        assert len(messages) == 1
        assert messages[0].startswith(
            f"boomi_soap.bindings was generated from snapshot sha256 {bindings.SNAPSHOT_SHA256[:16]},"
        )
