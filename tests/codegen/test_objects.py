"""Boomi's per-object table: codegen's data file, read by the generator and the local service alike."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import codegen
from boomi_soap.localservice.contract import load_release
from codegen.objects import published_operations

ROOT = Path(__file__).resolve().parents[2]


def test_the_table_is_codegen_data_and_not_the_local_services() -> None:
    assert (Path(codegen.__file__).parent / "data" / "objects.json").is_file()
    assert not (ROOT / "boomi_soap" / "localservice" / "contract" / "objects.json").exists()


def test_the_generator_and_the_local_service_read_the_same_table() -> None:
    published = published_operations()
    rules = load_release("current").rules
    assert set(published) == set(rules)
    assert {name: rule.operations for name, rule in rules.items()} == published
    assert published["Process"] >= {"GET", "QUERY"}


def test_the_local_service_finds_the_table_without_importing_codegen() -> None:
    code = (
        "import sys\nfrom boomi_soap.localservice.contract import load_release\n"
        "print(len(load_release('current').rules), 'codegen' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    count, imported = result.stdout.split()
    assert int(count) == len(published_operations())
    assert imported == "False"
