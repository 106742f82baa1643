"""Object x operation coverage of Boomi's OpenAPI, per surface: ``python -m tests.coverage``.

Reads the OpenAPI document the local service serves (112 objects, 377 object
operations) and asks each surface of this package, by introspection, whether it
reaches each (object, operation):

- SOAP client: the snapshot's WSDL has the operation (``get``, ``query``,
  ``queryMore``, ``create``, ``update``, ``delete``, ``execute``), the schema has the
  object's type, and :class:`~boomi_soap.client.Client` reaches it (its method of that
  name, else ``Client.call``, which reaches every WSDL operation); a BULK counts when
  ``get`` does, since ``Client.bulk_get`` gets each id over SOAP.
- TypedClient: a generated per-object helper exists (``query_X`` also follows
  ``queryMore``).
- REST: :class:`~boomi_soap.wire.restmap.RestMap` maps the OpenAPI path (its parse of
  the path routes it, or the path is one of ``REST_ONLY``).
- CLI: a generic ``boomi-soap call <verb>`` command reaches it (``call get``, ``call
  query`` also for ``queryMore``, ``call create`` ...), or, for an operation no generic
  command carries (EXECUTE, asynchronous-token), a command whose help names the object
  or says it takes "an ASYNC-GET object" (``call send``, a whole envelope, is not counted).
- local service: a started local service answers the OpenAPI path over REST with
  something other than an unknown route (a 2xx, or a 4xx about the object or its body).

Each missing (object, operation) is printed with its reason.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

ROOT: Final = Path(__file__).resolve().parents[1]
OPENAPI: Final = ROOT / "boomi_soap" / "localservice" / "openapi" / "platformOpenAPISv3.0.3.json"
SURFACES: Final = ("SOAP client", "TypedClient", "REST", "CLI", "local service")
TODAY: Final = {"SOAP client": 309, "TypedClient": 253, "REST": 351, "CLI": 305, "local service": 351}
"""The figures before typed helpers were keyed on the objects table (issue 27): the floor."""

# The table's operation -> the WSDL operation that carries it.
_WSDL: Final = {
    "GET": "get",
    "QUERY": "query",
    "QUERYMORE": "queryMore",
    "CREATE": "create",
    "UPDATE": "update",
    "DELETE": "delete",
    "EXECUTE": "execute",
}
# The table's operation -> the generic CLI command (under ``call``) that carries it.
_CLI: Final = {
    "GET": "get",
    "QUERY": "query",
    "QUERYMORE": "query",
    "CREATE": "create",
    "UPDATE": "update",
    "DELETE": "delete",
    "BULK": "bulk",
}


@dataclass(frozen=True)
class Route:
    """One object operation of the OpenAPI: the object, the table's name for it and its path."""

    object: str
    operation: str
    method: str
    path: str

    @property
    def concrete(self) -> str:
        """The path with every ``{parameter}`` filled in."""
        return re.sub(r"\{[^}]+\}", "coverage-probe", self.path)


@dataclass(frozen=True)
class Coverage:
    """Per surface, the routes reached and, for the others, why not."""

    routes: tuple[Route, ...]
    missing: dict[str, dict[Route, str]]

    def count(self, surface: str) -> int:
        """How many of the routes ``surface`` reaches."""
        return len(self.routes) - len(self.missing[surface])


def _classify(method: str, path: str) -> tuple[str, str] | None:
    """``(object, operation)`` of an OpenAPI path, in the objects table's names; ``None`` for an action."""
    parts = path.strip("/").split("/")
    if parts[0] == "async" and len(parts) >= 3:
        kind = {"response": "ASYNC-POLL", "query": "ASYNC-QUERY"}.get(parts[2], "ASYNC-GET")
        return parts[1], kind
    head = parts[0]
    if not head[:1].isupper():
        return None  # executeProcess, getAssignableRoles, refreshSecretsManager ...: actions
    if len(parts) == 1:
        return (head, "CREATE") if method == "post" else None
    tail = parts[1]
    named = {"bulk": "BULK", "query": "QUERY", "queryMore": "QUERYMORE", "execute": "EXECUTE", "async": "ASYNC-GET"}
    if tail in named:
        return head, named[tail]
    return head, {"get": "GET", "post": "UPDATE", "delete": "DELETE"}[method]


