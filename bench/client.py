"""Benchmark: the client beside plain zeep, both sides alternating in one run.

Run from the repository root:  python bench/client.py [--rounds N] [--no-throughput] [--no-rest]

Every comparison alternates its sides (A B A B ..., the order swapped every other
round so neither side always runs first), reports each side's median and the
min-max of the per-round ratio, and the machine's core count.  Whole-process
figures are the wall time of fresh interpreter processes, imports included, since a
user pays them; bytecode is cached (in a scratch ``PYTHONPYCACHEPREFIX``, filled by
one unmeasured run of each script) as it is on a user's machine.

1. Ready from a warm cache, whole process: the typed client (``TypedClient`` over
   the generated bindings; snapshot verified, one ``get`` request built, validated
   and signed, nothing sent) and the zeep path (``Client.envelope``: the same through
   zeep) beside a process that only builds a bare ``zeep.Client`` from the same WSDL.
   Warm: an earlier process kept the compiled schema and zeep's form of the WSDL
   (:mod:`boomi_soap.wire.zeepform`).  Targets: typed <= 1.0x, zeep path <= 1.1x.
2. Ready on an empty compiled cache (a new ``BOOMI_SOAP_COMPILED_DIR`` per run):
   the typed client beside itself on a warm cache and beside ``zeep.Client`` plus an
   ``xmlschema`` compile.  Targets: <= 1.2x warm, >= 2.5x faster than the baseline.
3. Per-call overhead of ``get`` (build, validate, serialise, WS-Security, parse; no
   network): our ``Client.get`` beside a plain ``zeep.Client`` with the same token,
   both on an HTTP session that answers from memory, in CPU time of the calling
   thread.  Target: <= 1.0x.
   ``create`` the same way, with the same object: ours is ``Client.create(obj)``
   (zeep serializes the object, the request is validated against the schema, signed,
   sent through the driver's gate, retries and bounds; the answer parsed with the
   hardened parser, checked against the schema and read into zeep's objects), the
   peer is ``service.create(object=obj)`` on the plain client (zeep serializes and
   checks what its serializer checks, signs, posts, parses and reads; no schema
   validation either way, since plain zeep has none).  Each side's object is built
   once from its own client's type; a second pair of lines builds it from fields on
   every call (``Client.create("Environment", name=..., ...)`` beside zeep's type
   called with the same fields, then ``service.create``).  Target: <= 1.0x.
4. Throughput with 4 threads against the local service at its rate limit (5/s).
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ACCOUNT = "localdemo-A1B2C3"
ANSWER = (
    b'<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>'
    b'<ns4:getResponse xmlns:ns4="http://soap.api.platform.boomi.com/" xmlns:bns="http://api.platform.boomi.com/"'
    b' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><bns:result xsi:type="bns:Environment" id="e1"'
    b' name="Production" classification="PROD"/></ns4:getResponse></S:Body></S:Envelope>'
)
CREATED = ANSWER.replace(b"getResponse", b"createResponse").replace(b'name="Production" classification="PROD"',
                                                                     b'name="Bench" classification="TEST"')  # fmt: skip

TYPED = f"""
from boomi_soap.bindings import TypedClient, types
from boomi_soap.bindings.operations import OPERATIONS
from boomi_soap.snapshot.cache import pinned_store
from boomi_soap.client import Client
from boomi_soap.credentials import Credentials
from boomi_soap.wire.xmlbind import TypedCaller
client = Client(pinned_store().current({ACCOUNT!r}), Credentials.from_password("u", "p"))
TypedClient(client)
payload = TypedCaller(client, types.NAMESPACE, types.REGISTRY).payload(
    "get", OPERATIONS["get"], {{"object_type": "Environment", "object_id": "e1"}}
)
client.signed_envelope(payload)  # validated and signed; nothing sent
"""
ZEEP_PATH = f"""
from boomi_soap.snapshot.cache import pinned_store
from boomi_soap.client import Client
from boomi_soap.credentials import Credentials
client = Client(pinned_store().current({ACCOUNT!r}), Credentials.from_password("u", "p"))
client.envelope("get", sign=True, objectType="Environment", objectId="e1")  # validated and signed; nothing sent
"""


def bare_zeep(wsdl: Path) -> str:
    return f"import zeep\nzeep.Client({str(wsdl)!r})\n"


def zeep_and_xmlschema(wsdl: Path, xsd: Path) -> str:
    return f"import xmlschema, zeep\nzeep.Client({str(wsdl)!r})\nxmlschema.XMLSchema({str(xsd)!r})\n"


def spread(label: str, ratios: Sequence[float]) -> str:
    return f"{label} median {statistics.median(ratios):.2f}x (min {min(ratios):.2f}x, max {max(ratios):.2f}x)"


def alternate(
    sides: dict[str, Callable[[], float]], rounds: int, cpu: list[float] | None = None
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Time every side once per round, the order reversed every other round.

    Returns:
        Each side's times, and (when ``cpu`` collects the processes' CPU times) its CPU times.
    """
    names = list(sides)
    times: dict[str, list[float]] = {name: [] for name in names}
    cpu_times: dict[str, list[float]] = {name: [] for name in names}
    for index in range(rounds):
        for name in names if index % 2 == 0 else reversed(names):
            gc.collect()
            times[name].append(sides[name]())
            if cpu:
                cpu_times[name].append(cpu[-1])
    return times, cpu_times


