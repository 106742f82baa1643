"""Start-up: what a client builds at construction, what waits for first need, and the
lxml WS-Security header that lets the typed path run without zeep."""

from __future__ import annotations

import copy
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from lxml import etree

from boomi_soap.client import NS_ENVELOPE, NS_WSSE, Client, sign
from boomi_soap.credentials import Credentials
from boomi_soap.exceptions import CacheIntegrityError, RequestValidationError, TransportError
from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER, LocalService
from boomi_soap.settings import ClientSettings
from boomi_soap.snapshot.cache import Snapshot
from boomi_soap.snapshot.schema import SnapshotFiles
from tests.conftest import FIXTURES
from tests.xmlcompare import canon

CREDENTIALS = Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD)
FAST = ClientSettings(rate_limit=None)
SAMPLES = FIXTURES / "boomi-samples"
NS_WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
ROOT = Path(__file__).resolve().parents[2]


def _envelope(*, header: bool = True) -> etree._Element:
    envelope = etree.Element(f"{{{NS_ENVELOPE}}}Envelope", nsmap={"soapenv": NS_ENVELOPE})
    if header:
        etree.SubElement(envelope, f"{{{NS_ENVELOPE}}}Header")
    body = etree.SubElement(envelope, f"{{{NS_ENVELOPE}}}Body")
    etree.SubElement(body, "{http://api.platform.boomi.com/}get", nsmap={"api": "http://api.platform.boomi.com/"})
    return envelope


# -- WS-Security without zeep -----------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("user@example.com", "secret"),
        ("BOOMI_TOKEN.user@example.com", "a<b>&c\"d'e"),
        ("ünïcode", "pässwörd €"),
        ("u", ""),
    ],
)
@pytest.mark.parametrize("header", [True, False], ids=["with-header", "without-header"])
def test_sign_is_byte_identical_to_zeeps_username_token(username: str, password: str, header: bool) -> None:
    from zeep.wsse.username import UsernameToken

    ours, theirs = _envelope(header=header), _envelope(header=header)
    sign(ours, username, password)
    UsernameToken(username, password, use_digest=False).apply(theirs, {})  # type: ignore[no-untyped-call]
    assert etree.tostring(ours, encoding="utf-8") == etree.tostring(theirs, encoding="utf-8")


def test_sign_reuses_a_security_header_as_zeep_does() -> None:
    from zeep.wsse.username import UsernameToken

    ours = _envelope()
    header = ours.find(f"{{{NS_ENVELOPE}}}Header")
    assert header is not None
    etree.SubElement(header, f"{{{NS_WSSE}}}Security", nsmap={"wsse": NS_WSSE})
    theirs = copy.deepcopy(ours)
    sign(ours, "user", "secret")
    UsernameToken("user", "secret", use_digest=False).apply(theirs, {})  # type: ignore[no-untyped-call]
    assert etree.tostring(ours) == etree.tostring(theirs)
    assert len(ours.findall(f".//{{{NS_WSSE}}}Security")) == 1


SIGNED_SAMPLES = sorted(p.name for p in SAMPLES.glob("*.request*.xml") if NS_WSSE.encode() in p.read_bytes())


def test_boomis_samples_show_the_header() -> None:
    assert len(SIGNED_SAMPLES) >= 10


@pytest.mark.parametrize("name", SIGNED_SAMPLES)
def test_signed_header_matches_boomis_sample(name: str) -> None:
    sample = etree.parse(str(SAMPLES / name)).getroot()
    security = sample.find(f"{{{NS_ENVELOPE}}}Header/{{{NS_WSSE}}}Security")
    assert security is not None
    token = security.find(f"{{{NS_WSSE}}}UsernameToken")
    assert token is not None
    token.attrib.pop(f"{{{NS_WSU}}}Id", None)  # an identifier for signatures; PasswordText needs none
    username = token.findtext(f"{{{NS_WSSE}}}Username") or ""
    password = token.findtext(f"{{{NS_WSSE}}}Password") or ""
    ours = sign(_envelope(), username, password).find(f"{{{NS_ENVELOPE}}}Header/{{{NS_WSSE}}}Security")
    assert ours is not None
    assert canon(ours) == canon(security)


def test_typed_path_signs_as_the_zeep_path(snapshot: Snapshot, compiled_dir: Path) -> None:
    from boomi_soap.bindings import types
    from boomi_soap.bindings.operations import OPERATIONS
    from boomi_soap.wire.xmlbind import TypedCaller

    client = Client(snapshot, CREDENTIALS, settings=FAST, compiled_dir=compiled_dir)
    payload = TypedCaller(client, types.NAMESPACE, types.REGISTRY).payload(
        "get", OPERATIONS["get"], {"object_type": "Account", "object_id": DEFAULT_ACCOUNT}
    )
    typed = client.signed_envelope(payload).find(f"{{{NS_ENVELOPE}}}Header/{{{NS_WSSE}}}Security")
    via_zeep = client.envelope("get", sign=True, objectType="Account", objectId=DEFAULT_ACCOUNT)
    zeep_security = via_zeep.find(f"{{{NS_ENVELOPE}}}Header/{{{NS_WSSE}}}Security")
    assert typed is not None
    assert zeep_security is not None
    # Exclusive C14N: the envelopes' own prefixes (soapenv, soap-env) are in scope but unused here.
    assert etree.tostring(typed, method="c14n", exclusive=True) == etree.tostring(
        zeep_security, method="c14n", exclusive=True
    )


