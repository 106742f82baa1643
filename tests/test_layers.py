"""The layer rules of ``ARCHITECTURE.md`` over the import graph of ``boomi_soap/`` and ``codegen/``.

An ``ast`` walk reads every import (top level, in functions, under ``TYPE_CHECKING``,
relative or absolute) and builds the module graph; ``from boomi_soap import Name`` counts
as an import of the module that defines ``Name`` (``boomi_soap._HOMES``), and the package's
lazy ``__getattr__`` as an import of each of those modules.  Three rules:

- the runtime never imports ``boomi_soap.localservice`` (its test double), except lazily
  inside the ``serve`` and quickstart functions;
- no import cycle (a strongly connected component of more than one module);
- no import that points up the layers (``LAYER`` maps today's flat modules onto the
  target's layers, ``MAY_IMPORT`` is the table of ARCHITECTURE.md).

Today's cycles and upward imports are listed exactly in ``KNOWN_CYCLES`` and
``KNOWN_UPWARD``: a new one fails, and so does a listed one that is gone (delete it from
the list), so the lists only shrink.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import boomi_soap

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("boomi_soap", "codegen")

# -- the layers ------------------------------------------------------------------------
BASE = "base"
SNAPSHOT = "snapshot"
VALIDATE = "validate"
WIRE = "wire"
LIMITS = "limits"
TRANSPORTS = "transports"
FACADES = "facades"  # the client facades, the typed bindings and the query language
PLATFORM = "platform"
CLI = "cli"  # the command line and the entry points
LOCALSERVICE = "localservice"
CODEGEN = "codegen"  # the build-time generator
API = "api"  # boomi_soap/__init__.py: the public names, each loaded on first use

_ALL = frozenset(
    {BASE, SNAPSHOT, VALIDATE, WIRE, LIMITS, TRANSPORTS, FACADES, PLATFORM, CLI, LOCALSERVICE, CODEGEN, API}
)

# Every module of the tree, by package where a whole package is one layer (a prefix ending in "." covers it).
LAYER: dict[str, str] = {
    "boomi_soap": API,
    "boomi_soap.__main__": CLI,
    "boomi_soap._version": BASE,
    "boomi_soap.exceptions": BASE,
    "boomi_soap.settings": BASE,
    "boomi_soap.credentials": BASE,
    "boomi_soap.profiles": BASE,  # named sign-ins: credentials' providers and a TOML file
    "boomi_soap._xml": BASE,
    "boomi_soap._xml.": BASE,  # hardened parsing, redaction
    "boomi_soap.snapshot": SNAPSHOT,
    "boomi_soap.snapshot.": SNAPSHOT,
    "boomi_soap.validate": VALIDATE,
    "boomi_soap.wire": WIRE,
    "boomi_soap.wire.": WIRE,  # jsonform, xmlbind, restmap, the zeep adapter (zeepform), the tolerant reader
    "boomi_soap.limits": LIMITS,
    "boomi_soap.limits.": LIMITS,
    "boomi_soap._transports": TRANSPORTS,
    "boomi_soap._transports.": TRANSPORTS,
    "boomi_soap._transports.reasons": BASE,  # one-line reasons for connection errors (redact only)
    "boomi_soap.client": FACADES,
    "boomi_soap.connectnow": FACADES,  # a client of its own (the Connect Now API), over the transports' bounds
    "boomi_soap._sources": FACADES,  # where a client built from the cache gets its account, endpoint and snapshot
    "boomi_soap._dryrun": FACADES,  # Client's dry-run methods: what a call would send (a mixin)
    "boomi_soap._subaccount": FACADES,  # what a sub-account view does besides its parent (a mixin)
    "boomi_soap.async_client": FACADES,  # AsyncClient and fan_out
    "boomi_soap._async_features": FACADES,  # AsyncClient's one-line forwarders to the platform features
    "boomi_soap._features": FACADES,  # Client's one-line forwarders to the platform features (a mixin)
    "boomi_soap.query": WIRE,  # the F/Expression language: plain values the wire encodes (imports exceptions only)
    "boomi_soap.bindings": FACADES,
    "boomi_soap.bindings.": FACADES,  # the generated typed facade
    "boomi_soap.platform": PLATFORM,
    "boomi_soap.platform.": PLATFORM,  # runs, deploy, polling, partner, ipacks, components, bulk, runtime ...
    "boomi_soap.cli": CLI,
    "boomi_soap.cli.": CLI,  # the command line as a package
    "boomi_soap.localservice": LOCALSERVICE,
    "boomi_soap.localservice.": LOCALSERVICE,
    "codegen.__main__": CLI,  # `python -m codegen` is `boomi-soap codegen`
    "codegen": CODEGEN,
    "codegen.": CODEGEN,
}

# The table of ARCHITECTURE.md: what a module of each layer may import (its own layer included).
MAY_IMPORT: dict[str, frozenset[str]] = {
    BASE: frozenset({BASE}),
    SNAPSHOT: frozenset({BASE, SNAPSHOT}),
    VALIDATE: frozenset({BASE, SNAPSHOT, VALIDATE}),
    WIRE: frozenset({BASE, SNAPSHOT, VALIDATE, WIRE}),
    LIMITS: frozenset({BASE, LIMITS}),
    TRANSPORTS: frozenset({BASE, LIMITS, WIRE, TRANSPORTS}),
    FACADES: frozenset({BASE, SNAPSHOT, VALIDATE, WIRE, LIMITS, TRANSPORTS, FACADES}),
    PLATFORM: frozenset({BASE, SNAPSHOT, VALIDATE, WIRE, PLATFORM}),
    CLI: _ALL - {LOCALSERVICE},  # the local service only lazily, in `serve` and the quickstart (below)
    LOCALSERVICE: _ALL - {CLI, CODEGEN},
    CODEGEN: frozenset({BASE, SNAPSHOT, VALIDATE, WIRE, CODEGEN, API}),
    API: _ALL - {CLI, CODEGEN, LOCALSERVICE},
}
# Single edges the table allows across its rows: snapshot's fetch may use the transports' bounds
# (bounds.py decides them, deadline.py's bounded GET enforces them).
ALLOWED_EDGES = frozenset(
    {
        ("boomi_soap.snapshot.fetch", "boomi_soap._transports.bounds"),
        ("boomi_soap.snapshot.fetch", "boomi_soap._transports.deadline"),
    }
)
# A facade may reach a platform feature through a one-line forwarder: a function that is the import and one
# statement; and it may name the features' types in the forwarders' signatures (an import under TYPE_CHECKING,
# which never runs, so it makes no runtime edge: the facade still works without the platform package imported).
FORWARDED = frozenset({(FACADES, PLATFORM)})
# The only places the runtime may import the local service: lazily, inside these functions.
LAZY_LOCALSERVICE = frozenset({("boomi_soap.cli.serve", "serve"), ("boomi_soap.cli.tour", "run_quickstart")})

# Today's import cycles (strongly connected components), exact: this set may only shrink.
KNOWN_CYCLES: frozenset[frozenset[str]] = frozenset()

# Today's upward imports (importer, imported), exact: this set may only shrink.
KNOWN_UPWARD: frozenset[tuple[str, str]] = frozenset()


# -- the graph --------------------------------------------------------------------------
@dataclass(frozen=True)
class Import:
    """One import statement's edge: who imports what, and where."""

    importer: str
    imported: str
    line: int
    function: str | None  # the innermost enclosing function; None at module level
    type_only: bool  # under `if TYPE_CHECKING:`
    forwarder: bool  # the enclosing function is this import and one statement


