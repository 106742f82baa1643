"""Static checks held as tests: mypy --strict on the package, ruff lint and format."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)


def test_mypy_strict(checked_package: tuple[int, str, Path]) -> None:
    status, output, _ = checked_package  # `python -m mypy` from the root: setup.cfg's packages, strict
    assert status == 0, output


def test_ruff_lint_and_format() -> None:
    lint = run(sys.executable, "-m", "ruff", "check", ".")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    fmt = run(sys.executable, "-m", "ruff", "format", "--check", ".")
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_readme_is_valid_restructuredtext() -> None:
    import docutils.core

    text = (ROOT / "README.rst").read_text()
    docutils.core.publish_string(text, writer="null", settings_overrides={"report_level": 2, "halt_level": 2})


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.rst").read_text().splitlines()
    marker = next(i for i, line in enumerate(readme) if line.startswith(".. ci-test-command"))
    command = next(line.strip() for line in readme[marker + 1 :] if line.startswith("   ") and line.strip())
    assert "pytest" in command
    assert command in (ROOT / ".ci" / "run").read_text().splitlines()


def test_the_readme_is_a_front_door() -> None:
    # The README says what this is and how to start; the manual is docs/, and the README links
    # each of its pages (every link to a file that exists). Two pages only include a file of
    # the root, which the README links instead.
    text = (ROOT / "README.rst").read_text()
    assert len(text.splitlines()) <= 250
    links = set(re.findall(r"<([\w./-]+\.rst)>`_", text))
    assert all((ROOT / link).is_file() for link in links), links
    pages = {str(p.relative_to(ROOT)) for p in (ROOT / "docs").rglob("*.rst")}
    assert pages - links == {"docs/index.rst", "docs/changelog.rst", "docs/guides/security.rst"}
    assert "SECURITY.rst" in links


def test_no_credential_ships_outside_the_tests() -> None:
    # A token login with a token-shaped value (Boomi's own docs show one): nothing that
    # looks like a usable credential may ship, even a sample or a quoted part of one.
    token = re.compile(rb"BOOMI_TOKEN\.[^\s:<\"']+@[^\s:\"']+:[0-9a-fA-F]{6,}")
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    files = [name for name in listed.decode().split("\0") if name and not name.startswith("tests/")]
    assert files, "git ls-files listed nothing"
    found = [name for name in files if (ROOT / name).is_file() and token.search((ROOT / name).read_bytes())]
    assert found == []
