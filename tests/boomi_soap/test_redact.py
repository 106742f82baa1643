"""Masking by name, on whole, truncated and cut bodies."""

from __future__ import annotations

import pytest

from boomi_soap.redact import debug_body, is_secret_name, redact, redact_headers, redact_url

S = "Sentinel-Redact-42"


@pytest.mark.parametrize(
    "document",
    [
        f"<wsse:Password Type='x'>{S}</wsse:Password>",
        f"<api:encryptedValues><api:encryptedValue path='//p'>{S}</api:encryptedValue></api:encryptedValues>",
        f'<connection><field id="password" type="password" value="{S}"/></connection>',
        f'<AmazonS3 awsSecretAccessKey="{S}" bucket="b"/>',
        f"<settings><apiKey>{S}</apiKey></settings>",
        f"<ProcessProperty><Name>clientSecret</Name><Value>{S}</Value></ProcessProperty>",
        f"<credentials><user>{S}</user><![CDATA[{S}]]></credentials>",
        f"<a><password>{S}",  # a truncated answer
        f'<a token="{S}',
    ],
)
def test_secrets_are_masked_by_name(document: str) -> None:
    masked = redact(document)
    assert S not in masked
    assert "***" in masked


def test_the_shape_stays_readable() -> None:
    masked = redact("<wsse:UsernameToken><wsse:Username>u</wsse:Username><wsse:Password>p</wsse:Password>"
                    "</wsse:UsernameToken><name>visible</name>")  # fmt: skip
    assert masked == (
        "<wsse:UsernameToken><wsse:Username>***</wsse:Username><wsse:Password>***</wsse:Password>"
        "</wsse:UsernameToken><name>visible</name>"
    )


@pytest.mark.parametrize("cut", range(1, 60))
def test_a_cut_never_reveals_part_of_a_secret(cut: int) -> None:
    body = f'<a><b>x</b><field id="password" value="{S}"/><password>{S}</password></a>'.encode()
    shown = debug_body(body, cut)
    assert all(S[:n] not in shown for n in range(4, len(S)))
    assert shown.endswith(f"[... cut at {cut} of {len(body)} bytes]")


def test_names_headers_and_urls() -> None:
    assert is_secret_name("awsSecretAccessKey")
    assert is_secret_name("wsse:Nonce")
    assert not is_secret_name("name")
    assert redact_headers({"Authorization": "Basic dTpw", "Content-Type": "text/xml"}) == (
        "Authorization: Basic ***\nContent-Type: text/xml"
    )
    assert redact_url("https://u:p@h.example:8443/x?wsdl") == "https://***@h.example:8443/x?wsdl"
    assert redact_url("https://h.example/x") == "https://h.example/x"
