"""The transport's bounds against real loopback servers: redirects, deadlines, sizes, redacted logs."""

from __future__ import annotations

import base64
import logging
import re
import socket
from pathlib import Path

import pytest
import requests

from boomi_soap._transports.sync import CallRecord, SafeTransport, limit_answer, refuse_unsafe_retry
from boomi_soap.client import Client
from boomi_soap.credentials import Credentials
from boomi_soap.exceptions import (
    RateLimitedError,
    RedirectRefusedError,
    ResponseError,
    ServiceTimeoutError,
    TransportError,
)
from boomi_soap.localservice import DEFAULT_ACCOUNT, Injection, LocalService, ServiceConfig, User
from boomi_soap.settings import ClientSettings, RetryPolicy
from boomi_soap.snapshot.cache import pinned_store
from tests.scripted import drip, flood, reply, scripted

SECRET = "Sentinel-Transport-9d41c7"
CREDENTIALS = Credentials.from_password("ann@example.com", SECRET)
PATH = f"/api/soap/v1/{DEFAULT_ACCOUNT}"
QUICK = ClientSettings(rate_limit=None, retry=RetryPolicy(max_retries=2, backoff=0.01, max_backoff=0.02))


def client_at(base_url: str, compiled_dir: Path, settings: ClientSettings = QUICK, transport: str = "soap") -> Client:
    return Client(
        pinned_store().current(DEFAULT_ACCOUNT), CREDENTIALS, endpoint=base_url + PATH,
        settings=settings, compiled_dir=compiled_dir, transport=transport,  # type: ignore[arg-type]
    )  # fmt: skip


def sent_path(transport: str) -> str:
    """Where a ``get`` of the account goes on each transport."""
    return PATH if transport == "soap" else f"/api/rest/v1/{DEFAULT_ACCOUNT}/Account/{DEFAULT_ACCOUNT}"


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirects_are_never_followed(status: int, compiled_dir: Path, transport: str) -> None:
    with scripted(reply(200, b"<never/>")) as elsewhere:
        target = elsewhere.base_url + "/steal"
        with scripted(reply(status, headers={"Location": target})) as service:
            client = client_at(service.base_url, compiled_dir, transport=transport)
            with pytest.raises(RedirectRefusedError) as refused:
                client.get("Account", DEFAULT_ACCOUNT)
    message = str(refused.value)
    assert f"HTTP {status} redirect from {service.base_url}{sent_path(transport)} to {target} not followed" in message
    assert (refused.value.status, refused.value.location) == (status, target)
    assert len(service.received) == 1  # not retried either
    basic = base64.b64encode(f"ann@example.com:{SECRET}".encode()).decode()
    # The password went where it was sent, and only there (WS-Security, or Basic auth on REST).
    assert (SECRET if transport == "soap" else basic) in service.text()
    assert elsewhere.received == []
    assert SECRET not in message + repr(refused.value)


def test_a_redirect_location_with_credentials_is_not_echoed(compiled_dir: Path, transport: str) -> None:
    location = {"Location": "https://u:hunter2@evil.example/x"}
    with scripted(reply(302, headers=location)) as service, pytest.raises(RedirectRefusedError) as refused:
        client_at(service.base_url, compiled_dir, transport=transport).get("Account", DEFAULT_ACCOUNT)
    assert "hunter2" not in str(refused.value)
    assert "https://***@evil.example/x" in str(refused.value)


@pytest.mark.timeout(30)  # finishes: without the deadline the drip would go on for about 14 hours
@pytest.mark.parametrize("headers_first", [False, True], ids=["dripped-headers", "dripped-body"])
def test_a_dripped_answer_is_cut_at_the_total_timeout(headers_first: bool, compiled_dir: Path, transport: str) -> None:
    settings = ClientSettings(rate_limit=None, read_timeout=5, total_timeout=0.5, retry=RetryPolicy(max_retries=3))
    with scripted(drip(0.1, headers_first=headers_first)) as service:
        client = client_at(service.base_url, compiled_dir, settings, transport)
        with pytest.raises(
            ServiceTimeoutError,
            match=r"no complete answer from http://127\.0\.0\.1:\d+/\S+ within the total timeout of 0\.5 s",
        ) as late:
            client.get("Account", DEFAULT_ACCOUNT)
    assert late.value.attempts == 1
    assert late.value.sent is None


