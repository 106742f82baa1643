"""Tables and progress for people, drawn by rich on a forced terminal, from real answers of the local service."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from boomi_soap.cli._output import PageProgress, cell_text, columns_of, plain, print_record, print_rows
from boomi_soap.client import Client
from boomi_soap.credentials import Credentials
from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER
from boomi_soap.query import F
from boomi_soap.settings import ClientSettings
from boomi_soap.snapshot.cache import Snapshot

CREDENTIALS = Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD)
pytestmark = pytest.mark.contracts("split", why="what a table shows does not depend on the layout")


@pytest.fixture
def client(snapshot: Snapshot, compiled_dir: Path) -> Client:
    """A client of the test's service, on the session's snapshot of it and its compiled schemas."""
    return Client(snapshot, CREDENTIALS, settings=ClientSettings(rate_limit=None), compiled_dir=compiled_dir)


def _terminal(width: int) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=True, width=width, color_system=None), out


def test_the_id_comes_first_and_each_name_sits_beside_its_id(client: Client) -> None:
    records = [plain(r) for r in client.query("ExecutionRecord")][:20]
    columns = columns_of(records, "ExecutionRecord")
    assert columns[0] == "executionId"
    assert columns[columns.index("processId") + 1] == "processName"
    assert columns[columns.index("atomId") + 1] == "atomName"
    assert "@type" not in columns
    environments = [plain(r) for r in client.query("Environment")]
    # parentAccount and parentEnvironment are empty in every row: left out.
    assert columns_of(environments, "Environment") == ["id", "name", "classification"]
    account = plain(client.get("Account", DEFAULT_ACCOUNT))
    assert columns_of([account], "Account")[:2] == ["accountId", "name"]


def test_a_terminal_table_fits_its_width_keeping_ids_and_names(client: Client) -> None:
    records = [plain(r) for r in client.query("ExecutionRecord")][:10]
    console, out = _terminal(120)
    print_rows(records, title="ExecutionRecord", console=console)
    lines = [line.rstrip() for line in out.getvalue().splitlines()]
    assert lines[0].strip() == "ExecutionRecord"
    header = lines[2].split()
    assert header[0] == "executionId"
    assert {"processName", "atomName"} <= set(header)
    assert all(len(line) <= 120 for line in lines)
    text = out.getvalue()
    for record in records:
        assert record["executionId"] in text  # whole, never cut
        assert record["processName"] in text
    assert re.fullmatch(r"10 results; \d+ more columns in --format json", lines[-1])


def test_a_table_into_a_file_keeps_every_column_whole(client: Client) -> None:
    records = [plain(r) for r in client.query("Process")]
    out = io.StringIO()
    print_rows(records, title="Process", file=out)
    lines = [line.rstrip() for line in out.getvalue().splitlines()]
    assert lines[2].split() == ["id", "name", "Description"]
    assert "\x1b" not in out.getvalue()
    for record in records:
        assert any(record["id"] in line and record["name"] in line and record["Description"] in line for line in lines)
    assert lines[-1] == f"{len(records)} results"


def test_one_object_prints_as_its_fields(client: Client) -> None:
    console, out = _terminal(100)
    print_record(plain(client.get("Account", DEFAULT_ACCOUNT)), title="Account", console=console)
    lines = out.getvalue().splitlines()
    assert (lines[0].strip(), lines[2].split()) == ("Account", ["field", "value"])
    rows = [line.strip().split(None, 1) for line in lines[4:] if line.strip()]
    assert rows[:2] == [["accountId", DEFAULT_ACCOUNT], ["name", "Local Demo Account"]]
    assert ["status", "active"] in rows


def test_cells_summarise_what_is_nested() -> None:
    assert cell_text(None) == ""
    assert cell_text(True) == "true"
    assert cell_text({"Privilege": [{"name": "API", "_value_1": None}, {"name": "BUILD"}]}) == "API, BUILD"
    assert cell_text({"a": 1, "b": 2}) == "{2 fields}"


def test_progress_counts_the_pages_then_leaves_one_line(client: Client) -> None:
    console, out = _terminal(100)
    with PageProgress("query ExecutionRecord", enabled=True, console=console) as progress:
        assert sum(1 for _ in client.query("ExecutionRecord", on_page=progress.page)) == 260
    assert (progress.pages, progress.seen) == (3, 260)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out.getvalue())
    for line in ("100 read in 1 page", "200 read in 2 pages"):
        assert f"query ExecutionRecord: {line}" in text  # the live line, page by page
    assert text.splitlines()[-1].strip() == "query ExecutionRecord: 260 read in 3 pages"


def test_disabled_progress_prints_nothing(client: Client) -> None:
    console, out = _terminal(100)
    with PageProgress("query Environment", enabled=False, console=console) as progress:
        list(client.query("Environment", on_page=progress.page))
    assert (progress.pages, out.getvalue()) == (1, "")


def test_rich_is_imported_only_when_a_table_or_progress_is_shown() -> None:
    code = (
        "import sys, boomi_soap, boomi_soap.cli, boomi_soap.cli._output\n"
        "from boomi_soap.cli._output import PageProgress\n"
        "with PageProgress('query X', enabled=False) as p: p.page(1, 5)\n"
        "print('rich' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_a_table_into_an_ascii_stream_replaces_what_it_cannot_write() -> None:
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii", newline="\n")
    print_rows([{"id": "a1", "name": "Zo\u00eb \u2013 Orders"}], title="Process", file=stream)
    print_record({"id": "a1", "name": "Zoë"}, title="Process", file=stream)
    stream.flush()
    lines = [line.rstrip() for line in raw.getvalue().decode("ascii").splitlines()]
    assert (lines[2], lines[4]) == ("  id   name", "  a1   Zo? ? Orders")
    assert set(lines[3].strip()) == {"-"}
    assert "  name    Zo?" in lines


def test_no_results_and_a_narrow_table_keep_the_title_and_count_whole(client: Client) -> None:
    out = io.StringIO()
    print_rows(
        [plain(r) for r in client.query("Environment", F("name") == "nothing such")], title="Environment", file=out
    )
    assert out.getvalue() == "Environment\n0 results\n"
    console, out = _terminal(60)
    print_rows([{"id": "x"}], title="ExecutionRecord", console=console)
    lines = [line.rstrip() for line in out.getvalue().splitlines()]
    assert (lines[0], lines[-1]) == ("ExecutionRecord", "1 result")
