"""The sync and async drivers against the same hostile servers: outcome, wall time and peak memory.

Run from the repository root:  python bench/drivers.py [--only NAME]

Each row of ``tests/reliability/test_drivers.py``'s ``HOSTILE`` list runs once per
driver, each in a fresh interpreter (so its peak RSS is its own), and the table shows
the exception each raised, how long the call took and the process's peak RSS.  The
bounds are those of the test: ``total_timeout=1.5`` s, ``max_response_bytes=256`` KiB
(8 MiB on the huge-fault row).  Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import json, resource, sys, tempfile, time
from pathlib import Path
from tests.reliability.test_drivers import DRIVERS, HOSTILE
from tests.scripted import scripted
row = next(h for h in HOSTILE if h.name == sys.argv[1])
call = DRIVERS[sys.argv[2]]
with tempfile.TemporaryDirectory() as scratch, scripted(row.answer()) as server:
    started = time.monotonic()
    try:
        call(server.base_url, Path(scratch), row.operation, row.settings)
        outcome = "returned"
    except Exception as exc:
        outcome = type(exc).__name__
    seconds = time.monotonic() - started
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"outcome": outcome, "seconds": seconds, "rss": rss}))
"""


def run(name: str, driver: str) -> dict[str, object]:
    """One row on one driver, in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, name, driver], cwd=ROOT, capture_output=True, text=True, check=True, timeout=300
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run only the rows whose name contains this")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from tests.reliability.test_drivers import DRIVERS, HOSTILE

    print("| server behaviour | expected | sync (requests) | async (httpx) | same |")
    print("| --- | --- | --- | --- | --- |")
    for row in HOSTILE:
        if args.only and args.only not in row.name:
            continue
        cells = []
        outcomes = []
        for driver in DRIVERS:
            found = run(row.name, driver)
            outcomes.append(found["outcome"])
            cells.append(f"{found['outcome']} ({found['seconds']:.2f} s, {found['rss']:.0f} MiB)")
        same = "yes" if len(set(outcomes)) == 1 and outcomes[0] == row.expected.__name__ else "NO"
        print(f"| {row.name} | {row.expected.__name__} | {cells[0]} | {cells[1]} | {same} |", flush=True)


if __name__ == "__main__":
    main()
