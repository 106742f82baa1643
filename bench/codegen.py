"""Benchmark: generation and import time of our bindings beside xsdata's, same WSDL.

Run from the repository root:  python bench/codegen.py   (needs: pip install "xsdata[cli]")

Both generators read the pinned reference snapshot (wsdl_cache/).  Generation is
the whole command in a fresh process (median of 3); import time is measured inside
fresh processes around the import statement (median of 5).
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from boomi_soap.localservice.config import DEFAULT_ACCOUNT  # noqa: E402
from boomi_soap.snapshot.cache import pinned_store  # noqa: E402

BIN = Path(sys.executable).parent


def timed(command: list[str], cwd: Path, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, cwd=cwd, check=True, capture_output=True, env={"PATH": f"{BIN}:/usr/bin:/bin"})
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def import_time(module: str, cwd: Path) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    runs = []
    for _ in range(5):
        out = subprocess.run([sys.executable, "-c", code], cwd=cwd, check=True, capture_output=True, text=True)
        runs.append(float(out.stdout))
    return statistics.median(runs)


def main() -> None:
    if shutil.which("xsdata", path=str(BIN)) is None:
        raise SystemExit('xsdata is the peer of this benchmark: pip install "xsdata[cli]"')
    snapshot = pinned_store().current(DEFAULT_ACCOUNT)
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        for entry in snapshot.files:
            shutil.copy(snapshot.directory / entry.path, work / entry.path)
        ours = timed([str(BIN / "boomi-soap"), "codegen", "--out", str(work / "ours"), "--package", "ours"], work)
        theirs = timed([str(BIN / "xsdata"), "generate", "service.wsdl", "--package", "theirs"], work)
        print("Generation, whole command (median of 3)")
        print(
            f"  boomi-soap codegen {ours * 1000:7.0f} ms   xsdata generate {theirs * 1000:7.0f} ms   {theirs / ours:.1f}x faster"
        )
        ours_import = import_time("ours", work)
        theirs_import = import_time("theirs", work)
        print("Import of the generated package, fresh process (median of 5)")
        print(
            f"  ours {ours_import * 1000:7.0f} ms   xsdata's {theirs_import * 1000:7.0f} ms   {theirs_import / ours_import:.2f}x faster"
        )
        types = sum(1 for line in (work / "ours" / "types.py").read_text().splitlines() if line.startswith("class "))
        print(
            f"  ({types} classes and enums in ours; xsdata's package has {len(list((work / 'theirs').glob('*.py')))} modules)"
        )


if __name__ == "__main__":
    main()
