"""The CLI tests compile the snapshot's schemas once per session, as the library tests do."""

from __future__ import annotations

import inspect
import os
from pathlib import Path

import pytest

from boomi_soap.settings import ClientSettings


@pytest.fixture(autouse=True)
def _compiled_once(compiled_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point ``BOOMI_SOAP_COMPILED_DIR`` at the session's directory: a command compiles only what is new.

    A compiled form is keyed by the snapshot's digest, so each test's own snapshot (the same
    documents) finds the form a test before it compiled.
    """
    monkeypatch.setenv("BOOMI_SOAP_COMPILED_DIR", str(compiled_dir))


@pytest.fixture(autouse=True)
def _no_client_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    """A command's client calls the (limitless) local service without its own 5-a-second pacing.

    The CLI takes no rate limit (it builds ``ClientSettings()`` with the default), and a
    command test makes tens of calls: paced, it sleeps most of its time.  The library tests
    turn the pacing off with ``rate_limit=None``; here the default is, for the test only.
    The pacing itself has its own tests (tests/boomi_soap/limits, test_client.py).
    """
    init = ClientSettings.__init__
    defaults = init.__defaults__ or ()
    names = [n for n in inspect.signature(init).parameters if n != "self"]
    # Only while the first parameter is still the rate and every one has a default (else: paced, slower).
    if names[:1] == ["rate_limit"] and len(defaults) == len(names):
        monkeypatch.setattr(init, "__defaults__", (None, *defaults[1:]))


def compiled() -> str:
    """The session's compiled-schema directory, for a test that builds a command's environment whole."""
    return os.environ["BOOMI_SOAP_COMPILED_DIR"]
