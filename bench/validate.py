"""Benchmark: validation throughput and cold start, ours beside xmlschema alone and lxml.

Run from the repository root:  python bench/validate.py

Everything is measured in this one run on the full reference schema (the pinned
snapshot in wsdl_cache/).  Throughput validates the request corpus (tests/fixtures/
requests) as bytes, parse included, repeated; cold start runs fresh Python
processes (median of 5) that import, load the schema and validate one document.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from boomi_soap.cache import pinned_store  # noqa: E402
from boomi_soap.localservice.config import DEFAULT_ACCOUNT  # noqa: E402
from boomi_soap.schema import load_schema  # noqa: E402
from boomi_soap.validate import SchemaValidator  # noqa: E402

CORPUS = ROOT / "tests" / "fixtures" / "requests"
ROUNDS = 30


def documents(kind: str) -> list[bytes]:
    return [p.read_bytes() for p in sorted((CORPUS / kind).glob("*.xml"))]


def targets(data: bytes) -> list[etree._Element]:
    root = etree.fromstring(data)
    if root.tag == "{http://schemas.xmlsoap.org/soap/envelope/}Envelope":
        return list(root[-1])
    return [root]


def rate(label: str, work: list[bytes], check: object) -> float:
    started = time.perf_counter()
    for _ in range(ROUNDS):
        for data in work:
            check(data)  # type: ignore[operator]
    elapsed = time.perf_counter() - started
    return ROUNDS * len(work) / elapsed


def cold(script: str, compiled_dir: Callable[[], str]) -> float:
    """Median wall time of 5 fresh processes; ``compiled_dir`` is asked anew for each run."""
    times = []
    for _ in range(5):
        env = {"BOOMI_SOAP_COMPILED_DIR": compiled_dir(), "PATH": ""}
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", script], check=True, cwd=ROOT, env=env)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    snapshot = pinned_store().current(DEFAULT_ACCOUNT)
    with tempfile.TemporaryDirectory() as scratch:
        bundle = load_schema(snapshot, compiled_dir=Path(scratch))
        ours = SchemaValidator(bundle)
        xs = bundle.explainer
        libxml2 = bundle.lxml

        def with_xmlschema(data: bytes) -> int:
            # Plain xmlschema, as a user would call it for the same detail: every error of the document.
            count = 0
            for target in targets(data):
                try:
                    count += len(list(xs.iter_errors(target, namespaces={k or "": v for k, v in target.nsmap.items()})))
                except LookupError:  # xmlschema raises on an unknown xsi:type
                    count += 1
            return count

        def with_lxml(data: bytes) -> bool:
            return all(libxml2.validate(t) for t in targets(data))

        def with_ours_details(data: bytes) -> int:
            return len(list(ours.iter_errors(data)))

        print(f"Validation throughput, documents/s (corpus x {ROUNDS}, parse included)")
        print(f"{'documents':<10} {'ours':>10} {'xmlschema':>10} {'lxml':>10} {'ours/xmlschema':>15} {'ours/lxml':>10}")
        for kind in ("valid", "invalid"):
            work = documents(kind)
            ours_rate = rate("ours", work, with_ours_details)
            xs_rate = rate("xmlschema", work, with_xmlschema)
            lxml_rate = rate("lxml", work, with_lxml)
            print(
                f"{kind:<10} {ours_rate:>10.0f} {xs_rate:>10.0f} {lxml_rate:>10.0f}"
                f" {ours_rate / xs_rate:>14.1f}x {ours_rate / lxml_rate:>9.2f}x"
            )

        valid = CORPUS / "valid" / "query-grouping.xml"
        invalid = CORPUS / "invalid" / "integer.xml"
        xsd2 = snapshot.directory / "service.xsd2.xsd"
        plain = (
            "import xmlschema\n"
            f"s = xmlschema.XMLSchema({str(xsd2)!r}, allow='local')\n"
            "from lxml import etree\n"
            f"r = etree.parse({str(valid)!r}).getroot()\n"
            "assert s.is_valid(r[-1][0], namespaces={k or '': v for k, v in r[-1][0].nsmap.items()})\n"
        )
        ours_script = (
            "from pathlib import Path\n"
            "from boomi_soap.cache import pinned_store\n"
            "from boomi_soap.schema import load_schema\n"
            "from boomi_soap.validate import SchemaValidator\n"
            "v = SchemaValidator(load_schema(pinned_store().current('localdemo-A1B2C3')))\n"
            "n = len(list(v.iter_errors(Path({path!r}))))\n"
        )
        warm_dir = str(Path(scratch) / "warm")
        subprocess.run([sys.executable, "-c", ours_script.format(path=str(invalid))], check=True, cwd=ROOT,
                       env={"BOOMI_SOAP_COMPILED_DIR": warm_dir, "PATH": ""})  # fmt: skip

        def empty() -> str:
            return tempfile.mkdtemp(dir=scratch)

        baseline = cold(plain, empty)
        rows = [
            ("xmlschema alone: compile, validate a valid document", baseline),
            (
                "ours, valid document (libxml2; no compiled form needed)",
                cold(ours_script.format(path=str(valid)), empty),
            ),
            ("ours, invalid document, without the compiled form", cold(ours_script.format(path=str(invalid)), empty)),
            (
                "ours, invalid document, with the compiled form",
                cold(ours_script.format(path=str(invalid)), lambda: warm_dir),
            ),
        ]
        print()
        print("Cold start: a fresh process imports, loads the schema, validates one document (median of 5)")
        for label, seconds in rows:
            print(f"  {label:<58} {seconds * 1000:7.0f} ms   {baseline / seconds:5.1f}x faster than xmlschema alone")


if __name__ == "__main__":
    main()
