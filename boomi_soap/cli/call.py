"""``boomi-soap call ...``: one operation of the account's API, through its cached snapshot."""

from __future__ import annotations

import contextlib
import functools
import re
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import click

from boomi_soap.cli._group import Group
from boomi_soap.cli._input import (
    FILTER_HELP,
    check_fields,
    check_object_type,
    filter_properties,
    load_object,
    pairs,
    parse_filters,
    read_input,
)
from boomi_soap.cli._options import ClientOptions, build_client, client_options
from boomi_soap.cli._output import (
    PageProgress,
    echo_json,
    echo_line,
    fail,
    note,
    plain,
    print_record,
    print_rows,
    progress_shown,
    stream_results,
)
from boomi_soap.exceptions import BoomiSoapError

if TYPE_CHECKING:
    from boomi_soap.client import Client

__all__ = ["call"]

Arguments = Callable[["Client"], dict[str, Any]]
Action = Callable[["Client", dict[str, Any]], Iterable[Any]]


_verbose_option = click.option(
    "-v", "--verbose", is_flag=True,
    help="End with a line saying how the answers deviated from the snapshot (also when they did not).",
)  # fmt: skip


def call_options(func: Callable[..., None]) -> Callable[..., None]:
    """The shared option set, with JSON lines, XML or a table, and ``-v``."""
    return client_options("json", "xml", table=True)(_verbose_option(func))


@click.group("call", cls=Group)
def call() -> None:
    """Call the service through the account's cached snapshot (run boomi-soap fetch first).

    On a terminal each subcommand prints a table (ids with names beside them), and a
    query's pages as they are read on stderr (-q silences them); piped, or with
    --format json or xml, it prints JSON lines (one object a line) or XML, as they
    arrive. --dry-run prints the request instead (as JSON with --format json),
    signed and with its secrets masked. TYPE is checked against the snapshot first.
    """


def run_call(
    options: ClientOptions,
    verbose: bool,
    operation: str,
    arguments: Arguments,
    action: Action,
    progress: PageProgress | None = None,
) -> None:
    """Build the client, then print the dry-run request or stream the results (a table: all, at the end)."""
    try:
        with build_client(options) as client:
            values = arguments(client)
            if options.dry_run:
                show_dry_run(client, operation, client.envelope(operation, sign=True, **values), options.output)
                return
            if options.output == "table":
                print_table(operation, values, action(client, values), progress)
            else:
                with progress or contextlib.nullcontext():
                    write = functools.partial(click.echo, nl=False)
                    stream_results(client, action(client, values), options.output, write)
            if verbose:
                click.echo(f"call {operation}: {client.deviations.summary()}", err=True)
            elif client.deviations.total:
                note(f"call {operation}: {client.deviations.summary()} (--strict-responses refuses them)")
    except BoomiSoapError as exc:
        raise fail(exc) from None


def show_dry_run(client: Client, operation: str, envelope: Any, output: str) -> None:
    """What would go on the wire (the SOAP envelope, or the REST request), secrets masked; nothing is sent."""
    from lxml import etree

    from boomi_soap._xml.redact import redact

    if client.transport == "rest":
        from boomi_soap.wire.soap import NS_ENVELOPE

        body = envelope.find(f"{{{NS_ENVELOPE}}}Body")
        shown = client.describe(body[0])
    else:
        shown = _public_password_type(envelope, redact(etree.tostring(envelope, pretty_print=True, encoding="utf-8")))
    # The request as it is (XML, or REST's lines) unless JSON is asked for by name: piped
    # output defaults to JSON, and `--dry-run > get.xml` then `call send get.xml` must work.
    asked = click.get_current_context().get_parameter_source("output") is click.core.ParameterSource.COMMANDLINE
    if output == "json" and asked:
        echo_line({"operation": operation, "transport": client.transport, "dry_run": True, "request": shown})
    else:
        click.echo(shown, nl=False)
    note(f"call {operation}: dry run, nothing sent")


# WS-Security's password types: public names from the OASIS profile, not secrets.
_PASSWORD_TYPES = frozenset(
    f"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#{kind}"
    for kind in ("PasswordText", "PasswordDigest")
)


def _public_password_type(envelope: Any, shown: str) -> str:
    """The masked envelope with ``<wsse:Password Type="...">`` showing its public URI again (the password stays masked).

    The redaction masks every attribute of a secret-named element; the type says only
    how the password is sent, and a reader checking the envelope needs to see it.
    """
    types = {
        element.get("Type")
        for element in envelope.iter()
        if isinstance(element.tag, str) and element.tag.endswith("}Password")
    }
    if len(types) != 1 or not types <= _PASSWORD_TYPES:
        return shown  # anything else stays masked
    (uri,) = types
    return re.sub(r'(<[\w.-]+:Password\b[^>]*?\bType=)"\*\*\*"', lambda m: f'{m[1]}"{uri}"', shown)


