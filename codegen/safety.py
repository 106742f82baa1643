"""Where ``boomi-soap codegen`` may write, and under which package name.

Writing over an installed library, or over this library's own package, breaks an
installation in a way a user does not see until later; a package name that is not a
dotted identifier writes files that cannot be imported.  Both are refused before
anything is generated.
"""

from __future__ import annotations

import keyword
import sys
import sysconfig
from pathlib import Path

from boomi_soap.exceptions import ConfigurationError

__all__ = ["BUNDLED_PACKAGE", "bundled_target", "check_package", "check_target", "default_package"]

BUNDLED_PACKAGE = "boomi_soap.bindings"


def bundled_target() -> Path:
    """The bundled bindings' directory, ``boomi_soap/bindings``."""
    import boomi_soap

    return Path(boomi_soap.__file__).resolve().parent / "bindings"


def default_package(out: Path) -> str:
    """The package name implied by ``--out``: its last path part (``src/acme_boomi`` -> ``acme_boomi``)."""
    return out.resolve().name


def check_package(package: str) -> None:
    """Refuse a package name that is not a dotted Python identifier.

    Raises:
        ConfigurationError: Naming the bad part.
    """
    for part in package.split("."):
        if not part.isidentifier() or keyword.iskeyword(part):
            raise ConfigurationError(
                f"package name {package!r} is not a dotted Python identifier ({part!r});"
                " pass --package, e.g. --package acme_boomi"
            )


def _install_roots() -> list[Path]:
    paths = sysconfig.get_paths()
    roots = {Path(paths[key]).resolve() for key in ("purelib", "platlib") if key in paths}
    roots |= {Path(p).resolve() for p in sys.path if p.endswith(("site-packages", "dist-packages"))}
    return sorted(roots)


def _is_source_checkout(package_dir: Path) -> bool:
    root = package_dir.parent
    return (root / "setup.cfg").is_file() and (root / "codegen").is_dir()


def check_target(out: Path, package: str) -> None:
    """Refuse to write inside an installed distribution or the library's own package.

    The one exception is the bundled bindings' regeneration in a source checkout:
    ``--out boomi_soap/bindings --package boomi_soap.bindings``.

    Raises:
        ConfigurationError: Naming the directory and why.
    """
    import boomi_soap

    target = out.resolve()
    library = Path(boomi_soap.__file__).resolve().parent
    if target == bundled_target() and package == BUNDLED_PACKAGE and _is_source_checkout(library):
        return
    if target == library or library in target.parents:
        raise ConfigurationError(
            f"refusing to write into {target}: it is inside the boomi_soap package itself;"
            " choose your own --out (only a source checkout regenerates boomi_soap/bindings)"
        )
    for root in _install_roots():
        if target == root or root in target.parents:
            raise ConfigurationError(
                f"refusing to write into {target}: it is inside the installed packages at {root}; choose your own --out"
            )
