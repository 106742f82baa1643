"""Settings are checked when made, with a one-line error naming the field."""

from __future__ import annotations

import pytest

from boomi_soap.exceptions import ConfigurationError
from boomi_soap.settings import ClientSettings, RetryPolicy


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rate_limit": -1}, "ClientSettings.rate_limit must be a positive number or None, not -1"),
        ({"rate_limit": True}, "ClientSettings.rate_limit must be a positive number or None, not True"),
        ({"read_timeout": "5"}, "ClientSettings.read_timeout must be a positive number, not '5'"),
        ({"connect_timeout": 0}, "ClientSettings.connect_timeout must be a positive number, not 0"),
        ({"total_timeout": float("inf")}, "ClientSettings.total_timeout must be a positive number or None, not inf"),
        ({"max_response_bytes": 1.5}, "ClientSettings.max_response_bytes must be an integer >= 1, not 1.5"),
        ({"debug_body_limit": -1}, "ClientSettings.debug_body_limit must be an integer >= 0, not -1"),
        ({"validate_requests": "no"}, "ClientSettings.validate_requests must be True or False, not 'no'"),
        ({"allow_insecure": 1}, "ClientSettings.allow_insecure must be True or False, not 1"),
        ({"retry": {"max_retries": 1}}, "ClientSettings.retry must be a RetryPolicy, not dict"),
        ({"user_agent": "x\r\nX-Injected: 1"}, "ClientSettings.user_agent must be a non-empty one-line string"),
    ],
)
def test_bad_client_settings_fail_when_made(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        ClientSettings(**kwargs)  # type: ignore[arg-type]
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_retries": -1}, "RetryPolicy.max_retries must be an integer >= 0, not -1"),
        ({"backoff": "1"}, "RetryPolicy.backoff must be a number >= 0, not '1'"),
        ({"idempotent": {"get"}}, "RetryPolicy.idempotent must be a frozenset of operation names"),
    ],
)
def test_bad_retry_policies_fail_when_made(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]


def test_good_settings() -> None:
    settings = ClientSettings(rate_limit=None, read_timeout=5, total_timeout=None, retry=RetryPolicy(max_retries=0))
    assert (settings.max_response_bytes, settings.debug_body_limit) == (64 * 1024 * 1024, 64 * 1024)
    assert settings.total_timeout is None
    assert not settings.allow_insecure
    assert not settings.allow_other_host


def test_repr_masks_proxy_and_limiter_credentials() -> None:
    secret = "Sentinel-Settings-91"
    settings = ClientSettings(
        proxies={"https": f"http://proxy-user:{secret}@127.0.0.1:3128", "http": "http://127.0.0.1:3128"},
        limiter=f"redis://limiter:{secret}@127.0.0.1:6379/0?password={secret}&db=1",
    )
    for shown in (repr(settings), str(settings), repr([settings])):
        assert secret not in shown
    assert "'https': 'http://proxy-user:***@127.0.0.1:3128'" in repr(settings)
    assert "'http': 'http://127.0.0.1:3128'" in repr(settings)
    assert "limiter='redis://limiter:***@127.0.0.1:6379/0?password=***&db=1'" in repr(settings)
    assert repr(ClientSettings()).startswith("ClientSettings(rate_limit=5.0, connect_timeout=10.0,")
    assert settings.proxies is not None
    assert secret in settings.proxies["https"]  # only the repr masks
