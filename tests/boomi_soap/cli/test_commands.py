"""The command line: wiring, exit codes, and `serve` as a real process."""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from lxml import etree

from boomi_soap import __version__
from boomi_soap.cli import main
from boomi_soap.localservice import (
    DEFAULT_ACCOUNT,
    DEFAULT_API_TOKEN,
    DEFAULT_PASSWORD,
    DEFAULT_USER,
    LocalService,
)
from tests.boomi_soap.cli.conftest import compiled
from tests.hostile import HOSTILE


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["serve", "--password", "x"], {}, "--password/--api-token need --user"),
        (["serve", "--user", "u@example.com"], {}, "--user needs --password or --api-token"),
        (["serve", "--port", "70000"], {}, "70000"),
        (["serve", "--release", "future"], {}, "future"),
        (["serve", "--rate-limit", "0"], {}, "rate-limit"),
        (["serve", "--account", "a/b"], {}, "invalid account id 'a/b'"),
    ],
)
def test_serve_usage_errors_exit_2(runner: CliRunner, args: list[str], env: dict[str, str], message: str) -> None:
    result = runner.invoke(main, args, env={"BOOMI_USERNAME": "", "BOOMI_PASSWORD": "", **env})
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_serve_names_a_bad_seed_file_or_snapshot_in_one_line(runner: CliRunner, tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text('[{"@type": "Folder", "colour": "red"}]', encoding="utf-8")
    # The flags are right, the files' content is not: a failed start (exit 1), in one line.
    result = runner.invoke(main, ["serve", "--seed", str(seed)])
    assert result.exit_code == 1
    assert result.output == f"Error: seed file {seed}: object 0 (Folder): $: unknown key 'colour' for Folder\n"
    result = runner.invoke(main, ["serve", "--snapshot", str(tmp_path)])
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    assert f"{tmp_path / 'manifest.json'}: missing (not a snapshot directory)" in result.output
    assert "Traceback" not in result.output
    # A flag's value that is wrong stays a usage error (exit 2).
    result = runner.invoke(main, ["serve", "--account", "a/b", "--seed", str(seed)])
    assert result.exit_code == 2
    assert "invalid account id 'a/b'" in result.output
    assert "Traceback" not in result.output


def test_serve_port_in_use_is_a_one_line_error(runner: CliRunner) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(main, ["serve", "--port", str(port)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot listen on 127.0.0.1:")
    assert len(result.output.strip().splitlines()) == 1


@pytest.fixture
def served() -> Iterator[tuple[subprocess.Popen[str], str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOOMI_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "boomi_soap", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    try:
        yield process, first
    finally:
        if process.poll() is None:
            process.terminate()
        try:
            process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def test_serve_prints_its_url_and_serves_the_wsdl(served: tuple[subprocess.Popen[str], str]) -> None:
    process, first = served
    assert first.startswith("AtomSphere local service on http://127.0.0.1:")
    base = first.split()[4]
    reply = requests.get(f"{base}/api/soap/v1/{DEFAULT_ACCOUNT}?wsdl", auth=(DEFAULT_USER, DEFAULT_PASSWORD), timeout=5)
    assert reply.status_code == 200
    assert f"{base}/api/soap/v1/{DEFAULT_ACCOUNT}?xsd=1".encode() in reply.content
    assert process.poll() is None


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 0)])
def test_serve_stops_cleanly(served: tuple[subprocess.Popen[str], str], signum: int, status: int) -> None:
    process, _ = served
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=10)
    assert process.returncode == status
    assert "Traceback" not in stderr
    assert stderr.strip() == "stopped"


def fetch_env(service: LocalService, **extra: str) -> dict[str, str]:
    return {
        "BOOMI_ACCOUNT_ID": DEFAULT_ACCOUNT,
        "BOOMI_BASE_URL": service.base_url,
        "BOOMI_USERNAME": DEFAULT_USER,
        "BOOMI_PASSWORD": DEFAULT_PASSWORD,
        "BOOMI_API_TOKEN": "",
        "BOOMI_FLAVOUR": service.flavour,
        **extra,
    }


def test_fetch_then_verify_then_unchanged(runner: CliRunner, service: LocalService, tmp_path: Path) -> None:
    env = fetch_env(service)
    first = runner.invoke(main, ["fetch", "--cache-dir", str(tmp_path)], env=env)
    assert first.exit_code == 0, first.output
    assert first.stdout.startswith(f"new snapshot: {tmp_path}/{service.flavour}/{DEFAULT_ACCOUNT}/")
    assert first.stderr.startswith(
        f"fetch: endpoint {service.wsdl_url()} (BOOMI_BASE_URL);"
        f" account {DEFAULT_ACCOUNT} (BOOMI_ACCOUNT_ID); user {DEFAULT_USER} (BOOMI_USERNAME)\n"
        f"fetch: cache {tmp_path} (--cache-dir)\n"
    )
    second = runner.invoke(main, ["fetch", "--cache-dir", str(tmp_path)], env=env)
    assert second.stdout.startswith("unchanged: ")
    verify = runner.invoke(main, ["cache", "verify", "--cache-dir", str(tmp_path)])
    assert verify.exit_code == 0
    assert verify.output.startswith("ok: 1 snapshot(s) verified")
    listed = runner.invoke(main, ["cache", "list", "--cache-dir", str(tmp_path)])
    assert listed.output.startswith("* ")
    assert DEFAULT_PASSWORD not in first.output + second.output + verify.output


def test_fetch_with_an_api_token(runner: CliRunner, service: LocalService, tmp_path: Path) -> None:
    env = fetch_env(service, BOOMI_PASSWORD="", BOOMI_API_TOKEN=DEFAULT_API_TOKEN)
    result = runner.invoke(main, ["fetch", "--cache-dir", str(tmp_path)], env=env)
    assert result.exit_code == 0, result.output


def test_fetch_refused_credentials_exit_1_without_secret(
    runner: CliRunner, service: LocalService, tmp_path: Path
) -> None:
    env = fetch_env(service, BOOMI_PASSWORD="not-the-password-42")
    result = runner.invoke(main, ["-q", "fetch", "--cache-dir", str(tmp_path)], env=env)
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    assert "HTTP 401: the credentials of demo@example.com were refused" in result.output
    assert "not-the-password-42" not in result.output
    assert not (tmp_path / "platform" / DEFAULT_ACCOUNT / "CURRENT").exists()


@pytest.mark.parametrize("missing", ["BOOMI_ACCOUNT_ID", "BOOMI_USERNAME", "BOOMI_PASSWORD"])
def test_fetch_missing_settings_exit_2(runner: CliRunner, service: LocalService, tmp_path: Path, missing: str) -> None:
    env = fetch_env(service, **{missing: ""})
    result = runner.invoke(main, ["fetch", "--cache-dir", str(tmp_path)], env=env)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_cache_verify_fails_on_tampering(runner: CliRunner, service: LocalService, tmp_path: Path) -> None:
    runner.invoke(main, ["fetch", "--cache-dir", str(tmp_path)], env=fetch_env(service))
    xsd = next(tmp_path.rglob("service.xsd1.xsd"))
    xsd.write_bytes(xsd.read_bytes() + b"<!-- tampered -->")
    result = runner.invoke(main, ["cache", "verify", "--cache-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "service.xsd1.xsd: content does not match the manifest" in result.output


@pytest.mark.contracts("split", why="the drifted 'next' release is published in the split layout only")
def test_cache_diff_text_json_and_live(runner: CliRunner, service: LocalService, tmp_path: Path) -> None:
    env = fetch_env(service)
    runner.invoke(main, ["fetch", "--cache-dir", str(tmp_path)], env=env)
    service.set_release("next")
    live = runner.invoke(main, ["cache", "diff", "--live", "--cache-dir", str(tmp_path)], env=env)
    assert live.exit_code == 0, live.output
    assert live.output.splitlines()[-1] == "8 added, 1 removed"
    runner.invoke(main, ["fetch", "--cache-dir", str(tmp_path)], env=env)
    old, new = sorted(p.parent for p in tmp_path.rglob("manifest.json"))
    ordered = sorted([old, new], key=lambda p: b"renewRuntimeCertificate" in (p / "service.wsdl").read_bytes())
    as_json = runner.invoke(main, ["cache", "diff", *map(str, ordered), "--format", "json"])
    changes = json.loads(as_json.output)["changes"]
    assert len(changes) == 9
    assert {"kind": "added", "component": "operation", "path": "renewRuntimeCertificate"}.items() <= next(
        c for c in changes if c["component"] == "operation"
    ).items()
    usage = runner.invoke(main, ["cache", "diff", str(old)])
    assert usage.exit_code == 2


CORPUS = Path(__file__).parents[2] / "fixtures" / "requests"


@pytest.fixture
def compiled_env() -> dict[str, str]:
    return {"BOOMI_SOAP_COMPILED_DIR": compiled()}


def test_validate_reports_every_mistake_in_one_run(runner: CliRunner, compiled_env: dict[str, str]) -> None:
    names = ["enumeration", "date-pattern", "integer", "missing-attribute", "out-of-order"]
    files = [str(CORPUS / "invalid" / f"{n}.xml") for n in names] + [str(CORPUS / "valid")]
    result = runner.invoke(main, ["validate", *files], env=compiled_env)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 5
    prefix = "/soapenv:Envelope/soapenv:Body"
    assert lines[0].startswith(
        f"{files[0]}:7:59: {prefix}/soap:query/api:queryConfig/api:QueryFilter/api:expression/@operator: "
    )
    assert lines[1].startswith(f"{files[1]}:4:47: {prefix}/soap:create/object/@dateInstalled: ")
    assert lines[2].startswith(f"{files[2]}:4:43: {prefix}/soap:update/object/@purgeHistoryDays: ")
    assert (
        lines[3]
        == f"{files[3]}:7:11: {prefix}/soap:query/api:queryConfig/api:QueryFilter/api:expression: missing required attribute 'property'"
    )
    assert lines[4].startswith(f"{files[4]}:5:7: {prefix}/soap:get/api:objectType: Unexpected child")
    assert result.stderr.strip() == "14 document(s): 9 valid, 5 invalid, 0 unreadable"


def test_validate_all_valid_exits_0(runner: CliRunner, compiled_env: dict[str, str]) -> None:
    result = runner.invoke(main, ["validate", str(CORPUS / "valid")], env=compiled_env)
    assert result.exit_code == 0
    assert result.stdout == ""


def test_validate_json_and_stdin(runner: CliRunner, compiled_env: dict[str, str]) -> None:
    data = (CORPUS / "invalid" / "integer.xml").read_bytes()
    result = runner.invoke(main, ["validate", "-", "--format", "json"], input=data, env=compiled_env)
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["valid"] is False
    entry = document["documents"][0]
    assert (entry["source"], entry["valid"], entry["error"]) == ("<stdin>", False, None)
    assert entry["issues"][0]["path"].endswith("/@purgeHistoryDays")
    assert set(entry["issues"][0]) == {"source", "path", "reason", "line", "column", "expected", "value"}


def test_validate_with_a_snapshot_and_an_element(runner: CliRunner, compiled_env: dict[str, str]) -> None:
    from boomi_soap.snapshot.cache import pinned_store

    snapshot = pinned_store().current(DEFAULT_ACCOUNT).directory
    process = str(CORPUS / "valid" / "rest-process.xml")
    ok = runner.invoke(
        main, ["validate", "--snapshot", str(snapshot), "--element", "api:Process", process], env=compiled_env
    )
    assert ok.exit_code == 0, ok.output
    wrong = runner.invoke(main, ["validate", "--element", "api:Atom", process], env=compiled_env)
    assert wrong.exit_code == 1
    assert "is not the expected {http://api.platform.boomi.com/}Atom" in wrong.stdout


def test_validate_with_a_cached_account(
    runner: CliRunner, service: LocalService, tmp_path: Path, compiled_env: dict[str, str]
) -> None:
    env = {**fetch_env(service), **compiled_env}
    runner.invoke(main, ["fetch", "--cache-dir", str(tmp_path / "c")], env=env)
    result = runner.invoke(main, ["validate", "--cache-dir", str(tmp_path / "c"), str(CORPUS / "valid")], env=env)
    if service.release.layout == "split":  # the corpus is written in the split layout
        assert result.exit_code == 0, result.output
    else:  # elsewhere each wrapper is explained as being in the other layout's namespace
        assert result.exit_code == 1
        wrapper_ns = service.release.contract.wrapper_namespaces[0]
        expected = (
            f"this snapshot expects get in {wrapper_ns}; the document has it in http://soap.api.platform.boomi.com/"
        )
        assert expected in result.output
    missing = runner.invoke(
        main,
        ["validate", "--account", "nobody-000000", "--cache-dir", str(tmp_path / "c"), str(CORPUS / "valid")],
        env=compiled_env,
    )
    assert missing.exit_code == 1
    assert "run: boomi-soap fetch --account nobody-000000" in missing.output


@pytest.mark.timeout(30)  # finishes: refused without being expanded or read whole (timings live in bench/)
@pytest.mark.parametrize(
    ("name", "data"), [*sorted(HOSTILE.items()), ("not-xml", b"hello")], ids=lambda v: v if isinstance(v, str) else ""
)
def test_validate_hostile_input_one_line_exit_1(
    runner: CliRunner, compiled_env: dict[str, str], tmp_path: Path, name: str, data: bytes
) -> None:
    path = tmp_path / f"{name}.xml"
    path.write_bytes(data)
    result = runner.invoke(main, ["validate", str(path)], env=compiled_env)
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1
    assert errors[0].startswith(f"error: {path}")
    assert "Traceback" not in result.output
    assert "root:" not in result.output


def test_validate_unreadable_and_usage(runner: CliRunner, compiled_env: dict[str, str], tmp_path: Path) -> None:
    missing = runner.invoke(main, ["validate", str(tmp_path / "nope.xml")], env=compiled_env)
    assert missing.exit_code == 1
    assert f"error: {tmp_path / 'nope.xml'}: cannot read (No such file or directory)" in missing.stderr
    assert runner.invoke(main, ["validate"]).exit_code == 2
    both = runner.invoke(main, ["validate", "--account", "a", "--schema", str(CORPUS / "MANIFEST"), "x.xml"])
    assert both.exit_code == 2


def test_cache_show_names_the_layout_the_account_publishes(
    runner: CliRunner, service: LocalService, tmp_path: Path, contract: str
) -> None:
    env = fetch_env(service)
    assert runner.invoke(main, ["fetch", "--cache-dir", str(tmp_path)], env=env).exit_code == 0
    shown = runner.invoke(main, ["cache", "show", "--cache-dir", str(tmp_path), "--format", "json"], env=env)
    assert shown.exit_code == 0, shown.output
    info = json.loads(shown.output)
    wrappers = {
        "split": ["http://soap.api.platform.boomi.com/"],
        "single": ["http://api.platform.boomi.com/"],
        "partner": ["http://partner.api.platform.boomi.com/"],
    }[contract]
    assert (info["wrapper_namespaces"], info["data_namespace"]) == (wrappers, "http://api.platform.boomi.com/")
    assert info["layout"] == ("single" if contract == "single" else "split")
    assert info["override"] == ("accountId" if contract == "partner" else None)
    assert len(info["operations"]) == 13
    text = runner.invoke(main, ["cache", "show", "--cache-dir", str(tmp_path)], env=env)
    assert f"layout     {info['layout']} layout: operation wrappers in" in text.output


def test_quickstart_tours_the_service(runner: CliRunner, compiled_env: dict[str, str]) -> None:
    env = {**compiled_env, "BOOMI_ACCOUNT_ID": "", "BOOMI_USERNAME": "", "BOOMI_PASSWORD": ""}
    result = runner.invoke(main, ["quickstart"], env=env)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    steps = [line.split()[0] for line in lines if not line.startswith(" ")]
    assert steps == ["service", "fetch", "layout", "get", "query", "create", "run", "refused", "done"]
    assert re.search(r"run        .*: request executionrecord-\S+ -> execution execution-\S+, COMPLETE", result.output)
    assert "layout     split layout: operation wrappers in their own namespace" in result.output
    assert "query      ExecutionRecord: 260 records in 3 pages" in result.output
    assert "/soapenv:Envelope/soapenv:Body/soap:create/object/@classification" in result.output
    assert DEFAULT_PASSWORD not in result.output


def test_call_get_and_query(
    runner: CliRunner, service: LocalService, tmp_path: Path, compiled_env: dict[str, str]
) -> None:
    env = {**fetch_env(service), **compiled_env}
    runner.invoke(main, ["fetch", "--cache-dir", str(tmp_path)], env=env)
    got = runner.invoke(main, ["call", "get", "Account", DEFAULT_ACCOUNT, "--cache-dir", str(tmp_path)], env=env)
    assert got.exit_code == 0, got.output
    assert json.loads(got.stdout)["@type"] == "Account"
    assert f"call get: endpoint {service.wsdl_url().removesuffix('?wsdl')} (BOOMI_BASE_URL)" in got.stderr
    found = runner.invoke(
        main, ["call", "query", "Process", "--filter", "name LIKE Orders%", "--cache-dir", str(tmp_path)], env=env
    )
    assert [json.loads(line)["name"] for line in found.stdout.splitlines()] == [
        "Orders - Salesforce to NetSuite",
        "Orders - Shopify to SAP",
    ]
    xml = runner.invoke(
        main,
        [
            "call",
            "query",
            "Environment",
            "--filter",
            "classification = PROD",
            "--format",
            "xml",
            "--cache-dir",
            str(tmp_path),
        ],
        env=env,
    )
    assert xml.stdout.startswith("<results>\n  <result ") or xml.stdout.startswith(
        '<results>\n<result type="Environment"'
    )
    assert xml.stdout.count("<result ") == 1
    missing = runner.invoke(main, ["-q", "call", "get", "Process", "nope", "--cache-dir", str(tmp_path)], env=env)
    assert missing.exit_code == 1
    assert missing.output.strip() == "Error: get: Process with id nope does not exist (HTTP 500, S:Client, NOT_FOUND)"
    bad = runner.invoke(
        main, ["call", "query", "Process", "--filter", "name SOUNDS x", "--cache-dir", str(tmp_path)], env=env
    )
    assert bad.exit_code == 2


@pytest.mark.parametrize("command", ["validate", "codegen", "diff"])
def test_a_directory_that_is_no_snapshot(
    runner: CliRunner, tmp_path: Path, compiled_env: dict[str, str], command: str
) -> None:
    args = {
        "validate": ["validate", "--snapshot", str(tmp_path), str(CORPUS / "valid")],
        "codegen": ["codegen", "--snapshot", str(tmp_path), "--out", str(tmp_path / "out")],
        "diff": ["cache", "diff", str(tmp_path), str(tmp_path)],
    }[command]
    result = runner.invoke(main, args, env=compiled_env)
    assert result.exit_code == 1
    assert (
        result.output.strip() == f"Error: {tmp_path}/manifest.json: missing: not a snapshot directory, or a partial one"
    )
    assert not (tmp_path / "out").exists()


# -- everyday paths: where calls go, one-line errors, the whole job from the CLI -------------


def fetched(runner: CliRunner, service: LocalService, tmp_path: Path, compiled_env: dict[str, str]) -> dict[str, str]:
    env = {**fetch_env(service), **compiled_env, "BOOMI_SOAP_CACHE_DIR": str(tmp_path / "cache")}
    assert runner.invoke(main, ["fetch"], env=env).exit_code == 0
    return env


@pytest.mark.contracts("split", why="output formatting does not depend on the layout")
def test_call_query_streams_every_record_as_xml_or_json_lines(
    runner: CliRunner, service: LocalService, tmp_path: Path, compiled_env: dict[str, str]
) -> None:
    env = fetched(runner, service, tmp_path, compiled_env)
    xml = runner.invoke(main, ["call", "query", "ExecutionRecord", "--format", "xml"], env=env)
    assert xml.exit_code == 0, xml.output
    assert len(etree.fromstring(xml.stdout.encode()).findall("result")) == 260
    lines = runner.invoke(main, ["call", "query", "ExecutionRecord"], env=env).stdout.splitlines()
    assert len(lines) == 260
    assert {json.loads(line)["@type"] for line in lines} == {"ExecutionRecord"}


@pytest.mark.contracts("split", why="paging does not depend on the layout")
def test_call_query_limit_reads_no_further_page(
    runner: CliRunner, service: LocalService, tmp_path: Path, compiled_env: dict[str, str]
) -> None:
    env = fetched(runner, service, tmp_path, compiled_env)
    before = service.limit_stats().accepted
    result = runner.invoke(
        main, ["call", "query", "ExecutionRecord", "--limit", "5", "--sort", "executionTime:DESC"], env=env
    )
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 5
    assert service.limit_stats().accepted - before == 1


@pytest.mark.contracts("split", why="argument parsing does not depend on the layout")
@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (["call", "query", "Process", "--filter", "name = 'Orders"],
         2, "Error: Invalid value for '--filter': filter \"name = 'Orders\": No closing quotation (close the quote,"),
        # Issue 26: plain dates are UTC midnight everywhere; a date-time without a zone is refused here.
        (["call", "query", "ExecutionRecord", "--filter", "executionTime BETWEEN 2026-11-01T00:00:00 2026-11-02"],
         2, "Error: Invalid value for '--filter': filter value '2026-11-01T00:00:00' has no time zone; add Z"),
        (["call", "create", "-"], 1, "Error: object: <stdin>: empty input; give an object as XML or JSON"),
        (["call", "create", "missing.json"], 1, "Error: missing.json: cannot read (No such file or directory)"),
        (["call", "delete", "Environment", "nope"], 1, "Error: delete: Environment nope did not exist"),
        (["call", "execute", "atom"], 2, "Error: give exactly one of --process-id and --process-name"),
    ],
)  # fmt: skip
def test_call_mistakes_are_one_line(
    runner: CliRunner,
    service: LocalService,
    tmp_path: Path,
    compiled_env: dict[str, str],
    args: list[str],
    status: int,
    message: str,
) -> None:
    env = fetched(runner, service, tmp_path, compiled_env)
    result = runner.invoke(main, ["-q", *args], env=env, input="")
    assert result.exit_code == status, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert len([line for line in result.output.splitlines() if line.startswith("Error")]) == 1


@pytest.mark.contracts("split", why="the envelope shape is covered per layout elsewhere")
def test_dry_run_prints_the_signed_redacted_envelope_and_sends_nothing(
    runner: CliRunner, service: LocalService, tmp_path: Path, compiled_env: dict[str, str]
) -> None:
    env = fetched(runner, service, tmp_path, compiled_env)
    before = service.limit_stats().accepted
    obj = json.dumps({"@type": "Environment", "name": "QA", "classification": "TEST"})
    result = runner.invoke(main, ["call", "create", "--dry-run"], env=env, input=obj)
    assert result.exit_code == 0, result.output
    envelope = etree.fromstring(result.stdout.encode())
    password = envelope.find(".//{*}UsernameToken/{*}Password")
    assert password is not None
    assert password.text == "***"
    assert envelope.find(".//{*}Body/{*}create/object").get("name") == "QA"  # type: ignore[union-attr]
    assert DEFAULT_PASSWORD not in result.output
    assert "call create: dry run, nothing sent" in result.stderr
    (tmp_path / "create.xml").write_text(result.stdout)
    resent = runner.invoke(main, ["call", "send", str(tmp_path / "create.xml"), "--dry-run"], env=env)
    assert resent.exit_code == 0, resent.output
    assert etree.fromstring(resent.stdout.encode()).find(".//{*}UsernameToken/{*}Password").text == "***"  # type: ignore[union-attr]
    assert DEFAULT_PASSWORD not in resent.output
    assert service.limit_stats().accepted == before


def test_cache_verify_on_a_mistyped_path_exits_1(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["cache", "verify", "--cache-dir", str(tmp_path / "typo")])
    assert result.exit_code == 1
    assert result.output == f"error: {tmp_path}/typo: no snapshot found (a mistyped --cache-dir or --account?)\n"
    as_json = runner.invoke(main, ["cache", "verify", "--cache-dir", str(tmp_path / "typo"), "--format", "json"])
    assert json.loads(as_json.stdout)["ok"] is False


@pytest.mark.contracts("split", why="the pointer does not depend on the layout")
def test_cache_verify_when_the_pointer_is_a_directory(
    runner: CliRunner, service: LocalService, tmp_path: Path, compiled_env: dict[str, str]
) -> None:
    fetched(runner, service, tmp_path, compiled_env)
    pointer = tmp_path / "cache" / "platform" / DEFAULT_ACCOUNT / "CURRENT"
    pointer.unlink()
    pointer.mkdir(mode=0o700)
    result = runner.invoke(main, ["cache", "verify", "--cache-dir", str(tmp_path / "cache")])
    assert result.exit_code == 1
    assert f"error: {pointer}: is not a regular file" in result.output.splitlines()
    assert "Traceback" not in result.output


def test_validate_on_an_empty_folder_exits_1(runner: CliRunner, tmp_path: Path, compiled_env: dict[str, str]) -> None:
    result = runner.invoke(main, ["validate", str(tmp_path)], env=compiled_env)
    assert result.exit_code == 1
    assert f"error: {tmp_path}: no *.xml file in this folder" in result.output


def test_fetch_into_an_unwritable_folder_is_one_line(runner: CliRunner, service: LocalService, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    result = runner.invoke(
        main, ["-q", "fetch", "--cache-dir", str(tmp_path / "file" / "cache")], env=fetch_env(service)
    )
    assert result.exit_code == 1
    assert result.output == f"Error: {tmp_path}/file/cache: cannot write the cache (Not a directory)\n"


def test_cache_diff_exit_code_and_json_listings(runner: CliRunner) -> None:
    pinned = Path(__file__).parents[3] / "wsdl_cache" / "platform" / DEFAULT_ACCOUNT
    current = pinned / (pinned / "CURRENT").read_text().strip()
    drifted = next(p for p in pinned.iterdir() if p.is_dir() and p != current)
    assert runner.invoke(main, ["cache", "diff", str(current), str(current), "--exit-code"]).exit_code == 0
    changed = runner.invoke(main, ["cache", "diff", str(current), str(drifted), "--exit-code", "--format", "json"])
    assert changed.exit_code == 1
    assert json.loads(changed.stdout)
    listed = runner.invoke(
        main, ["cache", "list", "--cache-dir", str(pinned.parents[1]), "--account", DEFAULT_ACCOUNT, "--format", "json"]
    )
    mine = {
        (Path(r["snapshot"]).name, r["current"])
        for r in json.loads(listed.stdout)
        if r["snapshot"].startswith(str(pinned))
    }
    assert mine == {(current.name, True), (drifted.name, False)}  # the partner pin of the account is listed too


def test_ctrl_c_exits_130(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import boomi_soap.snapshot.cache

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(boomi_soap.snapshot.cache, "refresh", interrupted)
    env = {"BOOMI_ACCOUNT_ID": "a-1", "BOOMI_USERNAME": "u", "BOOMI_PASSWORD": "p", "BOOMI_BASE_URL": ""}
    result = runner.invoke(main, ["fetch", "--cache-dir", str(tmp_path)], env=env)
    assert result.exit_code == 130
    assert result.output.endswith("interrupted\n")


@pytest.mark.parametrize(("flags", "level"), [(["-vv"], logging.WARNING), (["-vvv"], logging.DEBUG)])
def test_debug_keeps_zeep_quiet_until_vvv(runner: CliRunner, flags: list[str], level: int) -> None:
    try:
        runner.invoke(main, [*flags, "cache", "list", "--cache-dir", "/nonexistent"])
        assert logging.getLogger("zeep").level == level
    finally:
        logging.getLogger("zeep").setLevel(logging.NOTSET)


@pytest.mark.parametrize(
    ("words", "variables"),
    [
        (["fetch"], ["BOOMI_ACCOUNT_ID", "BOOMI_BASE_URL", "BOOMI_USERNAME", "BOOMI_PASSWORD", "BOOMI_API_TOKEN",
                     "BOOMI_SOAP_CACHE_DIR", "BOOMI_FLAVOUR"]),
        (["serve"], ["BOOMI_SERVE_USER", "BOOMI_SERVE_PASSWORD", "BOOMI_SERVE_API_TOKEN", "BOOMI_SERVE_RECORDS"]),
        (["quickstart"], ["BOOMI_BASE_URL", "BOOMI_USERNAME", "BOOMI_PASSWORD", "BOOMI_API_TOKEN"]),
        (["call", "get"], ["BOOMI_ACCOUNT_ID", "BOOMI_BASE_URL", "BOOMI_USERNAME", "BOOMI_SOAP_CACHE_DIR"]),
        (["codegen"], ["BOOMI_ACCOUNT_ID", "BOOMI_SOAP_CACHE_DIR"]),
        (["cache", "diff"], ["BOOMI_ACCOUNT_ID", "BOOMI_BASE_URL", "BOOMI_USERNAME"]),
    ],
)  # fmt: skip
def test_help_names_the_environment_it_reads(runner: CliRunner, words: list[str], variables: list[str]) -> None:
    shown = " ".join(runner.invoke(main, [*words, "--help"]).output.split())
    for variable in variables:
        assert variable in shown, (words, variable)


def test_serve_ignores_the_client_environment(runner: CliRunner) -> None:
    result = runner.invoke(main, ["serve", "--password", "x"], env={"BOOMI_USERNAME": "ann@example.com"})
    assert result.exit_code == 2
    assert "--password/--api-token need --user (or BOOMI_SERVE_USER)" in result.output


def test_serve_with_the_client_environment_exported_still_takes_the_demo_login() -> None:
    env = {**os.environ, "BOOMI_ACCOUNT_ID": "acme-ABC123", "BOOMI_USERNAME": "ann@example.com",
           "BOOMI_PASSWORD": "real-secret", "BOOMI_API_TOKEN": ""}  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "boomi_soap", "serve", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        base = process.stdout.readline().split()[4]
        reply = requests.get(
            f"{base}/api/soap/v1/{DEFAULT_ACCOUNT}?wsdl", auth=(DEFAULT_USER, DEFAULT_PASSWORD), timeout=10
        )
        assert reply.status_code == 200
    finally:
        process.terminate()
        process.communicate(timeout=10)


def test_quickstart_without_account_reads_no_boomi_variable(runner: CliRunner, compiled_env: dict[str, str]) -> None:
    env = {**compiled_env, "BOOMI_ACCOUNT_ID": "acme-ABC123", "BOOMI_USERNAME": "ann@example.com",
           "BOOMI_PASSWORD": "real-secret", "BOOMI_BASE_URL": "https://api.boomi.com", "BOOMI_FLAVOUR": "partner"}  # fmt: skip
    result = runner.invoke(main, ["quickstart"], env=env)
    assert result.exit_code == 0, result.output
    assert "acme-ABC123" not in result.output


@pytest.mark.contracts("split", why="the tour does not depend on the layout")
def test_quickstart_account_reads_one_page(
    runner: CliRunner, service: LocalService, compiled_env: dict[str, str]
) -> None:
    env = {**fetch_env(service), **compiled_env}
    before = service.limit_stats().accepted
    result = runner.invoke(main, ["quickstart", "--account", DEFAULT_ACCOUNT, "--base-url", service.base_url], env=env)
    assert result.exit_code == 0, result.output
    assert "query      ExecutionRecord: 100 records in 1 pages (first page only; more not read)" in result.stdout
    assert (
        f"quickstart: account {DEFAULT_ACCOUNT} (--account); base URL {service.base_url} (--base-url)" in result.stderr
    )
    assert service.limit_stats().accepted - before == 2  # get and one query page


@pytest.mark.contracts("split", why="the tour does not depend on the layout")
def test_quickstart_account_when_the_answer_is_not_an_account(
    runner: CliRunner, service: LocalService, compiled_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from boomi_soap.client import Client

    monkeypatch.setattr(Client, "get", lambda self, kind, key: self.new_object("Process", name="x"))
    env = {**fetch_env(service), **compiled_env}
    result = runner.invoke(main, ["-q", "quickstart", "--account", DEFAULT_ACCOUNT], env=env)
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        f"Error: get: Account {DEFAULT_ACCOUNT} answered a Process, not an Account"
    )


@pytest.mark.contracts("split", why="the host choice does not depend on the layout")
def test_eu_is_named_as_the_endpoints_source(
    runner: CliRunner, service: LocalService, tmp_path: Path, compiled_env: dict[str, str]
) -> None:
    env = fetched(runner, service, tmp_path, compiled_env)
    result = runner.invoke(main, ["call", "get", "Account", DEFAULT_ACCOUNT, "--eu", "--dry-run"], env=env)
    assert result.exit_code == 0, result.output
    assert (
        f"call get: endpoint https://api.platform.gb.boomi.com/api/soap/v1/{DEFAULT_ACCOUNT} (--eu);" in result.stderr
    )
    both = runner.invoke(main, ["fetch", "--eu", "--base-url", service.base_url], env=env)
    assert both.exit_code == 2
    assert "give --base-url or --eu, not both" in both.output


def test_fetch_takes_the_network_options(runner: CliRunner, service: LocalService, tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("")  # not needed on plain http to loopback: only that it is accepted and used
    result = runner.invoke(
        main, ["fetch", "--cache-dir", str(tmp_path / "c"), "--ca-bundle", str(bundle), "--format", "json"],
        env=fetch_env(service),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["state"] == "new snapshot"


@pytest.mark.contracts("split", why="the cache choice does not depend on the layout")
def test_the_default_cache_is_named_for_what_it_is(
    runner: CliRunner, service: LocalService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "wsdl_cache").mkdir(mode=0o700)
    env = {**fetch_env(service), "BOOMI_SOAP_CACHE_DIR": ""}
    result = runner.invoke(main, ["fetch"], env=env)
    assert result.exit_code == 0, result.output
    assert f"fetch: cache {tmp_path}/wsdl_cache (default: ./wsdl_cache here)" in result.stderr


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.contracts("split", why="the cache choice does not depend on the layout")
def test_fetch_refuses_the_bundled_snapshots_naming_cache_dir(
    runner: CliRunner, service: LocalService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue 26: the README's `serve` + `fetch` in the source checkout rewrote tracked package data.
    from boomi_soap.snapshot.cache import pinned_store

    pinned = pinned_store().root
    before = _tree(pinned)
    monkeypatch.chdir(pinned.parent)
    attempts = (
        (["--cache-dir", "wsdl_cache"], {}),
        (["--cache-dir", str(pinned / "platform")], {}),  # inside it is the same data
        ([], {"BOOMI_SOAP_CACHE_DIR": str(pinned)}),
    )
    for flags, extra in attempts:
        result = runner.invoke(main, ["fetch", *flags], env=fetch_env(service, **extra))
        assert result.exit_code == 2, result.output
        error = [line for line in result.stderr.splitlines() if line.startswith("Error")]
        assert len(error) == 1, result.stderr
        assert "bundled wsdl_cache/ (read-only); give another --cache-dir" in error[0]
        assert "'--cache-dir'" in error[0]
        assert "Traceback" not in result.output
    assert _tree(pinned) == before
    # Elsewhere the same command works.
    done = runner.invoke(main, ["fetch", "--cache-dir", str(tmp_path / "mine")], env=fetch_env(service))
    assert done.exit_code == 0, done.output
    assert _tree(pinned) == before


@pytest.mark.contracts("split", why="the cache choice does not depend on the layout")
def test_update_pinned_is_the_maintainers_way_to_re_pin(
    runner: CliRunner, service: LocalService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On a copy standing in for the package's own directory: the real one stays as it is.
    import shutil

    from boomi_soap.cli import fetch
    from boomi_soap.snapshot.cache import pinned_store

    copy = tmp_path / "wsdl_cache"
    shutil.copytree(pinned_store().root, copy)
    monkeypatch.setattr(fetch, "pinned_root", lambda: copy.resolve())
    refused = runner.invoke(main, ["fetch", "--cache-dir", str(copy)], env=fetch_env(service))
    assert refused.exit_code == 2
    before = _tree(copy)
    assert before == _tree(pinned_store().root)
    done = runner.invoke(main, ["fetch", "--cache-dir", str(copy), "--update-pinned"], env=fetch_env(service))
    assert done.exit_code == 0, done.output
    assert _tree(copy) != before


@pytest.mark.contracts("split", why="the reading mode does not depend on the layout")
def test_call_reads_a_drifted_answer_and_says_so_or_refuses_it_with_strict_responses(
    runner: CliRunner, service: LocalService, tmp_path: Path, compiled_env: dict[str, str]
) -> None:
    from tests.drifting import drifting_proxy

    env = fetched(runner, service, tmp_path, compiled_env)
    with drifting_proxy(
        service.base_url, lambda body, kind: body.replace(b'status="ONLINE"', b'status="RESTARTING"')
    ) as proxy:
        read = runner.invoke(main, ["call", "query", "Atom", "--base-url", proxy, "-v"], env=env)
        assert read.exit_code == 0, read.output
        assert "RESTARTING" in read.stdout
        summary = [line for line in read.stderr.splitlines() if "from the snapshot" in line]
        assert summary == ["call query: 1 deviation from the snapshot: Atom.status unknown-value (x1)"]
        refused = runner.invoke(main, ["call", "query", "Atom", "--base-url", proxy, "--strict-responses"], env=env)
    assert refused.exit_code == 1
    errors = [line for line in refused.stderr.splitlines() if line.startswith("Error")]
    assert len(errors) == 1
    assert "@status" in errors[0]
    assert "Traceback" not in refused.stderr
    clean = runner.invoke(main, ["call", "query", "Atom", "-v"], env=env)
    assert "call query: answers fit the snapshot: no deviation" in clean.stderr


# -- output for people: tables on a terminal, progress on stderr; pipes unchanged --------------


def _on_a_terminal(
    args: list[str], env: dict[str, str], *, stdout_too: bool = True, columns: int = 120
) -> tuple[str, str]:
    """Run the CLI with stderr (and stdout, unless piped) on a real pseudo-terminal: (stdout, terminal)."""
    import fcntl
    import pty
    import struct
    import termios
    import threading

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BOOMI_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "boomi_soap", *args],
        stdout=slave if stdout_too else subprocess.PIPE,
        stderr=slave,
        stdin=subprocess.DEVNULL,
        env={**clean, **env, "TERM": "xterm", "COLUMNS": str(columns)},
    )
    os.close(slave)
    seen: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the other side closed
                return
            if not chunk:
                return
            seen.append(chunk)

    reader = threading.Thread(target=drain)
    reader.start()
    piped = process.communicate(timeout=60)[0] if not stdout_too else b""
    process.wait(timeout=60)
    reader.join(timeout=10)
    os.close(master)
    assert process.returncode == 0, b"".join(seen).decode(errors="replace")
    terminal = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", b"".join(seen).decode()).replace("\r\n", "\n")
    return (piped or b"").decode(), terminal


@pytest.mark.contracts("split", why="output formatting does not depend on the layout")
def test_a_query_on_a_terminal_is_a_table_with_names_beside_ids_and_its_pages_on_stderr(
    runner: CliRunner, service: LocalService, tmp_path: Path, compiled_env: dict[str, str]
) -> None:
    env = fetched(runner, service, tmp_path, compiled_env)
    args = ["call", "query", "ExecutionRecord", "--sort", "executionTime:DESC"]
    _, terminal = _on_a_terminal(args, env, columns=140)
    lines = [line.rstrip() for line in terminal.splitlines()]
    assert "query ExecutionRecord: 100 read in 1 page" in terminal
    assert "query ExecutionRecord: 260 read in 3 pages" in lines
    title = lines.index("ExecutionRecord")
    header = lines[title + 2].split()
    assert header[0] == "executionId"
    assert {"processName", "atomName", "status"} <= set(header)
    piped = runner.invoke(main, args, env=env)
    records = [json.loads(line) for line in piped.stdout.splitlines()]
    rows = lines[title + 4 : title + 4 + 260]
    for record, row in zip(records, rows, strict=True):  # the same records, in the same order
        assert row.split()[0] == record["executionId"]
        assert record["processName"] in row
        assert record["atomName"] in row
    assert lines[title + 4 + 261].startswith("260 results; ")
    assert all(len(line) <= 140 for line in lines[title:])  # the table fits the terminal

    _, quiet = _on_a_terminal(["-q", "call", "query", "ExecutionRecord"], env)
    assert "read in" not in quiet
    assert "call query:" not in quiet
    assert quiet.lstrip().startswith("ExecutionRecord")


@pytest.mark.contracts("split", why="output formatting does not depend on the layout")
def test_piped_output_is_unchanged_and_progress_goes_to_the_terminal_on_stderr(
    runner: CliRunner, service: LocalService, tmp_path: Path, compiled_env: dict[str, str]
) -> None:
    from boomi_soap.cli._output import render_json_line
    from boomi_soap.client import Client

    env = fetched(runner, service, tmp_path, compiled_env)
    piped = runner.invoke(main, ["call", "query", "ExecutionRecord"], env=env)
    assert piped.exit_code == 0, piped.output
    assert "read in" not in piped.stderr  # no terminal: no progress
    with Client.from_cache(env=env) as client:  # what the library renders: what a pipe always read
        expected = "".join(render_json_line(r) + "\n" for r in client.query("ExecutionRecord"))
    assert piped.stdout == expected
    stdout, terminal = _on_a_terminal(["call", "query", "ExecutionRecord"], env, stdout_too=False)
    assert stdout == expected  # a pipe reads JSON lines, whatever stderr is
    assert "query ExecutionRecord: 260 read in 3 pages" in terminal
    stdout, terminal = _on_a_terminal(["-q", "call", "query", "ExecutionRecord"], env, stdout_too=False)
    assert (stdout, terminal) == (expected, "")
    xml = runner.invoke(main, ["call", "query", "Environment", "--format", "xml"], env=env)
    assert xml.stdout.startswith("<results>")
    assert xml.stdout.count('<result type="Environment"') == 3


@pytest.mark.contracts("split", why="output formatting does not depend on the layout")
def test_format_table_into_a_pipe_prints_every_column_whole(
    runner: CliRunner, service: LocalService, tmp_path: Path, compiled_env: dict[str, str]
) -> None:
    env = fetched(runner, service, tmp_path, compiled_env)
    found = runner.invoke(main, ["-q", "call", "query", "Process", "--format", "table"], env=env)
    assert found.exit_code == 0, found.output
    lines = [line.rstrip() for line in found.stdout.splitlines()]
    assert "\x1b" not in found.stdout
    assert lines[0] == "Process"
    assert lines[2].split() == ["id", "name", "Description"]
    processes = [
        json.loads(line) for line in runner.invoke(main, ["call", "query", "Process"], env=env).stdout.splitlines()
    ]
    for process in processes:
        assert any(line.split()[0] == process["id"] and process["name"] in line for line in lines[4:])
    assert lines[-1] == f"{len(processes)} results"
    got = runner.invoke(main, ["-q", "call", "get", "Account", DEFAULT_ACCOUNT, "--format", "table"], env=env)
    rows = [line.strip().split(None, 1) for line in got.stdout.splitlines()[4:] if line.strip()]
    assert rows[:2] == [["accountId", DEFAULT_ACCOUNT], ["name", "Local Demo Account"]]
    described = " ".join(runner.invoke(main, ["call", "query", "--help"]).output.split())
    assert "[default: table on a terminal, else json]" in described


@pytest.mark.contracts("split", why="the cache's listing does not depend on the layout")
def test_cache_list_as_a_table_names_the_account_beside_each_snapshot(
    runner: CliRunner, service: LocalService, tmp_path: Path, compiled_env: dict[str, str]
) -> None:
    env = fetched(runner, service, tmp_path, compiled_env)
    piped = runner.invoke(main, ["cache", "list"], env=env)
    (line,) = piped.stdout.splitlines()
    directory = Path(line.split()[-1])  # the path stays the last word, as it was the only one
    # Issue 26: it showed only paths; now what each snapshot is, and from where.
    assert line.startswith(f"* {DEFAULT_ACCOUNT} (platform) {directory.name}: ")
    assert f" files from {service.endpoint()}, fetched 20" in line
    table = runner.invoke(main, ["cache", "list", "--format", "table"], env=env)
    lines = [line.rstrip() for line in table.stdout.splitlines()]
    assert lines[0] == f"Snapshots in {tmp_path / 'cache'}"
    assert lines[2].split() == ["id", "current", "account", "flavour", "files", "endpoint", "fetched", "directory"]
    assert lines[4].split()[:4] == [directory.name, "*", DEFAULT_ACCOUNT, "platform"]
    assert lines[4].split()[-1] == str(directory)
    assert lines[-1] == "1 result"


@pytest.mark.contracts("split", why="the fetch's progress does not depend on the layout")
def test_fetch_counts_its_documents_on_a_terminal_and_q_silences_them(
    service: LocalService, tmp_path: Path, compiled_env: dict[str, str]
) -> None:
    env = {**fetch_env(service), **compiled_env, "BOOMI_SOAP_CACHE_DIR": str(tmp_path / "cache")}
    stdout, terminal = _on_a_terminal(["fetch"], env, stdout_too=False)
    assert stdout.startswith("new snapshot: ")
    found = re.search(r"\((\d+) files", stdout)
    assert found is not None
    assert f"fetch: {found.group(1)} documents" in [line.strip() for line in terminal.splitlines()]
    stdout, terminal = _on_a_terminal(["-q", "fetch"], env, stdout_too=False)
    assert stdout.startswith("unchanged: ")
    assert terminal == ""


def test_codegen_shows_its_steps_on_a_terminal_and_q_silences_them(tmp_path: Path) -> None:
    # Issue 26: codegen (seconds of schema reading) showed nothing until it was done.
    env = {"BOOMI_SOAP_COMPILED_DIR": compiled(), "BOOMI_SOAP_CACHE_DIR": str(tmp_path / "none")}
    stdout, terminal = _on_a_terminal(["codegen", "--out", str(tmp_path / "acme")], env, stdout_too=False)
    assert stdout.startswith("wrote "), stdout
    files = re.search(r"file\(s\) of (\d+) to", stdout)
    assert files is not None
    assert f"codegen: {files.group(1)} file(s) generated" in [line.strip() for line in terminal.splitlines()]
    stdout, terminal = _on_a_terminal(["-q", "codegen", "--out", str(tmp_path / "acme")], env, stdout_too=False)
    assert stdout.startswith("wrote 0 changed file(s)"), stdout
    assert terminal == ""


@pytest.mark.contracts("split", why="what a pipe imports does not depend on the layout")
def test_a_piped_query_never_imports_rich(
    runner: CliRunner, service: LocalService, tmp_path: Path, compiled_env: dict[str, str]
) -> None:
    env = fetched(runner, service, tmp_path, compiled_env)
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BOOMI_")}
    piped = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "boomi_soap", "call", "query", "Environment"],
        capture_output=True, text=True, env={**clean, **env}, timeout=60, check=True,
    )  # fmt: skip
    assert len(piped.stdout.splitlines()) == 3
    imported = {line.split("|")[-1].strip() for line in piped.stderr.splitlines() if line.startswith("import time:")}
    assert "boomi_soap.cli._output" in imported  # the query's progress object, created disabled
    assert not {name for name in imported if name == "rich" or name.startswith("rich.")}


@pytest.mark.parametrize("sort", ["executionTime:down", ":ASC", "executionTime:"])
def test_call_query_refuses_a_sort_direction_the_service_would_ignore(runner: CliRunner, sort: str) -> None:
    result = runner.invoke(main, ["call", "query", "ExecutionRecord", "--sort", sort])
    if sort.endswith(":"):  # no direction given: ascending, as without the colon
        assert "--sort" not in result.output
        return
    assert result.exit_code == 2
    assert "'--sort'" in result.output
    assert "FIELD:DESC" in result.output
