"""Refused redirects, cut answers and refused settings, with the sentinel credentials at DEBUG.

Every error and log record lands in the evidence that ``test_zz_secret_scan.py`` hunts through.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from boomi_soap.client import Client
from boomi_soap.credentials import Credentials, Endpoint
from boomi_soap.exceptions import (
    BoomiSoapError,
    ConfigurationError,
    RedirectRefusedError,
    ResponseError,
    ServiceTimeoutError,
)
from boomi_soap.localservice import DEFAULT_ACCOUNT
from boomi_soap.settings import ClientSettings, RetryPolicy
from boomi_soap.snapshot.cache import pinned_store
from tests.reliability.conftest import PASSWORD, TOKEN, USER, Evidence
from tests.reliability.test_drivers import DRIVERS
from tests.scripted import Answer, drip, flood, reply, scripted

BOUNDED = ClientSettings(
    rate_limit=None, total_timeout=1.5, max_response_bytes=256 * 1024, retry=RetryPolicy(max_retries=1, backoff=0.01)
)


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (reply(307, headers={"Location": "http://127.0.0.1:9/elsewhere"}), RedirectRefusedError),
        (drip(0.2), ServiceTimeoutError),
        (flood(4 * 1024 * 1024), ResponseError),
    ],
    ids=["redirect", "drip", "flood"],
)
@pytest.mark.parametrize("driver", DRIVERS)
def test_bounded_failures_keep_the_secret(
    answer: Answer, error: type[BoomiSoapError], driver: str, workdir: Path, evidence: Evidence
) -> None:
    with scripted(answer) as server, pytest.raises(error) as caught:
        DRIVERS[driver](server.base_url, workdir, "get", BOUNDED)
    evidence.error(caught.value)
    assert PASSWORD in server.text()  # it did travel, to the host it was meant for


@pytest.mark.parametrize("secret", [PASSWORD, TOKEN])
def test_urls_with_credentials_are_refused_unechoed(secret: str, evidence: Evidence) -> None:
    for url in (f"https://:{secret}@h.example", f"https://{USER.replace('@', '%40')}:{secret}@h.example"):
        with pytest.raises(ConfigurationError) as caught:
            Endpoint(DEFAULT_ACCOUNT, url)
        evidence.error(caught.value)
        with pytest.raises(ConfigurationError) as caught:
            Client(
                pinned_store().current(DEFAULT_ACCOUNT), Credentials.from_password(USER, PASSWORD),
                endpoint=url + "/api/soap/v1/x",
            )  # fmt: skip
        evidence.error(caught.value)
