"""A WSDL whose schemas are declared inline in ``wsdl:types`` (alone, or beside imported ones).

The stand-in is the local service's own contract rewritten so: each imported schema
moved into ``wsdl:types`` (their imports of each other left without a location, as such
WSDLs write them), served by a loopback document server.  It is fetched, cached,
validated against, generated from and called like the imported layout, and reads the
same: the same declarations, the same typed classes, the same answers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

import codegen
from boomi_soap.client import Client
from boomi_soap.credentials import Credentials, Endpoint
from boomi_soap.exceptions import RequestValidationError, SchemaLoadError
from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER, LocalService, ServiceConfig
from boomi_soap.settings import ClientSettings
from boomi_soap.snapshot.cache import CacheStore, Snapshot, refresh
from boomi_soap.snapshot.contract import contract_of
from boomi_soap.snapshot.fetch import inline_schema_name
from boomi_soap.snapshot.schema import load_schema
from boomi_soap.validate import SchemaValidator
from tests.docserver import doc_server

CREDENTIALS = Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD)
XML = {"Content-Type": "text/xml; charset=utf-8"}
NS_WSDL = "http://schemas.xmlsoap.org/wsdl/"
NS_XS = "http://www.w3.org/2001/XMLSchema"
PATH = f"/api/soap/v1/{DEFAULT_ACCOUNT}"


@pytest.fixture(scope="module")
def service() -> Iterator[LocalService]:
    with LocalService(ServiceConfig(rate_limit=None)) as running:
        yield running


@pytest.fixture(scope="module")
def imported(service: LocalService, tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    """The service's contract as it publishes it: types that import their schemas."""
    endpoint = Endpoint(DEFAULT_ACCOUNT, service.base_url, service.flavour)
    return refresh(CacheStore(tmp_path_factory.mktemp("imported")), endpoint, CREDENTIALS).snapshot


def inline_wsdl(snapshot: Snapshot, *, keep_imported: frozenset[str] = frozenset()) -> tuple[bytes, dict[str, bytes]]:
    """The snapshot's WSDL with every schema it imports (but ``keep_imported``) moved inline.

    Spliced as text: moved as a tree, lxml would drop the ``xs`` declarations the WSDL makes
    under another prefix, and the ``type="xs:string"`` values would name nothing.
    """
    text = snapshot.wsdl_path.read_text(encoding="utf-8")
    kept: dict[str, bytes] = {}
    holder = re.compile(
        r"<(\w+):schema>\s*<\1:import namespace=\"[^\"]*\" schemaLocation=\"([^\"]+)\"/>\s*</\1:schema>"
    )

    def inline(match: re.Match[str]) -> str:
        location = match.group(2)
        data = (snapshot.directory / location).read_bytes()
        if location in keep_imported:
            kept[location] = data
            return match.group(0)
        schema = re.sub(r"^<\?xml[^>]*\?>\s*", "", data.decode("utf-8"))
        # A sibling in wsdl:types is imported by namespace only, as such WSDLs write it.
        return re.sub(
            r'(<\w+:import namespace="[^"]*") schemaLocation="([^"]+)"',
            lambda m: m.group(0) if m.group(2) in keep_imported else m.group(1),
            schema,
        )

    spliced = holder.sub(inline, text)
    assert spliced != text
    return spliced.encode("utf-8"), kept


def fetched(body: bytes, kept: dict[str, bytes], into: Path) -> tuple[Snapshot, list[str]]:
    routes = {f"{PATH}?wsdl": (200, XML, body)}
    routes |= {f"/api/soap/v1/{name}": (200, XML, data) for name, data in kept.items()}
    with doc_server(routes) as server:
        result = refresh(CacheStore(into), Endpoint(DEFAULT_ACCOUNT, server.base_url), CREDENTIALS)
        return result.snapshot, [s.path for s in server.seen]


@pytest.mark.parametrize("keep", [frozenset(), frozenset({"service.xsd1.xsd"})], ids=["all-inline", "mixed"])
def test_an_inline_wsdl_fetches_validates_generates_and_calls_like_the_imported_one(
    service: LocalService, imported: Snapshot, tmp_path: Path, keep: frozenset[str]
) -> None:
    body, kept = inline_wsdl(imported, keep_imported=keep)
    snapshot, requested = fetched(body, kept, tmp_path / "cache")
    # Only real documents are requested; the inline schemas are stored as files of their own.
    assert requested == [f"{PATH}?wsdl", *(f"/api/soap/v1/{name}" for name in kept)]
    paths = {entry.path for entry in snapshot.files}
    inline = {p for p in paths if ".inline" in p}
    assert inline
    assert inline <= {inline_schema_name("service.wsdl", n) for n in (1, 2, 3)}
    assert (snapshot.directory / sorted(inline)[0]).read_bytes().startswith(b"<?xml")

    # The same declarations, operations and typed classes as the imported layout.
    assert contract_of(snapshot).operations.keys() == contract_of(imported).operations.keys()
    ours = codegen.generate(snapshot, "acme_inline").files["types.py"]
    theirs = codegen.generate(imported, "acme_inline").files["types.py"]
    assert ours.replace(snapshot.sha256, imported.sha256) == theirs  # the same, but for the snapshot's hash

    # Validation reads the inline declarations: a good body passes, a bad one is refused with its XPath.
    validator = SchemaValidator(load_schema(snapshot, compiled_dir=tmp_path / "compiled"))
    client = Client(
        snapshot,
        CREDENTIALS,
        endpoint=service.endpoint(),
        settings=ClientSettings(rate_limit=None),
        compiled_dir=tmp_path / "compiled",
    )
    with client:
        account = client.get("Account", DEFAULT_ACCOUNT)
        assert account.accountId == DEFAULT_ACCOUNT
        created = client.create("Environment", name="Inline", classification="TEST")
        assert client.delete("Environment", created.id)
        with pytest.raises(RequestValidationError) as refused:
            client.create("Environment", name="Inline", classification="NOT-A-CLASSIFICATION")
        assert "classification" in str(refused.value)
    data = "http://api.platform.boomi.com/"
    good = etree.fromstring(f'<api:Environment xmlns:api="{data}" name="QA" classification="TEST"/>')
    bad = etree.fromstring(f'<api:Environment xmlns:api="{data}" name="QA" classification="NOPE"/>')
    assert validator.is_valid(good)
    assert [issue.path for issue in validator.iter_errors(bad)] == ["/api:Environment/@classification"]


def test_a_snapshot_missing_its_inline_schema_file_says_fetch_again(imported: Snapshot, tmp_path: Path) -> None:
    body, kept = inline_wsdl(imported)
    snapshot, _ = fetched(body, kept, tmp_path / "cache")
    name = next(e.path for e in snapshot.files if ".inline" in e.path)
    damaged = snapshot.__class__(**{**snapshot.__dict__, "files": tuple(e for e in snapshot.files if e.path != name)})
    with pytest.raises(SchemaLoadError, match=rf"not in the snapshot as {name}; fetch the snapshot again"):
        load_schema(damaged, compiled_dir=tmp_path / "compiled")