def layer_of(module: str) -> str:
    if module in LAYER:
        return LAYER[module]
    prefixes = [p for p in LAYER if p.endswith(".") and (module + ".").startswith(p)]
    if not prefixes:
        raise AssertionError(f"{module}: not mapped to a layer in tests/test_layers.py LAYER")
    return LAYER[max(prefixes, key=len)]


@cache
def modules() -> dict[str, tuple[Path, bool]]:
    """Module name -> (file, is a package)."""
    found: dict[str, tuple[Path, bool]] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            if is_package:
                parts.pop()
            found[".".join(parts)] = (path, is_package)
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _body(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.stmt]:
    body = function.body
    docstring = body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
    return body[1:] if docstring else body


class _Walker(ast.NodeVisitor):
    def __init__(self, module: str, is_package: bool) -> None:
        self.module = module
        self.package = module if is_package else module.rpartition(".")[0]
        self.functions: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
        self.names: list[str] = []
        self.type_only = 0
        self.found: list[Import] = []

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._function(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._function(node)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.functions.append(node)
        self.names.append(node.name)
        self.generic_visit(node)
        self.names.pop()
        self.functions.pop()

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.names.append(node.name)
        self.generic_visit(node)
        self.names.pop()

    def visit_If(self, node: ast.If) -> None:
        self.visit(node.test)
        guarded = _is_type_checking(node.test)
        self.type_only += guarded
        for stmt in node.body:
            self.visit(stmt)
        self.type_only -= guarded
        for stmt in node.orelse:
            self.visit(stmt)

    def _add(self, node: ast.stmt, target: str) -> None:
        if target == self.module:
            return
        function = self.functions[-1] if self.functions else None
        forwarder = function is not None and len(_body(function)) <= 2 and node in _body(function)
        self.found.append(
            Import(
                self.module,
                target,
                node.lineno,
                ".".join(n for n in self.names) if function is not None else None,
                self.type_only > 0,
                forwarder,
            )
        )

    def visit_Import(self, node: ast.Import) -> None:
        known = modules()
        for alias in node.names:
            parts = alias.name.split(".")
            for end in range(len(parts), 0, -1):
                if ".".join(parts[:end]) in known:
                    self._add(node, ".".join(parts[:end]))
                    break

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        known = modules()
        if node.level:
            parts = self.package.split(".")
            parts = parts[: len(parts) - (node.level - 1)]
            base = ".".join([*parts, *([node.module] if node.module else [])])
        else:
            base = node.module or ""
        for alias in node.names:
            if f"{base}.{alias.name}" in known:
                self._add(node, f"{base}.{alias.name}")
            elif base == "boomi_soap" and alias.name in boomi_soap._HOMES:
                self._add(node, f"boomi_soap.{boomi_soap._HOMES[alias.name]}")
            elif base in known:
                self._add(node, base)


@cache
def imports() -> tuple[Import, ...]:
    """Every import edge inside boomi_soap/ and codegen/."""
    found: list[Import] = []
    for module, (path, is_package) in modules().items():
        walker = _Walker(module, is_package)
        walker.visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        found += walker.found
    # The package's lazy __getattr__ imports each public name's module on first use.
    found += [
        Import("boomi_soap", f"boomi_soap.{home}", 0, "__getattr__", False, True) for home in boomi_soap._HOMES.values()
    ]
    return tuple(found)


def graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {m: set() for m in modules()}
    for edge in imports():
        edges[edge.importer].add(edge.imported)
    return edges


def cycles() -> set[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    edges = graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: set[frozenset[str]] = set()
    for start in sorted(edges):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component: set[str] = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.add(frozenset(component))
    return found


def upward() -> dict[tuple[str, str], list[Import]]:
    """Each import that points up the layers, by (importer, imported)."""
    found: dict[tuple[str, str], list[Import]] = {}
    for edge in imports():
        source, target = layer_of(edge.importer), layer_of(edge.imported)
        if target in MAY_IMPORT[source] or (edge.importer, edge.imported) in ALLOWED_EDGES:
            continue
        if (edge.forwarder or edge.type_only) and (source, target) in FORWARDED:
            continue
        if target == LOCALSERVICE:
            continue  # judged by test_the_runtime_never_imports_the_local_service
        found.setdefault((edge.importer, edge.imported), []).append(edge)
    return found


# -- the rules --------------------------------------------------------------------------
def test_every_module_has_a_layer() -> None:
    assert {m: layer_of(m) for m in modules()}
    stale = {m for m in LAYER if not m.endswith(".") and m not in modules()}
    assert not stale, f"LAYER names modules that no longer exist: {sorted(stale)}"


def test_the_runtime_never_imports_the_local_service() -> None:
    bad = [
        f"{e.importer}:{e.line} imports {e.imported}" + (f" in {e.function}()" if e.function else " at module level")
        for e in imports()
        if layer_of(e.imported) == LOCALSERVICE
        and layer_of(e.importer) != LOCALSERVICE
        and (e.importer, (e.function or "").rpartition(".")[2]) not in LAZY_LOCALSERVICE
    ]
    assert not bad, "the runtime imports its test double:\n" + "\n".join(bad)


def test_the_generator_reads_no_file_of_the_local_service() -> None:
    for module, (path, _) in modules().items():
        if layer_of(module) != CODEGEN:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(n.body[0].value)
            for n in ast.walk(tree)
            if isinstance(n, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and n.body
            and isinstance(n.body[0], ast.Expr)
        }
        strings = [
            n.value
            for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings
        ]
        assert not [s for s in strings if "localservice" in s], module


def _describe_cycle(component: frozenset[str]) -> str:
    edges = graph()
    inner = sorted(f"{a} -> {b}" for a in component for b in edges[a] if b in component)
    return f"{{{', '.join(sorted(component))}}}: " + "; ".join(inner)


def test_no_new_import_cycle_and_the_known_list_is_exact() -> None:
    found = cycles()
    edges = [e for e in imports() if e.line]
    lazy = sum(e.function is not None for e in edges)
    typed = sum(e.type_only for e in edges)
    print(f"\nimport edges: {len(edges)} ({lazy} in functions, {typed} type only)")
    print(f"import cycles: {len(found)}")
    for component in sorted(found, key=sorted):
        print("  " + _describe_cycle(component))
    new = found - KNOWN_CYCLES
    gone = KNOWN_CYCLES - found
    assert not new, "new import cycle(s):\n" + "\n".join(_describe_cycle(c) for c in new)
    assert not gone, f"cycle(s) listed in KNOWN_CYCLES no longer exist (delete them): {[sorted(c) for c in gone]}"


def test_no_new_upward_import_and_the_known_list_is_exact() -> None:
    found = upward()
    print(f"\nupward imports: {len(found)}")
    for (a, b), edges in sorted(found.items()):
        where = ", ".join(
            dict.fromkeys(
                f"{e.line}" + (f" in {e.function}()" if e.function else "") + (" (type only)" if e.type_only else "")
                for e in edges
            )
        )
        print(f"  {a} ({layer_of(a)}) -> {b} ({layer_of(b)}): line {where}")
    new = set(found) - KNOWN_UPWARD
    gone = KNOWN_UPWARD - set(found)
    assert not new, "new upward import(s): " + ", ".join(
        f"{a} ({layer_of(a)}) -> {b} ({layer_of(b)}) line {found[a, b][0].line}" for a, b in sorted(new)
    )
    assert not gone, f"upward import(s) listed in KNOWN_UPWARD no longer exist (delete them): {sorted(gone)}"


def test_the_walk_sees_lazy_relative_and_type_only_imports() -> None:
    # The rules are only as good as the graph: pin one import of each kind the walk must see.
    by_kind = {(e.importer, e.imported): e for e in imports()}
    lazy = by_kind[("boomi_soap.snapshot.cache", "boomi_soap.snapshot.reference")]
    assert lazy.function == "resolve_snapshot"
    assert not lazy.type_only
    typed = by_kind[("boomi_soap.bindings.operations", "boomi_soap.client")]
    assert typed.type_only
    assert ("codegen.passes", "codegen.passes.name_things") in by_kind


def test_the_walk_resolves_relative_imports() -> None:
    walker = _Walker("boomi_soap.localservice.server", is_package=False)
    walker.visit(
        ast.parse("from .config import User\nfrom .. import settings\nfrom ..exceptions import ServiceError\n")
    )
    assert [e.imported for e in walker.found] == [
        "boomi_soap.localservice.config",
        "boomi_soap.settings",
        "boomi_soap.exceptions",
    ]


def test_no_private_name_is_imported_from_another_module() -> None:
    """A name with a leading underscore is its module's own: another module that needs it gets a public one."""
    found = []
    for module, (path, _) in modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in PACKAGES:
                private = [a.name for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
                if private:
                    found.append(f"{module}:{node.lineno} imports {', '.join(private)} from {node.module}")
    assert not found, "private names cross a module boundary:\n" + "\n".join(found)
