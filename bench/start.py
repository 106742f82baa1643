"""Benchmark: the zeep path's start-up beside a bare zeep client, at several schema sizes.

Run from the repository root:  python bench/start.py [--rounds N] [--sizes 40,120,400]

What each side does, in a fresh interpreter (imports included: a user pays them):

- **zeep path, warm**: ``Client`` over a verified snapshot, then ``Client.envelope("get",
  sign=True, ...)``: one ``get`` request built through zeep, validated against the
  snapshot's schema and signed (WS-Security); nothing sent.  The same work as
  ``bench/client.py`` section 1's zeep path.  Warm: an earlier process filled the
  compiled cache (``BOOMI_SOAP_COMPILED_DIR``), where the zeep path once read zeep's
  form of the whole WSDL; a request of plain values now needs zeep's model of the
  wrappers alone (:mod:`boomi_soap.snapshot.subset`), read in each process.
- **zeep path, empty**: the same on a new, empty compiled cache per run.
- **bare zeep**: ``zeep.Client`` from the same WSDL, with a ``UsernameToken``, and
  ``create_message`` building and signing the same ``get`` request (zeep does not
  validate a request against the schema: this side does not).  zeep keeps no cache,
  so it is the peer of both of ours.

Schemas: the bundled contract, and synthetic snapshots of 40, 120 and 400 object
types.  Each synthetic schema keeps the bundled contract's shape (its WSDL, its
wrapper schema and every declaration that is not an object type) and takes object
types from it in order, each with what it refers to, until it has the count asked
for; past the contract's own count, object types are copied under new names.  Each
is stored as a verified snapshot in a scratch cache, as ``boomi-soap fetch`` would.

Every comparison alternates its sides (the order reversed every other round), and
reports the medians, the min-max of the per-round ratio, and the core count.  Bytecode
is on, in a scratch ``PYTHONPYCACHEPREFIX`` filled by an unmeasured run of each
script.  Targets (issue 28): warm <= 1.0x, empty <= 1.2x bare zeep at every size.
"""

from __future__ import annotations

import argparse
import copy
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Final

from lxml import etree

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from client import Processes, alternate, medians, ratios, spread  # noqa: E402 - bench/client.py's conventions

ACCOUNT: Final = "localdemo-A1B2C3"
SYNTHETIC_ACCOUNT: Final = "synthetic-A1B2C3"
NS_XS: Final = "http://www.w3.org/2001/XMLSchema"
_REFERENCES: Final = ("type", "ref", "base", "itemType", "memberTypes", "substitutionGroup")
_KINDS: Final = {"complexType": "type", "simpleType": "type", "element": "element", "group": "group"}
_KINDS |= {"attributeGroup": "attributeGroup", "attribute": "attribute"}


def ours(store: str, account: str) -> str:
    """The zeep path: snapshot verified, one ``get`` built, validated and signed; nothing sent."""
    opened = "pinned_store()" if store == "pinned" else f"CacheStore(Path({store!r}))"
    return f"""
from pathlib import Path
from boomi_soap.snapshot.cache import CacheStore, pinned_store
from boomi_soap.client import Client
from boomi_soap.credentials import Credentials
client = Client({opened}.current({account!r}), Credentials.from_password("u", "p"))
client.envelope("get", sign=True, objectType="Environment", objectId="e1")  # validated and signed; nothing sent
"""


def bare(wsdl: Path) -> str:
    """A bare ``zeep.Client`` building and signing the same request (no validation: zeep has none)."""
    return f"""
import zeep
from zeep.wsse.username import UsernameToken
client = zeep.Client({str(wsdl)!r}, wsse=UsernameToken("u", "p"))
client.create_message(client.service, "get", objectType="Environment", objectId="e1")
"""


# -- synthetic schemas ---------------------------------------------------------------------
def _name(node: etree._Element, value: str, namespace: str) -> tuple[str, str] | None:
    prefix, _, local = value.rpartition(":")
    return ("", local) if node.nsmap.get(prefix or None) == namespace else None


