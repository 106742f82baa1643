"""``boomi-soap call bulk TYPE ID...``: up to 100 objects at once (one REST call, or one get per id over SOAP)."""

from __future__ import annotations

import functools
import sys

import click

from boomi_soap.cli._input import check_object_type, read_input
from boomi_soap.cli._options import ClientOptions, build_client, client_options
from boomi_soap.cli._output import fail, note, plain, print_record, stream_results
from boomi_soap.exceptions import BoomiSoapError

__all__ = ["call_bulk"]


@click.command("bulk")
@click.argument("object_type", metavar="TYPE")
@click.argument("ids", nargs=-1, metavar="ID...")
@click.option("--ids-from", metavar="FILE", help="Read the ids from FILE (one a line; - for stdin) as well.")
@client_options("json", "xml", table=True)
def call_bulk(options: ClientOptions, object_type: str, ids: tuple[str, ...], ids_from: str | None) -> None:
    """Get up to 100 objects of TYPE by id: one bulk call over REST, one get per id over SOAP.

    The objects found are printed as `call get` prints one; each id that is not found is
    a line on stderr, and the command then exits 1. --dry-run says what would be sent.
    """
    wanted = list(ids)
    if ids_from is not None:
        data, source = read_input(ids_from)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise click.BadParameter(f"{source} is not UTF-8 text", param_hint="--ids-from") from None
        wanted += [line.strip() for line in text.splitlines() if line.strip()]
    if not wanted:
        raise click.UsageError("give at least one ID (or --ids-from FILE)")
    try:
        with build_client(options) as client:
            check_object_type(client, object_type)
            if options.dry_run:
                how = (
                    f"POST /{object_type}/bulk with {len(wanted)} id(s)"
                    if client.transport == "rest"
                    else f"{len(wanted)} get call(s), one per id (the WSDL has no bulk operation)"
                )
                note(f"call bulk: dry run, nothing sent; would send {how}")
                return
            results = client.bulk_get(object_type, wanted)
            found = [item.value for item in results.items if item.error is None]
            if options.output == "table":
                for record in map(plain, found):
                    print_record(record, title=str(record.get("@type", object_type)), file=sys.stdout)
            else:
                stream_results(client, found, options.output, functools.partial(click.echo, nl=False))
    except BoomiSoapError as exc:
        raise fail(exc) from None
    for key, message in results.errors.items():
        click.echo(f"call bulk: {key}: {message}", err=True)
    if results.errors:
        raise click.ClickException(f"{len(results.errors)} of {len(wanted)} id(s) not found")
