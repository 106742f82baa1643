"""ProcessScheduleStatus: read, disable and enable a process's schedules on an Atom, on every layout."""

from __future__ import annotations

import pytest

from boomi_soap.exceptions import NotFoundError
from boomi_soap.platform import deploy as d
from tests.boomi_soap.conftest import Connect

PROCESS = "Invoices - NetSuite to Coupa"
ATOM = "Production Atom"


def test_disable_then_enable_keeps_the_schedules(connect: Connect) -> None:
    _, client = connect()
    status = d.get_schedule_status(client, PROCESS, ATOM)
    assert status.enabled is True
    schedules = d.get_schedules(client, PROCESS, ATOM)
    assert status.id == schedules.id  # one conceptual id for the schedules and their switch
    d.set_schedules(client, PROCESS, ATOM, [d.Schedule(minutes="*/5")])

    off = d.set_schedule_status(client, PROCESS, ATOM, enabled=False)
    assert off.enabled is False
    assert d.get_schedule_status(client, status.processId, status.atomId).enabled is False  # ids work as names do
    assert client.get("ProcessScheduleStatus", status.id).enabled is False
    assert [s.minutes for s in d.get_schedules(client, PROCESS, ATOM).Schedule] == ["*/5"]

    on = d.set_schedule_status(client, PROCESS, ATOM, enabled=True)
    assert on.enabled is True
    assert d.get_schedule_status(client, PROCESS, ATOM).enabled is True


def test_other_atoms_are_untouched_and_unknown_pairs_say_so(connect: Connect) -> None:
    _, client = connect()
    d.set_schedule_status(client, PROCESS, ATOM, enabled=False)
    assert d.get_schedule_status(client, PROCESS, "Test Molecule").enabled is True
    with pytest.raises(NotFoundError, match=r"no schedule status for process .* on Atom Dev Atom"):
        d.get_schedule_status(client, PROCESS, "Dev Atom")
