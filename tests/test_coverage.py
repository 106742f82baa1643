"""The coverage script: its routes are the objects table's, its counts hold today's floor, every gap has a reason."""

from __future__ import annotations

import re
import subprocess
import sys

from codegen.objects import published_operations
from tests.coverage import ROOT, SURFACES, TODAY, Route, _unanswered, read_routes


def test_the_openapis_object_operations_are_the_objects_tables() -> None:
    routes = read_routes()
    assert len(routes) == 377
    assert {(r.object, r.operation) for r in routes} == {
        (name, operation) for name, operations in published_operations().items() for operation in operations
    }
    assert Route("ListenerStatus", "ASYNC-QUERY", "POST", "/async/ListenerStatus/query") in routes
    assert Route("ClearQueue", "EXECUTE", "POST", "/ClearQueue/execute/{id}") in routes


def test_an_unknown_route_is_not_an_answer() -> None:
    assert _unanswered(404, '{"message": "Endpoint is invalid or no longer exists."}')
    assert _unanswered(400, '{"message": "/JavaRollback/execute/x is not simulated by the local service"}')
    assert _unanswered(503, "")
    assert _unanswered(400, '{"message": "Atom with id x does not exist"}') == ""
    assert _unanswered(200, '{"@type": "Account"}') == ""


def test_the_printed_counts_hold_todays_floor_and_every_gap_has_a_reason() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tests.coverage"], cwd=ROOT, capture_output=True, text=True, check=True, timeout=300
    )
    lines = result.stdout.splitlines()
    assert lines[0] == "object operations in the OpenAPI: 377 (112 objects)"
    counts = {}
    for surface in SURFACES:
        found = next(line for line in lines if line.startswith(f"{surface}: "))
        matched = re.fullmatch(rf"{re.escape(surface)}: (\d+) of 377", found)
        assert matched, found
        counts[surface] = int(matched.group(1))
    assert all(counts[s] >= TODAY[s] for s in SURFACES), counts
    assert counts["TypedClient"] >= 309  # a helper per object and WSDL-carried operation of the table
    for surface in SURFACES:
        start = lines.index(next(line for line in lines if line.startswith(f"missing on {surface} (")))
        declared = int(re.search(r"\((\d+)\):$", lines[start]).group(1))  # type: ignore[union-attr]
        gaps = lines[start + 1 : start + 1 + declared]
        assert declared == 377 - counts[surface]
        assert all(re.fullmatch(r"  \S+ \S+ \((GET|POST|PUT|DELETE) /\S+\): \S.*", gap) for gap in gaps), gaps
