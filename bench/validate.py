"""Benchmark: validation throughput and cold start, ours beside plain xmlschema and bare lxml.

Run from the repository root:  python bench/validate.py [--rounds N] [--files N]

Everything is measured in this one run on the full reference schema (the pinned
snapshot in wsdl_cache/), and the two sides of each comparison alternate (A B, then
B A, ...), so a load change on the machine hits both.  Each line prints the medians
and the min-max of the per-round ratio.  Bytecode is on (PYTHONDONTWRITEBYTECODE is
removed from the environment of every process this script starts).

Both sides do the same work, and the script checks it before timing: on every
invalid document ours reports as many issues as xmlschema's iter_errors, on the same
nodes (the line "same problems" says so, or names the documents that differ).

- Multi-error documents, as bytes, parse included: ours (every issue with XPath, line,
  column and a message) beside plain xmlschema asked for every error of the same
  documents (its path, line and reason read for each).  Two sets: bench/corpus/multi-error
  (an element out of order and 2 to 4 independent problems each, some past that element
  under the same parent or inside it), and those with the invalid corpus's documents
  with errors after an element out of order (3 to 25 problems each).  Each line
  prints both sides' issue counts on that set beside the speed.
- The whole invalid corpus (tests/fixtures/requests/invalid), the same two sides.
- Valid documents (tests/fixtures/requests/valid): ours beside bare lxml, one reused
  parser (configured as ours: no entities, no network, no DTD, PIs dropped, CDATA kept)
  and the compiled XMLSchema, nothing else.  Ours does more than the peer, and the
  figure includes it: the byte checks of a hardened read (the bounds on namespaces,
  tags and attributes, no DOCTYPE), the Body found as the first Body child (the peer
  takes the last child) and comments in it skipped.
- Many files from the command line (--files copies of the corpus in a folder, fresh
  processes, sides alternated): ``boomi-soap validate FOLDER`` beside a plain
  xmlschema script (load the schema, report every error of every file) on the
  multi-error documents, and beside a bare-lxml script (compile, validate every file)
  on the valid ones.  Wall and CPU time (user + system) of each process; the target for
  the valid files is ours at most 1.3x the bare-lxml script's time (start-up paid once).
  ``--rounds 0 --processes 0`` runs this section alone.
- Cold start: fresh interpreter processes that import, load the schema and validate
  one document, on an empty compiled cache beside a warm one, and plain xmlschema
  (compile, validate) beside them.
"""

from __future__ import annotations

import argparse
import os
import resource
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

from boomi_soap.localservice.config import DEFAULT_ACCOUNT  # noqa: E402
from boomi_soap.snapshot.cache import pinned_store  # noqa: E402
from boomi_soap.snapshot.schema import load_schema  # noqa: E402
from boomi_soap.validate import SchemaValidator  # noqa: E402

CORPUS = ROOT / "tests" / "fixtures" / "requests"
ENVELOPE = "{http://schemas.xmlsoap.org/soap/envelope/}Envelope"
# Errors after an element out of order: what libxml2 alone stops short of.
MULTI_ERROR = ("order-enum-integer", "query-order-then-faults", "execute-nested-order", "many-after-order")
# 2-4 independent problems each, past an element out of order (tests/boomi_soap/test_validate_complete.py checks them).
SMALL_MULTI = ROOT / "bench" / "corpus" / "multi-error"
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False


def documents(kind: str) -> list[bytes]:
    return [p.read_bytes() for p in sorted((CORPUS / kind).glob("*.xml"))]


def multi_error(*, small_only: bool = False) -> dict[str, bytes]:
    """The multi-error documents by name: bench/corpus/multi-error's, then (unless ``small_only``) the corpus's."""
    found = {f"bench/{p.name}": p.read_bytes() for p in sorted(SMALL_MULTI.glob("*.xml"))}
    if not small_only:
        found.update({f"{name}.xml": (CORPUS / "invalid" / f"{name}.xml").read_bytes() for name in MULTI_ERROR})
    return found


