"""Reading a connection failure: the kind, and one line that names the URL or host."""

from __future__ import annotations

import socket
import ssl

import pytest
import requests

from boomi_soap._transports.reasons import describe_connection_error, looks_like_html

URL = "https://api.example.test/api/soap/v1/acme"


def wrapped(cause: BaseException) -> requests.exceptions.ConnectionError:
    """As requests raises it: a ConnectionError whose cause is buried a few levels down."""
    middle = OSError("MaxRetryError")
    middle.__cause__ = cause
    outer = requests.exceptions.ConnectionError(middle)
    outer.__context__ = middle
    return outer


@pytest.mark.parametrize(
    ("cause", "kind", "message"),
    [
        (socket.gaierror(-2, "Name or service not known"), "dns",
         f"cannot resolve host 'api.example.test' (DNS lookup failed) for {URL}"),
        (ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number"), "tls-plain",
         f"{URL} does not speak TLS: the port answers plain HTTP (use http://, or the https port)"),
        (ssl.SSLError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"), "tls",
         f"TLS certificate verification failed for {URL}"),
        (ConnectionRefusedError(111, "Connection refused"), "refused",
         f"could not connect to {URL}: connection refused"),
    ],
)  # fmt: skip
def test_kinds_and_messages(cause: BaseException, kind: str, message: str) -> None:
    problem = describe_connection_error(wrapped(cause), URL)
    assert (problem.kind, problem.message) == (kind, message)
    assert URL not in problem.reason


def test_user_information_is_never_repeated() -> None:
    problem = describe_connection_error(wrapped(ConnectionRefusedError()), "https://ann:hunter2@h.test/x")
    assert "hunter2" not in problem.message


@pytest.mark.parametrize(
    ("body", "html"),
    [
        (b"<!DOCTYPE html><html><body>Sign in</body></html>", True),
        (b"  \n<HTML><HEAD></HEAD></HTML>", True),
        (b'<?xml version="1.0"?><S:Envelope xmlns:S="x"/>', False),
        (b"not xml", False),
    ],
)
def test_looks_like_html(body: bytes, html: bool) -> None:
    assert looks_like_html(body) is html
