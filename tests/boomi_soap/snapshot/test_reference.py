"""The reference account's name: data in wsdl_cache/, shared by the runtime and the local service."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from boomi_soap.exceptions import CacheIntegrityError
from boomi_soap.snapshot.cache import pinned_store, resolve_snapshot
from boomi_soap.snapshot.reference import REFERENCE_ACCOUNT, read_account


def test_the_pinned_snapshots_belong_to_the_reference_account() -> None:
    assert REFERENCE_ACCOUNT == "localdemo-A1B2C3"
    assert pinned_store().current(REFERENCE_ACCOUNT, "platform").account_id == REFERENCE_ACCOUNT
    assert pinned_store().current(REFERENCE_ACCOUNT, "partner").account_id == REFERENCE_ACCOUNT
    assert resolve_snapshot() == pinned_store().current(REFERENCE_ACCOUNT)


def test_the_local_service_serves_the_same_account() -> None:
    from boomi_soap.localservice.config import DEFAULT_ACCOUNT

    assert DEFAULT_ACCOUNT == REFERENCE_ACCOUNT


def test_the_default_snapshot_does_not_load_the_local_service() -> None:
    code = "import sys\nfrom boomi_soap.snapshot.cache import resolve_snapshot\nresolve_snapshot()\nprint('boomi_soap.localservice' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "does not hold one account id"),
        ("localdemo-A1B2C3\nother-X\n", "does not hold one account id"),
        ("../etc\n", "does not hold one account id"),
        ("b\u00e4d\n", "cannot read"),
    ],
)
def test_a_damaged_name_file_is_refused_naming_the_file(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "REFERENCE_ACCOUNT"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CacheIntegrityError, match=problem) as caught:
        read_account(path)
    assert caught.value.path == str(path)


def test_a_missing_name_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CacheIntegrityError, match="cannot read"):
        read_account(tmp_path / "REFERENCE_ACCOUNT")


def test_a_name_file_with_a_trailing_newline_is_read(tmp_path: Path) -> None:
    path = tmp_path / "REFERENCE_ACCOUNT"
    path.write_text("acme-ABC123\n", encoding="ascii")
    assert read_account(path) == "acme-ABC123"
