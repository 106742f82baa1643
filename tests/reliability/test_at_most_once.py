"""create and execute_process never run twice, whatever the network does."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from boomi_soap.exceptions import BoomiSoapError, TransportError
from boomi_soap.localservice import Injection, LocalService
from tests.reliability.conftest import Evidence, client_for

HAZARDS = (
    None,
    Injection.HTTP_503,
    Injection.DROP_BEFORE,
    Injection.DROP_AFTER,
    Injection.TRUNCATED,
    Injection.NOT_XML,
)


@pytest.mark.timeout(900)  # the --soak run lasts about 4 minutes
def test_create_and_execute_process_run_at_most_once(
    service: LocalService, workdir: Path, evidence: Evidence, scale: int
) -> None:
    client = client_for(service, workdir)
    store = service.store()
    atom = next(a.key for a in store.all("Atom") if a.element.get("status") == "ONLINE")
    processes = [p.key for p in store.all("Process")]
    draw = random.Random(7)
    tally = {"ok": 0, "failed-before-sending": 0, "unknown": 0}
    for round_ in range(40 * scale):
        hazard = draw.choice(HAZARDS)
        if hazard is not None:
            service.inject(hazard)
        name = f"once-{round_}"
        before = store.count("ExecutionRecord")
        try:
            if round_ % 2:
                client.create("Environment", name=name, classification="TEST")
                made = sum(1 for e in store.all("Environment") if e.element.get("name") == name)
            else:
                client.execute_process(atom, process_id=processes[round_ % len(processes)])
                made = store.count("ExecutionRecord") - before
            tally["ok"] += 1
            assert made == 1, (round_, hazard)
        except TransportError as exc:
            evidence.error(exc)
            made = (
                sum(1 for e in store.all("Environment") if e.element.get("name") == name)
                if round_ % 2
                else store.count("ExecutionRecord") - before
            )
            if exc.sent is False:
                tally["failed-before-sending"] += 1
                assert made == 0, (round_, hazard)
            else:
                tally["unknown"] += 1
                assert made in (0, 1), (round_, hazard)
        except BoomiSoapError as exc:  # a typed fault: the service refused, nothing was made twice
            evidence.error(exc)
            assert store.count("ExecutionRecord") - before in (0, 1)
        service.injections.reset()
    assert tally["ok"] >= 10 * scale
    duplicates = [
        n
        for n in {e.element.get("name") for e in store.all("Environment")}
        if sum(1 for e in store.all("Environment") if e.element.get("name") == n) > 1
    ]
    assert duplicates == []
