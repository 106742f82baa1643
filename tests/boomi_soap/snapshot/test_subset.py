"""The wrappers' part of a snapshot's schemas: what the messages name, whatever else the schema holds."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest
from lxml import etree

from boomi_soap.localservice import DEFAULT_ACCOUNT
from boomi_soap.snapshot.cache import Snapshot, pinned_store
from boomi_soap.snapshot.contract import contract_of
from boomi_soap.snapshot.subset import wrapper_subset

NS_XS = "http://www.w3.org/2001/XMLSchema"
PINNED = [("platform", DEFAULT_ACCOUNT), ("platform", "localsingle-A1B2C3"), ("partner", DEFAULT_ACCOUNT)]


def pinned(flavour: str, account: str) -> Snapshot:
    return pinned_store().current(account, flavour)  # type: ignore[arg-type]


def copied(snapshot: Snapshot, into: Path) -> Path:
    """The snapshot's files in ``into`` (to change them); returns the WSDL."""
    into.mkdir()
    for entry in snapshot.files:
        shutil.copy(snapshot.directory / entry.path, into / entry.path)
    return into / snapshot.wsdl


def schemas(wsdl: Path) -> dict[str, Path]:
    return {path.name: path for path in sorted(wsdl.parent.glob("*.xsd"))}


def names(document: bytes) -> set[str]:
    root = etree.fromstring(document)
    return {f"{etree.QName(node).localname}:{node.get('name')}" for node in root.iterchildren(etree.Element)}


@pytest.mark.parametrize(("flavour", "account"), PINNED, ids=["split", "single", "partner"])
def test_the_subset_is_a_schema_holding_every_wrapper_and_what_it_names(
    flavour: str, account: str, tmp_path: Path
) -> None:
    snapshot = pinned(flavour, account)
    subset = wrapper_subset(snapshot.wsdl_path, schemas(snapshot.wsdl_path))
    assert subset is not None
    whole = sum((snapshot.directory / name).stat().st_size for name in subset)
    assert sum(map(len, subset.values())) < whole / 10  # the object types are left out
    for name, content in subset.items():
        (tmp_path / name).write_bytes(content)
    imports = "".join(
        f'<xs:import namespace="{etree.fromstring(c).get("targetNamespace")}" schemaLocation="{n}"/>'
        for n, c in subset.items()
    )
    stub = etree.fromstring(f'<xs:schema xmlns:xs="{NS_XS}">{imports}</xs:schema>', base_url=str(tmp_path / "x.xsd"))
    etree.XMLSchema(stub)  # compiles: every reference resolves inside the subset
    declared = {(etree.fromstring(c).get("targetNamespace"), name) for c in subset.values() for name in names(c)}
    for operation in contract_of(snapshot).operations.values():
        for tag in (operation.request, operation.response):
            namespace, local = tag[1:].split("}")
            assert (namespace, f"element:{local}") in declared


def test_the_subset_does_not_grow_with_the_object_types(tmp_path: Path) -> None:
    snapshot = pinned("platform", DEFAULT_ACCOUNT)
    wsdl = copied(snapshot, tmp_path / "grown")
    data = wsdl.parent / "service.xsd1.xsd"
    root = etree.parse(str(data)).getroot()
    environment = root.find(f"{{{NS_XS}}}complexType[@name='Environment']")
    assert environment is not None
    for number in range(400):  # 400 more object types, each with its global element
        clone = copy.deepcopy(environment)
        clone.set("name", f"Extra{number}")
        root.append(clone)
        etree.SubElement(root, f"{{{NS_XS}}}element", name=f"Extra{number}", type=f"tns:Extra{number}")
    data.write_bytes(etree.tostring(root))
    grown = wrapper_subset(wsdl, schemas(wsdl))
    assert grown is not None
    assert grown == wrapper_subset(snapshot.wsdl_path, schemas(snapshot.wsdl_path))


@pytest.mark.parametrize(
    ("where", "markup"),
    [
        ("service.xsd1.xsd", '<xs:include xmlns:xs="{xs}" schemaLocation="other.xsd"/>'),
        ("service.xsd1.xsd", '<xs:redefine xmlns:xs="{xs}" schemaLocation="other.xsd"/>'),
        ("service.xsd1.xsd", '<xs:element xmlns:xs="{xs}" name="More" substitutionGroup="tns:result"/>'),
        ("service.wsdl", '<wsdl:import xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" location="other.wsdl"/>'),
    ],
    ids=["include", "redefine", "substitution-group", "wsdl-import"],
)
def test_what_the_walk_does_not_follow_leaves_the_schema_whole(where: str, markup: str, tmp_path: Path) -> None:
    wsdl = copied(pinned("platform", DEFAULT_ACCOUNT), tmp_path / "copy")
    path = wsdl.parent / where
    root = etree.parse(str(path)).getroot()
    root.insert(0, etree.fromstring(markup.format(xs=NS_XS)))
    path.write_bytes(etree.tostring(root))
    assert wrapper_subset(wsdl, schemas(wsdl)) is None


def test_a_part_naming_an_undeclared_element_leaves_the_schema_whole(tmp_path: Path) -> None:
    wsdl = copied(pinned("platform", DEFAULT_ACCOUNT), tmp_path / "copy")
    wsdl.write_bytes(wsdl.read_bytes().replace(b'element="tns:get"', b'element="tns:nowhere"'))
    assert wrapper_subset(wsdl, schemas(wsdl)) is None


def test_a_schema_inline_in_the_wsdl_leaves_the_schema_whole(tmp_path: Path) -> None:
    wsdl = copied(pinned("platform", DEFAULT_ACCOUNT), tmp_path / "copy")
    inline = f'<xsd:schema xmlns:xsd="{NS_XS}" targetNamespace="urn:x"><xsd:element name="x"/></xsd:schema>'
    wsdl.write_bytes(wsdl.read_bytes().replace(b"<types>", b"<types>" + inline.encode()))
    assert wrapper_subset(wsdl, schemas(wsdl)) is None
