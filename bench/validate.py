"""Benchmark: validation throughput and cold start, ours beside plain xmlschema and bare lxml.

Run from the repository root:  python bench/validate.py [--rounds N]

Everything is measured in this one run on the full reference schema (the pinned
snapshot in wsdl_cache/), and the two sides of each comparison alternate (A B, then
B A, ...), so a load change on the machine hits both.  Each line prints the medians
and the min-max of the per-round ratio.

- Invalid documents (tests/fixtures/requests/invalid, as bytes, parse included): ours
  (every issue with XPath, line, column and a message) beside plain xmlschema asked
  for every error of the same documents.
- Valid documents (tests/fixtures/requests/valid): ours beside bare lxml, one reused
  parser and the compiled XMLSchema, nothing else.
- Cold start: fresh interpreter processes that import, load the schema and validate
  one document, on an empty compiled cache beside a warm one, and plain xmlschema
  (compile, validate) beside them.
"""

from __future__ import annotations

import argparse
import os
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
ENVELOPE = "{http://schemas.xmlsoap.org/soap/envelope/}Envelope"


def documents(kind: str) -> list[bytes]:
    return [p.read_bytes() for p in sorted((CORPUS / kind).glob("*.xml"))]


def targets(root: etree._Element) -> list[etree._Element]:
    return list(root[-1]) if root.tag == ENVELOPE else [root]


def paired(
    label: str, a: Callable[[], object], b: Callable[[], object], rounds: int, *, higher_is_better: str
) -> tuple[float, float, float]:
    """Time ``a`` and ``b`` alternately; return (median a, median b, median b/a) and print a line."""
    times_a: list[float] = []
    times_b: list[float] = []
    for index in range(rounds):
        order = [(a, times_a), (b, times_b)] if index % 2 == 0 else [(b, times_b), (a, times_a)]
        for work, times in order:
            started = time.perf_counter()
            work()
            times.append(time.perf_counter() - started)
    ratios = [tb / ta for ta, tb in zip(times_a, times_b, strict=True)]
    median_a, median_b = statistics.median(times_a), statistics.median(times_b)
    print(
        f"  {label:<46} ours {median_a * 1000:8.2f} ms  {higher_is_better} {median_b * 1000:8.2f} ms"
        f"  ours is {statistics.median(ratios):5.2f}x as fast (min-max {min(ratios):.2f}-{max(ratios):.2f})"
    )
    return median_a, median_b, statistics.median(ratios)


