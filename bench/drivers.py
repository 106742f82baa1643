"""The sync and async drivers against the same hostile servers: outcome, wall time and peak memory.

Run from the repository root:  python bench/drivers.py [--only NAME] [--tree DIR]

Each row of ``tests/reliability/test_drivers.py``'s ``HOSTILE`` list runs once per
driver, each in a fresh interpreter, and the table shows the exception each raised,
how long the call took (client construction included) and how much the process's
RSS grew during it (sampled every 5 ms).  The bounds are those of the test: ``total_timeout=1.5`` s,
``max_response_bytes=256`` KiB (8 MiB on the huge-fault row).  A call still running
after ``--limit`` seconds (default 30) is stopped and shown so.  ``--tree DIR`` runs
the ``boomi_soap`` package and ``wsdl_cache`` found in DIR instead (an older checkout,
for a before/after comparison) with this tree's tests.  Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import json, os, sys, tempfile, threading, time
from pathlib import Path
sys.path[:0] = [p for p in sys.argv[3:] if p]
from tests.reliability.test_drivers import DRIVERS, HOSTILE
from tests.scripted import scripted
page = os.sysconf("SC_PAGE_SIZE")
def rss():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * page
peak, done = [0], threading.Event()
def sample():
    while not done.wait(0.005):
        peak[0] = max(peak[0], rss())
row = next(h for h in HOSTILE if h.name == sys.argv[1])
call = DRIVERS[sys.argv[2]]
with tempfile.TemporaryDirectory() as scratch, scripted(row.answer()) as server:
    before = rss()
    threading.Thread(target=sample, daemon=True).start()
    started = time.monotonic()
    try:
        call(server.base_url, Path(scratch), row.operation, row.settings)
        outcome = "returned"
    except Exception as exc:
        outcome = type(exc).__name__
    seconds = time.monotonic() - started
    done.set()
grown = max(0, max(peak[0], rss()) - before) / 2**20
print(json.dumps({"outcome": outcome, "seconds": seconds, "rss": grown}))
"""


def run(name: str, driver: str, tree: Path | None, limit: float) -> str:
    """One row on one driver, in a fresh interpreter: its table cell."""
    paths = [str(tree), str(ROOT)] if tree is not None else [str(ROOT)]
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, name, driver, *paths],
            cwd=tree or ROOT, capture_output=True, text=True, check=True, timeout=limit,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return f"still running after {limit:g} s"
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return f"{found['outcome']} ({found['seconds']:.2f} s, +{found['rss']:.0f} MiB)"


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run only the rows whose name contains this")
    parser.add_argument("--tree", type=Path, help="a directory holding another boomi_soap (and wsdl_cache)")
    parser.add_argument("--limit", type=float, default=30.0, help="seconds before a call is stopped")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from tests.reliability.test_drivers import DRIVERS, HOSTILE

    print("| server behaviour | expected | sync (requests) | async (httpx) | same |")
    print("| --- | --- | --- | --- | --- |")
    for row in HOSTILE:
        if args.only and args.only not in row.name:
            continue
        cells = [run(row.name, driver, args.tree, args.limit) for driver in DRIVERS]
        outcomes = {cell.split(" (")[0] for cell in cells}
        same = "yes" if outcomes == {row.expected.__name__} else "NO"
        print(f"| {row.name} | {row.expected.__name__} | {cells[0]} | {cells[1]} | {same} |", flush=True)


if __name__ == "__main__":
    main()