def _refers(node: etree._Element, namespace: str) -> set[tuple[str, str]]:
    """The (kind, name) of every declaration of ``namespace`` that ``node``'s subtree names."""
    found: set[tuple[str, str]] = set()
    for child in node.iter(etree.Element):
        for attribute in _REFERENCES:
            for value in (child.get(attribute) or "").split():
                named = _name(child, value, namespace)
                if named is None:
                    continue
                local = etree.QName(child).localname
                if attribute == "ref":
                    kind = {"group": "group", "attributeGroup": "attributeGroup", "attribute": "attribute"}
                    found.add((kind.get(local, "element"), named[1]))
                elif attribute == "substitutionGroup":
                    found.add(("element", named[1]))
                else:
                    found.add(("type", named[1]))
    return found


def synthetic_schema(data_xsd: bytes, wrappers: list[bytes], objects: int) -> bytes:
    """The data schema with ``objects`` object types, in the bundled contract's shape.

    Args:
        data_xsd: The bundled data schema (``service.xsd1.xsd``).
        wrappers: The other documents (WSDL, wrapper schema): what they name is kept.
        objects: How many object types (complex types extending ``BaseType``) to keep.
    """
    root = etree.fromstring(data_xsd)
    namespace = root.get("targetNamespace", "")
    declarations: dict[tuple[str, str], etree._Element] = {}
    for node in root.iterchildren(etree.Element):
        kind = _KINDS.get(etree.QName(node).localname)
        if kind is not None:
            declarations[(kind, node.get("name", ""))] = node
    object_types = [
        name
        for (kind, name), node in declarations.items()
        if kind == "type"
        and any(_name(e, e.get("base", ""), namespace) == ("", "BaseType") for e in node.iter(f"{{{NS_XS}}}extension"))
    ]
    # The global element of an object type (<xs:element name="X" type="tns:X"/>) goes with it.
    owned = {("element", name) for name in object_types if ("element", name) in declarations}
    kept: set[tuple[str, str]] = set()

    def keep(start: set[tuple[str, str]], into: set[tuple[str, str]]) -> set[tuple[str, str]]:
        todo = [key for key in start if key in declarations]
        while todo:
            key = todo.pop()
            if key in into:
                continue
            into.add(key)
            if key[0] == "type" and ("element", key[1]) in owned:
                todo.append(("element", key[1]))
            todo += [k for k in _refers(declarations[key], namespace) if k in declarations and k not in into]
        return into

    # Everything that is not an object type, and what the WSDL and wrapper schema name.
    named: set[tuple[str, str]] = set()
    for document in wrappers:
        wrapper = etree.fromstring(document)
        named |= _refers(wrapper, namespace)
        named |= {("element", n[1]) for n in _element_parts(wrapper, namespace)}
    base = {key for key in declarations if key not in owned and not (key[0] == "type" and key[1] in object_types)}
    keep(base | named, kept)
    for name in object_types:
        if sum(1 for n in object_types if ("type", n) in kept) >= objects:
            break
        trial = keep({("type", name)}, set(kept))
        if sum(1 for n in object_types if ("type", n) in trial) <= objects:
            kept = trial
    count = sum(1 for n in object_types if ("type", n) in kept)
    copies: list[etree._Element] = []
    serial = 2
    while count < objects:  # past the contract's own count: copies under new names
        for name in object_types:
            if count >= objects:
                break
            for key in (("element", name), ("type", name)):
                if key in declarations:
                    clone = copy.deepcopy(declarations[key])
                    clone.set("name", f"{name}{serial}")
                    if key[0] == "element":
                        clone.set("type", re.sub(rf"{name}$", f"{name}{serial}", clone.get("type", "")))
                    copies.append(clone)
            count += 1
        serial += 1
    for node in list(root.iterchildren(etree.Element)):
        kind = _KINDS.get(etree.QName(node).localname)
        if kind is not None and (kind, node.get("name", "")) not in kept:
            root.remove(node)
    for clone in copies:
        root.append(clone)
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")


def _element_parts(wsdl: etree._Element, namespace: str) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for part in wsdl.iter("{http://schemas.xmlsoap.org/wsdl/}part"):
        named = _name(part, part.get("element", ""), namespace)
        if named is not None:
            found.add(named)
    return found


