"""The pytest plugin, as a user's project gets it: installed, no conftest, a seed file.

Each test builds a sample user project with ``pytester`` (a test file using the
fixtures, an ini file naming a seed file) and runs pytest on it in a subprocess, so the
plugin is loaded from its ``pytest11`` entry point as in any project that installed
boomi-soap, and nothing of this suite leaks in.
"""

from __future__ import annotations

import json
import textwrap
from importlib.metadata import entry_points

import pytest

from boomi_soap.localservice import pytest_plugin
from boomi_soap.localservice.config import DEFAULT_SUB_ACCOUNTS

pytest_plugins = ["pytester"]

SEED = {
    "objects": [
        {
            "@type": "AuditLog",
            "documentId": "audit-1",
            "action": "UPDATE",
            "date": "2026-11-02T08:30:00Z",
            "type": "as.component",
        }
    ],
    "accounts": {DEFAULT_SUB_ACCOUNTS[0]: [{"@type": "Connector", "name": "Disk", "type": "disk"}]},
}
USER_TESTS = textwrap.dedent(
    """
    import pytest
    import requests

    from boomi_soap.exceptions import NotFoundError
    from boomi_soap.localservice import DEFAULT_PASSWORD, DEFAULT_USER
    from boomi_soap.localservice.injection import Injection

    AUTH = (DEFAULT_USER, DEFAULT_PASSWORD)


    def test_demo_and_seeded_objects(boomi_client):
        assert len(list(boomi_client.query("Process"))) == 24
        assert boomi_client.get("AuditLog", "audit-1").action == "UPDATE"


    @pytest.mark.boomi_inject("HTTP_503", times=2)
    def test_faults_are_injected(boomi_service, boomi_client):
        fired = dict(boomi_service.injections.fired())
        assert boomi_client.get("AuditLog", "audit-1").documentId == "audit-1"  # retried past both
        assert boomi_service.injections.fired()[Injection.HTTP_503] - fired.get(Injection.HTTP_503, 0) == 2


    def test_no_fault_is_left_over(boomi_service):
        assert boomi_service.injections.pending() == 0


    def test_a_run_moves_with_the_clock(boomi_service, boomi_client, boomi_clock):
        atom = next(a for a in boomi_client.query("Atom") if a.status == "ONLINE")
        process = next(iter(boomi_client.query("Process")))
        root = boomi_service.endpoint().replace("/api/soap/", "/api/rest/")
        headers = {"Accept": "application/json", "Content-Type": "application/json"}
        body = {"atomId": atom.id, "processId": process.id}
        started = requests.post(root + "/ExecutionRequest", json=body, headers=headers, auth=AUTH, timeout=30)
        url = started.json()["recordUrl"]

        def status():
            return requests.get(url, headers=headers, auth=AUTH, timeout=30).json()["result"][0]["status"]

        assert status() == "ENQUEUED"
        assert status() == "ENQUEUED"  # real time passing changes nothing
        boomi_clock.advance(0.5)
        assert status() == "INPROCESS"
        boomi_clock.advance(1)
        assert status() == "COMPLETE"


    def test_the_partner_layout(boomi_partner):
        sub = boomi_partner.client.for_account(boomi_partner.sub_accounts[0])
        assert sub.get("Connector", "disk").name == "Disk"  # seeded into the sub-account only
        with pytest.raises(NotFoundError):
            boomi_partner.client.get("Connector", "disk")
        assert boomi_partner.service.config.contract == "partner"
    """
)


def _docstring_example() -> str:
    """The example test file of the plugin's docstring (the README shows the same)."""
    text = pytest_plugin.__doc__ or ""
    start = text.index("Example (a test file; nothing else needed)::") + len(
        "Example (a test file; nothing else needed)::"
    )
    return textwrap.dedent(text[start:])


def _project(pytester: pytest.Pytester, seed: object = SEED, ini: str = "boomi_seed = data/seed.json") -> None:
    (pytester.path / "data").mkdir()
    (pytester.path / "data" / "seed.json").write_text(json.dumps(seed), encoding="utf-8")
    pytester.makeini(f"[pytest]\n{ini}\n")
    pytester.makepyfile(test_user=USER_TESTS, test_documented=_docstring_example())


def test_the_plugin_is_registered_for_pytest() -> None:
    found = [e for e in entry_points(group="pytest11") if e.value == "boomi_soap.localservice.pytest_plugin"]
    assert [e.name for e in found] == ["boomi_soap"]


@pytest.mark.parametrize(
    ("ini", "options"),
    [
        ("boomi_seed = data/seed.json", ()),
        # The command line's seed file wins over the ini's (which names none that exists).
        (
            "boomi_seed = data/missing.json",
            (
                "--boomi-seed=data/seed.json",
                "--boomi-contract=partner",
                "--boomi-scope=session",
                "--boomi-transport=rest",
            ),
        ),
    ],
    ids=["split", "partner-session-rest"],
)
def test_a_user_project_gets_the_fixtures(pytester: pytest.Pytester, ini: str, options: tuple[str, ...]) -> None:
    _project(pytester, ini=ini)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", *options)
    result.assert_outcomes(passed=8)  # the sample project's 5 tests and the docstring's 3


def test_the_scope_option_shares_one_service(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_scope="""
        SEEN = set()

        def test_one(boomi_service):
            SEEN.add(id(boomi_service))
            boomi_service.store().delete("Process", boomi_service.store().all("Process")[0].key)

        def test_two(boomi_service):
            SEEN.add(id(boomi_service))
            assert boomi_service.store().count("Process") == (23 if len(SEEN) == 1 else 24)
        """
    )
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=2)
    pytester.makeini("[pytest]\nboomi_scope = session\n")
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_a_seed_that_does_not_fit_fails_in_one_line(pytester: pytest.Pytester) -> None:
    _project(pytester, seed=[{"@type": "AuditLog", "date": "yesterday"}])
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "test_user.py", "-k", "demo_and_seeded")
    result.assert_outcomes(errors=1)
    seed = pytester.path / "data" / "seed.json"
    result.stdout.fnmatch_lines(
        [
            f"boomi-soap local service: seed file {seed}: object 0 (AuditLog): $.date: 'yesterday'"
            " is not a valid value of the atomic type 'xs:dateTime'."
        ]
    )
    assert "During handling" not in result.stdout.str()


def test_the_plugin_is_inert_until_used_and_refuses_an_unknown_fault(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_a_other="""
        import sys
        import threading

        def test_nothing_of_the_service_is_loaded():
            assert "boomi_soap.localservice.pytest_plugin" in sys.modules  # loaded, from its entry point
            loaded = ("boomi_soap.localservice.server", "boomi_soap.client", "lxml", "zeep")
            assert [m for m in loaded if m in sys.modules] == []
            assert threading.active_count() == 1
        """,
        test_b_fault="""
        import pytest

        @pytest.mark.boomi_inject("HTTP_999")
        def test_it(boomi_service):
            pass
        """,
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--strict-markers")
    result.stdout.fnmatch_lines(["*unknown fault 'HTTP_999' (use one of HTTP_503, DROP_BEFORE*"])
    result.assert_outcomes(passed=1, errors=1)
