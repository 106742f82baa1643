"""Codegen on every contract layout: the classes the schema declares, mypy --strict, a round trip.

Each layout's snapshot is fetched from the local service publishing it; a third contract
made here has a WSDL ``targetNamespace`` that is neither the data nor the wrapper namespace.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

from lxml import etree

import codegen
from boomi_soap.client import Client
from boomi_soap.credentials import Credentials, Endpoint
from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER, LocalService, ServiceConfig
from boomi_soap.settings import ClientSettings
from boomi_soap.snapshot.cache import CacheStore, Snapshot, refresh
from boomi_soap.snapshot.contract import contract_of
from boomi_soap.snapshot.fetch import Document, FetchResult

ROOT = Path(__file__).parents[2]
XS = "http://www.w3.org/2001/XMLSchema"
CREDENTIALS = Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD)

ROUND_TRIP = """
import sys
from pathlib import Path

from boomi_soap import Client, Credentials, F
from boomi_soap.snapshot.cache import CacheStore
from acme_gen import TypedClient, types as t

snapshot = CacheStore(Path(sys.argv[1]), read_only=True).open(Path(sys.argv[2]))
client = Client(snapshot, Credentials.from_password("demo@example.com", "demo-password"), endpoint=sys.argv[3],
                compiled_dir=Path(sys.argv[1]) / "compiled")
typed = TypedClient(client)
process = typed.get_process(sys.argv[4])
assert isinstance(process, t.Process) and process.id_ == sys.argv[4], process
assert len(list(typed.query_process(F("name") == process.name))) == 1
created = typed.create_environment(t.Environment(name="Round trip", classification=t.EnvironmentClassification.TEST))
assert created.id_ and created.name == "Round trip"
created.name = "Renamed"
updated = typed.update_environment(created)
assert updated.name == "Renamed" and updated.id_ == created.id_
assert typed.get_environment(created.id_).name == "Renamed"
assert typed.delete_environment(created.id_) is True
assert typed.delete_environment(created.id_) is False
print("round trip ok")
"""


def declared_classes(snapshot: Snapshot) -> int:
    """Complex types (named and anonymous, wrapper types excepted) plus enumerations, counted from the XSDs."""
    contract = contract_of(snapshot)
    wrapper_tags = {tag for op in contract.operations.values() for tag in (op.request, op.response)}
    wrappers = {etree.QName(tag).localname for tag in wrapper_tags}
    roots = [etree.parse(str(snapshot.directory / entry.path)).getroot() for entry in snapshot.files]
    roots = [root for root in roots if root.tag == f"{{{XS}}}schema"]
    wrapper_types = {  # a wrapper's type may have another name or namespace (split: soap:query is an api:query)
        _clark(node, node.get("type", ""))
        for root in roots
        for node in root.iterfind(f"{{{XS}}}element")
        if f"{{{root.get('targetNamespace')}}}{node.get('name')}" in wrapper_tags and node.get("type")
    }
    total = 0
    for root in roots:
        for node in root.iterfind(f"{{{XS}}}complexType"):
            if f"{{{root.get('targetNamespace')}}}{node.get('name')}" in wrapper_types:
                continue
            total += sum(1 for _ in node.iter(f"{{{XS}}}complexType"))
        for node in root.iterfind(f"{{{XS}}}element"):
            if node.get("name") not in wrappers:
                total += sum(1 for _ in node.iter(f"{{{XS}}}complexType"))
        total += sum(1 for st in root.iterfind(f"{{{XS}}}simpleType") if st.find(f".//{{{XS}}}enumeration") is not None)
    return total


def _clark(node: etree._Element, qname: str) -> str:
    prefix, _, local = qname.rpartition(":")
    return f"{{{node.nsmap.get(prefix or None, '')}}}{local}"


def generated_classes(source: str) -> int:
    return sum(isinstance(node, ast.ClassDef) for node in ast.parse(source).body)


def check_layout(snapshot: Snapshot, service: LocalService, tmp_path: Path, mypy_cache: Path) -> None:
    generation = codegen.generate(snapshot, "acme_gen")
    assert generation.errors == []
    assert generated_classes(generation.files["types.py"]) == declared_classes(snapshot)
    codegen.write(generation, tmp_path / "gen" / "acme_gen")
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--config-file", str(ROOT / "setup.cfg"),
         "--cache-dir", str(mypy_cache), "-p", "acme_gen"],
        cwd=tmp_path / "gen", capture_output=True, text=True, check=False,
        env={**os.environ, "MYPYPATH": os.pathsep.join([str(tmp_path / "gen"), str(ROOT)])},
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout[-2000:]
    process = service.store().all("Process")[0].key
    ran = subprocess.run(
        [sys.executable, "-c", ROUND_TRIP, str(snapshot.directory.parents[2]), str(snapshot.directory),
         service.endpoint(), process],
        cwd=ROOT, capture_output=True, text=True, check=False,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path / "gen"), str(ROOT)])},
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert ran.stdout.strip() == "round trip ok"


def test_codegen_on_the_layout_of_the_account(service: LocalService, tmp_path: Path, mypy_cache: Path) -> None:
    endpoint = Endpoint(DEFAULT_ACCOUNT, service.base_url, service.flavour)
    snapshot = refresh(CacheStore(tmp_path / "cache"), endpoint, CREDENTIALS).snapshot
    check_layout(snapshot, service, tmp_path, mypy_cache)


def test_a_wsdl_whose_target_namespace_is_not_the_wrappers(tmp_path: Path, mypy_cache: Path) -> None:
    """The single layout, with the WSDL's own components moved to a namespace of their own."""
    with LocalService(ServiceConfig(rate_limit=None, contract="single")) as service:
        endpoint = Endpoint(DEFAULT_ACCOUNT, service.base_url)
        fetched = refresh(CacheStore(tmp_path / "fetched"), endpoint, CREDENTIALS).snapshot
        wsdl = (fetched.directory / fetched.wsdl).read_bytes()
        moved = (
            wsdl.replace(b'targetNamespace="http://api.platform.boomi.com/"', b'targetNamespace="urn:acme:wsdl"')
            .replace(b'xmlns:tns="http://api.platform.boomi.com/"', b'xmlns:tns="urn:acme:wsdl" xmlns:api="http://api.platform.boomi.com/"')
            .replace(b'element="tns:', b'element="api:')
        )  # fmt: skip
        assert moved.count(b'element="api:') == 26
        documents = tuple(
            Document(e.url, e.path, moved if e.path == fetched.wsdl else (fetched.directory / e.path).read_bytes(),
                     None, None, "now")
            for e in fetched.files
        )  # fmt: skip
        snapshot, _ = CacheStore(tmp_path / "cache").save(FetchResult(endpoint, documents))
        contract = contract_of(snapshot)
        assert contract.target_namespace == "urn:acme:wsdl"
        assert contract.wrapper_namespaces == ("http://api.platform.boomi.com/",)
        client = Client(snapshot, CREDENTIALS, settings=ClientSettings(rate_limit=None), compiled_dir=tmp_path)
        assert client.get("Account", DEFAULT_ACCOUNT).accountId == DEFAULT_ACCOUNT
        check_layout(snapshot, service, tmp_path, mypy_cache)
