"""``boomi-soap codegen``: typed bindings from a snapshot, by the generator (:mod:`codegen`), imported only here."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from boomi_soap.cli._options import account_option, cache_option, flavour_option, format_option
from boomi_soap.cli._output import Activity, echo_json, fail, note, quiet, terminal
from boomi_soap.exceptions import BoomiSoapError

__all__ = ["codegen"]


@click.command()
@account_option
@flavour_option
@cache_option
@click.option("--snapshot", type=click.Path(file_okay=False, exists=True, path_type=Path), help="A snapshot directory.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Package directory to write (required unless --check, which defaults to the bundled bindings).",
)
@click.option("--package", help="Dotted name the package is imported as.  [default: the last part of --out]")
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Write nothing; exit 1 if the package differs from what would be generated.",
)
@format_option("text", "json")
def codegen(
    account: str | None,
    flavour: str,
    cache_dir: Path | None,
    snapshot: Path | None,
    out: Path | None,
    package: str | None,
    check_only: bool,
    output: str,
) -> None:
    """Generate typed bindings from a cached snapshot (the bundled reference one by default).

    Reads BOOMI_ACCOUNT_ID, BOOMI_FLAVOUR and BOOMI_SOAP_CACHE_DIR. It never writes
    inside an installed distribution or the boomi_soap package; the bundled bindings
    are regenerated, in a source checkout only, with
    --out boomi_soap/bindings --package boomi_soap.bindings.
    """
    try:
        import codegen as generator
        from codegen.safety import BUNDLED_PACKAGE, bundled_target, check_package, check_target, default_package
    except ImportError:  # pragma: no cover - the generator ships in the same distribution
        raise click.ClickException("the codegen package is not installed") from None
    from boomi_soap.snapshot.cache import resolve_snapshot

    if out is None and not check_only:
        raise click.UsageError("--out is required (the package directory to write), unless --check")
    target = out or bundled_target()
    name = package or (default_package(out) if out is not None else BUNDLED_PACKAGE)
    try:
        check_package(name)
        if not check_only:
            check_target(target, name)
        source = resolve_snapshot(account=account, flavour=flavour, cache_dir=cache_dir, snapshot=snapshot)  # type: ignore[arg-type]
        note(f"codegen: snapshot {source.directory} (account {source.account_id}); package {name} in {target}")
        # Generating reads the whole schema (seconds): a person on a terminal sees each step,
        # on stderr and gone before the one result line is printed.
        shown = terminal(sys.stderr) and not quiet()
        activity = Activity("codegen", enabled=shown, first=f"reading the schema of snapshot {source.id}")
        with activity:
            generation = generator.generate(source, name)
            activity.say(f"{len(generation.files)} file(s) generated")
    except BoomiSoapError as exc:
        raise fail(exc) from None
    for line in generation.diagnostics:
        click.echo(line, err=True)
    if generation.errors:
        raise SystemExit(1)
    if check_only:
        stale = generator.check(generation, target)
        for diff in stale:
            click.echo(diff, err=True)
        if output == "json":
            echo_json({"out": str(target), "package": name, "snapshot": source.id, "stale": len(stale)})
        elif not stale:
            click.echo(f"up to date: {target} (snapshot {source.id})")
        if stale:
            note(f"stale: {len(stale)} file(s) in {target} differ; run boomi-soap codegen")
            raise SystemExit(1)
        return
    try:
        changed = generator.write(generation, target)
    except OSError as exc:
        raise click.ClickException(f"{exc.filename or target}: cannot write ({exc.strerror or exc})") from None
    if output == "json":
        echo_json({"out": str(target), "package": name, "snapshot": source.id,
                    "changed": [str(p) for p in changed], "files": len(generation.files)})  # fmt: skip
        return
    click.echo(f"wrote {len(changed)} changed file(s) of {len(generation.files)} to {target} (snapshot {source.id})")