def process(script: str, compiled_dir: str) -> float:
    env = {"BOOMI_SOAP_COMPILED_DIR": compiled_dir, "PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"a timed process failed ({done.returncode}):\n{done.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=101, help="alternating rounds per throughput pair")
    parser.add_argument(
        "--repeat",
        type=int,
        default=5,
        help="passes over the corpus per round (short rounds: both sides of a pair see the same load)",
    )
    parser.add_argument("--processes", type=int, default=7, help="fresh processes per cold-start side (0: none)")
    options = parser.parse_args()
    print(f"os.cpu_count() = {os.cpu_count()}; python {sys.version.split()[0]}; lxml {etree.__version__}")
    snapshot = pinned_store().current(DEFAULT_ACCOUNT)
    with tempfile.TemporaryDirectory() as scratch:
        bundle = load_schema(snapshot, compiled_dir=Path(scratch) / "compiled")
        ours = SchemaValidator(bundle)
        xs = bundle.explainer
        libxml2 = bundle.lxml
        reused = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        invalid, valid = documents("invalid"), documents("valid")
        count = 0

        def ours_all(work: list[bytes]) -> Callable[[], object]:
            def run() -> None:
                nonlocal count
                for _ in range(options.repeat):
                    for data in work:
                        for issue in ours.iter_errors(data):
                            assert issue.path
                            assert issue.line
                            assert issue.reason
                            count += 1

            return run

        def plain_xmlschema() -> None:
            # Plain xmlschema, as a user would call it for the same detail: every error, its path and line.
            nonlocal count
            for _ in range(options.repeat):
                for data in invalid:
                    for target in targets(etree.fromstring(data, reused)):
                        namespaces = {k or "": v for k, v in target.nsmap.items()}
                        try:
                            for error in xs.iter_errors(target, namespaces=namespaces):  # type: ignore[arg-type]
                                details = (error.path, getattr(error.elem, "sourceline", None), error.reason)
                                count += bool(details)
                        except LookupError:  # xmlschema raises on an unknown xsi:type
                            count += 1

        def bare_lxml() -> None:
            for _ in range(options.repeat):
                for data in valid:
                    assert all(libxml2.validate(t) for t in targets(etree.fromstring(data, reused)))

        def ours_is_valid() -> None:
            for _ in range(options.repeat):
                for data in valid:
                    assert ours.is_valid(data)

        ours_all(invalid)()  # warm both engines and the lazy parts once
        plain_xmlschema()
        print()
        print(f"Throughput: {options.rounds} alternating rounds, corpus x {options.repeat} per round, parse included")
        print(f"  ({len(invalid)} invalid documents, {len(valid)} valid documents)")
        paired("invalid: every issue, vs plain xmlschema", ours_all(invalid), plain_xmlschema, options.rounds,
               higher_is_better="xmlschema")  # fmt: skip
        paired("valid: iter_errors, vs bare lxml (reused parser)", ours_all(valid), bare_lxml, options.rounds,
               higher_is_better="lxml     ")  # fmt: skip
        paired("valid: is_valid, vs bare lxml (reused parser)", ours_is_valid, bare_lxml, options.rounds,
               higher_is_better="lxml     ")  # fmt: skip

        if options.processes <= 0:
            return
        ours_script = (
            "import sys\n"
            "from pathlib import Path\n"
            "from boomi_soap.cache import pinned_store\n"
            "from boomi_soap.schema import load_schema\n"
            "from boomi_soap.validate import SchemaValidator\n"
            "v = SchemaValidator(load_schema(pinned_store().current('localdemo-A1B2C3')))\n"
            "issues = list(v.iter_errors(Path({path!r})))\n"
            "assert all(i.path and i.line and i.reason for i in issues)\n"
            "assert bool(issues) == {invalid}\n"
        )
        explained = CORPUS / "invalid" / "abstract-object.xml"  # needs xmlschema (the faults past the abstract type)
        plain_words = CORPUS / "invalid" / "integer.xml"  # libxml2 alone explains it
        good = CORPUS / "valid" / "query-grouping.xml"
        xsd2 = snapshot.directory / "service.xsd2.xsd"
        plain = (
            "import xmlschema\n"
            f"s = xmlschema.XMLSchema({str(xsd2)!r}, allow='local')\n"
            "from lxml import etree\n"
            f"r = etree.parse({str(explained)!r}).getroot()\n"
            "assert list(s.iter_errors(r[-1][0], namespaces={k or '': v for k, v in r[-1][0].nsmap.items()}))\n"
        )
        warm = str(Path(scratch) / "warm")
        process(ours_script.format(path=str(explained), invalid=True), warm)  # fills the warm cache

        sides: dict[str, tuple[str, Callable[[], str]]] = {
            "xmlschema alone: compile, explain abstract-object.xml": (plain, lambda: tempfile.mkdtemp(dir=scratch)),
            "ours, abstract-object.xml (needs xmlschema), empty cache": (
                ours_script.format(path=str(explained), invalid=True),
                lambda: tempfile.mkdtemp(dir=scratch),
            ),
            "ours, abstract-object.xml (needs xmlschema), warm cache": (
                ours_script.format(path=str(explained), invalid=True),
                lambda: warm,
            ),
            "ours, integer.xml (libxml2's words), empty cache": (
                ours_script.format(path=str(plain_words), invalid=True),
                lambda: tempfile.mkdtemp(dir=scratch),
            ),
            "ours, query-grouping.xml (valid), empty cache": (
                ours_script.format(path=str(good), invalid=False),
                lambda: tempfile.mkdtemp(dir=scratch),
            ),
            "ours, query-grouping.xml (valid), warm cache": (
                ours_script.format(path=str(good), invalid=False),
                lambda: warm,
            ),
            "boomi-soap validate query-grouping.xml (CLI), empty cache": (
                f"import sys; sys.argv = ['boomi-soap', 'validate', {str(good)!r}]\n"
                "from boomi_soap.cli import main\n"
                "main()\n",
                lambda: tempfile.mkdtemp(dir=scratch),
            ),
        }
        times: dict[str, list[float]] = {label: [] for label in sides}
        labels = list(sides)
        for index in range(options.processes):
            for label in labels if index % 2 == 0 else reversed(labels):  # interleaved, order flipped each round
                script, directory = sides[label]
                times[label].append(process(script, directory()))
        print()
        print(f"Cold start: fresh processes, import + load + validate one document ({options.processes} rounds,")
        print("  every side once per round, order flipped each round); median, and ratio to xmlschema alone")
        baseline = times[labels[0]]
        for label in labels:
            ratios = [b / t for b, t in zip(baseline, times[label], strict=True)]
            print(
                f"  {label:<58} {statistics.median(times[label]) * 1000:7.0f} ms"
                f"   {statistics.median(ratios):5.2f}x faster (min-max {min(ratios):.2f}-{max(ratios):.2f})"
            )
        empty, warm_times = times[labels[1]], times[labels[2]]
        ratios = [e / w for e, w in zip(empty, warm_times, strict=True)]
        print(
            f"  empty / warm cache, abstract-object.xml: {statistics.median(ratios):.2f}x"
            f" (min-max {min(ratios):.2f}-{max(ratios):.2f})"
        )
        empty, warm_times = times[labels[4]], times[labels[5]]
        ratios = [e / w for e, w in zip(empty, warm_times, strict=True)]
        print(
            f"  empty / warm cache, query-grouping.xml: {statistics.median(ratios):.2f}x"
            f" (min-max {min(ratios):.2f}-{max(ratios):.2f})"
        )
        print(f"  ({count} issues checked for XPath, line and message)")


if __name__ == "__main__":
    main()
