"""The API reference builds from the docstrings with warnings as errors; the project files exist."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


@pytest.mark.timeout(300)
def test_the_api_reference_builds_without_warnings(tmp_path: Path) -> None:
    built = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", str(ROOT / "docs"), str(tmp_path)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert built.returncode == 0, built.stdout + built.stderr
    page = (tmp_path / "api.html").read_text()
    for name in ("Client.from_cache", "ClientSettings", "BoomiSoapError", "F.between"):
        assert name.split(".")[-1] in page, name


def test_licence_changelog_and_security_note() -> None:
    licence = (ROOT / "LICENSE").read_text()
    assert licence.startswith("MIT License")
    assert "license = MIT" in (ROOT / "setup.cfg").read_text()
    assert "Unreleased" in (ROOT / "CHANGELOG.rst").read_text()
    security = (ROOT / "SECURITY.rst").read_text()
    for topic in ("What is sent where", "What is cached", "Secrets"):
        assert topic in security
