"""Credentials and endpoints from arguments and the environment."""

from __future__ import annotations

import pytest

from boomi_soap.credentials import Credentials, Endpoint
from boomi_soap.exceptions import ConfigurationError


def test_password_from_environment() -> None:
    credentials = Credentials.from_sources(env={"BOOMI_USERNAME": "ann@example.com", "BOOMI_PASSWORD": "s3cret-pw"})
    assert (credentials.username, credentials.secret, credentials.is_token) == ("ann@example.com", "s3cret-pw", False)
    assert "s3cret-pw" not in repr(credentials)


def test_token_gets_the_prefix_once() -> None:
    env = {"BOOMI_USERNAME": "ann@example.com", "BOOMI_API_TOKEN": "tok-123"}
    assert Credentials.from_sources(env=env).username == "BOOMI_TOKEN.ann@example.com"
    env["BOOMI_USERNAME"] = "BOOMI_TOKEN.ann@example.com"
    assert Credentials.from_sources(env=env).username == "BOOMI_TOKEN.ann@example.com"
    assert "tok-123" not in repr(Credentials.from_sources(env=env))


def test_arguments_override_environment() -> None:
    env = {"BOOMI_USERNAME": "env@example.com", "BOOMI_PASSWORD": "env-pw"}
    credentials = Credentials.from_sources(username="arg@example.com", password="arg-pw", env=env)
    assert (credentials.username, credentials.secret) == ("arg@example.com", "arg-pw")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "no user name"),
        ({"BOOMI_USERNAME": "a"}, "no secret"),
        ({"BOOMI_USERNAME": "a", "BOOMI_PASSWORD": "p", "BOOMI_API_TOKEN": "t"}, "keep one"),
    ],
)
def test_incomplete_credentials(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        Credentials.from_sources(env=env)


def test_endpoint_urls() -> None:
    assert Endpoint("acme-ABC123").wsdl_url == "https://api.boomi.com/api/soap/v1/acme-ABC123?wsdl"
    eu = Endpoint("acme-ABC123", "https://api.platform.gb.boomi.com")
    assert eu.url == "https://api.platform.gb.boomi.com/api/soap/v1/acme-ABC123"
    assert Endpoint("acme-ABC123", flavour="partner").url == "https://api.boomi.com/partner/api/soap/v1/acme-ABC123"
    assert Endpoint("acme-ABC123", flavour="apim").url == "https://api.boomi.com/apim/api/soap/v1/acme-ABC123"


def test_endpoint_from_environment() -> None:
    env = {"BOOMI_ACCOUNT_ID": "acme-ABC123", "BOOMI_BASE_URL": "http://127.0.0.1:9/"}
    assert Endpoint.from_sources(env=env).url == "http://127.0.0.1:9/api/soap/v1/acme-ABC123"
    with pytest.raises(ConfigurationError, match="no account id"):
        Endpoint.from_sources(env={})


@pytest.mark.parametrize(
    "kwargs",
    [
        {"account_id": "a/b"},
        {"account_id": ""},
        {"account_id": "a", "base_url": "ftp://host"},
        {"account_id": "a", "base_url": "https://user:pw@host"},
        {"account_id": "a", "flavour": "other"},
    ],
)
def test_bad_endpoints(kwargs: dict[str, str]) -> None:
    with pytest.raises(ConfigurationError):
        Endpoint(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "url", ["https://:s3cret-in-url@api.boomi.com", "https://u:s3cret-in-url@api.boomi.com", "https://u@api.boomi.com"]
)
def test_user_information_in_a_base_url_is_refused_unechoed(url: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        Endpoint("acme-ABC123", url)
    message = str(refused.value)
    assert "holds user information" in message
    assert "s3cret-in-url" not in message
    assert "\n" not in message


def test_plain_http_is_refused_except_on_loopback() -> None:
    with pytest.raises(ConfigurationError, match="plain http://: the password would travel in clear text"):
        Endpoint("acme-ABC123", "http://api.boomi.com")
    with pytest.raises(ConfigurationError, match="plain http://"):
        Endpoint.from_sources(env={"BOOMI_ACCOUNT_ID": "a", "BOOMI_BASE_URL": "http://10.0.0.5:8080"})
    assert Endpoint("acme-ABC123", "http://api.boomi.com", allow_insecure=True).url.startswith("http://api.boomi.com/")
    for host in ("127.0.0.1", "127.8.9.10", "[::1]", "localhost"):
        assert Endpoint("acme-ABC123", f"http://{host}:8080").url == f"http://{host}:8080/api/soap/v1/acme-ABC123"
