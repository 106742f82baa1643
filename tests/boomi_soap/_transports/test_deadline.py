"""The deadline watchdog: cuts what runs late, and stays asleep for calls that end in time."""

from __future__ import annotations

import contextlib
import time

import pytest
import requests

from boomi_soap._transports.deadline import Deadline, _watchdog, read_capped, release, request_options, watch_session
from boomi_soap.settings import ClientSettings
from tests.scripted import drip, scripted


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


@pytest.mark.timeout(30)  # finishes: without the cut the drip would go on for about 14 hours
@pytest.mark.parametrize("length", [True, False], ids=["with-length", "ends-with-the-connection"])
def test_a_body_dripped_after_the_headers_is_cut(length: bool) -> None:
    session = watch_session(requests.Session())
    with scripted(drip(0.5, headers_first=True, length=length)) as server, Deadline(1.0) as deadline:
        response = session.get(server.base_url, timeout=(5, 5), stream=True)
        with contextlib.suppress(requests.exceptions.RequestException):  # cut: a short body or a broken read
            read_capped(response, 1024 * 1024, deadline)
        release(response)
        assert deadline.expired


def test_request_options_keep_loopback_off_environment_proxies_and_send_the_ca_bundle() -> None:
    settings = ClientSettings(ca_bundle="/etc/ca.pem")
    assert request_options("http://127.0.0.1:8080/x", settings) == {
        "verify": "/etc/ca.pem",
        "proxies": {"no_proxy": "127.0.0.1"},
    }
    assert request_options("HTTP://[::1]:8080/x", ClientSettings()) == {"proxies": {"no_proxy": "::1"}}
    assert request_options("http://localhost/x", ClientSettings()) == {"proxies": {"no_proxy": "localhost"}}
    assert request_options("https://127.0.0.1/x", ClientSettings()) == {}  # tunnelled: the proxy sees no secret
    assert request_options("http://api.example/x", ClientSettings()) == {}