def read_routes(document: Path = OPENAPI) -> tuple[Route, ...]:
    """Every object operation of the OpenAPI document, sorted."""
    paths = json.loads(document.read_text(encoding="utf-8"))["paths"]
    found = set()
    for path, methods in paths.items():
        for method in methods:
            if method not in ("get", "post", "put", "delete"):
                continue
            classified = _classify(method, path)
            if classified is not None:
                found.add(Route(classified[0], classified[1], method.upper(), path))
    return tuple(sorted(found, key=lambda r: (r.object, r.operation)))


@cache
def _snapshot() -> Any:
    from boomi_soap.localservice import DEFAULT_ACCOUNT
    from boomi_soap.snapshot.cache import pinned_store

    return pinned_store().current(DEFAULT_ACCOUNT)


def _object_type(name: str, types: Iterable[str]) -> str | None:
    """The schema type an object's operations carry (``ClearQueue`` executes a ``ClearQueueRequest``)."""
    names = set(types)
    return next((n for n in (name, f"{name}Request") if n in names), None)


def soap_client(routes: Iterable[Route]) -> dict[Route, str]:
    """Why the SOAP client does not reach a route, by route."""
    from boomi_soap.bindings import REGISTRY  # the schema's type names (generated from the same snapshot)
    from boomi_soap.client import Client
    from boomi_soap.snapshot.contract import contract_of

    contract = contract_of(_snapshot())
    types = set(REGISTRY)
    missing = {}
    for route in routes:
        # The WSDL has no bulk operation: Client.bulk_get stands in with one get per id.
        operation = "get" if route.operation == "BULK" else _WSDL.get(route.operation)
        if operation is None:
            missing[route] = f"the WSDL has no {route.operation.lower()} operation (Boomi offers it over REST only)"
        elif operation not in contract.operations:
            missing[route] = f"this snapshot's WSDL has no {operation} operation"
        elif _object_type(route.object, types) is None:
            missing[route] = f"the schema has no {route.object} type"
        elif not (hasattr(Client, operation) or hasattr(Client, "call")):
            missing[route] = f"Client has no {operation} (nor call)"
    return missing


def typed_client(routes: Iterable[Route]) -> dict[Route, str]:
    """Why no generated helper stands for a route, by route."""
    from boomi_soap.bindings import TypedClient
    from codegen.filters import helper_name

    missing = {}
    for route in routes:
        verb = "query" if route.operation == "QUERYMORE" else route.operation.lower()
        if route.operation not in _WSDL:
            missing[route] = f"no WSDL operation to type ({route.operation.lower()} is REST only)"
        elif not hasattr(TypedClient, f"{verb}_{helper_name(route.object)}"):
            missing[route] = f"no TypedClient.{verb}_{helper_name(route.object)}"
    return missing


def rest(routes: Iterable[Route]) -> dict[Route, str]:
    """Why :mod:`boomi_soap.wire.restmap` does not map a route, by route.

    A route is mapped when it is one of ``REST_ONLY``, when ``RestMap.parse`` reads it
    as the operation it is (a body it refuses still means the route is known), when it is
    an EXECUTE whose object ``RestMap.request`` sends (``EXECUTE_PATHS``), or when it is an
    asynchronous-token read of an object :func:`boomi_soap.platform.runtime.async_get`
    reads (``ASYNC_TYPES``; those go to the REST root whatever the transport).
    """
    from boomi_soap.exceptions import RestError, UnknownRouteError
    from boomi_soap.platform.runtime import ASYNC_TYPES
    from boomi_soap.snapshot.contract import contract_of, tag_of
    from boomi_soap.wire.restmap import EXECUTE_PATHS, REST_ONLY, RestMap

    contract = contract_of(_snapshot())
    mapping = RestMap(contract)
    missing = {}
    for route in routes:
        concrete = route.concrete.strip("/")
        if any(f"/{only}/" in f"/{concrete}/" for only in REST_ONLY) or concrete.rsplit("/", 1)[-1] in REST_ONLY:
            continue
        if route.operation == "EXECUTE" and route.object in {path for path, _ in EXECUTE_PATHS.values()}:
            continue
        if route.operation.startswith("ASYNC-") and route.object in ASYNC_TYPES:
            continue
        if route.operation == "BULK":  # parse would read /{Object}/bulk as an update of the id "bulk"
            missing[route] = "restmap has no bulk route"
            continue
        try:
            wrapper = mapping.parse(route.method, concrete, {}, _xml_body(mapping.data, route))
        except UnknownRouteError:
            missing[route] = f"restmap has no route for {route.method} {route.path}"
            continue
        except RestError:
            continue
        operation = contract.by_request(tag_of(wrapper))
        expected = _WSDL.get(route.operation)
        if expected is not None and (operation is None or operation.name != expected):
            missing[route] = f"restmap reads {route.method} {route.path} as another operation"
    return missing