def print_table(operation: str, values: dict[str, Any], results: Iterable[Any], progress: PageProgress | None) -> None:
    """Results as a table for people: a query's rows, or the fields of the one object a get or create returns."""
    with progress or contextlib.nullcontext():
        records = [plain(result) for result in results]
    if operation == "query":
        print_rows(records, title=f"{values['objectType']}", file=sys.stdout)
        return
    for record in records:
        print_record(record, title=str(record.get("@type", "")), file=sys.stdout)


def confirm(options: ClientOptions, done: dict[str, Any], text: str) -> None:
    """The line a change prints on success: JSON with --format json, else words."""
    if options.output == "json":
        echo_line(done)
    else:
        click.echo(text)


@call.command("get")
@click.argument("object_type", metavar="TYPE")
@click.argument("object_id", metavar="ID")
@call_options
def call_get(options: ClientOptions, verbose: bool, object_type: str, object_id: str) -> None:
    """Get one object: call get TYPE ID."""

    def arguments(client: Client) -> dict[str, Any]:
        check_object_type(client, object_type)
        return {"objectType": object_type, "objectId": object_id}

    run_call(options, verbose, "get", arguments, lambda client, _: [client.get(object_type, object_id)])


@call.command("query")
@click.argument("object_type", metavar="TYPE")
@click.option("--filter", "filters", multiple=True, metavar="'PROPERTY OPERATOR [VALUE...]'", help=FILTER_HELP)
@click.option("--sort", "sorts", multiple=True, metavar="FIELD[:ASC|DESC]", help="Sort by a field (repeatable).")
@click.option("--limit", type=click.IntRange(min=1), help="Stop after N results (no further page is read).")
@call_options
def call_query(
    options: ClientOptions,
    verbose: bool,
    object_type: str,
    filters: tuple[str, ...],
    sorts: tuple[str, ...],
    limit: int | None,
) -> None:
    """Query objects: call query TYPE [--filter ...] [--sort ...] [--limit N], paging lazily."""
    import itertools

    try:
        where = parse_filters(filters)
    except BoomiSoapError as exc:
        raise click.BadParameter(str(exc), param_hint="'--filter'") from None
    order = sort_order(sorts)
    progress = PageProgress(f"query {object_type}", enabled=progress_shown(options.output))

    def arguments(client: Client) -> dict[str, Any]:
        check_object_type(client, object_type)
        check_fields(client, object_type, filter_properties(where), where="--filter")
        check_fields(client, object_type, order or (), where="--sort")
        return {"objectType": object_type, "queryConfig": client.query_config(where, sort=order)}

    def query(client: Client, values: dict[str, Any]) -> Iterable[Any]:
        return itertools.islice(client.query(object_type, where, sort=order, on_page=progress.page), limit)

    run_call(options, verbose, "query", arguments, query, progress)


def sort_order(sorts: tuple[str, ...]) -> dict[str, str] | None:
    """``--sort`` values as ``{field: ASC|DESC}``; the service ignores a direction it does not know: refuse it here."""
    for sort in sorts:
        field, _, direction = sort.partition(":")
        if not field or (direction and direction.upper() not in ("ASC", "DESC")):
            raise click.BadParameter(f"{sort!r}: give FIELD, FIELD:ASC or FIELD:DESC", param_hint="'--sort'")
    return {f.partition(":")[0]: (f.partition(":")[2] or "ASC").upper() for f in sorts} or None


_object_argument = click.argument("source", default="-", metavar="[FILE|-]")
_type_option = click.option("--type", "object_type", help="The object's type, when the input does not say it.")


def send_object(options: ClientOptions, verbose: bool, operation: str, source: str, object_type: str | None) -> None:
    """``create`` or ``update`` with an object read from ``source``."""

    def arguments(client: Client) -> dict[str, Any]:
        data, name = read_input(source)
        if object_type is not None:
            check_object_type(client, object_type, where="--type")
        return {"object": load_object(client, data, source=name, object_type=object_type)}

    run_call(
        options, verbose, operation, arguments, lambda client, values: [getattr(client, operation)(values["object"])]
    )


@call.command("create")
@_object_argument
@_type_option
@call_options
def call_create(options: ClientOptions, verbose: bool, source: str, object_type: str | None) -> None:
    """Create an object read from an XML or JSON file (or stdin), validated before sending."""
    send_object(options, verbose, "create", source, object_type)


