"""Environment extensions from a file: every section, secrets from the environment or a file, checked first."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from boomi_soap.exceptions import ConfigurationError
from boomi_soap.platform import extensions as ext
from boomi_soap.platform.deploy import get_extensions
from tests.boomi_soap.conftest import Connect

SECRET = "s3cr3t-from-the-environment"
KEY = "-----BEGIN KEY-----abc"
EVERY_SECTION: dict[str, Any] = {
    "connections": {"connection": [{"id": "conn-1", "name": "Orders DB", "field": [
        {"id": "user", "value": "orders"},
        {"id": "password", "value": {"env": "ORDERS_DB_PASSWORD"}, "usesEncryption": True},
    ]}]},
    "crossReferences": {"crossReference": [{"id": "xref-1", "name": "Countries", "overrideValues": True,
                                            "CrossReferenceRows": {"row": [{"ref1": "DE", "ref2": "Germany"}]}}]},
    "PGPCertificates": {"PGPCertificate": [{"id": "pgp-1", "useDefault": False, "value": {"file": "pgp.key"}}]},
    "tradingPartners": {"tradingPartner": [{"id": "tp-1", "name": "ACME", "category": [
        {"id": "as2", "name": "AS2", "field": [{"id": "url", "value": "https://as2.example"}]}]}]},
    "processProperties": {"ProcessProperty": [{"id": "pp-1", "name": "Limits", "ProcessPropertyValue": [
        {"key": "max", "label": "Max", "value": "10"}]}]},
    "properties": {"property": [{"name": "region", "value": "us-east-1"}, {"name": "api.token", "value": "tok"}]},
}  # fmt: skip


def _write(tmp_path: Path, document: object, name: str = "extensions.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return path


def test_every_section_from_a_file_with_secrets_never_shown(connect: Connect, tmp_path: Path) -> None:
    _, client = connect()
    (tmp_path / "pgp.key").write_text(KEY + "\n")
    path = _write(tmp_path, EVERY_SECTION)
    checked = ext.load(client, path, environ={"ORDERS_DB_PASSWORD": SECRET})
    shown = "\n".join(ext.plan_lines(checked))
    assert SECRET not in shown
    assert KEY not in shown
    assert SECRET not in repr(checked)
    assert "would set connections.connection[0].field[1].value = ***" in shown
    assert "would set properties.property[1].value = ***" in shown  # a secret-named property
    assert "would set properties.property[0].value = us-east-1" in shown
    assert "would set crossReferences.crossReference[0].CrossReferenceRows.row[0].ref2 = Germany" in shown

    ext.apply(client, "Production", checked)
    after = get_extensions(client, "Production")
    fields = {f.id: f.value for f in after.connections.connection[0].field}
    assert fields == {"user": "orders", "password": SECRET}  # the secret itself is what was sent
    assert after.PGPCertificates.PGPCertificate[0].value == KEY  # one trailing newline dropped
    assert after.crossReferences.crossReference[0].CrossReferenceRows.row[0].ref2 == "Germany"
    assert after.tradingPartners.tradingPartner[0].category[0].field[0].value == "https://as2.example"
    assert after.processProperties.ProcessProperty[0].ProcessPropertyValue[0].value == "10"
    assert {p.name: p.value for p in after.properties.property}["region"] == "us-east-1"


@pytest.mark.contracts("split", why="the check reads the schema before anything is sent")
@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"connections": {"connection": [{"id": "c", "field": [{"id": "x", "valu": "1"}]}]}},
         r": \$\.connections\.connection\[0\]\.field\[0\]\.valu: Field has no 'valu' \(it has .*value"),
        ({"connections": {"connection": {"id": "c"}}}, r": \$\.connections\.connection: expected a list, not an object"),
        ({"crossReferences": {"crossReference": [{"overrideValues": "yes"}]}},
         r"\.overrideValues: expected true or false, not text"),
        ({"properties": {"property": [{"name": "p", "value": {"env": "UNSET_VARIABLE_X"}}]}},
         r"\.value: environment variable UNSET_VARIABLE_X is not set"),
        ({"properties": {"property": [{"name": "p", "value": {"file": "nope.txt"}}]}}, r"\.value: cannot read .*nope"),
        ({"properties": {"property": [{"name": "p", "value": {"vault": "x"}}]}}, r'or \{"file": "PATH"\} for a secret'),
        ({"environmentId": "x"}, r": \$\.environmentId: not an extension section"),
        ({}, r": \$: no sections to set"),
        ([], r": \$: expected an object"),
    ],
)  # fmt: skip
def test_mistakes_name_the_file_and_the_json_path(
    connect: Connect, tmp_path: Path, document: object, message: str
) -> None:
    _, client = connect()
    path = _write(tmp_path, document)
    with pytest.raises(ConfigurationError, match=message) as caught:
        ext.load(client, path, environ={})
    assert str(caught.value).startswith(f"{path}: ")
    assert "\n" not in str(caught.value)


@pytest.mark.contracts("split", why="reading the file is local")
def test_files_that_cannot_be_read(connect: Connect, tmp_path: Path) -> None:
    _, client = connect()
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ConfigurationError, match=r"bad\.json: not JSON: line 1 column 2"):
        ext.load(client, bad)
    with pytest.raises(ConfigurationError, match=r"^cannot read extensions file .*missing\.json"):
        ext.load(client, tmp_path / "missing.json")
    yaml_file = tmp_path / "e.yaml"
    yaml_file.write_text("properties:\n  property:\n    - {name: region, value: ap-south-1}\n")
    try:
        import yaml  # type: ignore[import-untyped,unused-ignore]  # noqa: F401
    except ImportError:
        with pytest.raises(ConfigurationError, match=r"e\.yaml: reading YAML needs PyYAML"):
            ext.load(client, yaml_file)
    else:
        assert ext.load(client, yaml_file).leaves == (("$.properties.property[0].name", "region"),
                                                      ("$.properties.property[0].value", "ap-south-1"))  # fmt: skip


@pytest.mark.contracts("split", why="the logs are the client's, alike on every layout")
def test_a_secret_is_masked_in_the_debug_logs_whatever_its_field_is_named(
    connect: Connect, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _, client = connect()
    plain = "plainly-named-but-secret-4711"
    path = _write(tmp_path, {"properties": {"property": [{"name": "region", "value": {"env": "REGION_SECRET"}}]}})
    checked = ext.load(client, path, environ={"REGION_SECRET": plain})
    with caplog.at_level(logging.DEBUG, logger="boomi_soap"):
        ext.apply(client, "Production", checked)
    assert "answer" in caplog.text  # the bodies were logged ...
    assert plain not in caplog.text  # ... with the secret masked
    assert {p.name: p.value for p in get_extensions(client, "Production").properties.property}["region"] == plain
