"""``boomi-soap call bulk TYPE ID...``: the same objects over SOAP (one get per id) and REST (one bulk call)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.boomi_soap.cli.test_runs import _error_line, _invoker
from tests.boomi_soap.conftest import Connect


def test_call_bulk_prints_what_it_found_and_exits_1_naming_the_rest(
    connect: Connect, tmp_path: Path, transport: str
) -> None:
    service, _ = connect()
    invoke = _invoker(service, tmp_path)
    known = sorted(r.key for r in service.store().all("Environment"))
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text(f"{known[1]}\n\n{known[2]}\n", encoding="utf-8")

    found = invoke("call", "bulk", "Environment", known[0], "--ids-from", str(ids_file), "--transport", transport)
    assert found.exit_code == 0, found.output
    assert sorted(json.loads(line)["id"] for line in found.stdout.splitlines()) == known[:3]
    assert found.stderr.startswith("call bulk: endpoint ")

    before = service.limit_stats().accepted
    planned = invoke("call", "bulk", "Environment", *known, "--dry-run", "--transport", transport)
    assert planned.exit_code == 0, planned.output
    assert planned.stdout == ""
    assert ("POST /Environment/bulk" if transport == "rest" else "one per id") in planned.stderr
    assert service.limit_stats().accepted == before

    partly = invoke("call", "bulk", "Environment", known[0], "environment-nope", "--transport", transport)
    assert partly.exit_code == 1
    assert [json.loads(line)["id"] for line in partly.stdout.splitlines()] == [known[0]]
    assert "call bulk: environment-nope: " in partly.stderr
    assert _error_line(partly) == "Error: 1 of 2 id(s) not found"


@pytest.mark.contracts("split", why="the checks are the CLI's own")
def test_call_bulk_mistakes_are_usage_errors(connect: Connect, tmp_path: Path) -> None:
    service, _ = connect()
    invoke = _invoker(service, tmp_path)
    assert invoke("call", "bulk", "Environment").exit_code == 2
    too_many = invoke("call", "bulk", "Environment", *[f"e-{n}" for n in range(101)])
    assert too_many.exit_code == 1
    assert "at most 100" in _error_line(too_many)
    mistyped = invoke("call", "bulk", "Enviroment", "e-1")
    assert mistyped.exit_code == 2
    assert "Environment" in mistyped.stderr  # did you mean
    assert "BOOMI_ACCOUNT_ID" in invoke("call", "bulk", "--help").stdout