def test_the_total_timeout_covers_retries(compiled_dir: Path, transport: str) -> None:
    settings = ClientSettings(
        rate_limit=None,
        total_timeout=1,
        retry=RetryPolicy(max_retries=1000, backoff=0.2, max_backoff=0.2, jitter=False),
    )
    # The service signs the caller in before it reads the body, so it must know the user.
    user = User("ann@example.com", password=SECRET, accounts=frozenset({DEFAULT_ACCOUNT}))
    with LocalService(ServiceConfig(users=(user,))) as service:
        service.inject(Injection.HTTP_503, times=10_000)
        client = client_at(service.base_url, compiled_dir, settings, transport)
        with pytest.raises(RateLimitedError) as limited:
            client.get("Account", DEFAULT_ACCOUNT)
    assert 1 < limited.value.attempts < 50  # retried, then stopped by the deadline, not by max_retries


@pytest.mark.timeout(30)  # finishes: the answer is cut, not read to its end
def test_a_huge_answer_is_cut_at_the_size_limit(compiled_dir: Path, transport: str) -> None:
    settings = ClientSettings(rate_limit=None, max_response_bytes=1024 * 1024, retry=RetryPolicy(max_retries=0))
    with (
        scripted(flood(50 * 1024 * 1024)) as service,
        pytest.raises(ResponseError, match=r"answer larger than 1048576 bytes from http://127\.0\.0\.1:\d+/api"),
    ):
        client_at(service.base_url, compiled_dir, settings, transport).get("Account", DEFAULT_ACCOUNT)


def test_a_declared_size_over_the_limit_is_not_read(compiled_dir: Path, transport: str) -> None:
    settings = ClientSettings(rate_limit=None, max_response_bytes=100, retry=RetryPolicy(max_retries=0))
    big = reply(200, b"<x>" + b" " * 200 + b"</x>")
    with scripted(big) as service, pytest.raises(ResponseError, match="answer larger than 100 bytes"):
        client_at(service.base_url, compiled_dir, settings, transport).get("Account", DEFAULT_ACCOUNT)


ENVELOPE = f"""<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>
<api:result xmlns:api="http://api.platform.boomi.com/">
  <api:encryptedValues><api:encryptedValue path="//password" isSet="true">{SECRET}-ev</api:encryptedValue></api:encryptedValues>
  <GenericConnectionConfig><field id="password" type="password" value="{SECRET}-field"/><password>{SECRET}-pw</password></GenericConnectionConfig>
  <AmazonS3 awsAccessKeyId="AKIA" awsSecretAccessKey="{SECRET}-aws"><name>visible-name</name></AmazonS3>
</api:result></soapenv:Body></soapenv:Envelope>""".encode()


def echo(handler: object, state: object) -> None:
    received = state.received[-1]  # type: ignore[attr-defined]
    reply(200, received.body, {"Content-Type": "text/xml", "Set-Cookie": f"session={SECRET}-cookie"})(
        handler,  # type: ignore[arg-type]
        state,  # type: ignore[arg-type]
    )


def test_debug_logs_mask_secret_fields_by_name(caplog: pytest.LogCaptureFixture) -> None:
    session = requests.Session()
    session.auth = ("ann@example.com", SECRET)  # a Basic Authorization header on every request
    transport = SafeTransport(ClientSettings(rate_limit=None), session)
    with scripted(echo) as service, caplog.at_level(logging.DEBUG, logger="boomi_soap.client"):
        transport.begin("get")
        answer = transport.post(service.base_url + PATH, ENVELOPE, {"Content-Type": "text/xml"})
    assert answer.content == ENVELOPE  # what was sent and received is untouched; only the log is masked
    assert service.received[0].headers["Authorization"].startswith("Basic ")
    # Only ours: an earlier test may have left urllib3 logging at DEBUG.
    logs = [r.getMessage() for r in caplog.records if r.name == "boomi_soap.client"]
    assert len(logs) == 2  # the request and the answer
    for text in logs:
        assert SECRET not in text, text
        assert base64.b64encode(f"ann@example.com:{SECRET}".encode()).decode() not in text
        assert 'awsSecretAccessKey="***"' in text
        assert 'value="***"' in text
        assert "<password>***</password>" in text
        assert 'isSet="***">***</api:encryptedValue>' in text
        assert "<name>visible-name</name>" in text
    assert "Authorization: Basic ***" in logs[0]
    assert "Set-Cookie: ***" in logs[1]
    # The headers logged are the ones sent: the body's length, not the 0 of a request without one.
    assert f"Content-Length: {len(ENVELOPE)}" in logs[0]
    assert "Content-Length: 0" not in logs[0]


def test_debug_bodies_are_cut_with_their_size(caplog: pytest.LogCaptureFixture) -> None:
    big = b"<x>" + b"y" * 200_000 + b"</x>"
    transport = SafeTransport(ClientSettings(rate_limit=None, debug_body_limit=1000))
    with scripted(echo) as service, caplog.at_level(logging.DEBUG, logger="boomi_soap.client"):
        transport.begin("get")
        assert transport.post(service.base_url, big, {}).content == big
    for record in (r for r in caplog.records if r.name == "boomi_soap.client"):
        assert f"[... cut at 1000 of {len(big)} bytes]" in record.getMessage()
        assert len(record.getMessage()) < 2000


