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
