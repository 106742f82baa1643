"""``boomi-soap cache ...``: list, show, verify and compare the cached snapshots."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from boomi_soap.cli._group import Group
from boomi_soap.cli._options import (
    account_option,
    base_source,
    cache_option,
    cache_source,
    eu_option,
    flavour_option,
    format_option,
    resolve_base_url,
    store,
    user_option,
    where,
)
from boomi_soap.cli._output import echo_json, echo_json_text, fail, note, output_format, print_rows
from boomi_soap.exceptions import BoomiSoapError

if TYPE_CHECKING:
    from boomi_soap.snapshot.cache import CacheStore

__all__ = ["cache"]

base_url_option = click.option(
    "--base-url",
    envvar="BOOMI_BASE_URL",
    help="Platform host for --live (or BOOMI_BASE_URL).  [default: https://api.boomi.com]",
)


@click.group(cls=Group)
def cache() -> None:
    """Inspect and check the WSDL cache."""


@cache.command("verify")
@account_option
@cache_option
@format_option("text", "json")
def cache_verify(account: str | None, cache_dir: Path | None, output: str) -> None:
    """Recompute every hash of every snapshot; exit 1 on any mismatch, or when there is nothing to check."""
    cache = store(cache_dir)
    problems = [str(p) for p in cache.verify(account)]
    checked = len(cache.snapshot_dirs(account))
    if not checked and not problems:
        what = f"of account {account} " if account else ""
        problems = [f"{cache.root}: no snapshot {what}found (a mistyped --cache-dir or --account?)"]
    if output == "json":
        echo_json({"ok": not problems, "root": str(cache.root), "checked": checked, "problems": problems})
    else:
        for problem in problems:
            click.echo(f"error: {problem}", err=True)
        if not problems:
            click.echo(f"ok: {checked} snapshot(s) verified in {cache.root}")
    if problems:
        raise SystemExit(1)


@cache.command("list")
@account_option
@cache_option
@format_option("text", "json", table=True)
def cache_list(account: str | None, cache_dir: Path | None, output: str | None) -> None:
    """List the cached snapshots (account, flavour, id, files, endpoint, when fetched), the current one marked *.

    Exit 1 when the cache directory does not exist (a mistyped --cache-dir?).
    """
    cache = store(cache_dir)
    if not cache.root.is_dir():
        raise click.ClickException(f"{cache.root}: no such cache directory ({cache_source()}); a mistyped --cache-dir?")
    rows = [snapshot_row(cache, directory) for directory in cache.snapshot_dirs(account)]
    output = output_format(output, "text")
    if output == "json":
        echo_json(rows)
    elif output == "table":
        shown = [
            {**r, "current": "*" if r["current"] else "", "directory": r["snapshot"], "snapshot": None} for r in rows
        ]
        print_rows(shown, title=f"Snapshots in {cache.root}", object_type="Snapshot", file=sys.stdout)
    else:
        for r in rows:
            about = r["problem"] or f"{r['files']} files from {r['endpoint']}, fetched {r['fetched']}"
            click.echo(
                f"{'*' if r['current'] else ' '} {r['account']} ({r['flavour']}) {r['id']}: {about}  {r['snapshot']}"
            )
    if not rows:
        note(f"cache list: no snapshot{' of account ' + account if account else ''} in {cache.root}")


def snapshot_row(cache: CacheStore, directory: Path) -> dict[str, Any]:
    """One snapshot as ``cache list`` shows it: read and verified, or the problem that stops that."""
    pointer = directory.parent / "CURRENT"
    current = pointer.is_file() and pointer.read_text(errors="replace").strip() == directory.name
    row: dict[str, Any] = {
        "current": current,
        "account": directory.parent.name,
        "flavour": directory.parent.parent.name,
        "id": directory.name,
        "files": None,
        "endpoint": None,
        "fetched": None,
        "problem": None,
    }
    try:
        snapshot = cache.open(directory)
    except BoomiSoapError as exc:
        row["problem"] = str(exc)
    else:
        fetched = max((entry.fetched_at for entry in snapshot.files), default="")
        row.update(files=len(snapshot.files), endpoint=snapshot.endpoint, fetched=fetched or None)
    row["snapshot"] = str(directory)
    return row


@cache.command("show")
@account_option
@flavour_option
@cache_option
@click.option("--snapshot", type=click.Path(file_okay=False, exists=True, path_type=Path), help="A snapshot directory.")
@format_option("text", "json")
def cache_show(account: str | None, flavour: str, cache_dir: Path | None, snapshot: Path | None, output: str) -> None:
    """Show a snapshot: where it came from, its files, and the contract layout its WSDL declares."""
    from boomi_soap.snapshot.cache import resolve_snapshot
    from boomi_soap.snapshot.contract import contract_of

    if account is None and snapshot is None:
        note("cache show: no --account or --snapshot: showing the bundled reference snapshot")
    try:
        chosen = resolve_snapshot(account=account, flavour=flavour, cache_dir=cache_dir, snapshot=snapshot)  # type: ignore[arg-type]
        contract = contract_of(chosen)
    except BoomiSoapError as exc:
        raise fail(exc) from None
    info = {
        "snapshot": str(chosen.directory),
        "account": chosen.account_id,
        "flavour": chosen.flavour,
        "endpoint": chosen.endpoint,
        "sha256": chosen.sha256,
        "files": [entry.path for entry in chosen.files],
        "layout": contract.layout,
        "wrapper_namespaces": list(contract.wrapper_namespaces),
        "data_namespace": contract.data_namespace,
        "wsdl_target_namespace": contract.target_namespace,
        "override": contract.override,
        "operations": list(contract.operations),
        "problems": list(contract.problems),
    }
    if output == "json":
        echo_json(info)
        return
    click.echo(f"snapshot   {chosen.directory} (sha256 {chosen.sha256})")
    click.echo(f"account    {chosen.account_id} ({chosen.flavour}), endpoint {chosen.endpoint}")
    click.echo(f"files      {', '.join(info['files'])}")  # type: ignore[arg-type]
    click.echo(f"layout     {contract.describe()}")
    click.echo(f"operations {len(contract.operations)}: {', '.join(contract.operations)}")
    for problem in contract.problems:
        click.echo(f"warning: {problem}", err=True)


@cache.command("diff")
@click.argument("old", required=False, type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.argument("new", required=False, type=click.Path(file_okay=False, exists=True, path_type=Path))
@account_option
@flavour_option
@cache_option
@click.option("--live", is_flag=True, help="Compare the current snapshot with the live service (nothing is written).")
@base_url_option
@eu_option
@user_option
@format_option("text", "json")
@click.option("--exit-code", is_flag=True, help="Exit 1 when there are differences (to gate a build).")
def cache_diff(
    old: Path | None,
    new: Path | None,
    account: str | None,
    flavour: str,
    cache_dir: Path | None,
    live: bool,
    base_url: str | None,
    eu: bool,
    user: str | None,
    output: str,
    exit_code: bool,
) -> None:
    """Show what changed between two snapshots (directories), or the current one and --live.

    Exit status is 0 whatever the differences, unless --exit-code. --live reads
    BOOMI_ACCOUNT_ID, BOOMI_BASE_URL, BOOMI_USERNAME and BOOMI_PASSWORD or
    BOOMI_API_TOKEN.
    """
    from boomi_soap.snapshot.drift import diff_contracts, load_contract, load_fetched, render_json, render_text

    try:
        cache = store(cache_dir)
        if old is not None and new is not None and not live:
            before, after = load_contract(cache.open(old)), load_contract(cache.open(new))
        elif live and new is None:
            from boomi_soap.credentials import Credentials, Endpoint
            from boomi_soap.snapshot.fetch import fetch_documents

            host = resolve_base_url(base_url, eu)
            endpoint = Endpoint.from_sources(account_id=account, base_url=host, flavour=flavour)  # type: ignore[arg-type]
            current = cache.open(old) if old is not None else cache.current(endpoint.account_id, endpoint.flavour)
            before = load_contract(current)
            credentials = Credentials.from_sources(username=user)
            where("cache diff", endpoint=endpoint.wsdl_url, endpoint_from=base_source(eu, fallback="default"),
                   account=endpoint.account_id, user=credentials.username)  # fmt: skip
            after = load_fetched(fetch_documents(endpoint, credentials))
        else:
            raise click.UsageError("give two snapshot directories, or --live (optionally with one directory)")
    except BoomiSoapError as exc:
        raise fail(exc) from None
    changes = diff_contracts(before, after)
    if output == "json":
        echo_json_text(render_json(changes))
    else:
        click.echo(render_text(changes), nl=False)
    if exit_code and changes:
        raise SystemExit(1)