def _xml_body(data: str, route: Route) -> bytes:
    if route.operation == "QUERYMORE":
        return b"coverage-probe-token"
    if route.operation in ("CREATE", "UPDATE", "EXECUTE"):
        return f'<bns:{route.object} xmlns:bns="{data}" id="coverage-probe"/>'.encode()
    return b""


def cli(routes: Iterable[Route]) -> dict[Route, str]:
    """Why no CLI command reaches a route, by route.

    A generic ``call`` command (``call get`` ...) reaches its operation on every object.
    The other operations (EXECUTE, the asynchronous-token ones) are reached by dedicated
    commands, counted from what each says of itself: one whose help names the object
    (``runtime queues clear``: "the ClearQueue EXECUTE") reaches that object's such
    operations; one whose help says it takes "an ASYNC-GET object" (or "an asynchronous-token
    object") reaches every object's ASYNC-GET.
    An ``ASYNC-POLL`` goes with the request it completes.
    """
    import click

    from boomi_soap.cli import main

    context = click.Context(main)
    group = main.get_command(context, "call")
    verbs = set(group.list_commands(context)) if isinstance(group, click.Group) else set()
    helps = [" ".join((command.help or "").split()) for command in _leaves(main, context, ("call",))]
    chosen = tuple(routes)
    missing = {}
    for route in chosen:
        verb = _CLI.get(route.operation)
        if verb is not None:
            if verb not in verbs:
                missing[route] = f"no generic `call {verb}` command"
            continue
        requests = (
            tuple(
                r.operation for r in chosen if r.object == route.object and r.operation in ("ASYNC-GET", "ASYNC-QUERY")
            )
            if route.operation == "ASYNC-POLL"
            else (route.operation,)
        )
        named = re.compile(rf"\b{re.escape(route.object)}\b")
        generic = [f"an {r} object" for r in requests] + (
            ["an asynchronous-token object"] if "ASYNC-GET" in requests else []
        )
        if not any(named.search(text) or any(phrase in text for phrase in generic) for text in helps):
            missing[route] = f"no command names {route.object} for {route.operation.lower()} (no generic one)"
    return missing


def _leaves(group: Any, context: Any, skipped: tuple[str, ...]) -> Iterator[Any]:
    """Every command below ``group`` (but for the ``skipped`` groups), depth first."""
    import click

    for name in group.list_commands(context):
        command = group.get_command(context, name)
        if isinstance(command, click.Group):
            if name not in skipped:
                yield from _leaves(command, context, ())
        elif command is not None:
            yield command


def local_service(routes: Iterable[Route]) -> dict[Route, str]:
    """Why a started local service answers a route neither over REST nor over SOAP, by route.

    Every route is asked over REST; one it does not answer there is asked over SOAP
    through its generated helper, when it has one.
    """
    import httpx

    from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER, LocalService, ServiceConfig

    service = LocalService(ServiceConfig(rate_limit=None)).start()
    missing = {}
    try:
        root = f"{service.base_url}/api/rest/v1/{DEFAULT_ACCOUNT}"
        with httpx.Client(auth=(DEFAULT_USER, DEFAULT_PASSWORD), headers={"Accept": "application/json"}) as http:
            for route in routes:
                body, kind = _json_body(route)
                answer = http.request(route.method, root + route.concrete, content=body, headers={"Content-Type": kind})
                reason = _unanswered(answer.status_code, answer.text)
                if reason:
                    missing[route] = reason
        for route, reason in list(missing.items()):
            over_soap = _soap_unanswered(service, route)
            if not over_soap:
                del missing[route]
            elif over_soap != "no helper":
                missing[route] = f"{reason}; over SOAP: {over_soap}"
    finally:
        service.stop()
    return missing


