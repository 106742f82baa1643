"""Layering: the runtime imports neither the CLI toolkit nor the generator."""

from __future__ import annotations

import subprocess
import sys

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
    assert _loaded(code, ("zeep", "xmlschema", "pyrate_limiter", "asyncio", "click", "boomi_soap.fetch")) == []
