"""Benchmark: a sized local service: seeding, a filtered query, and paging beside plain zeep.

Run from the repository root:
    python bench/sized.py [--records 100000] [--rounds 5] [--query-rounds 5] [--paging-rounds 3]

Every figure comes from fresh interpreter processes with bytecode writing on (the
parent drops PYTHONDONTWRITEBYTECODE from their environment), the two sides
alternating (A B, then B A ...) so a busy neighbour hurts both alike; medians are
printed with the min-max of the per-round ratio, and the core count.

- ``seed``: one process builds ``LocalService(ServiceConfig(execution_records=N))``
  (contract loaded, every account seeded) and serves the first page of an
  ExecutionRecord query over HTTP; sides: the default size (260) and N.  Peak RSS is
  the process's own (``ru_maxrss``).
- ``query``: the same service at N records answers filtered and sorted queries over
  SOAP (HTTP on loopback, the first page of each): an EQUALS sorted by time, a
  BETWEEN on dates sorted by duration, an IN (an OR of three EQUALS) sorted on two
  keys, and a nested AND/OR; sides: the default size and N.  Target: under 1 s at
  100,000 records.
- ``paging``: ``boomi-soap serve --records N`` in one process; client processes,
  alternating, page through every ExecutionRecord: ours (``Client.query``: builds,
  validates and signs each request, reads each page into zeep objects) and plain
  zeep (``zeep.Client`` from the same WSDL with a ``UsernameToken``, ``query`` then
  ``queryMore`` on each token: builds and signs, validates nothing).  Each side runs
  twice a round in fresh processes: once timed, with its peak RSS (``VmHWM``: Linux
  keeps a parent's ``ru_maxrss`` across exec), and once under ``tracemalloc`` for the
  peak of what paging itself allocates.  Both sides get the demo sign-in on stdin, so
  neither imports the local service: ours imports the client and what it loads, plain
  zeep imports zeep alone.
  Target: peak within 1.05x plain zeep.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = 260
# Bytecode on, explicitly: a child that cannot cache bytecode pays for compiling at every start.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE" and not k.startswith("BOOMI_")}

SEED_CHILD = """
import json, resource, sys, time, http.client
from urllib.parse import urlsplit
from boomi_soap.localservice import DEFAULT_PASSWORD, DEFAULT_USER, LocalService, ServiceConfig
size = int(sys.argv[1])
started = time.perf_counter()
service = LocalService(ServiceConfig(rate_limit=None, execution_records=size))
seeded = time.perf_counter()
service.start()
url = urlsplit(service.endpoint())
body = (
    '<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Header>'
    '<wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">'
    f'<wsse:UsernameToken><wsse:Username>{DEFAULT_USER}</wsse:Username>'
    '<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">'
    f'{DEFAULT_PASSWORD}</wsse:Password>'
    '</wsse:UsernameToken></wsse:Security></S:Header><S:Body>'
    '<ns:query xmlns:ns="http://soap.api.platform.boomi.com/" xmlns:api="http://api.platform.boomi.com/">'
    '<api:objectType>ExecutionRecord</api:objectType></ns:query></S:Body></S:Envelope>'
).encode()
connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
connection.request("POST", url.path, body=body, headers={"Content-Type": "text/xml; charset=utf-8"})
response = connection.getresponse()
reply = response.read()
assert response.status == 200 and reply.count(b"executionId>") == 2 * min(size, 100), reply[:300]
first_page = time.perf_counter()
service.stop()
print(json.dumps({
    "seed": seeded - started,
    "first_page": first_page - started,
    "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""

QUERY_CHILD = """
import json, sys, time, http.client
from urllib.parse import urlsplit
from boomi_soap.localservice import DEFAULT_PASSWORD, DEFAULT_USER, LocalService, ServiceConfig
size, first = int(sys.argv[1]), int(sys.argv[2])
service = LocalService(ServiceConfig(rate_limit=None, execution_records=size)).start()
url = urlsplit(service.endpoint())
HEAD = (
    '<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Header>'
    '<wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">'
    f'<wsse:UsernameToken><wsse:Username>{DEFAULT_USER}</wsse:Username>'
    '<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">'
    f'{DEFAULT_PASSWORD}</wsse:Password>'
    '</wsse:UsernameToken></wsse:Security></S:Header><S:Body>'
    '<ns:query xmlns:ns="http://soap.api.platform.boomi.com/" xmlns:api="http://api.platform.boomi.com/"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    '<api:objectType>ExecutionRecord</api:objectType><api:queryConfig><api:QueryFilter>'
)
def simple(op, prop, *args, tag="expression"):
    inner = "".join(f"<api:argument>{a}</api:argument>" for a in args)
    return f'<api:{tag} xsi:type="api:SimpleExpression" operator="{op}" property="{prop}">{inner}</api:{tag}>'
def group(op, *parts):
    return f'<api:expression xsi:type="api:GroupingExpression" operator="{op}">{"".join(parts)}</api:expression>'
def sort(*fields):
    inner = "".join(f'<api:sortField fieldName="{f}" sortOrder="{o}"/>' for f, o in fields)
    return f"<api:QuerySort>{inner}</api:QuerySort>"
def nested(xml):
    return xml.replace("<api:expression ", "<api:nestedExpression ").replace("</api:expression>", "</api:nestedExpression>")
QUERIES = {
    "equals, sorted by time": simple("EQUALS", "status", "ERROR") + "</api:QueryFilter>" + sort(("executionTime", "DESC")),
    "between dates, by duration": simple("BETWEEN", "executionTime", "2026-11-02T00:00:00Z", "2027-06-01T00:00:00Z")
        + "</api:QueryFilter>" + sort(("executionDuration", "ASC")),
    "in (or of 3), two keys": group("or", *(simple("EQUALS", "processName", n, tag="nestedExpression") for n in (
        "Orders - Shopify to SAP", "Invoices - SAP to Bill.com", "Payroll - ADP Export")))
        + "</api:QueryFilter>" + sort(("processName", "ASC"), ("recordedDate", "DESC")),
    "nested and/or": group("and", nested(group("or", simple("EQUALS", "status", "ERROR"),
        simple("NOT_EQUALS", "executionType", "exec_sched"))),
        simple("GREATER_THAN_OR_EQUAL", "inboundDocumentCount", "120", tag="nestedExpression"),
        nested(group("or", simple("STARTS_WITH", "processName", "Orders"), simple("LIKE", "processName", "%to%"))))
        + "</api:QueryFilter>",
}
names = list(QUERIES)
names = names[first:] + names[:first]  # each round starts with another query
connection = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
out = {}
for name in names:
    body = (HEAD + QUERIES[name] + "</api:queryConfig></ns:query></S:Body></S:Envelope>").encode()
    started = time.perf_counter()
    connection.request("POST", url.path, body=body, headers={"Content-Type": "text/xml; charset=utf-8"})
    response = connection.getresponse()
    reply = response.read()
    out[name] = time.perf_counter() - started
    assert response.status == 200 and b"executionId>" in reply, reply[:400]
service.stop()
print(json.dumps(out))
"""

ZEEP_CHILD = """
import json, sys, time, tracemalloc
def hwm():  # the peak RSS of this process image (VmHWM; ru_maxrss keeps a parent's across exec)
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")) / 1024
import zeep
from zeep.wsse.username import UsernameToken
wsdl, endpoint, expected, traced = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
login = json.loads(sys.stdin.readline())  # the demo sign-in, from the parent (nothing else of ours imported)
client = zeep.Client(wsdl, wsse=UsernameToken(login["user"], login["password"]))
service = client.create_service(next(iter(client.wsdl.bindings)), endpoint)
service.query(objectType="Role")  # one call first, as the other side's warm-up
ready = hwm()
if traced:
    tracemalloc.start()
started = time.perf_counter()
page = service.query(objectType="ExecutionRecord")
seen, pages = len(page.result), 1
while page.queryToken:
    page = service.queryMore(queryToken=page.queryToken)
    seen, pages = seen + len(page.result), pages + 1
elapsed = time.perf_counter() - started
traced_peak = tracemalloc.get_traced_memory()[1] / 2**20 if traced else 0.0
assert seen == expected, (seen, expected)
print(json.dumps({
    "records": seen, "pages": pages, "seconds": elapsed, "traced_mb": traced_peak,
    "ready_rss_mb": ready, "rss_mb": hwm(),
}))
"""

CLIENT_CHILD = """
import json, sys, time, tracemalloc
def hwm():  # the peak RSS of this process image (VmHWM; ru_maxrss keeps a parent's across exec)
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")) / 1024
from pathlib import Path
from boomi_soap.snapshot.cache import CacheStore, refresh
from boomi_soap.client import Client
from boomi_soap.credentials import Credentials, Endpoint
from boomi_soap.settings import ClientSettings
base, scratch, expected, traced = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1"
login = json.loads(sys.stdin.readline())  # the demo sign-in, from the parent (the local service is not imported here)
credentials = Credentials.from_password(login["user"], login["password"])
if sys.argv[5:] == ["fetch"]:  # the warm-up run fetches the snapshot; a measured run reads it, as zeep reads its WSDL
    snapshot = refresh(CacheStore(scratch / "cache"), Endpoint(login["account"], base), credentials).snapshot
else:
    snapshot = CacheStore(scratch / "cache").current(login["account"])
client = Client(snapshot, credentials, settings=ClientSettings(rate_limit=None), compiled_dir=scratch / "compiled")
sum(1 for _ in client.query("Role"))  # one call first: the compiled schema is read before the clock starts
ready = hwm()
if traced:
    tracemalloc.start()
started = time.perf_counter()
results = client.query("ExecutionRecord")
seen = sum(1 for _ in results)
elapsed = time.perf_counter() - started
traced_peak = tracemalloc.get_traced_memory()[1] / 2**20 if traced else 0.0
assert seen == expected, (seen, expected)
print(json.dumps({
    "records": seen, "pages": results.pages, "seconds": elapsed, "traced_mb": traced_peak,
    "ready_rss_mb": ready, "rss_mb": hwm(),
    "wsdl": str(snapshot.wsdl_path), "endpoint": snapshot.endpoint,
}))
"""


def _python(code: str, *args: str, stdin: str | None = None) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=ENV,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    if done.returncode != 0:
        raise SystemExit(f"benchmark child failed:\n{done.stderr[-2000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Server:
    """``boomi-soap serve --records N`` in its own process, for as long as the block runs."""

    def __init__(self, size: int) -> None:
        command = [sys.executable, "-m", "boomi_soap", "serve", "--port", "0", "--rate-limit", "1000000"]
        self.process = subprocess.Popen(
            [*command, "--records", str(size)], cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        assert self.process.stdout is not None
        self.base = self.process.stdout.readline().split()[4]

    def close(self) -> float:
        """Stop the service; its peak RSS in MB."""
        peak = _peak_rss_mb(self.process.pid)
        self.process.terminate()
        self.process.communicate(timeout=30)
        return peak


def _row(name: str, unit: str, default: list[float], sized: list[float], digits: int = 2) -> str:
    ratios = [s / d for d, s in zip(default, sized, strict=True)]
    return (
        f"  {name:28} {statistics.median(default):9.{digits}f} {statistics.median(sized):11.{digits}f} {unit:3}"
        f"  ratio {statistics.median(ratios):6.2f} (min-max {min(ratios):.2f}-{max(ratios):.2f})"
    )


def _alternate(sides: dict[str, Callable[[], dict[str, float]]], rounds: int) -> dict[str, list[dict[str, float]]]:
    """Run each side once a round, the order flipped every round (A B, B A ...)."""
    out: dict[str, list[dict[str, float]]] = {name: [] for name in sides}
    names = list(sides)
    for index in range(rounds):
        for name in names if index % 2 == 0 else names[::-1]:
            out[name].append(sides[name]())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--records", type=int, default=100_000, help="the sized side's ExecutionRecords")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds of the seed measurement")
    parser.add_argument("--query-rounds", type=int, default=5, help="alternating rounds of the filtered queries")
    parser.add_argument("--paging-rounds", type=int, default=3, help="alternating rounds of paging, ours and zeep")
    options = parser.parse_args()
    size = options.records
    print(
        f"os.cpu_count() = {os.cpu_count()}; sizes: default {DEFAULT}, sized {size:,};"
        f" children with bytecode on (PYTHONDONTWRITEBYTECODE unset)"
    )

    _python(SEED_CHILD, str(DEFAULT))  # warm the disk cache of the imports for both sides
    if options.rounds > 0:
        seeds = _alternate(
            {"default": lambda: _python(SEED_CHILD, str(DEFAULT)), "sized": lambda: _python(SEED_CHILD, str(size))},
            options.rounds,
        )
        print(f"\nSeeding, fresh process each, {options.rounds} alternating rounds, medians (default, sized):")
        for key, name, unit in (
            ("seed", "seed (construct)", "s"),
            ("first_page", "seed + first page", "s"),
            ("rss_mb", "peak RSS", "MB"),
        ):
            print(_row(name, unit, [r[key] for r in seeds["default"]], [r[key] for r in seeds["sized"]]))

    if options.query_rounds > 0:
        turn = iter(range(10**6))
        queries = _alternate(
            {
                "default": lambda: _python(QUERY_CHILD, str(DEFAULT), str(next(turn) % 4)),
                "sized": lambda: _python(QUERY_CHILD, str(size), str(next(turn) % 4)),
            },
            options.query_rounds,
        )
        print(
            f"\nFiltered and sorted queries over SOAP, first page, fresh process each,"
            f" {options.query_rounds} alternating rounds, medians (default, sized; target: sized under 1 s):"
        )
        for name in sorted(queries["sized"][0]):
            default, sized = [r[name] for r in queries["default"]], [r[name] for r in queries["sized"]]
            print(_row(name, "s", default, sized, digits=3) + f"  sized max {max(sized):.3f} s")

    if options.paging_rounds <= 0:
        return
    from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER

    # The demo sign-in goes to each child on stdin: neither side imports the local service.
    login = json.dumps({"user": DEFAULT_USER, "password": DEFAULT_PASSWORD, "account": DEFAULT_ACCOUNT}) + "\n"
    with tempfile.TemporaryDirectory() as scratch:
        server = Server(size)
        try:
            ours = functools.partial(_python, CLIENT_CHILD, server.base, scratch, str(size), stdin=login)
            zeep = functools.partial(_python, ZEEP_CHILD, stdin=login)
            warm = ours("0", "fetch")  # compiles our schema once
            wsdl, endpoint = str(warm["wsdl"]), str(warm["endpoint"])
            zeep(wsdl, endpoint, str(size), "0")
            sides = {
                "ours": lambda: ours("0"),
                "zeep": lambda: zeep(wsdl, endpoint, str(size), "0"),
                "ours traced": lambda: ours("1"),
                "zeep traced": lambda: zeep(wsdl, endpoint, str(size), "1"),
            }
            paging = _alternate(sides, options.paging_rounds)
        finally:
            service_peak = server.close()
    print(
        f"\nPaging {size:,} records, 100 a page, fresh processes, {options.paging_rounds} alternating rounds,"
        f" medians (plain zeep, ours; ratio ours/zeep, target peak <= 1.05x):"
    )
    for key, name, unit, runs in (
        ("seconds", "paging time", "s", ""),
        ("ready_rss_mb", "RSS when ready", "MB", ""),
        ("rss_mb", "peak RSS", "MB", ""),
        ("traced_mb", "tracemalloc peak of paging", "MB", " traced"),
    ):
        print(_row(name, unit, [r[key] for r in paging["zeep" + runs]], [r[key] for r in paging["ours" + runs]]))
    for side in ("zeep", "ours"):
        rounds = paging[side]
        print(
            f"  {side}: pages {int(rounds[0]['pages'])}; seconds "
            + ", ".join(f"{r['seconds']:.1f}" for r in rounds)
            + "; peak RSS "
            + ", ".join(f"{r['rss_mb']:.1f}" for r in rounds)
            + " MB; tracemalloc peak "
            + ", ".join(f"{r['traced_mb']:.1f}" for r in paging[side + " traced"])
            + " MB"
        )
    print(f"  service peak RSS over the whole paging block: {service_peak:.0f} MB")


if __name__ == "__main__":
    main()
