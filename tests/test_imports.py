"""Layering: the runtime imports neither the CLI toolkit nor the generator."""

from __future__ import annotations

import ast
import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

import boomi_soap


def test_import_boomi_soap_stays_lean() -> None:
    code = (
        "import sys, boomi_soap, boomi_soap.localservice\n"
        "bad = sorted(m for m in ('click', 'codegen', 'jinja2', 'boomi_soap.cli', 'zeep', 'requests', 'xmlschema') if m in sys.modules)\n"
        "print(','.join(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_public_names_are_sorted_and_exist() -> None:
    assert boomi_soap.__all__ == sorted(boomi_soap.__all__)
    for name in boomi_soap.__all__:
        assert hasattr(boomi_soap, name), name


def _loaded(code: str, names: tuple[str, ...]) -> list[str]:
    script = f"import sys\n{code}\nprint(','.join(m for m in {names!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return [m for m in result.stdout.strip().split(",") if m]


def test_import_boomi_soap_loads_only_its_version() -> None:
    script = "import sys, boomi_soap\nprint(','.join(sorted(m for m in sys.modules if m.startswith('boomi_soap'))))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "boomi_soap,boomi_soap._version"


def test_the_typed_client_path_loads_no_zeep_xmlschema_or_limiter_backend() -> None:
    code = "import boomi_soap.client, boomi_soap.bindings, boomi_soap.bindings.operations"
    assert _loaded(code, ("zeep", "xmlschema", "pyrate_limiter", "asyncio", "click", "boomi_soap.snapshot.fetch")) == []


ROOT = Path(__file__).resolve().parent.parent
# Where a user may import from: the package itself, the generated bindings and the local service.
PUBLIC_MODULES = ("boomi_soap", "boomi_soap.bindings", "boomi_soap.localservice")
_IMPORT = re.compile(r"^\s*from\s+(boomi_soap(?:\.\w+)*)\s+import\s+(\([^)]*\)|[^\n]+)", re.MULTILINE)


def _documented_imports() -> list[tuple[str, str, str]]:
    """(file, module, name) for every ``from boomi_soap... import`` in README.rst and docs/."""
    found: list[tuple[str, str, str]] = []
    for path in [ROOT / "README.rst", *sorted((ROOT / "docs").rglob("*.rst")), *sorted((ROOT / "docs").rglob("*.py"))]:
        for module, names in _IMPORT.findall(path.read_text(encoding="utf-8")):
            for name in names.strip("()").replace("\n", " ").split(","):
                if name.split():
                    found.append((path.name, module, name.split()[0]))
    return found


def test_every_public_name_resolves_to_its_home_module() -> None:
    assert set(boomi_soap.__all__) == {*boomi_soap._HOMES, "__version__"}
    for name, home in boomi_soap._HOMES.items():
        assert getattr(boomi_soap, name) is getattr(importlib.import_module(f"boomi_soap.{home}"), name), name
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        boomi_soap.nothing  # noqa: B018


def test_the_type_checker_sees_every_lazy_name() -> None:
    # mypy reads the TYPE_CHECKING imports, the interpreter reads _HOMES: the two must agree.
    tree = ast.parse((ROOT / "boomi_soap" / "__init__.py").read_text(encoding="utf-8"))
    guarded = next(n for n in tree.body if isinstance(n, ast.If) and getattr(n.test, "id", "") == "TYPE_CHECKING")
    seen = {
        alias.name: (node.module or "").removeprefix("boomi_soap.")
        for node in guarded.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert seen == boomi_soap._HOMES


def test_the_readme_and_docs_import_only_public_modules_and_public_names() -> None:
    documented = _documented_imports()
    assert ("README.rst", "boomi_soap", "Client") in documented  # the scan reads the README at all
    # The README imports these from their internal modules today; each must be a name of boomi_soap itself.
    missing = sorted(
        f"{file}: from {module} import {name}"
        for file, module, name in documented
        if module not in PUBLIC_MODULES and name not in boomi_soap.__all__
    )
    assert not missing, "documented imports whose name boomi_soap does not export: " + ", ".join(missing)
    for file, module, name in documented:
        if module == "boomi_soap":
            assert name in boomi_soap.__all__, f"{file}: from boomi_soap import {name}"


def test_the_public_names_load_nothing_until_used() -> None:
    code = "import boomi_soap\nboomi_soap.BoomiSoapError\nboomi_soap.CacheStore"
    assert (
        _loaded(code, ("boomi_soap.async_client", "httpx", "zeep", "boomi_soap.client", "boomi_soap.localservice"))
        == []
    )


def test_the_zeep_path_leaves_httpx_s_command_line_unloaded() -> None:
    # httpx imports its command line (click, rich, pygments) on import: megabytes a library never uses.
    code = "import boomi_soap.client, boomi_soap.wire.zeepobjects, zeep, httpx\nassert httpx.Client"
    assert _loaded(code, ("httpx", "zeep", "rich", "pygments", "click")) == ["httpx", "zeep"]


def test_httpx_imported_first_keeps_its_own_command_line() -> None:
    code = "import sys, httpx, boomi_soap, boomi_soap.client\nprint(sys.modules['httpx._main'] is not None)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "True"


def test_validating_local_files_loads_no_http_stack_client_or_zeep(tmp_path: Path) -> None:
    # The bundled reference snapshot's schemas; nothing connects, so the URL policy's
    # parser (urllib3) and the HTTP clients stay unloaded.
    valid = sorted((ROOT / "tests" / "fixtures" / "requests" / "valid").glob("*.xml"))[0]
    code = (
        "import sys\nfrom boomi_soap.cli import main\n"
        f"sys.argv = ['boomi-soap', 'validate', {str(valid)!r}]\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
    )
    heavy = ("urllib3", "requests", "httpx", "zeep", "boomi_soap.client", "boomi_soap.wire.call", "platformdirs")
    script = f"import sys\n{code}\nprint('loaded:' + ','.join(m for m in {heavy!r} if m in sys.modules))"
    env = {"BOOMI_SOAP_COMPILED_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env)
    assert "1 valid" in result.stderr
    assert result.stdout.strip().splitlines()[-1] == "loaded:"
