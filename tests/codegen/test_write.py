"""Writing a generated package: whole or not at all, and never importable as a mix of two snapshots."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

import codegen
from boomi_soap.localservice import DEFAULT_ACCOUNT
from boomi_soap.snapshot.cache import pinned_store

ROOT = Path(__file__).parents[2]
PACKAGE = "acme_gen"


@pytest.fixture(scope="module")
def generations() -> tuple[codegen.Generation, codegen.Generation]:
    """The package generated from the pinned snapshot, and from the pinned store's other (next) one."""
    store = pinned_store()
    current = store.current(DEFAULT_ACCOUNT)
    other = next(store.open(d) for d in store.snapshot_dirs(DEFAULT_ACCOUNT) if d != current.directory)
    first, second = codegen.generate(current, PACKAGE), codegen.generate(other, PACKAGE)
    assert first.files["types.py"] != second.files["types.py"]
    return first, second


def snapshot_of(generation: codegen.Generation) -> str:
    line = generation.files["__init__.py"].splitlines()[1]
    return line.rsplit(" ", 1)[1].rstrip(".")


def contents(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


def run_python(parent: Path, code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter that imports packages from ``parent`` (and this checkout)."""
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(parent), str(ROOT)]), "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        check=False,
    )


def imported_snapshot(parent: Path) -> str:
    """The snapshot the package in ``parent`` says it is from, after importing all of it."""
    ran = run_python(parent, f"import {PACKAGE}, {PACKAGE}.operations; print({PACKAGE}.SNAPSHOT_SHA256)")
    assert ran.returncode == 0, ran.stderr
    return ran.stdout.strip()


def full_disk(monkeypatch: pytest.MonkeyPatch, free: int) -> list[Path]:
    """Make codegen's file writes fail with ENOSPC once ``free`` bytes are written (what fits is written)."""
    real = codegen._put
    left = [free]
    written: list[Path] = []

    def put(path: Path, data: bytes) -> None:
        written.append(path)
        if len(data) > left[0]:
            path.write_bytes(data[: left[0]])
            left[0] = 0
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        left[0] -= len(data)
        real(path, data)

    monkeypatch.setattr(codegen, "_put", put)
    return written


@pytest.mark.parametrize("fails_in", ["__init__.py", "operations.py", "types.py"])
def test_a_full_disk_leaves_the_previous_package_whole(
    generations: tuple[codegen.Generation, codegen.Generation],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fails_in: str,
) -> None:
    old, new = generations
    out = tmp_path / PACKAGE
    codegen.write(old, out)
    before = contents(out)
    sizes = {name: len(content.encode()) for name, content in sorted(new.files.items())}
    free = sum(size for name, size in sizes.items() if name < fails_in) + sizes[fails_in] // 2
    written = full_disk(monkeypatch, free)
    with pytest.raises(OSError, match="No space left on device") as failed:
        codegen.write(new, out)
    assert failed.value.errno == errno.ENOSPC
    assert written[-1].name == fails_in  # it failed where it was meant to, part-way through a file
    assert contents(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [PACKAGE]  # no temporary file or directory left
    assert sorted(p.name for p in out.iterdir()) == sorted(before)
    assert imported_snapshot(tmp_path) == snapshot_of(old)
    monkeypatch.undo()
    changed = codegen.write(new, out)  # room again: the new package, whole
    assert sorted(p.name for p in changed) == ["__init__.py", "operations.py", "types.py"]
    assert contents(out) == {name: content.encode() for name, content in new.files.items()}
    assert imported_snapshot(tmp_path) == snapshot_of(new)


def test_a_failed_rename_puts_the_previous_package_back(
    generations: tuple[codegen.Generation, codegen.Generation], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = generations
    out = tmp_path / PACKAGE
    codegen.write(old, out)
    before = contents(out)
    real_rename = os.rename

    def rename(source: str | os.PathLike[str], destination: str | os.PathLike[str]) -> None:
        if Path(destination) == out and ".codegen-new-" in str(source):
            raise OSError(errno.EIO, os.strerror(errno.EIO), str(source))
        real_rename(source, destination)

    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(OSError, match="Input/output error"):
        codegen.write(new, out)
    monkeypatch.undo()
    assert contents(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [PACKAGE]
    assert imported_snapshot(tmp_path) == snapshot_of(old)


LIMITED_CODEGEN = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit then fails with EFBIG
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
from boomi_soap.cli import main
main(["codegen", *sys.argv[2:]])
"""


@pytest.mark.skipif(os.name != "posix", reason="needs a file size limit (POSIX)")
def test_the_command_refused_a_write_by_the_kernel_keeps_the_package(
    generations: tuple[codegen.Generation, codegen.Generation], tmp_path: Path
) -> None:
    """The kernel refuses the write of the large types.py (file size limit): one line, the old package intact."""
    old, new = generations
    out = tmp_path / PACKAGE
    codegen.write(old, out)
    before = contents(out)
    store = pinned_store()
    other = next(d for d in store.snapshot_dirs(DEFAULT_ACCOUNT) if d != store.current(DEFAULT_ACCOUNT).directory)
    limit = len(new.files["operations.py"].encode()) + 4096
    assert len(new.files["types.py"].encode()) > limit
    ran = subprocess.run(
        [sys.executable, "-c", LIMITED_CODEGEN, str(limit), "--snapshot", str(other), "--out", str(out)],
        cwd=ROOT,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert ran.returncode == 1, ran.stderr
    assert "cannot write (File too large)" in ran.stderr
    assert "Traceback" not in ran.stderr
    assert contents(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [PACKAGE]
    assert imported_snapshot(tmp_path) == snapshot_of(old)


def test_an_unchanged_package_is_not_rewritten_and_other_files_are_kept(
    generations: tuple[codegen.Generation, codegen.Generation], tmp_path: Path
) -> None:
    old, new = generations
    out = tmp_path / PACKAGE
    codegen.write(old, out)
    inode = out.stat().st_ino
    assert codegen.write(old, out) == []
    assert out.stat().st_ino == inode  # nothing swapped
    (out / "custom.py").write_text("EXTRA = 1\n")
    (out / "data").mkdir()
    (out / "data" / "notes.txt").write_text("kept\n")
    (out / "__pycache__").mkdir(exist_ok=True)
    (out / "__pycache__" / "stale.pyc").write_bytes(b"old")
    (out / ".types.py.k2j4h1").write_text("half a file an earlier generator left")
    codegen.write(new, out)
    assert out.stat().st_ino != inode  # a new directory took the old one's place
    assert (out / "custom.py").read_text() == "EXTRA = 1\n"
    assert (out / "data" / "notes.txt").read_text() == "kept\n"
    assert not (out / "__pycache__").exists()
    assert not (out / ".types.py.k2j4h1").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [PACKAGE]


def test_a_file_where_the_package_goes_is_refused(
    generations: tuple[codegen.Generation, codegen.Generation], tmp_path: Path
) -> None:
    out = tmp_path / PACKAGE
    out.write_text("not a package")
    with pytest.raises(NotADirectoryError):
        codegen.write(generations[0], out)
    assert out.read_text() == "not a package"


@pytest.mark.parametrize(
    ("borrowed", "code", "module"),
    [
        ("types.py", f"import {PACKAGE}", "__init__.py"),
        ("operations.py", f"from {PACKAGE} import TypedClient", "operations.py"),
        ("__init__.py", f"import {PACKAGE}.types", "__init__.py"),
    ],
)
def test_a_package_of_two_snapshots_does_not_import(
    generations: tuple[codegen.Generation, codegen.Generation], tmp_path: Path, borrowed: str, code: str, module: str
) -> None:
    old, new = generations
    out = tmp_path / PACKAGE
    codegen.write(old, out)
    (out / borrowed).write_text(new.files[borrowed])  # as a partial copy or an interrupted write would leave it
    ran = run_python(tmp_path, code)
    assert ran.returncode == 1
    mine, theirs = (snapshot_of(new), snapshot_of(old)) if borrowed == module else (snapshot_of(old), snapshot_of(new))
    assert (
        f"ImportError: {PACKAGE} mixes two generations: {module} is from snapshot {mine[:16]},"
        f" types.py from {theirs[:16]}; regenerate the package with `boomi-soap codegen`"
    ) in ran.stderr


def test_a_types_module_of_an_older_generator_does_not_import(
    generations: tuple[codegen.Generation, codegen.Generation], tmp_path: Path
) -> None:
    out = tmp_path / PACKAGE
    codegen.write(generations[0], out)
    types = (out / "types.py").read_text()
    (out / "types.py").write_text("\n".join(line for line in types.splitlines() if "SNAPSHOT_SHA256" not in line))
    ran = run_python(tmp_path, f"import {PACKAGE}")
    assert "mixes two generations" in ran.stderr
    assert "types.py from another snapshot;" in ran.stderr
