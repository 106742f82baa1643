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