def ratios(times: dict[str, list[float]], top: str, bottom: str) -> list[float]:
    return [t / b for t, b in zip(times[top], times[bottom], strict=True)]


def medians(times: dict[str, list[float]], labels: dict[str, str], unit: float = 1000) -> str:
    return "   ".join(f"{label} {statistics.median(times[name]) * unit:5.0f}" for name, label in labels.items())


class Processes:
    """Fresh interpreters with cached bytecode in a scratch directory."""

    def __init__(self, scratch: Path) -> None:
        self.env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        self.env["PYTHONPYCACHEPREFIX"] = str(scratch / "pycache")
        self.env["BOOMI_SOAP_COMPILED_DIR"] = str(scratch / "compiled-warm")
        self.scratch = scratch
        self.cpu: list[float] = []
        self._runs = 0

    def run(self, script: str, *, empty_cache: bool = False) -> float:
        """Wall time of one process running ``script``; its CPU time (user + system) goes to :attr:`cpu`."""
        env = dict(self.env)
        if empty_cache:
            self._runs += 1
            fresh = self.scratch / f"compiled-empty-{self._runs}"
            env["BOOMI_SOAP_COMPILED_DIR"] = str(fresh)
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            raise SystemExit(f"a benchmark process failed ({process.returncode}):\n{script}")
        self.cpu.append(usage.ru_utime + usage.ru_stime)
        if empty_cache:
            shutil.rmtree(fresh, ignore_errors=True)
        return elapsed


def whole_process(rounds: int, scratch: Path) -> None:
    from boomi_soap.snapshot.cache import pinned_store

    snapshot = pinned_store().current(ACCOUNT)
    runner = Processes(scratch)
    bare = bare_zeep(snapshot.wsdl_path)
    baseline = zeep_and_xmlschema(snapshot.wsdl_path, snapshot.directory / "service.xsd2.xsd")
    warm_compiled = (
        "from boomi_soap.snapshot.cache import pinned_store\nfrom boomi_soap.snapshot.schema import load_schema\n"
    )
    warm_compiled += f"load_schema(pinned_store().current({ACCOUNT!r})).explainer\n"
    for script in (bare, baseline, TYPED, ZEEP_PATH, warm_compiled):  # bytecode and the warm compiled cache
        runner.run(script)

    times, cpu = alternate(
        {"bare": lambda: runner.run(bare), "typed": lambda: runner.run(TYPED), "zeep": lambda: runner.run(ZEEP_PATH)},
        rounds,
        runner.cpu,
    )
    labels = {"bare": "bare zeep.Client", "typed": "typed client", "zeep": "zeep path"}
    print(f"1. Ready from a warm cache, whole process ({rounds} rounds, fresh interpreters)")
    print(f"   wall ms: {medians(times, labels)}")
    print(f"   CPU ms:  {medians(cpu, labels)}")
    for name, target in (("typed", "1.0"), ("zeep", "1.1")):
        print(f"   {spread(f'{labels[name]} / bare, wall:', ratios(times, name, 'bare'))};"
              f" {spread('CPU:', ratios(cpu, name, 'bare'))}  (target <= {target}x)")  # fmt: skip

    times, cpu = alternate(
        {
            "cold": lambda: runner.run(TYPED, empty_cache=True),
            "warm": lambda: runner.run(TYPED),
            "baseline": lambda: runner.run(baseline),
        },
        rounds,
        runner.cpu,
    )
    labels = {"cold": "typed, empty cache", "warm": "typed, warm cache", "baseline": "zeep.Client + xmlschema"}
    print(f"2. Ready on an empty compiled cache, whole process ({rounds} rounds)")
    print(f"   wall ms: {medians(times, labels)}")
    print(f"   CPU ms:  {medians(cpu, labels)}")
    print(f"   {spread('empty / warm, wall:', ratios(times, 'cold', 'warm'))};"
          f" {spread('CPU:', ratios(cpu, 'cold', 'warm'))}  (target <= 1.2x)")  # fmt: skip
    print(f"   {spread('baseline / empty (times faster), wall:', ratios(times, 'baseline', 'cold'))};"
          f" {spread('CPU:', ratios(cpu, 'baseline', 'cold'))}  (target >= 2.5x)")  # fmt: skip


