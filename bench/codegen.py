"""Benchmark: generation and import time of our bindings beside xsdata's, same WSDL.

Run from the repository root:  python bench/codegen.py [--rounds N]   (needs: pip install "xsdata[cli]")

Both generators read the pinned reference snapshot (wsdl_cache/), each as a whole
command in a fresh process.  Import time is measured inside fresh processes around the
import statement of each generated package.  The two sides alternate (A B, then B A,
...), so a load change on the machine hits both; each line prints the medians and the
min-max of the per-round ratio.  Bytecode is on in every process this script starts
(PYTHONDONTWRITEBYTECODE removed, as a user's interpreter has it): the first import of
each package writes its ``.pyc`` files in an untimed warm-up, so the figures are the
import a user pays every time after the first.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from boomi_soap.snapshot.cache import pinned_store  # noqa: E402
from boomi_soap.snapshot.reference import REFERENCE_ACCOUNT  # noqa: E402

BIN = Path(sys.executable).parent
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"PATH": f"{BIN}:/usr/bin:/bin"}


def command(argv: list[str], cwd: Path) -> Callable[[], float]:
    def run() -> float:
        started = time.perf_counter()
        subprocess.run(argv, cwd=cwd, check=True, capture_output=True, env=ENV)
        return time.perf_counter() - started

    return run


def importing(module: str, cwd: Path) -> Callable[[], float]:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"

    def run() -> float:
        out = subprocess.run([sys.executable, "-c", code], cwd=cwd, check=True, capture_output=True, text=True, env=ENV)
        return float(out.stdout)

    return run


def alternate(label: str, ours: Callable[[], float], theirs: Callable[[], float], rounds: int) -> None:
    """Run both sides alternately; print medians and the ratio theirs/ours (min-max)."""
    mine: list[float] = []
    peer: list[float] = []
    for index in range(rounds):
        order = [(ours, mine), (theirs, peer)] if index % 2 == 0 else [(theirs, peer), (ours, mine)]
        for work, times in order:
            times.append(work())
    ratios = [b / a for a, b in zip(mine, peer, strict=True)]
    print(
        f"  {label:<28} ours {statistics.median(mine) * 1000:8.0f} ms   xsdata {statistics.median(peer) * 1000:8.0f} ms"
        f"   ours is {statistics.median(ratios):5.2f}x as fast (min-max {min(ratios):.2f}-{max(ratios):.2f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4, help="alternating rounds per comparison (default 4)")
    options = parser.parse_args()
    if shutil.which("xsdata", path=str(BIN)) is None:
        raise SystemExit('xsdata is the peer of this benchmark: pip install "xsdata[cli]"')
    snapshot = pinned_store().current(REFERENCE_ACCOUNT)
    print(f"os.cpu_count() = {os.cpu_count()}; {options.rounds} alternating rounds, fresh processes, bytecode on")
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        for entry in snapshot.files:
            shutil.copy(snapshot.directory / entry.path, work / entry.path)
        ours = command(
            [str(BIN / "boomi-soap"), "-q", "codegen", "--out", str(work / "ours"), "--package", "ours"], work
        )
        theirs = command([str(BIN / "xsdata"), "generate", "service.wsdl", "--package", "theirs"], work)
        print("Generation, the whole command (each side writes its package from the same WSDL):")
        alternate("generate", ours, theirs, options.rounds)
        for module in ("ours", "theirs"):
            importing(module, work)()  # writes the .pyc files, untimed
        print("Import of the generated package, fresh process, bytecode written:")
        alternate("import", importing("ours", work), importing("theirs", work), options.rounds)
        types = sum(1 for line in (work / "ours" / "types.py").read_text().splitlines() if line.startswith("class "))
        modules = len(list((work / "theirs").rglob("*.py")))
        print(f"  ({types} classes and enums in ours, in one module; xsdata's package has {modules} modules)")


if __name__ == "__main__":
    main()
