"""Every code block of README.rst, run against the local service (the runners: tests/docblocks.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.docblocks import ROOT, Sandbox, blocks, open_sandbox, run_block, runner_of

pytestmark = pytest.mark.timeout(300)
README = ROOT / "README.rst"


@pytest.fixture
def sandbox(tmp_path: Path, compiled_dir: Path) -> Iterator[Sandbox]:
    with open_sandbox(tmp_path, compiled_dir) as box:
        yield box


def test_every_block_has_a_runner() -> None:
    found = blocks(README)
    assert len(found) >= 5, "the README's blocks were not found"
    for _, text in found:
        runner_of(text)


@pytest.mark.parametrize(("language", "text"), blocks(README), ids=[f"block{i}" for i in range(len(blocks(README)))])
def test_readme_block(language: str, text: str, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    run_block(text, sandbox, monkeypatch)