def targets(root: etree._Element) -> list[etree._Element]:
    return list(root[-1]) if root.tag == ENVELOPE else [root]


def paired(
    label: str,
    a: Callable[[], object],
    b: Callable[[], object],
    rounds: int,
    *,
    higher_is_better: str,
    counts: tuple[int, int] | None = None,
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
        + (f"  issues ours {counts[0]}, xmlschema {counts[1]}" if counts else "")
    )
    return median_a, median_b, statistics.median(ratios)


def process(script: str, compiled_dir: str, *args: str, expect: int = 0) -> float:
    return process_times(script, compiled_dir, *args, expect=expect)[0]


def process_times(script: str, compiled_dir: str, *args: str, expect: int = 0) -> tuple[float, float]:
    """Run ``script`` in a fresh interpreter: its wall time and its CPU time (user + system), in seconds."""
    env = {"BOOMI_SOAP_COMPILED_DIR": compiled_dir, "PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", script, *args], cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != expect:
        raise SystemExit(f"a timed process failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def xmlschema_issues(xs: object, root: etree._Element) -> list[tuple[str, int | None]]:
    """Plain xmlschema: (path, line) of every error of every validated element."""
    found: list[tuple[str, int | None]] = []
    for target in targets(root):
        namespaces = {k or "": v for k, v in target.nsmap.items()}
        try:
            for error in xs.iter_errors(target, namespaces=namespaces):  # type: ignore[attr-defined]
                found.append((str(error.path), getattr(error.elem, "sourceline", None)))
        except LookupError:  # xmlschema raises on an unknown xsi:type: one problem it names
            found.append(("", None))
    return found


def same_problems(ours: SchemaValidator, work: dict[str, bytes]) -> tuple[int, int, list[str]]:
    """Issue counts of both sides over ``work``, and the documents where they differ."""
    total_ours = total_theirs = 0
    differ = []
    for name, data in work.items():
        mine = list(ours.iter_errors(data, source=name))
        theirs = xmlschema_issues(ours.schema.explainer, etree.fromstring(data))
        total_ours += len(mine)
        total_theirs += len(theirs)
        # xmlschema gives up on an unknown xsi:type (one error, where ours says two things): not comparable.
        if len(mine) != len(theirs) and ("", None) not in theirs:
            differ.append(f"{name} ({len(mine)} vs {len(theirs)})")
    return total_ours, total_theirs, differ


_CLI = "import sys\nfrom boomi_soap.cli import main\nsys.argv = ['boomi-soap', 'validate', sys.argv[1]]\nmain()\n"
_XMLSCHEMA_FILES = """
import sys
from pathlib import Path
import xmlschema
from lxml import etree
schema = xmlschema.XMLSchema(sys.argv[2], allow="local")
parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
for path in sorted(Path(sys.argv[1]).rglob("*.xml")):
    root = etree.parse(str(path), parser).getroot()
    for target in (list(root[-1]) if root.tag.endswith("}Envelope") else [root]):
        namespaces = {k or "": v for k, v in target.nsmap.items()}
        for error in schema.iter_errors(target, namespaces=namespaces):
            print(f"{path}:{getattr(error.elem, 'sourceline', 0)}: {error.path}: {error.reason}")
"""
_LXML_FILES = """
import sys
from pathlib import Path
from lxml import etree
directory = Path(sys.argv[2]).parent
wrapper = (
    '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:bench">'
    f'<xs:import namespace="http://soap.api.platform.boomi.com/" schemaLocation="{Path(sys.argv[2]).name}"/>'
    "</xs:schema>"
)
schema = etree.XMLSchema(etree.fromstring(wrapper.encode(), base_url=(directory / "w.xsd").as_uri()))
parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
bad = 0
for path in sorted(Path(sys.argv[1]).rglob("*.xml")):
    root = etree.parse(str(path), parser).getroot()
    for target in (list(root[-1]) if root.tag.endswith("}Envelope") else [root]):
        if not schema.validate(target):
            bad += 1
            print(f"{path}: {schema.error_log.last_error}")
sys.exit(1 if bad else 0)
"""


def many_files(files: int, rounds: int, scratch: Path, snapshot: Path) -> None:
    """The command line on ``files`` files: ours beside plain xmlschema (invalid) and bare lxml (valid)."""
    xsd2 = str(snapshot / "service.xsd2.xsd")
    folders = {}
    for label, corpus in (("multi-error", list(multi_error().values())), ("valid", documents("valid"))):
        folder = scratch / f"files-{label}"
        folder.mkdir()
        for index in range(files):
            (folder / f"{index:05d}.xml").write_bytes(corpus[index % len(corpus)])
        folders[label] = folder
    warm = str(scratch / "files-warm")
    process(_CLI, warm, str(folders["valid"]))  # the compiled cache, as a user who ran it once has it
    print()
    print(f"Command line on {files} files: fresh processes, {rounds} rounds, sides alternated, warm compiled cache")
    pairs = (
        ("multi-error: boomi-soap validate vs xmlschema script", folders["multi-error"], _XMLSCHEMA_FILES, 1, 0),
        ("valid: boomi-soap validate vs bare-lxml script", folders["valid"], _LXML_FILES, 0, 0),
    )
    for label, folder, peer, ours_exit, peer_exit in pairs:
        mine: list[tuple[float, float]] = []
        theirs: list[tuple[float, float]] = []
        for index in range(rounds):
            sides = [(True, mine), (False, theirs)] if index % 2 == 0 else [(False, theirs), (True, mine)]
            for is_ours, times in sides:
                if is_ours:
                    times.append(process_times(_CLI, warm, str(folder), expect=ours_exit))
                else:
                    times.append(process_times(peer, warm, str(folder), xsd2, expect=peer_exit))
        print(f"  {label}:")
        for kind, at in (("wall", 0), ("CPU", 1)):
            ours_s, peer_s = [m[at] for m in mine], [t[at] for t in theirs]
            ratios = [m / t for m, t in zip(ours_s, peer_s, strict=True)]
            print(
                f"    {kind:<5} ours {statistics.median(ours_s):6.3f} s  peer {statistics.median(peer_s):6.3f} s"
                f"  ours takes {statistics.median(ratios):5.2f}x the peer's time"
                f" (min-max {min(ratios):.2f}-{max(ratios):.2f}; {1 / statistics.median(ratios):.2f}x as fast)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rounds", type=int, default=101, help="alternating rounds per throughput pair (0: no throughput section)"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=5,
        help="passes over the corpus per round (short rounds: both sides of a pair see the same load)",
    )
    parser.add_argument("--files", type=int, default=1000, help="files per command-line run (0: none)")
    parser.add_argument("--file-rounds", type=int, default=5, help="fresh processes per command-line side")
    parser.add_argument("--processes", type=int, default=7, help="fresh processes per cold-start side (0: none)")
    options = parser.parse_args()
    print(
        f"os.cpu_count() = {os.cpu_count()}; python {sys.version.split()[0]}; lxml {etree.__version__};"
        f" bytecode {'off' if sys.dont_write_bytecode else 'on'}"
    )
    snapshot = pinned_store().current(DEFAULT_ACCOUNT)
    with tempfile.TemporaryDirectory() as scratch:
        bundle = load_schema(snapshot, compiled_dir=Path(scratch) / "compiled")
        ours = SchemaValidator(bundle)
        xs = bundle.explainer
        libxml2 = bundle.lxml
        # The peer's parser does the parse work ours does (boomi_soap._xml.safe.safe_parser's options), no more.
        reused = etree.XMLParser(
            resolve_entities=False, no_network=True, load_dtd=False, remove_pis=True, strip_cdata=False
        )
        invalid, valid = documents("invalid"), documents("valid")
        small, multi = list(multi_error(small_only=True).values()), list(multi_error().values())
        count = 0

        def ours_all(work: list[bytes], repeat: int = options.repeat) -> Callable[[], object]:
            def run() -> None:
                nonlocal count
                for _ in range(repeat):
                    for data in work:
                        for issue in ours.iter_errors(data):
                            assert issue.path
                            assert issue.line
                            assert issue.reason
                            count += 1

            return run

        def plain_xmlschema(work: list[bytes]) -> Callable[[], object]:
            # Plain xmlschema, as a user would call it for the same detail: every error, its path, line and reason.
            def run() -> None:
                nonlocal count
                for _ in range(options.repeat):
                    for data in work:
                        for target in targets(etree.fromstring(data, reused)):
                            namespaces = {k or "": v for k, v in target.nsmap.items()}
                            try:
                                for error in xs.iter_errors(target, namespaces=namespaces):  # type: ignore[arg-type]
                                    details = (error.path, getattr(error.elem, "sourceline", None), error.reason)
                                    count += bool(details)
                            except LookupError:  # xmlschema raises on an unknown xsi:type
                                count += 1

            return run

        # A valid document costs a tenth of an invalid one: more passes, so a round is not lost in timer noise.
        valid_repeat = options.repeat * 20

        def bare_lxml() -> None:
            for _ in range(valid_repeat):
                for data in valid:
                    assert all(libxml2.validate(t) for t in targets(etree.fromstring(data, reused)))

        def ours_is_valid() -> None:
            for _ in range(valid_repeat):
                for data in valid:
                    assert ours.is_valid(data)

        if options.rounds > 0:
            named = {p.name: p.read_bytes() for p in sorted((CORPUS / "invalid").glob("*.xml"))}
            counts: dict[str, tuple[int, int]] = {}
            for label, work in (
                ("multi-error, 2-4 each", multi_error(small_only=True)),
                ("multi-error, all", multi_error()),
                ("invalid", named),
            ):
                mine, theirs, differ = same_problems(ours, work)
                counts[label] = (mine, theirs)
                verdict = "the same count on every document xmlschema can read" if not differ else f"differ: {differ}"
                print(f"  {label} corpus ({len(work)} documents): ours {mine} issues, xmlschema {theirs}: {verdict}")
            ours_all(invalid)()  # warm both engines and the lazy parts once
            plain_xmlschema(invalid)()
            print()
            print(
                f"Throughput: {options.rounds} alternating rounds, corpus x {options.repeat} per round, parse included"
            )
            print(
                f"  ({len(small)} multi-error with 2-4 each, {len(multi)} multi-error in all, {len(invalid)} invalid,"
                f" {len(valid)} valid documents; valid x {valid_repeat}; issue counts are per pass over the set)"
            )
            paired("multi-error 2-4 each: every issue, vs xmlschema", ours_all(small), plain_xmlschema(small),
                   options.rounds, higher_is_better="xmlschema", counts=counts["multi-error, 2-4 each"])  # fmt: skip
            paired("multi-error all: every issue, vs xmlschema", ours_all(multi), plain_xmlschema(multi), options.rounds,
                   higher_is_better="xmlschema", counts=counts["multi-error, all"])  # fmt: skip
            paired("invalid: every issue, vs plain xmlschema", ours_all(invalid), plain_xmlschema(invalid), options.rounds,
                   higher_is_better="xmlschema", counts=counts["invalid"])  # fmt: skip
            paired("valid: iter_errors, vs bare lxml (reused parser)", ours_all(valid, valid_repeat), bare_lxml, options.rounds,
                   higher_is_better="lxml     ")  # fmt: skip
            paired("valid: is_valid, vs bare lxml (reused parser)", ours_is_valid, bare_lxml, options.rounds,
                   higher_is_better="lxml     ")  # fmt: skip

        if options.files > 0:
            many_files(options.files, options.file_rounds, Path(scratch), snapshot.directory)

        if options.processes <= 0:
            return
        ours_script = (
            "import sys\n"
            "from pathlib import Path\n"
            "from boomi_soap.snapshot.cache import pinned_store\n"
            "from boomi_soap.snapshot.schema import load_schema\n"
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
