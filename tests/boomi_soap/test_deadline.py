"""The deadline watchdog: cuts what runs late, and stays asleep for calls that end in time."""

from __future__ import annotations

import time

import pytest

from boomi_soap.deadline import Deadline, _watchdog


@pytest.mark.timeout(30)
def test_calls_that_end_in_time_neither_wake_the_watchdog_nor_pile_up() -> None:
    with Deadline(300.0):
        while _watchdog._wakes_at == float("inf"):  # the thread has looked and sleeps until this deadline
            time.sleep(0.01)
    asleep_until = _watchdog._wakes_at
    for _ in range(200):
        with Deadline(300.0):
            pass
    assert _watchdog._wakes_at == asleep_until  # no call woke it: each later deadline waits its turn
    assert len(_watchdog._due) <= 2  # ended deadlines leave the top as new ones come in


@pytest.mark.timeout(30)
def test_a_short_deadline_after_long_ones_is_still_cut() -> None:
    for _ in range(20):
        with Deadline(300.0):
            pass
    with Deadline(0.2) as deadline:
        while not deadline._cut:  # set by the watchdog thread, not by reading the clock
            time.sleep(0.01)
    assert deadline.expired
