"""Build-time generator of typed bindings from a cached WSDL snapshot.

The runtime package ``boomi_soap`` never imports this package.  Stages:
``parse`` (snapshot -> IR) -> ``passes`` (names, order) -> ``render`` (IR -> files).
"""

from __future__ import annotations

import difflib
import errno
import os
import secrets
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

from boomi_soap.snapshot.cache import Snapshot
from codegen.objects import published_operations
from codegen.parse import parse_snapshot
from codegen.passes import run_passes
from codegen.render import render_package

__all__ = ["Generation", "check", "generate", "write"]


@dataclass(frozen=True)
class Generation:
    """The files of a generated package and what the generator had to say.

    Attributes:
        files: Relative path -> content.
        diagnostics: ``LEVEL file:line: message`` lines.
    """

    files: dict[str, str]
    diagnostics: tuple[str, ...]

    @property
    def errors(self) -> list[str]:
        """Diagnostics at ERROR level."""
        return [d for d in self.diagnostics if d.startswith("ERROR")]


def generate(snapshot: Snapshot, package: str) -> Generation:
    """Generate the bindings of a snapshot (nothing is written).

    Per-object helpers are made for each object and operation Boomi publishes
    (:func:`codegen.objects.published_operations`), and for nothing else.

    Args:
        snapshot: A verified snapshot.
        package: Dotted name the package will be imported as (``boomi_soap.bindings``).

    Returns:
        The files and diagnostics.
    """
    model = run_passes(parse_snapshot(snapshot))
    return Generation(render_package(model, package, published_operations()), model.diagnostics)


def write(generation: Generation, out: Path) -> list[Path]:
    """Replace the package in ``out`` as a whole; return the files whose content changed.

    The files are written, and flushed to disk, in a hidden sibling directory; then the
    old package is renamed aside, the new one renamed to ``out`` and the old one
    removed.  A failure while writing (a full disk) leaves the old package as it was and
    nothing beside it; a reader finds the old package or the new one, never files of
    both (for an instant between the two renames, none).  What ``out`` holds besides the
    generated files is carried over, but for ``__pycache__`` and earlier temporary files.
    Nothing is written when no file would change.

    Raises:
        OSError: If a file cannot be written (the old package is left in place), or
            ``out`` exists and is not a directory.
    """
    target = out.resolve()
    if target.exists() and not target.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(target))
    encoded = {name: content.encode("utf-8") for name, content in sorted(generation.files.items())}
    changed = [out / name for name, data in encoded.items() if _content(target / name) != data]
    if not changed:
        return []
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # a file on the way: named as the package's directory, as before
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(target)) from None
    staging = _sibling(target, "new")
    try:
        for name, data in encoded.items():
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            _put(staging / name, data)
        if target.is_dir():
            _carry_over(target, staging, set(encoded))
            os.chmod(staging, stat.S_IMODE(target.stat().st_mode))
        _sync(staging)
        _swap(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return changed


def _content(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None


def _sibling(target: Path, role: str) -> Path:
    """A new empty directory next to ``target``, hidden and not an importable name (mode as umask allows)."""
    while True:
        candidate = target.with_name(f".{target.name}.codegen-{role}-{secrets.token_hex(4)}")
        try:
            candidate.mkdir()
        except FileExistsError:
            continue
        return candidate


def _put(path: Path, data: bytes) -> None:
    """Write a new file and flush it to disk, so a full disk fails here rather than after the swap."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
    with open(descriptor, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _carry_over(old: Path, new: Path, generated: set[str]) -> None:
    stale_prefixes = tuple(f".{name}." for name in generated)  # temporary files of earlier generators
    for entry in sorted(old.iterdir()):
        if entry.name in generated or entry.name == "__pycache__" or entry.name.startswith(stale_prefixes):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.copytree(entry, new / entry.name, symlinks=True)
        else:
            shutil.copy2(entry, new / entry.name, follow_symlinks=False)


def _sync(directory: Path) -> None:
    if os.name != "posix":  # only POSIX opens a directory to flush its entries
        return
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _swap(staging: Path, target: Path) -> None:
    if not target.is_dir():
        os.rename(staging, target)
        _sync(target.parent)
        return
    retired = _sibling(target, "old")
    os.rmdir(retired)  # only its unique name is wanted: the old package is renamed to it
    os.rename(target, retired)
    try:
        os.rename(staging, target)
    except BaseException:
        os.rename(retired, target)
        raise
    _sync(target.parent)
    shutil.rmtree(retired, ignore_errors=True)


def check(generation: Generation, out: Path) -> list[str]:
    """Compare with the files in ``out``; return a unified diff per stale file."""
    stale = []
    for name, content in sorted(generation.files.items()):
        target = out / name
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != content:
            diff = difflib.unified_diff(
                current.splitlines(True), content.splitlines(True), str(target), f"{target} (generated)", n=1
            )
            stale.append("".join(list(diff)[:40]))
    return stale
