"""Masking by name, on whole, truncated and cut bodies."""

from __future__ import annotations

import json

import pytest

from boomi_soap._xml.redact import debug_body, is_secret_name, redact, redact_headers, redact_json, redact_url

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


# -- JSON: the same name/value rule as XML ----------------------------------------------


@pytest.mark.parametrize(
    "document",
    [
        f'{{"name": "dbPassword", "value": "{S}"}}',
        f'{{"Name": "dbPassword", "Value": "{S}"}}',
        f'{{"value": "{S}", "id": "password"}}',  # the name after the value
        f'{{"key": "apiKey", "value": "{S}"}}',
        f'{{"fieldName": "DB Password", "value": "{S}"}}',  # a name with a space
        f'{{"properties": {{"property": [{{"name": "region", "value": "eu"}}, {{"name": "dbPassword", "value": "{S}"}}]}}}}',
        f'{{"@type": "Field", "id": "x", "usesEncryption": true, "value": "{S}"}}',
        f'{{"name": "dbPassword", "value": {{"nested": "{S}"}}}}',
        f'{{"password": "{S}", "token": 12}}',
        f'{{"credentials": {{"user": "{S}"}}}}',
        f'[{{"name": "db\\u0050assword", "value": "{S}"}}]',  # an escaped name is read as JSON reads it
        f'{{"name": "dbPassword", "value": "{S}',  # cut inside the value
        f'{{"value": "{S}", "name": "dbPa',  # cut before the name could be read
        f'{{"name" "dbPassword", "value": "{S}"}}',  # not JSON: masked all the same
    ],
)
def test_json_secrets_are_masked_by_meaning(document: str) -> None:
    masked = redact(document)
    assert S not in masked
    assert "***" in masked


def test_json_keeps_what_names_no_secret() -> None:
    body = '{"name": "region", "value": "eu-west-1", "Name": "x", "password": null, "token": "", "n": 1}'
    assert redact(body) == body
    assert redact('{"name": "dbPassword", "value": "s", "other": "kept"}') == (
        '{"name": "dbPassword", "value": "***", "other": "kept"}'
    )


def test_parsed_and_raw_json_follow_one_rule() -> None:
    value = {"a": [{"Name": "clientSecret", "Value": S}, {"name": "region", "value": "eu"}], "auth": S}
    assert redact_json(value) == {"a": [{"Name": "clientSecret", "Value": "***"}, {"name": "region", "value": "eu"}],
                                  "auth": "***"}  # fmt: skip
    assert json.loads(redact(json.dumps(value))) == redact_json(value)


@pytest.mark.parametrize("cut", range(1, 120))
def test_a_cut_json_body_never_reveals_part_of_a_secret(cut: int) -> None:
    body = json.dumps(
        {"items": [{"value": S, "name": "dbPassword"}, {"name": "apiKey", "value": S}], "password": S}
    ).encode()
    shown = debug_body(body, cut)
    assert all(S[:n] not in shown for n in range(4, len(S)))


@pytest.mark.parametrize(
    "document",
    [
        f'<property key="dbPassword" value="{S}"/>',
        f"<p><key>dbPassword</key><value>{S}</value></p>",
        f"<p><Id>password</Id><Value>{S}</Value></p>",
        f'<field name="DB Password" value="{S}"/>',
        f"<ProcessProperty><Name>DB Password</Name><Value>{S}</Value></ProcessProperty>",
    ],
)
def test_xml_pairs_use_the_same_naming_keys(document: str) -> None:
    assert S not in redact(document)


def test_urls_mask_secret_query_parameters() -> None:
    assert redact_url(f"redis://h:6379/0?password={S}&db=2") == "redis://h:6379/0?password=***&db=2"
    assert redact_url(f"https://h/x?access_token={S};a=1#frag") == "https://h/x?access_token=***;a=1#frag"
    assert redact_url(f"unix:///tmp/r.sock?pass%77ord={S}") == "unix:///tmp/r.sock?pass%77ord=***"
    assert redact_url(f"redis://user:{S}@h:1/0", keep_user=True) == "redis://user:***@h:1/0"
    assert redact_url("https://h/x?wsdl&a=b") == "https://h/x?wsdl&a=b"


def test_json_nested_past_the_parser_is_still_redacted() -> None:
    """A hostile answer logged at DEBUG: JSON too deep for json.loads is read by the tokenizer."""
    deep = b'{"name": "dbPassword", "value": "s3cret", "k": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    shown = redact(deep)
    assert "s3cret" not in shown
    assert redact(b'{"k": ' + b"[" * 5000 + b"]" * 5000 + b"}").startswith('{"k": [[')
