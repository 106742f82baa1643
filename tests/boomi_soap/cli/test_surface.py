"""One command-line surface (issue 26): the shared option set, local checks before sending, and the small items."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from boomi_soap.cli import main
from boomi_soap.cli._options import EU_HOST
from boomi_soap.localservice import DEFAULT_ACCOUNT, LocalService
from tests.boomi_soap.cli.conftest import compiled
from tests.boomi_soap.cli.test_commands import fetch_env, fetched

SHARED = {
    "--account", "--sub-account", "--base-url", "--eu", "--user", "--cache-dir", "--timeout", "--proxy",
    "--ca-bundle", "--client-cert", "--limiter", "--transport", "--format", "--dry-run", "--strict-responses",
}  # fmt: skip
CALLING = [
    ["call", "get"], ["call", "query"], ["call", "create"], ["call", "update"], ["call", "delete"],
    ["call", "execute"], ["call", "send"], ["run"], ["deploy"], ["promote"], ["schedules"], ["extensions"],
    ["ipack", "available"], ["ipack", "installed"], ["ipack", "install"], ["ipack", "execute"],
    ["ipack", "extensions"], ["ipack", "records"], ["ipack", "uninstall"], ["ipack", "environments"],
]  # fmt: skip


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def compiled_env() -> dict[str, str]:
    return {"BOOMI_SOAP_COMPILED_DIR": compiled()}


def _command(words: list[str]) -> click.Command:
    ctx = click.Context(main)
    command = main.get_command(ctx, words[0])
    for word in words[1:]:
        assert isinstance(command, click.Group)
        command = command.commands[word]
    assert command is not None
    return command


def _error(result: Result) -> str:
    errors = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert len(errors) == 1, result.output
    assert "Traceback" not in result.output
    return errors[0]


@pytest.mark.parametrize("words", CALLING, ids=" ".join)
def test_every_command_that_calls_takes_the_one_option_set(words: list[str]) -> None:
    options = {opt for param in _command(words).params if isinstance(param, click.Option) for opt in param.opts}
    assert options >= SHARED, sorted(SHARED - options)


def test_timeout_means_one_thing_and_a_whole_run_has_its_own() -> None:
    for words in CALLING:
        (timeout,) = [p for p in _command(words).params if "--timeout" in getattr(p, "opts", ())]
        assert timeout.help is not None
        assert "per request" in timeout.help, words
    for words in (["run"], ["ipack", "execute"]):
        (whole,) = [p for p in _command(words).params if "--run-timeout" in getattr(p, "opts", ())]
        assert whole.help is not None
        assert "whole run" in whole.help


def test_help_says_where_names_or_ids_are_taken_and_how_to_quote_a_filter(runner: CliRunner) -> None:
    for words in (["run"], ["deploy"], ["promote"], ["schedules"], ["extensions"], ["ipack", "install"],
                  ["ipack", "execute"], ["call", "execute"]):  # fmt: skip
        shown = runner.invoke(main, [*words, "--help"]).output
        assert "id or name" in " ".join(shown.split()), words
    query = " ".join(runner.invoke(main, ["call", "query", "--help"]).output.split())
    assert "--filter \"name = 'Orders - Shopify to SAP'\"" in query
    assert "plain date meaning 00:00 UTC" in query
    send = " ".join(runner.invoke(main, ["call", "send", "--help"]).output.split())
    assert "[default: xml]" in send  # issue 26: its help said XML while it printed JSON when piped


def test_the_eu_host_is_the_librarys() -> None:
    from boomi_soap.credentials import EU_BASE_URL

    assert EU_HOST == EU_BASE_URL


@pytest.mark.contracts("split", why="the local checks read the snapshot, the same in every layout")
def test_types_fields_and_times_are_checked_locally_with_did_you_mean(
    runner: CliRunner, service: LocalService, tmp_path: Path, compiled_env: dict[str, str]
) -> None:
    env = fetched(runner, service, tmp_path, compiled_env)
    before = service.limit_stats().accepted
    cases = [
        (["call", "get", "Proces", "x"], "'TYPE': 'Proces' is not an object type of this account's schema; did you"
         " mean Process?"),
        (["call", "delete", "Enviroment", "x"], "did you mean Environment?"),
        (["call", "query", "ExecutionRecord", "--filter", "statuz = ERROR"],
         "'--filter': ExecutionRecord has no field 'statuz'; did you mean status?"),
        (["call", "query", "ExecutionRecord", "--sort", "executionTme:DESC"], "did you mean executionTime?"),
    ]  # fmt: skip
    for args, message in cases:
        result = runner.invoke(main, args, env=env)
        assert result.exit_code == 2, result.output
        assert message in _error(result)
    assert service.limit_stats().accepted == before  # refused before anything was sent
    # Issue 26: a plain date is UTC midnight, in --filter as in every time input.
    sent = runner.invoke(main, ["call", "query", "ExecutionRecord", "--dry-run",
                                "--filter", "executionTime BETWEEN 2026-11-01 2026-11-02T12:00:00+01:00"], env=env)  # fmt: skip
    assert sent.exit_code == 0, sent.output
    assert "argument>2026-11-01T00:00:00Z</" in sent.stdout
    assert "argument>2026-11-02T11:00:00Z</" in sent.stdout
    found = runner.invoke(main, ["call", "query", "ExecutionRecord", "--filter", "executionTime >= 2026-11-01",
                                 "--limit", "2"], env=env)  # fmt: skip
    assert found.exit_code == 0, found.output
    assert len(found.stdout.splitlines()) == 2


@pytest.mark.contracts("split", why="what a change prints does not depend on the layout")
def test_delete_and_execute_say_what_they_did_and_dry_run_json_is_json(
    runner: CliRunner, service: LocalService, tmp_path: Path, compiled_env: dict[str, str]
) -> None:
    env = fetched(runner, service, tmp_path, compiled_env)
    created = runner.invoke(main, ["call", "create"], env=env, input='{"@type": "Environment", "name": "Gone"}')
    assert created.exit_code == 0, created.output
    environment = json.loads(created.stdout)["id"]
    deleted = runner.invoke(main, ["-q", "call", "delete", "Environment", environment, "--format", "table"], env=env)
    assert deleted.exit_code == 0, deleted.output
    assert deleted.stdout == f"deleted Environment {environment}\n"  # on stdout: -q keeps it
    started = runner.invoke(main, ["-q", "call", "execute", "Production Atom", "--process-name",
                                   "Orders - Shopify to SAP", "--format", "json"], env=env)  # fmt: skip
    assert started.exit_code == 0, started.output
    shown = json.loads(started.stdout)
    assert shown["started"] is True
    assert shown["atom"] == "Production Atom"  # a name, resolved to the id it sent
    assert shown["atomId"] != "Production Atom"
    # Issue 26: `--dry-run --format json` printed XML.
    dry = runner.invoke(main, ["call", "get", "Account", DEFAULT_ACCOUNT, "--dry-run", "--format", "json"], env=env)
    assert dry.exit_code == 0, dry.output
    request = json.loads(dry.stdout)
    assert request["operation"] == "get"
    assert request["dry_run"] is True
    assert "<soapenv:Envelope" in request["request"] or "Envelope" in request["request"]
    # Piped without --format, the dry run is still the envelope itself (README: --dry-run > get.xml).
    assert runner.invoke(main, ["call", "get", "Account", DEFAULT_ACCOUNT, "--dry-run"], env=env).stdout.startswith("<")


def test_the_dry_run_shows_the_public_password_type_and_masks_the_password(
    runner: CliRunner, service: LocalService, tmp_path: Path, compiled_env: dict[str, str]
) -> None:
    # Issue 26: the dry run masked the public `Password Type` URI with the password.
    env = fetched(runner, service, tmp_path, compiled_env)
    dry = runner.invoke(main, ["-q", "call", "get", "Account", DEFAULT_ACCOUNT, "--dry-run"], env=env)
    assert dry.exit_code == 0, dry.output
    text = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText"
    assert f'Password Type="{text}">***<' in dry.stdout
    assert env["BOOMI_PASSWORD"] not in dry.stdout
    # Still the envelope `call send` takes back, and its password still masked in JSON.
    as_json = runner.invoke(main, ["-q", "call", "get", "Account", DEFAULT_ACCOUNT, "--dry-run", "--format", "json"], env=env)  # fmt: skip
    assert f'Type="{text}">***<' in json.loads(as_json.stdout)["request"]


@pytest.mark.contracts("split", why="REST's error wording does not depend on the layout")
def test_rest_errors_name_the_http_status_not_soap_fault_codes(
    runner: CliRunner, service: LocalService, tmp_path: Path, compiled_env: dict[str, str]
) -> None:
    env = fetched(runner, service, tmp_path, compiled_env)
    result = runner.invoke(main, ["call", "get", "Environment", "nope", "--transport", "rest"], env=env)
    assert result.exit_code == 1
    line = _error(result)
    assert "(HTTP 400)" in line  # Boomi answers an unknown id with 400
    assert "S:Client" not in line
    assert "NOT_FOUND" not in line


@pytest.mark.contracts("split", why="the hint does not depend on the layout")
def test_hints_name_flags_not_python_settings(runner: CliRunner, service: LocalService, tmp_path: Path) -> None:
    env = {**fetch_env(service), "BOOMI_SOAP_CACHE_DIR": str(tmp_path / "cache")}
    assert runner.invoke(main, ["fetch"], env=env).exit_code == 0
    # Without a base URL the snapshot's loopback endpoint is not api.boomi.com: refused, naming the flag.
    unset = {**env, "BOOMI_BASE_URL": ""}
    result = runner.invoke(main, ["call", "get", "Account", DEFAULT_ACCOUNT], env=unset)
    assert result.exit_code == 2
    line = _error(result)
    assert "--base-url" in line
    assert "ClientSettings" not in line
    assert "base_url=" not in line
    # The missing-snapshot hint names the flavour the command asked for.
    partner = runner.invoke(main, ["call", "get", "Account", DEFAULT_ACCOUNT, "--flavour", "partner"], env=env)
    assert partner.exit_code == 1
    assert "run: boomi-soap fetch --flavour partner --account" in _error(partner)


def test_a_wrong_account_is_not_reported_as_bad_credentials(
    runner: CliRunner, service: LocalService, tmp_path: Path
) -> None:
    env = fetch_env(service, BOOMI_ACCOUNT_ID="nosuch-ZZZ999")
    result = runner.invoke(main, ["fetch", "--cache-dir", str(tmp_path)], env=env)
    assert result.exit_code == 1
    line = _error(result)
    assert "were refused" not in line, line
    assert "--account" in line


def test_warnings_are_lines_for_people_without_logger_names() -> None:
    code = (
        "import logging\nfrom boomi_soap.cli import main\n"
        "@main.command('warn-once')\ndef warn_once():\n    logging.getLogger('boomi_soap.client').warning('drifted')\n"
        "import sys\nmain(sys.argv[1:])\n"
    )
    plain = subprocess.run([sys.executable, "-c", code, "warn-once"], capture_output=True, text=True, check=False)
    assert plain.stderr == "warning: drifted\n"
    debugging = subprocess.run([sys.executable, "-c", code, "-v", "warn-once"], capture_output=True, text=True)
    assert debugging.stderr == "WARNING boomi_soap.client: drifted\n"


@pytest.mark.contracts("split", why="what a pipe sees does not depend on the layout")
def test_a_query_into_head_exits_0_on_the_broken_pipe(
    runner: CliRunner, service: LocalService, tmp_path: Path, compiled_env: dict[str, str]
) -> None:
    env = fetched(runner, service, tmp_path, compiled_env)
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BOOMI_")}
    query = subprocess.Popen(
        [sys.executable, "-m", "boomi_soap", "call", "query", "ExecutionRecord"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**clean, **env},
    )  # fmt: skip
    head = subprocess.run(["head", "-1"], stdin=query.stdout, capture_output=True, timeout=60, check=True)
    assert query.stdout is not None
    query.stdout.close()  # as a shell does: only head holds the pipe's reading end
    _, err = query.communicate(timeout=60)
    assert json.loads(head.stdout)["@type"] == "ExecutionRecord"
    assert query.returncode == 0, err
    assert b"Traceback" not in err
    assert b"Exception ignored" not in err


def test_cache_list_names_a_missing_cache_dir_and_cache_show_says_what_it_shows(
    runner: CliRunner, tmp_path: Path
) -> None:
    missing = runner.invoke(main, ["cache", "list", "--cache-dir", str(tmp_path / "typo")])
    assert missing.exit_code == 1
    assert f"{tmp_path / 'typo'}: no such cache directory (--cache-dir)" in _error(missing)
    shown = runner.invoke(main, ["cache", "show"], env={"BOOMI_ACCOUNT_ID": ""})
    assert shown.exit_code == 0, shown.output
    assert "cache show: no --account or --snapshot: showing the bundled reference snapshot" in shown.stderr


def test_schedules_out_of_range_is_refused_before_any_call(runner: CliRunner, tmp_path: Path) -> None:
    # Issue 26: "99 8 * * * *" was accepted; nothing here may reach a client (there is no cache at all).
    result = runner.invoke(main, ["schedules", "P", "--atom", "A", "--set", "99 8 * * * *", "--cache-dir",
                                  str(tmp_path)])  # fmt: skip
    assert result.exit_code == 2
    assert "'--set': '99 8 * * * *': minute '99' is not in 0-59" in _error(result)
    fine = runner.invoke(main, ["schedules", "P", "--atom", "A", "--set", "0 8 * * * *", "--cache-dir", str(tmp_path)])
    assert "minute" not in fine.output  # the check passed; the missing snapshot is what stops it


def test_validate_messages_for_people(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "deep.xml").write_text("<a>" + "<b>" * 300 + "</b>" * 300 + "</a>")
    (tmp_path / "bad.xml").write_text("<a>\n<b>&undefined;</b></a>")
    env = {"BOOMI_SOAP_COMPILED_DIR": compiled()}
    result = runner.invoke(main, ["validate", str(tmp_path / "empty"), str(tmp_path / "deep.xml"),
                                  str(tmp_path / "bad.xml")], env=env)  # fmt: skip
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error")]
    assert errors[1] == f"error: {tmp_path / 'deep.xml'}:1:771: not well-formed XML: Excessive depth in document: 256"
    assert errors[2] == f"error: {tmp_path / 'bad.xml'}:2:15: not well-formed XML: Entity 'undefined' not defined"
    assert "XML_PARSE" not in result.output
    # An empty folder is a folder, not "1 unreadable" document.
    assert (
        result.stderr.splitlines()[-1] == "2 document(s): 0 valid, 0 invalid, 2 unreadable; 1 folder(s) without *.xml"
    )
    element = runner.invoke(main, ["validate", str(tmp_path / "bad.xml"), "--element", "api:Proces"], env=env)
    assert element.exit_code == 2
    assert "'--element': 'api:Proces': the schema declares no such element; did you mean api:Process?" in _error(
        element
    )


def test_quota_reads_the_host_store_by_default_under_cache_dir(runner: CliRunner, tmp_path: Path) -> None:
    from boomi_soap.limits.limiter import HostBackend

    backend = HostBackend(tmp_path / "limits")
    for _ in range(3):
        backend.reserve("acme-ABC123", None, time.time())
    backend.close()
    env = {"BOOMI_SOAP_LIMITER": "", "BOOMI_SOAP_CACHE_DIR": ""}
    result = runner.invoke(main, ["quota", "--account", "acme-ABC123", "--cache-dir", str(tmp_path)], env=env)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "acme-ABC123: 3 calls in the last 24 hours"
    assert f"counts of the host store in {tmp_path / 'limits'}" in result.stderr
    assert "memory limiter" not in result.stderr


def test_log_lines_keep_their_level_in_words() -> None:
    from boomi_soap.cli._output import PlainFormatter

    record = logging.LogRecord("boomi_soap.client", logging.ERROR, __file__, 1, "failed %s", ("x",), None)
    assert PlainFormatter().format(record) == "error: failed x"


def test_the_info_provenance_agrees_with_the_where_line(
    runner: CliRunner,
    service: LocalService,
    tmp_path: Path,
    compiled_env: dict[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Issue 26: at -v the client's INFO line said "(argument)" and "(base_url=)" for values the
    # where-line rightly said came from BOOMI_ACCOUNT_ID and BOOMI_BASE_URL.
    env = fetched(runner, service, tmp_path, compiled_env)

    def info(*args: str) -> tuple[str, Result]:
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="boomi_soap.client"):
            result = runner.invoke(main, ["-v", "call", "get", "Account", DEFAULT_ACCOUNT, *args], env=env)
        assert result.exit_code == 0, result.output
        lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("account ")]
        assert len(lines) == 1, lines
        return lines[0], result

    line, shown = info("--format", "json")
    assert f"account {DEFAULT_ACCOUNT} (BOOMI_ACCOUNT_ID)" in line, line
    assert "(BOOMI_BASE_URL)" in line, line
    assert f"account {DEFAULT_ACCOUNT} (BOOMI_ACCOUNT_ID)" in shown.stderr
    assert "(BOOMI_BASE_URL)" in shown.stderr
    # Given as flags, both sides say so.
    line, flagged = info("--account", DEFAULT_ACCOUNT, "--base-url", service.base_url, "--format", "json")
    assert f"account {DEFAULT_ACCOUNT} (argument)" in line, line
    assert "(base_url=)" in line, line
    assert f"account {DEFAULT_ACCOUNT} (--account)" in flagged.stderr
    assert "(--base-url)" in flagged.stderr


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ("name BETWEEN a", "BETWEEN takes 2 value(s), 1 given"),
        ("name IS_NULL x", "IS_NULL takes 0 value(s), 1 given"),
        ("status = ", "EQUALS takes 1 value(s), 0 given"),
        ("name = Orders - Shopify to SAP", "EQUALS takes 1 value(s), 5 given (quote a value with spaces"),
    ],
)
def test_a_filter_with_the_wrong_number_of_values_is_a_usage_error(
    runner: CliRunner, tmp_path: Path, condition: str, message: str
) -> None:
    # Issue 26: the count of values was checked only by the service (exit 1, after a round trip);
    # now before any client exists (there is no cache at all here).
    result = runner.invoke(main, ["call", "query", "Process", "--filter", condition, "--cache-dir", str(tmp_path)])
    assert result.exit_code == 2, result.output
    line = _error(result)
    assert f"'--filter': filter {condition!r}: {message}" in line, line