@call.command("update")
@_object_argument
@_type_option
@call_options
def call_update(options: ClientOptions, verbose: bool, source: str, object_type: str | None) -> None:
    """Replace an object with one read from an XML or JSON file (or stdin), validated before sending."""
    send_object(options, verbose, "update", source, object_type)


@call.command("delete")
@click.argument("object_type", metavar="TYPE")
@click.argument("object_id", metavar="ID")
@call_options
def call_delete(options: ClientOptions, verbose: bool, object_type: str, object_id: str) -> None:
    """Delete an object: call delete TYPE ID; it prints what it deleted, and exits 1 if it did not exist."""

    def arguments(client: Client) -> dict[str, Any]:
        check_object_type(client, object_type)
        return {"objectType": object_type, "objectId": object_id}

    def delete(client: Client, values: dict[str, Any]) -> list[Any]:
        if not client.delete(object_type, object_id):
            raise click.ClickException(f"delete: {object_type} {object_id} did not exist")
        confirm(options, {"deleted": True, "objectType": object_type, "objectId": object_id},
                f"deleted {object_type} {object_id}")  # fmt: skip
        return []

    run_call(options, verbose, "delete", arguments, delete)


@call.command("execute")
@click.argument("atom", metavar="ATOM")
@click.option("--process-id", help="The process to run, by id.")
@click.option("--process-name", help="The process to run, by name.")
@click.option("--property", "properties", multiple=True, metavar="NAME=VALUE", help="A process property (repeatable).")
@call_options
def call_execute(
    options: ClientOptions,
    verbose: bool,
    atom: str,
    process_id: str | None,
    process_name: str | None,
    properties: tuple[str, ...],
) -> None:
    """Start a process on ATOM (id or name), fire and forget: call execute ATOM --process-name NAME [--property k=v].

    It prints what it started; ``boomi-soap run`` waits for the run and reports how it ended.
    """
    if bool(process_id) == bool(process_name):
        raise click.UsageError("give exactly one of --process-id and --process-name")
    bag = pairs(properties, "--property")
    atom_id: list[str] = []

    def arguments(client: Client) -> dict[str, Any]:
        from boomi_soap.platform.runs import resolve_id

        try:
            atom_id.append(resolve_id(client, "Atom", atom, verify=True))
        except BoomiSoapError as exc:
            raise click.BadParameter(str(exc), param_hint="'ATOM'") from None
        listed = {"ProcessProperty": [{"Name": k, "Value": v} for k, v in bag.items()]} if bag else None
        return {"processId": process_id, "processName": process_name, "atomId": atom_id[0], "ProcessProperties": listed}

    def execute(client: Client, values: dict[str, Any]) -> list[Any]:
        client.execute_process(atom_id[0], process_id=process_id, process_name=process_name, properties=bag)
        process = process_name or process_id
        confirm(options, {"started": True, "process": process, "atomId": atom_id[0], "atom": atom},
                f"started {process} on {atom}" + (f" ({atom_id[0]})" if atom != atom_id[0] else ""))  # fmt: skip
        return []

    run_call(options, verbose, "executeProcess", arguments, execute)


@call.command("send")
@click.argument("source", default="-", metavar="[FILE|-]")
@client_options("xml", "json")
@_verbose_option
def call_send(options: ClientOptions, verbose: bool, source: str) -> None:
    """Send a whole SOAP envelope from a file (or stdin), validated and signed; its answer is printed.

    The answer is XML, or with --format json one JSON object holding the operation and
    the answer's XML (a table is not offered: it prints XML).
    """
    from lxml import etree

    from boomi_soap._xml.safe import parse_xml

    data, name = read_input(source)
    try:
        root = parse_xml(data, source=name)
        body = root.find("{http://schemas.xmlsoap.org/soap/envelope/}Body")
        payload = next((c for c in body if isinstance(c.tag, str)), None) if body is not None else None
        if payload is None:
            raise click.ClickException(f"{name}: not a SOAP 1.1 envelope with a request in its Body")
        with build_client(options) as client:
            if options.dry_run:
                operation = etree.QName(payload).localname
                show_dry_run(client, operation, client.signed_envelope(payload), options.output)
                return
            answer = client.call_xml(payload)
    except BoomiSoapError as exc:
        raise fail(exc) from None
    if options.output == "json":
        echo_json({"operation": etree.QName(answer).localname, "answer": etree.tostring(answer, encoding="unicode")})
    else:
        click.echo(etree.tostring(answer, pretty_print=True, encoding="unicode"), nl=False)


from boomi_soap.cli.cancel import call_cancel  # noqa: E402 - its own module, a subcommand of call

call.add_command(call_cancel)

from boomi_soap.cli.bulk import call_bulk  # noqa: E402 - its own module, a subcommand of call

call.add_command(call_bulk)