# -- what construction builds, and what waits ---------------------------------------------


def test_construction_leaves_zeep_unbuilt(snapshot: Snapshot, compiled_dir: Path) -> None:
    client = Client(snapshot, CREDENTIALS, settings=FAST, compiled_dir=compiled_dir)
    assert not client.zeep_objects.built
    assert "renewRuntimeCertificate" in client.operations or "get" in client.operations
    assert not client.zeep_objects.built  # the operations come from the snapshot's contract
    binding = next(iter(client.zeep_client.wsdl.bindings.values()))
    assert client.operations == tuple(sorted(binding._operations))


@pytest.mark.timeout(120)
def test_zeep_is_built_once_for_racing_threads(snapshot: Snapshot, compiled_dir: Path) -> None:
    client = Client(snapshot, CREDENTIALS, settings=FAST, compiled_dir=compiled_dir)
    start = threading.Barrier(6)
    seen: list[object] = []

    def first_use() -> None:
        start.wait()
        seen.append(client.zeep_client)

    threads = [threading.Thread(target=first_use) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 6
    assert all(z is seen[0] for z in seen)


def test_zeep_path_works_after_a_typed_call(snapshot: Snapshot, service: LocalService, compiled_dir: Path) -> None:
    from boomi_soap.bindings import TypedClient

    client = Client(snapshot, CREDENTIALS, settings=FAST, compiled_dir=compiled_dir)
    assert TypedClient(client).get_account(DEFAULT_ACCOUNT).name == "Local Demo Account"
    assert not client.zeep_objects.built
    assert client.get("Account", DEFAULT_ACCOUNT).name == "Local Demo Account"


def test_typed_path_still_validates_before_sending(
    snapshot: Snapshot, service: LocalService, compiled_dir: Path
) -> None:
    client = Client(snapshot, CREDENTIALS, settings=FAST, compiled_dir=compiled_dir)
    shape = client.contract.operations["get"]
    payload = etree.Element(shape.request)
    etree.SubElement(payload, "{urn:nowhere}objectType").text = "Account"
    with pytest.raises(RequestValidationError):
        client.call_xml(payload)
    assert client.driver._record().attempts == 0  # refused before the transport sent anything


_TYPED_RUN = """
import sys
from pathlib import Path
from boomi_soap.bindings import TypedClient
from boomi_soap.snapshot.cache import CacheStore, refresh
from boomi_soap.client import Client
from boomi_soap.credentials import Credentials, Endpoint
from boomi_soap.settings import ClientSettings
base_url, flavour, account, user, password, scratch = sys.argv[1:]
credentials = Credentials.from_password(user, password)
snapshot = refresh(CacheStore(Path(scratch) / "cache"), Endpoint(account, base_url, flavour), credentials).snapshot
client = Client(snapshot, credentials, settings=ClientSettings(rate_limit=None), compiled_dir=Path(scratch) / "compiled")
print(TypedClient(client).get_account(account).name)
print(",".join(m for m in ("zeep", "xmlschema") if m in sys.modules))
print((Path(scratch) / "compiled").exists())
"""


@pytest.mark.timeout(120)
def test_a_typed_call_loads_neither_zeep_nor_xmlschema(service: LocalService, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _TYPED_RUN, service.base_url, service.flavour, DEFAULT_ACCOUNT, DEFAULT_USER,
         DEFAULT_PASSWORD, str(tmp_path)],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    name, loaded, compiled = result.stdout.splitlines()
    assert name == "Local Demo Account"
    assert loaded == ""
    assert compiled == "False"  # nothing compiled up front: the explainer waits for an invalid document


# -- the loader zeep reads documents through ----------------------------------------------


def test_the_loader_reads_the_snapshots_documents_and_nothing_else(tmp_path: Path) -> None:
    document = tmp_path / "a b.wsdl"
    document.write_bytes(b"<definitions/>")
    (tmp_path / "other.xsd").write_bytes(b"<schema/>")
    transport = SnapshotFiles(tmp_path.resolve(), frozenset({"a b.wsdl"}))
    assert transport.load(str(document)) == b"<definitions/>"
    assert transport.load(document.as_uri()) == b"<definitions/>"
    for elsewhere in (tmp_path / "other.xsd", tmp_path / "sub" / ".." / ".." / "a b.wsdl"):
        with pytest.raises(CacheIntegrityError, match="not a file of the snapshot"):
            transport.load(str(elsewhere))
    with pytest.raises(TransportError, match="refusing to fetch"):
        transport.load("https://example.invalid/service.wsdl")
