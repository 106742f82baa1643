"""Build-time generator of typed bindings from a cached WSDL snapshot.

The runtime package ``boomi_soap`` never imports this package.  Stages:
``parse`` (snapshot -> IR) -> ``passes`` (names, order) -> ``render`` (IR -> files).
"""

from __future__ import annotations

import difflib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from boomi_soap.cache import Snapshot
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

    Per-object helpers are made only for the operations Boomi publishes for the
    object (:func:`codegen.objects.published_operations`).

    Args:
        snapshot: A verified snapshot.
        package: Dotted name the package will be imported as (``boomi_soap.bindings``).

    Returns:
        The files and diagnostics.
    """
    model = run_passes(parse_snapshot(snapshot))
    return Generation(render_package(model, package, published_operations()), model.diagnostics)


def write(generation: Generation, out: Path) -> list[Path]:
    """Write the files atomically (temporary file + rename each); return those that changed."""
    out.mkdir(parents=True, exist_ok=True)
    changed = []
    for name, content in sorted(generation.files.items()):
        target = out / name
        data = content.encode("utf-8")
        if target.exists() and target.read_bytes() == data:
            continue
        with tempfile.NamedTemporaryFile(dir=out, prefix=f".{name}.", delete=False) as handle:
            handle.write(data)
        os.chmod(handle.name, 0o644)  # NamedTemporaryFile makes 0600; generated code is ordinary source
        os.replace(handle.name, target)
        changed.append(target)
    return changed


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