def per_call(rounds: int, scratch: Path) -> None:
    import requests
    import zeep
    from zeep.transports import Transport
    from zeep.wsse.username import UsernameToken

    from boomi_soap.bindings import TypedClient
    from boomi_soap.client import Client
    from boomi_soap.credentials import Credentials
    from boomi_soap.localservice import DEFAULT_PASSWORD, DEFAULT_USER
    from boomi_soap.settings import ClientSettings
    from boomi_soap.snapshot.cache import pinned_store

    class CannedSession(requests.Session):
        """Answers every POST with the same getResponse (createResponse to a create), without a network."""

        def post(self, url: str | bytes, data: Any = None, **kwargs: Any) -> requests.Response:  # type: ignore[override]
            """Return the canned answer."""
            response = requests.Response()
            response.status_code = 200
            response._content = CREATED if b":create" in data else ANSWER  # either side's prefixed wrapper tag
            response.headers["Content-Type"] = "text/xml; charset=utf-8"
            response.url = str(url)
            return response

    snapshot = pinned_store().current(ACCOUNT)
    credentials = Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD)
    ours = Client(
        snapshot, credentials, settings=ClientSettings(rate_limit=None), session=CannedSession(), compiled_dir=scratch
    )
    typed = TypedClient(ours)
    plain = zeep.Client(
        str(snapshot.wsdl_path),
        transport=Transport(session=CannedSession()),
        wsse=UsernameToken(DEFAULT_USER, DEFAULT_PASSWORD),
    )
    plain_service = plain.create_service(next(iter(plain.wsdl.bindings)), snapshot.endpoint)
    calls = {
        "ours": lambda: ours.get("Environment", "e1"),
        "typed": lambda: typed.get(object_type="Environment", object_id="e1"),
        "zeep": lambda: plain_service.get(objectType="Environment", objectId="e1"),
    }
    block = 200

    def timed(call: Callable[[], Any]) -> Callable[[], float]:
        def run() -> float:
            # CPU time of this thread: on a shared machine, time spent descheduled is
            # noise that wall time would charge to whichever side was running.
            started = time.thread_time()
            for _ in range(block):
                call()
            return (time.thread_time() - started) / block

        return run

    for call in calls.values():  # warm up every side
        for _ in range(50):
            call()
    times, _ = alternate({name: timed(call) for name, call in calls.items()}, rounds)
    ratio = ratios(times, "ours", "zeep")
    typed_ratio = ratios(times, "typed", "zeep")
    print(f"3. Per-call overhead of get, no network, thread CPU time ({rounds} rounds of {block} calls per side)")
    print(f"   Client.get {statistics.median(times['ours']) * 1e6:5.0f} us"
          f"   TypedClient.get {statistics.median(times['typed']) * 1e6:5.0f} us"
          f"   plain zeep {statistics.median(times['zeep']) * 1e6:5.0f} us")  # fmt: skip
    print(f"   {spread('Client.get / plain zeep:', ratio)}  (target <= 1.0x)")
    print(f"   {spread('TypedClient.get / plain zeep:', typed_ratio)}")

    environment = plain.get_type("{http://api.platform.boomi.com/}Environment")
    ours_object = ours.new_object("Environment", name="Bench", classification="TEST")
    plain_object = environment(name="Bench", classification="TEST")
    creates = {
        "ours": lambda: ours.create(ours_object),
        "zeep": lambda: plain_service.create(object=plain_object),
        "ours_fields": lambda: ours.create("Environment", name="Bench", classification="TEST"),
        "zeep_fields": lambda: plain_service.create(object=environment(name="Bench", classification="TEST")),
    }
    for call in creates.values():
        if call().name != "Bench":
            raise SystemExit("a create side did not read the canned answer")
        for _ in range(50):
            call()
    times, _ = alternate({name: timed(call) for name, call in creates.items()}, rounds)
    print(f"3c. Per-call overhead of create, no network, thread CPU time ({rounds} rounds of {block} calls per side)")
    print(f"   Client.create(obj) {statistics.median(times['ours']) * 1e6:5.0f} us"
          f"   plain zeep create(object=obj) {statistics.median(times['zeep']) * 1e6:5.0f} us"
          f"   from fields: ours {statistics.median(times['ours_fields']) * 1e6:5.0f} us,"
          f" zeep {statistics.median(times['zeep_fields']) * 1e6:5.0f} us")  # fmt: skip
    print(f"   {spread('Client.create / plain zeep, same object:', ratios(times, 'ours', 'zeep'))}  (target <= 1.0x)")
    print(f"   {spread('from fields, ours / zeep:', ratios(times, 'ours_fields', 'zeep_fields'))}  (target <= 1.0x)")