def _soap_unanswered(service: Any, route: Route) -> str:
    """Why the service does not answer ``route`` over SOAP through its typed helper (``""`` if it does)."""
    import tempfile

    from boomi_soap.bindings import REGISTRY, TypedClient
    from boomi_soap.client import Client
    from boomi_soap.credentials import Credentials
    from boomi_soap.exceptions import BoomiSoapError
    from boomi_soap.localservice import DEFAULT_PASSWORD, DEFAULT_USER
    from codegen.filters import helper_name

    verb = route.operation.lower()
    helper = getattr(TypedClient, f"{verb}_{helper_name(route.object)}", None)
    type_name = _object_type(route.object, REGISTRY)
    if helper is None or type_name is None:
        return "no helper"
    credentials = Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD)
    with tempfile.TemporaryDirectory() as compiled:
        client = Client(_snapshot(), credentials, endpoint=service.endpoint(), compiled_dir=Path(compiled))
        argument = "coverage-probe" if verb in ("get", "delete") else REGISTRY[type_name]()
        try:
            answer = helper(TypedClient(client), *(() if verb == "query" else (argument,)))
            if verb == "query":
                list(answer)
        except BoomiSoapError as exc:
            if _UNKNOWN.search(str(exc)):
                return str(exc)
        finally:
            client.close()
    return ""


def _json_body(route: Route) -> tuple[bytes, str]:
    if route.operation == "QUERYMORE":
        return b"coverage-probe-token", "text/plain"
    if route.operation == "BULK":
        return json.dumps({"type": "GET", "request": [{"id": "coverage-probe"}]}).encode(), "application/json"
    if route.method in ("POST", "PUT"):
        return json.dumps({"@type": route.object}).encode(), "application/json"
    return b"", "application/json"


_UNKNOWN: Final = re.compile(r"not simulated|not a REST call|no REST form|not supported|not implemented", re.I)


def _unanswered(status: int, text: str) -> str:
    """Why an answer is not an answer of the operation (``""`` if it is one)."""
    try:
        message = str(json.loads(text).get("message", "")) if text.strip() else ""
    except (ValueError, AttributeError):
        message = text.strip()[:200]
    if status in (404, 405, 501) or status >= 500 or _UNKNOWN.search(message):
        return f"the local service answers HTTP {status}: {message or 'no message'}"
    return ""


PROBES: Final[dict[str, Callable[[Iterable[Route]], dict[Route, str]]]] = {
    "SOAP client": soap_client,
    "TypedClient": typed_client,
    "REST": rest,
    "CLI": cli,
    "local service": local_service,
}


def measure(routes: tuple[Route, ...] | None = None) -> Coverage:
    """Probe every surface over the OpenAPI's object operations."""
    chosen = read_routes() if routes is None else routes
    return Coverage(chosen, {surface: PROBES[surface](chosen) for surface in SURFACES})


def report(coverage: Coverage) -> Iterator[str]:
    """The counts, then every missing (object, operation) with its reason, per surface."""
    total = len(coverage.routes)
    yield f"object operations in the OpenAPI: {total} ({len({r.object for r in coverage.routes})} objects)"
    for surface in SURFACES:
        yield f"{surface}: {coverage.count(surface)} of {total}"
    for surface in SURFACES:
        missing = coverage.missing[surface]
        yield ""
        yield f"missing on {surface} ({len(missing)}):"
        for route, reason in sorted(missing.items(), key=lambda item: (item[0].object, item[0].operation)):
            yield f"  {route.object} {route.operation} ({route.method} {route.path}): {reason}"


def main() -> int:
    """Print the report."""
    for line in report(measure()):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