# -- messages that say what went wrong, and where ------------------------------------------

HTML_LOGIN = b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>login</body></html>"


def test_https_to_a_plain_http_port_says_so(compiled_dir: Path) -> None:
    with scripted(reply(200, b"<never/>")) as service:
        https = service.base_url.replace("http://", "https://")
        with pytest.raises(TransportError) as refused:
            client_at(https, compiled_dir).get("Account", DEFAULT_ACCOUNT)
    message = str(refused.value)
    assert (
        message
        == f"get: {https}{PATH} does not speak TLS: the port answers plain HTTP (use http://, or the https port)"
    )
    assert "certificate" not in message
    assert refused.value.attempts == 1  # a port that speaks plain HTTP will not learn TLS in a retry


def test_a_dns_failure_names_the_host_and_is_not_retried(compiled_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_such_host(host: object, *args: object, **kwargs: object) -> object:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    client = client_at("https://api.boomi.invalid", compiled_dir)
    with pytest.raises(TransportError) as refused:
        client.get("Account", DEFAULT_ACCOUNT)
    assert str(refused.value) == (
        f"get: cannot resolve host 'api.boomi.invalid' (DNS lookup failed) for https://api.boomi.invalid{PATH}"
    )
    assert (refused.value.sent, refused.value.attempts) == (False, 1)


def test_a_refused_connection_names_the_url(compiled_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    with (
        caplog.at_level(logging.WARNING, logger="boomi_soap.client"),
        pytest.raises(
            TransportError, match=r"could not connect to http://127\.0\.0\.1:9/api/soap/v1/\S+: connection refused"
        ),
    ):
        client_at("http://127.0.0.1:9", compiled_dir).get("Account", DEFAULT_ACCOUNT)
    # Each retry says so as it waits, instead of seconds of silence before the error.
    retries = [r.getMessage() for r in caplog.records if r.name == "boomi_soap.client" and r.levelno == logging.WARNING]
    assert retries
    assert all(re.search(r"connection refused; retrying in [\d.]+ s \(attempt \d of \d\)$", m) for m in retries)


@pytest.mark.parametrize("status", [200, 502])
def test_an_html_page_is_not_a_soap_answer(status: int, compiled_dir: Path) -> None:
    page = reply(status, HTML_LOGIN, {"Content-Type": "text/html"})
    with scripted(page) as service, pytest.raises(ResponseError) as refused:
        client_at(service.base_url, compiled_dir).get("Account", DEFAULT_ACCOUNT)
    assert str(refused.value) == f"get: HTTP {status}: not a SOAP answer (HTML) from {service.base_url}{PATH}"


def test_the_user_agent_setting_is_sent(compiled_dir: Path) -> None:
    settings = ClientSettings(rate_limit=None, user_agent="acme-sync/2.1", retry=RetryPolicy(max_retries=0))
    with scripted(reply(500, b"x")) as service, pytest.raises(ResponseError):
        client_at(service.base_url, compiled_dir, settings).get("Account", DEFAULT_ACCOUNT)
    assert service.received[0].headers["User-Agent"] == "acme-sync/2.1"


def test_proxy_ca_bundle_and_client_certificate_reach_the_session(compiled_dir: Path) -> None:
    settings = ClientSettings(
        proxies={"https": "http://127.0.0.1:3128"}, ca_bundle="/etc/ca.pem", client_cert=("/c.pem", "/k.pem")
    )
    session = SafeTransport(settings).session
    assert (session.proxies["https"], session.verify, session.cert) == (
        "http://127.0.0.1:3128", "/etc/ca.pem", ("/c.pem", "/k.pem"),
    )  # fmt: skip


# -- at most once: which 503 is the service refusing a call unrun ---------------------------

BOOMI_BUSY = "The Boomi server is currently unavailable or your account's rate limits have been exceeded."


def soap_fault(faultstring: str, code: str | None = None) -> bytes:
    detail = (
        f'<detail><ns2:ApiFault xmlns:ns2="http://api.platform.boomi.com/"><code>{code}</code></ns2:ApiFault></detail>'
        if code
        else ""
    )
    return (
        '<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body><S:Fault>'
        f"<faultcode>S:Server</faultcode><faultstring>{faultstring}</faultstring>{detail}</S:Fault></S:Body></S:Envelope>"
    ).encode()


@pytest.mark.parametrize(
    ("body", "own"),
    [
        (soap_fault("Too many calls", "RATE_LIMIT"), True),
        (soap_fault("Over the day's budget", "QUOTA"), True),
        (soap_fault(BOOMI_BUSY), True),
        (soap_fault("Service Unavailable (injected)", "INJECTED"), True),  # the local service's busy answer
        (f"<error><message>{BOOMI_BUSY}</message></error>".encode(), True),
        (b'{"@type": "Error", "message": "The account\'s API quota has been exceeded"}', True),
        (b'{"error": {"message": "rate limit exceeded"}}', True),
        (b"", False),
        (b"Service Unavailable", False),
        (b"<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>", False),
        (soap_fault("Internal error"), False),
        (b'<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body/></S:Envelope>', False),
        (b"<status>unavailable</status>", False),
        (b'{"status": "unavailable"}', False),
        (b'{"message": ["unavailable"]}', False),
        (b"[" * 100_000, False),
        (b'<!DOCTYPE x [<!ENTITY e "unavailable">]><error><message>&e;</message></error>', False),
        (f"<error><message>{BOOMI_BUSY}{' ' * 70_000}</message></error>".encode(), False),
    ],
    ids=[
        "fault-rate-limit", "fault-quota", "fault-boomi-words", "fault-injected", "rest-xml", "rest-json-type",
        "rest-json-error", "empty", "text", "gateway-html", "other-fault", "no-fault", "other-xml", "other-json",
        "json-not-a-string", "deep-json", "dtd", "oversized",
    ],
)  # fmt: skip
def test_only_the_service_own_answer_is_a_limit_answer(body: bytes, own: bool) -> None:
    assert limit_answer(body) is own


def test_a_gateway_503_stops_only_calls_not_safe_to_repeat() -> None:
    policy = RetryPolicy()
    for operation in ("get", "query", "queryMore"):
        refuse_unsafe_retry(CallRecord(operation, attempts=1), policy, 503, b"", PATH)
    for status in (200, 500, 502):
        refuse_unsafe_retry(CallRecord("create", attempts=1), policy, status, b"", PATH)
    refuse_unsafe_retry(CallRecord("create", attempts=1), policy, 503, soap_fault(BOOMI_BUSY), PATH)
    for operation in ("create", "update", "delete", "executeProcess", "ExecutionRequest", "deployProcess"):
        record = CallRecord(operation, attempts=1)
        with pytest.raises(TransportError, match=r"HTTP 503 from /api/soap/v1/.* the call may have run") as stopped:
            refuse_unsafe_retry(record, policy, 503, b"Service Unavailable", PATH)
        assert (stopped.value.sent, stopped.value.attempts) == (True, 1)
        assert record.history == ["attempt 1: HTTP 503, not the service's own; not retried"]


def test_plain_http_loopback_skips_environment_proxies_but_not_the_configured_ones(
    compiled_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with scripted(reply(200, b"<never/>")) as proxy, scripted(reply(500, b"x")) as service:
        monkeypatch.setenv("HTTP_PROXY", proxy.base_url)
        monkeypatch.setenv("http_proxy", proxy.base_url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        with pytest.raises(ResponseError):
            client_at(service.base_url, compiled_dir).get("Account", DEFAULT_ACCOUNT)
        assert (len(proxy.received), len(service.received)) == (0, 1)
        configured = ClientSettings(rate_limit=None, proxies={"http": proxy.base_url}, retry=RetryPolicy(max_retries=0))
        with pytest.raises(ResponseError):
            client_at(service.base_url, compiled_dir, configured).get("Account", DEFAULT_ACCOUNT)
        assert [r.path for r in proxy.received] == [service.base_url + PATH]  # the proxy's own answer


def test_the_request_options_worked_out_once_stay_as_they_were(
    compiled_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every call gets its own copy: requests fills the proxies it is handed from the environment."""
    with scripted(reply(200, b"<never/>")) as proxy, scripted(reply(500, b"x")) as service:
        monkeypatch.setenv("HTTP_PROXY", proxy.base_url)
        monkeypatch.setenv("http_proxy", proxy.base_url)
        client = client_at(service.base_url, compiled_dir)
        for _ in range(2):
            with pytest.raises(ResponseError):
                client.get("Account", DEFAULT_ACCOUNT)
        assert (len(proxy.received), len(service.received)) == (0, 2)  # the second call too, from the kept options
        kept = client.driver._options[client.address]
        assert kept == {"proxies": {"no_proxy": "127.0.0.1"}}
        handed = client.driver._request_options(client.address)
        assert handed == kept
        assert handed is not kept
        assert handed["proxies"] is not kept["proxies"]