def synthetic_store(root: Path, objects: int) -> Path:
    """A scratch cache holding a verified snapshot of the synthetic contract; returns its WSDL."""
    from boomi_soap.credentials import Endpoint
    from boomi_soap.snapshot.cache import CacheStore, pinned_store
    from boomi_soap.snapshot.fetch import Document, FetchResult

    bundled = pinned_store().current(ACCOUNT)
    files = {entry.path: (bundled.directory / entry.path).read_bytes() for entry in bundled.files}
    others = [content for name, content in files.items() if name != "service.xsd1.xsd"]
    files["service.xsd1.xsd"] = synthetic_schema(files["service.xsd1.xsd"], others, objects)
    endpoint = Endpoint(SYNTHETIC_ACCOUNT, "http://127.0.0.1:9")
    wsdl = bundled.wsdl
    documents = [
        Document(f"{endpoint.url}?{'wsdl' if name == wsdl else 'xsd=' + name.split('xsd')[1].split('.')[0]}",
                 name, content, None, None, "2026-01-01T00:00:00Z")
        for name, content in sorted(files.items(), key=lambda item: item[0] != wsdl)
    ]  # fmt: skip
    store = CacheStore(root)
    with store.lock(SYNTHETIC_ACCOUNT):
        snapshot, _ = store.save(FetchResult(endpoint, tuple(documents)))
    return snapshot.wsdl_path


def object_count(xsd: Path) -> int:
    """How many complex types of a data schema extend ``BaseType``."""
    root = etree.parse(str(xsd)).getroot()
    return sum(1 for e in root.iter(f"{{{NS_XS}}}extension") if e.get("base", "").endswith(":BaseType"))


def compare(label: str, mine: str, peer: str, rounds: int, scratch: Path) -> None:
    """Alternate the zeep path (warm, empty) and the peer; print the figures."""
    runner = Processes(scratch)
    for script in (peer, mine, mine):  # bytecode, then the warm compiled cache
        runner.run(script)
    times, cpu = alternate(
        {
            "bare": lambda: runner.run(peer),
            "warm": lambda: runner.run(mine),
            "empty": lambda: runner.run(mine, empty_cache=True),
        },
        rounds,
        runner.cpu,
    )
    labels = {"bare": "bare zeep", "warm": "zeep path warm", "empty": "zeep path empty"}
    print(f"{label} ({rounds} rounds, fresh interpreters)")
    print(f"   wall ms: {medians(times, labels)}")
    print(f"   CPU ms:  {medians(cpu, labels)}")
    for name, target in (("warm", "1.0"), ("empty", "1.2")):
        print(f"   {spread(f'{labels[name]} / bare, wall:', ratios(times, name, 'bare'))};"
              f" {spread('CPU:', ratios(cpu, name, 'bare'))}  (target <= {target}x)")  # fmt: skip


def main() -> None:
    """Run every size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=11, help="rounds per comparison (default 11)")
    parser.add_argument("--sizes", default="40,120,400", help="object types of the synthetic schemas")
    parser.add_argument("--no-bundled", action="store_true", help="skip the bundled contract")
    args = parser.parse_args()
    print(f"os.cpu_count() = {os.cpu_count()}; Python {sys.version.split()[0]}")
    print("sides: zeep path = Client + envelope('get', sign=True): built through zeep, validated, signed;")
    print("       bare zeep = zeep.Client(wsdl, wsse=UsernameToken) + create_message('get'): built, signed")
    from boomi_soap.snapshot.cache import pinned_store

    with tempfile.TemporaryDirectory() as scratch:
        if not args.no_bundled:
            bundled = pinned_store().current(ACCOUNT)
            count = object_count(bundled.directory / "service.xsd1.xsd")
            compare(f"Bundled contract, {count} object types", ours("pinned", ACCOUNT), bare(bundled.wsdl_path),
                    args.rounds, Path(scratch))  # fmt: skip
        for size in (int(s) for s in args.sizes.split(",") if s):
            root = Path(scratch) / f"synthetic-{size}"
            wsdl = synthetic_store(root / "cache", size)
            count = object_count(wsdl.parent / "service.xsd1.xsd")
            size_kb = (wsdl.parent / "service.xsd1.xsd").stat().st_size // 1024
            compare(f"Synthetic contract, {count} object types (data schema {size_kb} KB)", ours(str(root / "cache"), SYNTHETIC_ACCOUNT),
                    bare(wsdl), args.rounds, root)  # fmt: skip


if __name__ == "__main__":
    main()
