"""``boomi-soap validate``: XML files, folders or stdin against the schema, every mistake in one run."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from boomi_soap.cli._options import account_option, cache_option, flavour_option, format_option
from boomi_soap.cli._output import echo_json_text, fail, note
from boomi_soap.exceptions import BoomiSoapError

if TYPE_CHECKING:
    from boomi_soap.validate import SchemaValidator, ValidationReport

__all__ = ["validate"]


@click.command()
@click.argument("paths", nargs=-1, required=True)
@account_option
@flavour_option
@cache_option
@click.option("--snapshot", type=click.Path(file_okay=False, exists=True, path_type=Path), help="A snapshot directory.")
@click.option(
    "--schema", "schemas", multiple=True, type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Plain XSD file(s) instead of a snapshot (repeatable).",
)  # fmt: skip
@click.option("--element", help="Expected root (or Body child), e.g. api:Process or {ns}name.")
@format_option("text", "json")
def validate(
    paths: tuple[str, ...],
    account: str | None,
    flavour: str,
    cache_dir: Path | None,
    snapshot: Path | None,
    schemas: tuple[Path, ...],
    element: str | None,
    output: str,
) -> None:
    """Validate XML files, folders (*.xml, recursively) or - (stdin) against the schema.

    SOAP envelopes have their Body's children validated; other documents their root.
    The default schema is the bundled reference snapshot; --account uses the cached
    snapshot of an account, --snapshot a snapshot directory, --schema plain XSDs.
    Exit status: 0 all valid, 1 any invalid or unreadable, 2 usage.
    """
    from boomi_soap.snapshot.schema import resolve_schema
    from boomi_soap.validate import SchemaValidator, validate_sources

    if sum(bool(x) for x in (account, snapshot, schemas)) > 1:
        raise click.UsageError("use only one of --account, --snapshot and --schema")
    try:
        bundle = resolve_schema(
            account=account,
            flavour=flavour,  # type: ignore[arg-type]
            cache_dir=cache_dir,
            snapshot=snapshot,
            schemas=list(schemas),
        )
        validator = SchemaValidator(bundle)
        if element is not None:
            check_element(validator, element)
        report = validate_sources(validator, paths, element=element, stdin=sys.stdin.buffer)
    except BoomiSoapError as exc:
        raise fail(exc) from None
    if output == "json":
        echo_json_text(report.to_json())
    else:
        for line in report.lines():
            click.echo(plain_message(line), err=line.startswith("error"))
        note(summary(report))
    if not report.ok:
        raise SystemExit(1)


# libxml2's advice names a parser flag of its C API, and its message repeats the place
# the line already starts with (FILE:LINE:COL): neither helps a person at a shell.
_ADVICE = re.compile(r",? (?:use|try) XML_PARSE_\w+(?: option)?")
_PLACE = re.compile(r", line \d+, column \d+$")
_EMPTY_FOLDER = ": no *.xml file in this folder"


def plain_message(line: str) -> str:
    """A report line without libxml2's advice, and with its place said once."""
    return _PLACE.sub("", _ADVICE.sub("", line))


def summary(report: ValidationReport) -> str:
    """How many documents were valid, invalid, unreadable; an empty folder is a folder, not a document."""
    empty = sum(1 for r in report.results if r.error is not None and r.error.endswith(_EMPTY_FOLDER))
    results = [r for r in report.results if not (r.error is not None and r.error.endswith(_EMPTY_FOLDER))]
    invalid = sum(1 for r in results if r.issues)
    unreadable = sum(1 for r in results if r.error is not None)
    valid = len(results) - invalid - unreadable
    line = f"{len(results)} document(s): {valid} valid, {invalid} invalid, {unreadable} unreadable"
    return line + (f"; {empty} folder(s) without *.xml" if empty else "")


def check_element(validator: SchemaValidator, element: str) -> None:
    """Refuse an ``--element`` the schema does not declare (a usage error, with a "did you mean")."""
    import difflib

    from boomi_soap.validate import KNOWN_PREFIXES

    declarations = validator.declarations
    if declarations is None or not declarations.elements:
        return
    prefixes = {prefix: uri for uri, prefix in KNOWN_PREFIXES.items()}
    prefix, _, local = element.rpartition(":")
    wanted = element if element.startswith("{") else f"{{{prefixes.get(prefix, '')}}}{local}" if prefix else local
    if wanted in declarations.elements or local in declarations.elements:
        return
    shown = {f"{KNOWN_PREFIXES.get(name[1:].partition('}')[0], '')}:{name.partition('}')[2]}".lstrip(":"): name
             for name in declarations.elements}  # fmt: skip
    close = difflib.get_close_matches(element, sorted(shown), n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]}?" if close else ""
    raise click.BadParameter(f"{element!r}: the schema declares no such element{hint}", param_hint="'--element'")