def throughput(scratch: Path) -> None:
    from boomi_soap.client import Client
    from boomi_soap.credentials import Credentials, Endpoint
    from boomi_soap.exceptions import BoomiSoapError
    from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER, LocalService
    from boomi_soap.snapshot.cache import CacheStore, refresh

    credentials = Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD)
    with LocalService() as service:  # 5 calls/s per account, like Boomi
        snapshot = refresh(
            CacheStore(scratch / "cache"), Endpoint(DEFAULT_ACCOUNT, service.base_url), credentials
        ).snapshot
        client = Client(snapshot, credentials, compiled_dir=scratch / "compiled")
        starts: list[float] = []
        failures: list[BaseException] = []
        lock = threading.Lock()

        def work() -> None:
            for _ in range(15):
                try:
                    client.get("Account", DEFAULT_ACCOUNT)
                except BoomiSoapError as exc:
                    failures.append(exc)
                with lock:
                    starts.append(time.perf_counter())

        threads = [threading.Thread(target=work) for _ in range(4)]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
        stats = service.limit_stats()
    calls = len(starts)
    steady = (calls - 5) / (sorted(starts)[-1] - sorted(starts)[4])
    print("4. Throughput, 4 threads, one client, local service limited to 5 calls/s")
    print(
        f"   {calls} calls in {elapsed:.1f} s; steady rate {steady:.2f}/s = {steady / 5:.0%} of the limit (target >= 95%)"
    )
    print(f"   503s reaching the caller: {sum('503' in str(f) for f in failures)}; errors: {len(failures)};"
          f" refused by the service: {stats.rate_limited}; busiest 1-s window: {stats.max_in_window}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="rounds per comparison (default 15)")
    parser.add_argument("--no-throughput", action="store_true", help="skip the rate-limited throughput run")
    parser.add_argument("--no-rest", action="store_true", help="skip the REST per-call overhead (bench/rest.py)")
    args = parser.parse_args()
    print(f"os.cpu_count() = {os.cpu_count()}; Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as scratch:
        whole_process(args.rounds, Path(scratch))
        per_call(args.rounds, Path(scratch))
        if not args.no_rest:
            print("3b. Per-call overhead of REST beside SOAP and a bare requests call (bench/rest.py)")
            sys.path.insert(0, str(Path(__file__).parent))
            import rest as rest_bench  # bench/rest.py: also runs on its own

            rest_bench.main()
        if not args.no_throughput:
            throughput(Path(scratch))


if __name__ == "__main__":
    main()
