"""The ``boomi-soap`` command line: thin adapters over the library.

Exit codes: 0 success, 1 failure (the library raised its root exception),
2 usage error (click's own).
"""

from __future__ import annotations

import logging
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from boomi_soap import __version__
from boomi_soap.exceptions import BoomiSoapError, ConfigurationError, ServiceConfigError

if TYPE_CHECKING:
    from boomi_soap.cache import CacheStore

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="boomi-soap")
@click.option("-v", "--verbose", count=True, help="More logging on stderr (-v info, -vv debug).")
def main(verbose: int) -> None:
    """Drive the Boomi AtomSphere platform API over SOAP."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=0, show_default=True, type=click.IntRange(0, 65535), help="Port; 0 picks a free one.")
@click.option(
    "--account",
    "accounts",
    multiple=True,
    envvar="BOOMI_ACCOUNT_ID",
    help="Account id to serve (repeatable).  [default: localdemo-A1B2C3]",
)
@click.option("--user", envvar="BOOMI_USERNAME", help="Login that may sign in.  [default: demo@example.com]")
@click.option("--password", envvar="BOOMI_PASSWORD", help="That user's password (prefer the BOOMI_PASSWORD variable).")
@click.option(
    "--api-token", envvar="BOOMI_API_TOKEN", help="That user's API token (prefer the BOOMI_API_TOKEN variable)."
)
@click.option(
    "--release",
    type=click.Choice(["current", "next"]),
    default="current",
    show_default=True,
    help="Contract to publish; 'next' simulates a new Boomi release.",
)
@click.option(
    "--rate-limit",
    type=click.FloatRange(min=0, min_open=True),
    default=5.0,
    show_default=True,
    help="Calls per second per account.",
)
@click.option("--daily-quota", type=click.IntRange(min=1), default=None, help="Calls per rolling 24 hours per account.")
def serve(
    host: str,
    port: int,
    accounts: tuple[str, ...],
    user: str | None,
    password: str | None,
    api_token: str | None,
    release: str,
    rate_limit: float,
    daily_quota: int | None,
) -> None:
    """Run the local AtomSphere service until interrupted (Ctrl-C)."""
    from boomi_soap.localservice import LocalService, ServiceConfig, User
    from boomi_soap.localservice.config import DEFAULT_ACCOUNT, DEFAULT_API_TOKEN, DEFAULT_PASSWORD, DEFAULT_USER

    if (password or api_token) and not user:
        raise click.UsageError("--password/--api-token need --user (or BOOMI_USERNAME)")
    if user and not (password or api_token):
        raise click.UsageError("--user needs --password or --api-token (or BOOMI_PASSWORD / BOOMI_API_TOKEN)")
    served = accounts or (DEFAULT_ACCOUNT,)
    login = User(
        user or DEFAULT_USER,
        password=password if user else DEFAULT_PASSWORD,
        api_token=api_token if user else DEFAULT_API_TOKEN,
        accounts=frozenset(served),
    )
    try:
        config = ServiceConfig(
            host=host,
            port=port,
            accounts=served,
            users=(login,),
            rate_limit=rate_limit,
            daily_quota=daily_quota,
            release=release,
        )
        service = LocalService(config)
        service.bind()
    except ServiceConfigError as exc:
        raise click.UsageError(str(exc)) from None
    except BoomiSoapError as exc:
        raise click.ClickException(str(exc)) from None
    # A process started in the background of a script inherits SIGINT as ignored, and
    # Python then leaves it so: restore Ctrl-C, and stop on SIGTERM as well.  Installed
    # before the URL is printed, so a caller may signal as soon as it reads it.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        click.echo(f"AtomSphere local service on {service.base_url} (release {release})")
        for account in served:
            click.echo(f"  WSDL {service.wsdl_url(account)}")
        click.echo(f"  sign in as {login.login} (or BOOMI_TOKEN.{login.login} with an API token)")
        sys.stdout.flush()
        service.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped", err=True)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


_account_option = click.option("--account", envvar="BOOMI_ACCOUNT_ID", help="Account id (or BOOMI_ACCOUNT_ID).")
_flavour_option = click.option(
    "--flavour", type=click.Choice(["platform", "partner", "apim"]), default="platform", show_default=True,
    help="Which API of the account.",
)  # fmt: skip
_cache_option = click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="BOOMI_SOAP_CACHE_DIR",
    help="Cache root (or BOOMI_SOAP_CACHE_DIR; default ./wsdl_cache if present, else the user cache).",
)


_limiter_option = click.option(
    "--limiter",
    envvar="BOOMI_SOAP_LIMITER",
    metavar="memory|host|redis://HOST:PORT",
    help="Where the account's rate window and quota count live (or BOOMI_SOAP_LIMITER).  [default: memory]",
)


def _store(cache_dir: Path | None) -> CacheStore:
    from boomi_soap.cache import CacheStore, default_cache_dir

    return CacheStore(cache_dir or default_cache_dir())


def _fail(exc: BoomiSoapError) -> click.ClickException:
    """Map a library error to exit 2 (settings the user must supply) or 1 (anything else)."""
    if isinstance(exc, ConfigurationError):
        return click.UsageError(str(exc))
    return click.ClickException(str(exc))


@main.command()
@_account_option
@click.option(
    "--base-url", envvar="BOOMI_BASE_URL", help="Platform host (or BOOMI_BASE_URL).  [default: https://api.boomi.com]"
)
@_flavour_option
@click.option("--user", envvar="BOOMI_USERNAME", help="User name or e-mail (or BOOMI_USERNAME).")
@_cache_option
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True,
              help="Read timeout per document, seconds.")  # fmt: skip
def fetch(
    account: str | None, base_url: str | None, flavour: str, user: str | None, cache_dir: Path | None, timeout: float
) -> None:
    """Download the account's WSDL and schemas into the cache.

    The secret comes from BOOMI_PASSWORD or BOOMI_API_TOKEN (with a token, the user
    is the e-mail address). Only changed documents are downloaded again; a change
    makes a new snapshot and keeps the previous one.
    """
    from boomi_soap.cache import refresh
    from boomi_soap.credentials import Credentials, Endpoint

    try:
        endpoint = Endpoint.from_sources(account_id=account, base_url=base_url, flavour=flavour)  # type: ignore[arg-type]
        credentials = Credentials.from_sources(username=user)
        outcome = refresh(_store(cache_dir), endpoint, credentials, timeout=(10.0, timeout))
    except BoomiSoapError as exc:
        raise _fail(exc) from None
    state = "unchanged" if outcome.unchanged else "new snapshot" if outcome.created else "already cached"
    click.echo(
        f"{state}: {outcome.snapshot.directory} ({len(outcome.snapshot.files)} files, sha256 {outcome.snapshot.sha256})"
    )


@main.group()
def cache() -> None:
    """Inspect and check the WSDL cache."""


@cache.command("verify")
@_account_option
@_cache_option
def cache_verify(account: str | None, cache_dir: Path | None) -> None:
    """Recompute every hash of every snapshot; exit 1 on any mismatch."""
    store = _store(cache_dir)
    problems = store.verify(account)
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    checked = len(store.snapshot_dirs(account))
    if problems:
        raise SystemExit(1)
    click.echo(f"ok: {checked} snapshot(s) verified in {store.root}")


@cache.command("list")
@_account_option
@_cache_option
def cache_list(account: str | None, cache_dir: Path | None) -> None:
    """List the cached snapshots, the current one marked with *."""
    store = _store(cache_dir)
    for directory in store.snapshot_dirs(account):
        pointer = directory.parent / "CURRENT"
        current = pointer.is_file() and pointer.read_text(errors="replace").strip() == directory.name
        click.echo(f"{'*' if current else ' '} {directory}")


@cache.command("diff")
@click.argument("old", required=False, type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.argument("new", required=False, type=click.Path(file_okay=False, exists=True, path_type=Path))
@_account_option
@_flavour_option
@_cache_option
@click.option("--live", is_flag=True, help="Compare the current snapshot with the live service (nothing is written).")
@click.option("--base-url", envvar="BOOMI_BASE_URL", help="Platform host for --live (or BOOMI_BASE_URL).")
@click.option("--user", envvar="BOOMI_USERNAME", help="User for --live (or BOOMI_USERNAME).")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
def cache_diff(
    old: Path | None,
    new: Path | None,
    account: str | None,
    flavour: str,
    cache_dir: Path | None,
    live: bool,
    base_url: str | None,
    user: str | None,
    output: str,
) -> None:
    """Show what changed between two snapshots (directories), or the current one and --live.

    Exit status is 0 whatever the differences; use the JSON output to gate a build.
    """
    from boomi_soap.drift import diff_contracts, load_contract, load_fetched, render_json, render_text

    try:
        store = _store(cache_dir)
        if old is not None and new is not None and not live:
            before, after = load_contract(store.open(old)), load_contract(store.open(new))
        elif live and new is None:
            from boomi_soap.credentials import Credentials, Endpoint
            from boomi_soap.fetch import fetch_documents

            endpoint = Endpoint.from_sources(account_id=account, base_url=base_url, flavour=flavour)  # type: ignore[arg-type]
            current = store.open(old) if old is not None else store.current(endpoint.account_id, endpoint.flavour)
            before = load_contract(current)
            after = load_fetched(fetch_documents(endpoint, Credentials.from_sources(username=user)))
        else:
            raise click.UsageError("give two snapshot directories, or --live (optionally with one directory)")
    except BoomiSoapError as exc:
        raise _fail(exc) from None
    changes = diff_contracts(before, after)
    click.echo(render_json(changes) if output == "json" else render_text(changes), nl=False)


@main.command()
@click.argument("paths", nargs=-1, required=True)
@_account_option
@_cache_option
@click.option("--snapshot", type=click.Path(file_okay=False, exists=True, path_type=Path), help="A snapshot directory.")
@click.option(
    "--schema", "schemas", multiple=True, type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Plain XSD file(s) instead of a snapshot (repeatable).",
)  # fmt: skip
@click.option("--element", help="Expected root (or Body child), e.g. api:Process or {ns}name.")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
def validate(
    paths: tuple[str, ...],
    account: str | None,
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
    from boomi_soap.schema import resolve_schema
    from boomi_soap.validate import SchemaValidator, validate_sources

    if sum(bool(x) for x in (account, snapshot, schemas)) > 1:
        raise click.UsageError("use only one of --account, --snapshot and --schema")
    try:
        bundle = resolve_schema(account=account, cache_dir=cache_dir, snapshot=snapshot, schemas=list(schemas))
        stdin = sys.stdin.buffer
        report = validate_sources(SchemaValidator(bundle), paths, element=element, stdin=stdin)
    except BoomiSoapError as exc:
        raise _fail(exc) from None
    if output == "json":
        click.echo(report.to_json(), nl=False)
    else:
        for line in report.lines():
            click.echo(line, err=line.startswith("error"))
        click.echo(report.summary(), err=True)
    if not report.ok:
        raise SystemExit(1)


@main.command()
@click.option("--account", envvar="BOOMI_ACCOUNT_ID", help="A real account: run the read-only part against it.")
@click.option("--base-url", envvar="BOOMI_BASE_URL", help="Platform host for --account.")
@click.option(
    "--user", envvar="BOOMI_USERNAME", help="User for --account (secret from BOOMI_PASSWORD / BOOMI_API_TOKEN)."
)
def quickstart(account: str | None, base_url: str | None, user: str | None) -> None:
    """Tour the client: against the bundled local service, or read-only against --account."""
    from boomi_soap.credentials import Credentials
    from boomi_soap.quickstart import run_quickstart

    try:
        credentials = Credentials.from_sources(username=user) if account else None
        status = run_quickstart(click.echo, account_id=account, credentials=credentials, base_url=base_url)
    except BoomiSoapError as exc:
        raise _fail(exc) from None
    raise SystemExit(status)


@main.command("call")
@click.argument("operation", type=click.Choice(["get", "query"]))
@click.argument("object_type")
@click.argument("object_id", required=False)
@_account_option
@click.option(
    "--base-url", envvar="BOOMI_BASE_URL", help="Where to send calls (default: where the snapshot came from)."
)
@click.option("--user", envvar="BOOMI_USERNAME", help="User (secret from BOOMI_PASSWORD / BOOMI_API_TOKEN).")
@_cache_option
@click.option(
    "--filter", "filters", multiple=True, metavar="PROPERTY OPERATOR [VALUE...]",
    help="A condition, e.g. 'name LIKE Orders%' or 'executionTime BETWEEN a b' (repeatable: all must hold).",
)  # fmt: skip
@click.option("--format", "output", type=click.Choice(["json", "xml"]), default="json", show_default=True)
@_limiter_option
def call(
    operation: str,
    object_type: str,
    object_id: str | None,
    account: str | None,
    base_url: str | None,
    user: str | None,
    cache_dir: Path | None,
    filters: tuple[str, ...],
    output: str,
    limiter: str | None,
) -> None:
    """Call get TYPE ID or query TYPE [--filter ...] and print the results.

    Uses the account's cached snapshot (run boomi-soap fetch first).
    """
    from boomi_soap.client import Client
    from boomi_soap.credentials import Credentials
    from boomi_soap.render import parse_filters, render_results
    from boomi_soap.settings import ClientSettings

    try:
        where = parse_filters(filters)
        client = Client.from_cache(
            account,
            cache_dir=cache_dir,
            base_url=base_url,
            credentials=Credentials.from_sources(username=user),
            settings=ClientSettings(limiter=limiter),
        )
        if operation == "get":
            if object_id is None:
                raise click.UsageError("get needs TYPE and ID")
            results = [client.get(object_type, object_id)]
        else:
            results = list(client.query(object_type, where))
        click.echo(render_results(client, results, output), nl=False)
    except BoomiSoapError as exc:
        raise _fail(exc) from None


@main.command()
@click.option("--account", envvar="BOOMI_ACCOUNT_ID", required=True, help="Account id (or BOOMI_ACCOUNT_ID).")
@_limiter_option
@click.option("--daily-quota", type=click.IntRange(min=1), help="The account's daily limit, to show the share used.")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
def quota(account: str, limiter: str | None, daily_quota: int | None, output: str) -> None:
    """Show the account's calls per hour over the rolling 24 hours, as the limiter's store counted them."""
    import json
    from datetime import UTC, datetime

    from boomi_soap.limiter import backend_for
    from boomi_soap.quota import QuotaBudget

    try:
        backend = backend_for(limiter)
        report = QuotaBudget(backend, account, daily_quota).report()
    except BoomiSoapError as exc:
        raise _fail(exc) from None
    if backend.kind == "memory":
        click.echo("note: the memory limiter counts inside one process; use --limiter host or redis://", err=True)
    if output == "json":
        hours = [{"hour": datetime.fromtimestamp(h, UTC).isoformat(), "calls": n} for h, n in report.hours]
        click.echo(json.dumps({"account": account, "used": report.used, "limit": daily_quota, "hours": hours}))
        return
    for start, calls in report.hours:
        click.echo(f"{datetime.fromtimestamp(start, UTC):%Y-%m-%d %H:00} UTC  {calls:7d}")
    share = f" of {daily_quota} ({report.used / daily_quota:.0%})" if daily_quota else ""
    click.echo(f"{account}: {report.used} calls in the last 24 hours{share}")


@main.command()
@_account_option
@_cache_option
@click.option("--snapshot", type=click.Path(file_okay=False, exists=True, path_type=Path), help="A snapshot directory.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Package directory to write.  [default: the bundled boomi_soap/bindings]",
)
@click.option(
    "--package", default="boomi_soap.bindings", show_default=True, help="Dotted name the package is imported as."
)
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Write nothing; exit 1 if the package differs from what would be generated.",
)
def codegen(
    account: str | None, cache_dir: Path | None, snapshot: Path | None, out: Path | None, package: str, check_only: bool
) -> None:
    """Generate typed bindings from a cached snapshot (the bundled reference one by default)."""
    try:
        import codegen as generator
    except ImportError:  # pragma: no cover - the generator ships in the same distribution
        raise click.ClickException("the codegen package is not installed") from None
    from boomi_soap.cache import resolve_snapshot

    try:
        source = resolve_snapshot(account=account, cache_dir=cache_dir, snapshot=snapshot)
        generation = generator.generate(source, package)
    except BoomiSoapError as exc:
        raise _fail(exc) from None
    for line in generation.diagnostics:
        click.echo(line, err=True)
    if generation.errors:
        raise SystemExit(1)
    target = out or Path(__file__).parent / "bindings"
    if check_only:
        stale = generator.check(generation, target)
        for diff in stale:
            click.echo(diff, err=True)
        if stale:
            click.echo(f"stale: {len(stale)} file(s) in {target} differ; run boomi-soap codegen", err=True)
            raise SystemExit(1)
        click.echo(f"up to date: {target} (snapshot {source.id})")
        return
    changed = generator.write(generation, target)
    click.echo(f"wrote {len(changed)} changed file(s) of {len(generation.files)} to {target} (snapshot {source.id})")
