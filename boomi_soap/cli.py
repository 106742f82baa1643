"""The ``boomi-soap`` command line: thin adapters over the library.

Exit codes: 0 success, 1 failure (the library raised its root exception),
2 usage error (click's own), 130 interrupted (Ctrl-C).

Every setting is taken from its flag, else its environment variable, else the
snapshot or the default; commands that talk to a service say on stderr which
endpoint, account and user they use and where each came from (``-q`` silences it).
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import signal
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from click.core import ParameterSource

from boomi_soap import __version__
from boomi_soap.exceptions import BoomiSoapError, ConfigurationError, ServiceConfigError

if TYPE_CHECKING:
    import requests

    from boomi_soap.client import Client
    from boomi_soap.snapshot.cache import CacheStore
    from boomi_soap.tables import PageProgress

__all__ = ["main"]

# httpx (which zeep imports) loads its own command line, with rich and pygments, on
# `import httpx` whenever they are installed, as rich now is: ~40 ms and rich in every
# piped run.  Marking that module absent makes httpx keep its stub `main`, which this
# process never calls; our tables import rich only when they are shown.
if "httpx" not in sys.modules:
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]  # None: "not installed"


class _Group(click.Group):
    """A group whose commands exit 130 on Ctrl-C, as shells expect, instead of click's 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            raise click.exceptions.Exit(130) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="boomi-soap")
@click.option("-v", "--verbose", count=True, help="More logging on stderr (-v info, -vv debug, -vvv zeep's too).")
@click.option("-q", "--quiet", is_flag=True, help="Print only results and errors (no 'where' or progress lines).")
@click.pass_context
def main(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """Drive the Boomi AtomSphere platform API over SOAP."""
    ctx.obj = {"quiet": quiet}
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    # zeep logs its WSDL parsing at DEBUG, hundreds of lines before the first envelope.
    logging.getLogger("zeep").setLevel(logging.DEBUG if verbose >= 3 else logging.WARNING)


def _note(text: str) -> None:
    """A line for people on stderr, unless -q."""
    if not _quiet():
        click.echo(text, err=True)


def _source(name: str, env: str, flag: str | None = None) -> str:
    """Where a parameter's value came from: its flag, its environment variable, or the default."""
    ctx = click.get_current_context()
    source = ctx.get_parameter_source(name)
    if source is ParameterSource.COMMANDLINE:
        return flag or "--" + name.replace("_", "-")
    if source is ParameterSource.ENVIRONMENT:
        return env
    return "default"


def _where(command: str, *, endpoint: str, endpoint_from: str, account: str, user: str | None = None) -> None:
    """Say which endpoint, account and user a command uses, and where each came from."""
    account_from = _source("account", "BOOMI_ACCOUNT_ID")
    line = f"{command}: endpoint {endpoint} ({endpoint_from}); account {account} ({account_from})"
    if user is not None:
        line += f"; user {user} ({_source('user', 'BOOMI_USERNAME')})"
    _note(line)


def _cache_source() -> str:
    """Where the cache root came from; for the default, which of the two defaults."""
    found = _source("cache_dir", "BOOMI_SOAP_CACHE_DIR")
    if found != "default":
        return found
    return "default: ./wsdl_cache here" if (Path.cwd() / "wsdl_cache").is_dir() else "default: the user cache"


def _base_url(base_url: str | None, eu: bool) -> str | None:
    from boomi_soap.credentials import EU_BASE_URL

    if eu and base_url and _source("base_url", "BOOMI_BASE_URL") == "--base-url":
        raise click.UsageError("give --base-url or --eu, not both")
    return EU_BASE_URL if eu else base_url


def _base_source(eu: bool, *, fallback: str) -> str:
    if eu:
        return "--eu"
    found = _source("base_url", "BOOMI_BASE_URL")
    return fallback if found == "default" else found


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=0, show_default=True, type=click.IntRange(0, 65535), help="Port; 0 picks a free one.")
@click.option(
    "--account",
    "accounts",
    multiple=True,
    help="Account id to serve (repeatable).  [default: localdemo-A1B2C3]",
)
@click.option(
    "--user",
    envvar="BOOMI_SERVE_USER",
    help="Login that may sign in (or BOOMI_SERVE_USER).  [default: demo@example.com]",
)
@click.option(
    "--password", envvar="BOOMI_SERVE_PASSWORD", help="That user's password (prefer the BOOMI_SERVE_PASSWORD variable)."
)
@click.option(
    "--api-token",
    envvar="BOOMI_SERVE_API_TOKEN",
    help="That user's API token (prefer the BOOMI_SERVE_API_TOKEN variable).",
)
@click.option(
    "--release",
    type=click.Choice(["current", "next"]),
    default="current",
    show_default=True,
    help="Contract to publish; 'next' simulates a new Boomi release.",
)
@click.option(
    "--contract",
    type=click.Choice(["split", "single", "partner"]),
    default="split",
    show_default=True,
    help="Layout: wrappers in their own namespace (split), in the data namespace (single), or the Partner API.",
)
@click.option(
    "--rate-limit",
    type=click.FloatRange(min=0, min_open=True),
    default=5.0,
    show_default=True,
    help="Calls per second per account.",
)
@click.option("--daily-quota", type=click.IntRange(min=1), default=None, help="Calls per rolling 24 hours per account.")
@click.option(
    "--records",
    envvar="BOOMI_SERVE_RECORDS",
    type=click.IntRange(min=0),
    default=260,
    show_default=True,
    help="ExecutionRecords seeded per account, built when read (or BOOMI_SERVE_RECORDS).",
)
def serve(
    host: str,
    port: int,
    accounts: tuple[str, ...],
    user: str | None,
    password: str | None,
    api_token: str | None,
    release: str,
    contract: str,
    rate_limit: float,
    daily_quota: int | None,
    records: int,
) -> None:
    """Run the local AtomSphere service until interrupted (Ctrl-C exits 130, SIGTERM 0).

    It reads no BOOMI_* variable of the client side, so a shell set up for a real
    account still serves the demo login: only its own flags and BOOMI_SERVE_USER,
    BOOMI_SERVE_PASSWORD, BOOMI_SERVE_API_TOKEN and BOOMI_SERVE_RECORDS.
    """
    from boomi_soap.localservice import LocalService, ServiceConfig, User
    from boomi_soap.localservice.config import (
        DEFAULT_ACCOUNT,
        DEFAULT_API_TOKEN,
        DEFAULT_PASSWORD,
        DEFAULT_SUB_ACCOUNTS,
        DEFAULT_USER,
    )

    if (password or api_token) and not user:
        raise click.UsageError("--password/--api-token need --user (or BOOMI_SERVE_USER)")
    if user and not (password or api_token):
        raise click.UsageError(
            "--user needs --password or --api-token (or BOOMI_SERVE_PASSWORD / BOOMI_SERVE_API_TOKEN)"
        )
    served = accounts or (DEFAULT_ACCOUNT,)
    # The first account's sub-accounts (Partner API): the login may act on the first,
    # not the second, so both an override and its refusal can be tried.
    login = User(
        user or DEFAULT_USER,
        password=password if user else DEFAULT_PASSWORD,
        api_token=api_token if user else DEFAULT_API_TOKEN,
        accounts=frozenset({*served, DEFAULT_SUB_ACCOUNTS[0]}),
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
            contract=contract,
            execution_records=records,
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
    signal.signal(signal.SIGTERM, _terminate)
    try:
        click.echo(f"AtomSphere local service on {service.base_url} (release {release}, {contract} contract)")
        for account in served:
            click.echo(f"  WSDL {service.wsdl_url(account)}")
        if contract == "partner":
            allowed, forbidden = service.sub_accounts(served[0])[:2]
            click.echo(f"  sub-accounts of {served[0]}: {allowed} (this login may act on it), {forbidden} (it may not)")
        how = "--user" if user and _source("user", "") == "--user" else "BOOMI_SERVE_USER" if user else "default"
        click.echo(f"  sign in as {login.login} ({how}; or BOOMI_TOKEN.{login.login} with an API token)")
        sys.stdout.flush()
        service.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
        raise click.exceptions.Exit(130) from None
    except _TerminatedError:
        click.echo("stopped", err=True)


class _TerminatedError(Exception):
    """SIGTERM: the ordinary way a supervisor stops the service (exit 0)."""


def _terminate(signum: int, frame: object) -> None:
    raise _TerminatedError


_account_option = click.option("--account", envvar="BOOMI_ACCOUNT_ID", help="Account id (or BOOMI_ACCOUNT_ID).")
_flavour_option = click.option(
    "--flavour", type=click.Choice(["platform", "partner", "apim"]), default="platform", show_default=True,
    envvar="BOOMI_FLAVOUR", help="Which API of the account (or BOOMI_FLAVOUR): the Partner API is 'partner'.",
)  # fmt: skip
_cache_option = click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="BOOMI_SOAP_CACHE_DIR",
    help=(
        "Cache root (or BOOMI_SOAP_CACHE_DIR; default ./wsdl_cache if present and not the package's own,"
        " else the user cache)."
    ),
)
_base_url_option = click.option(
    "--base-url", envvar="BOOMI_BASE_URL", help="Platform host (or BOOMI_BASE_URL).  [default: https://api.boomi.com]"
)
_eu_option = click.option("--eu", is_flag=True, help="Use the EU host, https://api.platform.gb.boomi.com.")
_user_option = click.option(
    "--user", envvar="BOOMI_USERNAME", help="User name or e-mail (or BOOMI_USERNAME); the secret comes from"
    " BOOMI_PASSWORD or BOOMI_API_TOKEN.",
)  # fmt: skip


_NETWORK_OPTIONS = (
    click.option("--proxy", help="Proxy URL (else HTTPS_PROXY and friends)."),
    click.option("--ca-bundle", type=click.Path(dir_okay=False, exists=True, path_type=Path),
                 help="CA bundle (PEM) to verify the service with."),
    click.option("--client-cert", type=click.Path(dir_okay=False, exists=True, path_type=Path),
                 help="Client certificate and key (one PEM file) for mutual TLS."),
)  # fmt: skip


def _network_options(func: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(_NETWORK_OPTIONS):
        func = option(func)
    return func


def _format_option(*choices: str, table: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--format``; with ``table``, also ``table``, the default when stdout is a terminal (see :func:`_output`)."""
    if not table:
        return click.option(
            "--format", "output", type=click.Choice(list(choices)), default=choices[0], show_default=True,
            help="Output format.",
        )  # fmt: skip
    return click.option(
        "--format", "output", type=click.Choice([*choices, "table"]), default=None,
        help=f"Output format.  [default: table on a terminal, else {choices[0]}]",
    )  # fmt: skip


def _terminal(stream: Any) -> bool:
    """Whether ``stream`` is a terminal (a closed or replaced stream is not)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _output(output: str | None, piped: str) -> str:
    """The format asked for, else a table on a terminal and ``piped`` elsewhere (what scripts have always read)."""
    return output or ("table" if _terminal(sys.stdout) else piped)


def _quiet() -> bool:
    ctx = click.get_current_context(silent=True)
    root = ctx.find_root() if ctx is not None else None
    return bool(root is not None and isinstance(root.obj, dict) and root.obj.get("quiet"))


def _progress_shown(output: str) -> bool:
    """Progress goes to stderr on a terminal, unless -q, and not over results streaming to the same terminal."""
    return _terminal(sys.stderr) and not _quiet() and (output == "table" or not _terminal(sys.stdout))


_limiter_option = click.option(
    "--limiter",
    envvar="BOOMI_SOAP_LIMITER",
    metavar="memory|host|redis://HOST:PORT",
    help="Where the account's rate window and quota count live (or BOOMI_SOAP_LIMITER).  [default: memory]",
)


_transport_option = click.option(
    "--transport",
    envvar="BOOMI_TRANSPORT",
    type=click.Choice(["soap", "rest"]),
    help="SOAP, or Boomi's RESTish API at /api/rest/v1/{accountId} (or BOOMI_TRANSPORT).  [default: soap]",
)


def _store(cache_dir: Path | None) -> CacheStore:
    from boomi_soap.snapshot.cache import CacheStore, default_cache_dir

    return CacheStore(cache_dir or default_cache_dir())


def _fail(exc: BoomiSoapError) -> click.ClickException:
    """Map a library error to exit 2 (settings the user must supply) or 1 (anything else)."""
    if isinstance(exc, ConfigurationError):
        return click.UsageError(str(exc))
    return click.ClickException(str(exc))


def _echo_json(data: object) -> None:
    click.echo(json.dumps(data, indent=2))


@main.command()
@_account_option
@_base_url_option
@_eu_option
@_flavour_option
@_user_option
@_cache_option
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True,
              help="Read timeout per document, seconds.")  # fmt: skip
@click.option("--update-pinned", is_flag=True,
              help="Maintainers only: let --cache-dir be the package's own wsdl_cache/ (re-pinning after a"
                   " contract change); without it a fetch there is refused.")  # fmt: skip
@_network_options
@_format_option("text", "json")
def fetch(
    account: str | None,
    base_url: str | None,
    eu: bool,
    flavour: str,
    user: str | None,
    cache_dir: Path | None,
    timeout: float,
    update_pinned: bool,
    proxy: str | None,
    ca_bundle: Path | None,
    client_cert: Path | None,
    output: str,
) -> None:
    """Download the account's WSDL and schemas into the cache.

    Reads BOOMI_ACCOUNT_ID, BOOMI_BASE_URL, BOOMI_FLAVOUR, BOOMI_USERNAME,
    BOOMI_PASSWORD or BOOMI_API_TOKEN (with a token, the user is the e-mail
    address) and BOOMI_SOAP_CACHE_DIR; a flag wins over its variable. Only changed
    documents are downloaded again; a change makes a new snapshot and keeps the
    previous one.
    """
    from boomi_soap.credentials import Credentials, Endpoint
    from boomi_soap.snapshot.cache import refresh

    try:
        endpoint = Endpoint.from_sources(account_id=account, base_url=_base_url(base_url, eu), flavour=flavour)  # type: ignore[arg-type]
        credentials = Credentials.from_sources(username=user)
        store = _store(cache_dir)
        pinned = _pinned_root()
        root = store.root.resolve()
        if not update_pinned and pinned is not None and (root == pinned or pinned in root.parents):
            # The bundled snapshots are tracked package data: a fetch there moves their
            # CURRENT and breaks `codegen --check` and the tests (issue 26).
            raise click.BadParameter(
                f"{store.root} is the package's bundled wsdl_cache/ (read-only); give another --cache-dir"
                " (or BOOMI_SOAP_CACHE_DIR)",
                param_hint="'--cache-dir'",
            )
        _where("fetch", endpoint=endpoint.wsdl_url, endpoint_from=_base_source(eu, fallback="default"),
               account=endpoint.account_id, user=credentials.username)  # fmt: skip
        _note(f"fetch: cache {store.root} ({_cache_source()})")
        from boomi_soap.tables import Activity

        shown = _terminal(sys.stderr) and not _quiet()
        session = _session(proxy, ca_bundle, client_cert, always=shown)
        try:
            with Activity("fetch", enabled=shown, first="reading the WSDL") as activity:
                if session is not None and shown:  # a document each response: the progress a person sees
                    done = [0]

                    def counted(response: Any, *args: Any, **kwargs: Any) -> None:
                        done[0] += 1
                        activity.say(f"{done[0]} document{'s' if done[0] != 1 else ''}")

                    session.hooks["response"].append(counted)
                outcome = refresh(store, endpoint, credentials, session=session, timeout=(10.0, timeout))
        finally:
            if session is not None:
                session.close()
    except BoomiSoapError as exc:
        raise _fail(exc) from None
    state = "unchanged" if outcome.unchanged else "new snapshot" if outcome.created else "already cached"
    if output == "json":
        _echo_json({
            "state": state, "snapshot": str(outcome.snapshot.directory), "files": len(outcome.snapshot.files),
            "sha256": outcome.snapshot.sha256, "account": endpoint.account_id, "endpoint": endpoint.url,
        })  # fmt: skip
        return
    click.echo(
        f"{state}: {outcome.snapshot.directory} ({len(outcome.snapshot.files)} files, sha256 {outcome.snapshot.sha256})"
    )


def _pinned_root() -> Path | None:
    """The package's own ``wsdl_cache`` directory (the bundled snapshots), resolved."""
    from importlib import resources

    try:
        return Path(str(resources.files("wsdl_cache"))).resolve()
    except (ModuleNotFoundError, OSError):
        return None


def _session(
    proxy: str | None, ca_bundle: Path | None, client_cert: Path | None, *, always: bool = False
) -> requests.Session | None:
    """A download session with the network options, or ``None`` for requests' defaults (unless ``always``)."""
    if not (proxy or ca_bundle or client_cert or always):
        return None
    import requests

    session = requests.Session()
    if proxy:
        session.proxies.update({"http": proxy, "https": proxy})
    if ca_bundle is not None:
        session.verify = str(ca_bundle)
    if client_cert is not None:
        session.cert = str(client_cert)
    return session


@main.group(cls=_Group)
def cache() -> None:
    """Inspect and check the WSDL cache."""


@cache.command("verify")
@_account_option
@_cache_option
@_format_option("text", "json")
def cache_verify(account: str | None, cache_dir: Path | None, output: str) -> None:
    """Recompute every hash of every snapshot; exit 1 on any mismatch, or when there is nothing to check."""
    store = _store(cache_dir)
    problems = [str(p) for p in store.verify(account)]
    checked = len(store.snapshot_dirs(account))
    if not checked and not problems:
        what = f"of account {account} " if account else ""
        problems = [f"{store.root}: no snapshot {what}found (a mistyped --cache-dir or --account?)"]
    if output == "json":
        _echo_json({"ok": not problems, "root": str(store.root), "checked": checked, "problems": problems})
    else:
        for problem in problems:
            click.echo(f"error: {problem}", err=True)
        if not problems:
            click.echo(f"ok: {checked} snapshot(s) verified in {store.root}")
    if problems:
        raise SystemExit(1)


@cache.command("list")
@_account_option
@_cache_option
@_format_option("text", "json", table=True)
def cache_list(account: str | None, cache_dir: Path | None, output: str | None) -> None:
    """List the cached snapshots, the current one marked with *."""
    store = _store(cache_dir)
    rows = []
    for directory in store.snapshot_dirs(account):
        pointer = directory.parent / "CURRENT"
        current = pointer.is_file() and pointer.read_text(errors="replace").strip() == directory.name
        rows.append({"snapshot": str(directory), "current": current})
    output = _output(output, "text")
    if output == "json":
        _echo_json(rows)
        return
    if output == "table":
        from boomi_soap.tables import print_rows

        # <root>/<flavour>/<account>/<snapshot id>: the account and id beside the path.
        records = [{"current": "*" if row["current"] else "", "account": Path(str(row["snapshot"])).parent.name,
                    "flavour": Path(str(row["snapshot"])).parent.parent.name, "id": Path(str(row["snapshot"])).name,
                    "directory": row["snapshot"]} for row in rows]  # fmt: skip
        print_rows(records, title=f"Snapshots in {store.root}", object_type="Snapshot", file=sys.stdout)
        return
    for row in rows:
        click.echo(f"{'*' if row['current'] else ' '} {row['snapshot']}")


@cache.command("show")
@_account_option
@_flavour_option
@_cache_option
@click.option("--snapshot", type=click.Path(file_okay=False, exists=True, path_type=Path), help="A snapshot directory.")
@_format_option("text", "json")
def cache_show(account: str | None, flavour: str, cache_dir: Path | None, snapshot: Path | None, output: str) -> None:
    """Show a snapshot: where it came from, its files, and the contract layout its WSDL declares."""
    from boomi_soap.snapshot.cache import resolve_snapshot
    from boomi_soap.snapshot.contract import contract_of

    try:
        chosen = resolve_snapshot(account=account, flavour=flavour, cache_dir=cache_dir, snapshot=snapshot)  # type: ignore[arg-type]
        contract = contract_of(chosen)
    except BoomiSoapError as exc:
        raise _fail(exc) from None
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
        click.echo(json.dumps(info, indent=2))
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
@_account_option
@_flavour_option
@_cache_option
@click.option("--live", is_flag=True, help="Compare the current snapshot with the live service (nothing is written).")
@_base_url_option
@_eu_option
@_user_option
@_format_option("text", "json")
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
        store = _store(cache_dir)
        if old is not None and new is not None and not live:
            before, after = load_contract(store.open(old)), load_contract(store.open(new))
        elif live and new is None:
            from boomi_soap.credentials import Credentials, Endpoint
            from boomi_soap.snapshot.fetch import fetch_documents

            endpoint = Endpoint.from_sources(account_id=account, base_url=_base_url(base_url, eu), flavour=flavour)  # type: ignore[arg-type]
            current = store.open(old) if old is not None else store.current(endpoint.account_id, endpoint.flavour)
            before = load_contract(current)
            credentials = Credentials.from_sources(username=user)
            _where("cache diff", endpoint=endpoint.wsdl_url, endpoint_from=_base_source(eu, fallback="default"),
                   account=endpoint.account_id, user=credentials.username)  # fmt: skip
            after = load_fetched(fetch_documents(endpoint, credentials))
        else:
            raise click.UsageError("give two snapshot directories, or --live (optionally with one directory)")
    except BoomiSoapError as exc:
        raise _fail(exc) from None
    changes = diff_contracts(before, after)
    click.echo(render_json(changes) if output == "json" else render_text(changes), nl=False)
    if exit_code and changes:
        raise SystemExit(1)


@main.command()
@click.argument("paths", nargs=-1, required=True)
@_account_option
@_flavour_option
@_cache_option
@click.option("--snapshot", type=click.Path(file_okay=False, exists=True, path_type=Path), help="A snapshot directory.")
@click.option(
    "--schema", "schemas", multiple=True, type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Plain XSD file(s) instead of a snapshot (repeatable).",
)  # fmt: skip
@click.option("--element", help="Expected root (or Body child), e.g. api:Process or {ns}name.")
@_format_option("text", "json")
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
        stdin = sys.stdin.buffer
        report = validate_sources(SchemaValidator(bundle), paths, element=element, stdin=stdin)
    except BoomiSoapError as exc:
        raise _fail(exc) from None
    if output == "json":
        click.echo(report.to_json(), nl=False)
    else:
        for line in report.lines():
            click.echo(line, err=line.startswith("error"))
        _note(report.summary())
    if not report.ok:
        raise SystemExit(1)


@main.command()
@click.option("--account", help="A real account: run the read-only part against it (reads one query page).")
@click.option("--base-url", envvar="BOOMI_BASE_URL", help="Platform host for --account (or BOOMI_BASE_URL).")
@_eu_option
@click.option(
    "--user", envvar="BOOMI_USERNAME",
    help="User for --account (or BOOMI_USERNAME; secret from BOOMI_PASSWORD / BOOMI_API_TOKEN).",
)  # fmt: skip
def quickstart(account: str | None, base_url: str | None, eu: bool, user: str | None) -> None:
    """Tour the client: against the bundled local service, or read-only against --account.

    Without --account it reads no BOOMI_* variable: it starts its own service and
    signs in as the demo user. With --account it reads BOOMI_BASE_URL,
    BOOMI_USERNAME and BOOMI_PASSWORD or BOOMI_API_TOKEN.
    """
    from boomi_soap.credentials import Credentials
    from boomi_soap.quickstart import run_quickstart

    try:
        credentials = None
        if account:
            base_url = _base_url(base_url, eu)
            credentials = Credentials.from_sources(username=user)
            _note(f"quickstart: account {account} (--account); base URL {base_url or 'https://api.boomi.com'}"
                  f" ({_base_source(eu, fallback='default')}); user {credentials.username}"
                  f" ({_source('user', 'BOOMI_USERNAME')})")  # fmt: skip
        status = run_quickstart(click.echo, account_id=account, credentials=credentials, base_url=base_url)
    except BoomiSoapError as exc:
        raise _fail(exc) from None
    raise SystemExit(status)


@main.command()
@click.option("--account", envvar="BOOMI_ACCOUNT_ID", required=True, help="Account id (or BOOMI_ACCOUNT_ID).")
@_limiter_option
@click.option("--daily-quota", type=click.IntRange(min=1), help="The account's daily limit, to show the share used.")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
def quota(account: str, limiter: str | None, daily_quota: int | None, output: str) -> None:
    """Show the account's calls per hour over the rolling 24 hours, as the limiter's store counted them."""
    import json
    from datetime import UTC, datetime

    from boomi_soap.limits.limiter import backend_for
    from boomi_soap.limits.quota import QuotaBudget

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
@_flavour_option
@_cache_option
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
@_format_option("text", "json")
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
        _note(f"codegen: snapshot {source.directory} (account {source.account_id}); package {name} in {target}")
        generation = generator.generate(source, name)
    except BoomiSoapError as exc:
        raise _fail(exc) from None
    for line in generation.diagnostics:
        click.echo(line, err=True)
    if generation.errors:
        raise SystemExit(1)
    if check_only:
        stale = generator.check(generation, target)
        for diff in stale:
            click.echo(diff, err=True)
        if output == "json":
            _echo_json({"out": str(target), "package": name, "snapshot": source.id, "stale": len(stale)})
        elif not stale:
            click.echo(f"up to date: {target} (snapshot {source.id})")
        if stale:
            _note(f"stale: {len(stale)} file(s) in {target} differ; run boomi-soap codegen")
            raise SystemExit(1)
        return
    try:
        changed = generator.write(generation, target)
    except OSError as exc:
        raise click.ClickException(f"{exc.filename or target}: cannot write ({exc.strerror or exc})") from None
    if output == "json":
        _echo_json({"out": str(target), "package": name, "snapshot": source.id,
                    "changed": [str(p) for p in changed], "files": len(generation.files)})  # fmt: skip
        return
    click.echo(f"wrote {len(changed)} changed file(s) of {len(generation.files)} to {target} (snapshot {source.id})")


# -- call ---------------------------------------------------------------------------
@dataclass(frozen=True)
class _CallOptions:
    """The options every ``call`` subcommand takes."""

    account: str | None
    flavour: str
    base_url: str | None
    eu: bool
    user: str | None
    cache_dir: Path | None
    timeout: float | None
    proxy: str | None
    ca_bundle: Path | None
    client_cert: Path | None
    limiter: str | None
    transport: str | None
    output: str  # json, xml or table (resolved: see _output)
    dry_run: bool
    strict_responses: bool
    verbose: bool


_CALL_OPTIONS = (
    _account_option,
    _flavour_option,
    click.option("--base-url", envvar="BOOMI_BASE_URL",
                 help="Where to send calls (or BOOMI_BASE_URL).  [default: the snapshot's endpoint,"
                      " if on https://api.boomi.com]"),
    _eu_option,
    _user_option,
    _cache_option,
    click.option("--timeout", type=click.FloatRange(min=0, min_open=True), help="Read timeout per call, seconds."),
    *_NETWORK_OPTIONS,
    _limiter_option,
    _transport_option,
    _format_option("json", "xml", table=True),
    click.option("--dry-run", is_flag=True,
                 help="Print the signed, redacted envelope that would be sent; send nothing."),
    click.option("--strict-responses", is_flag=True,
                 help="Refuse an answer that does not fit the snapshot (default: read it and say what drifted)."),
    click.option("-v", "--verbose", is_flag=True,
                 help="End with a line saying how the answers deviated from the snapshot (also when they did not)."),
)  # fmt: skip


def _call_options(func: Callable[..., None]) -> Callable[..., None]:
    """Give a ``call`` subcommand the shared options, gathered into one :class:`_CallOptions`."""
    names = [f.name for f in fields(_CallOptions)]

    @functools.wraps(func)
    def wrapper(**kwargs: Any) -> None:
        given = {name: kwargs.pop(name) for name in names}
        options = _CallOptions(**{**given, "output": _output(given["output"], "json")})
        func(options, **kwargs)

    decorated: Callable[..., None] = wrapper
    for option in reversed(_CALL_OPTIONS):
        decorated = option(decorated)
    return decorated


def _client(options: _CallOptions) -> Client:
    from boomi_soap.client import Client
    from boomi_soap.credentials import Credentials
    from boomi_soap.settings import ClientSettings

    extra: dict[str, Any] = {}
    if options.timeout is not None:
        extra["read_timeout"] = options.timeout
    if options.proxy:
        extra["proxies"] = {"http": options.proxy, "https": options.proxy}
    if options.ca_bundle is not None:
        extra["ca_bundle"] = str(options.ca_bundle)
    if options.client_cert is not None:
        extra["client_cert"] = str(options.client_cert)
    if options.limiter is not None:
        extra["limiter"] = options.limiter
    if options.strict_responses:
        extra["responses"] = "strict"
    credentials = Credentials.from_sources(username=options.user)
    client = Client.from_cache(
        options.account,
        cache_dir=options.cache_dir,
        flavour=options.flavour,  # type: ignore[arg-type]
        base_url=_base_url(options.base_url, options.eu),
        credentials=credentials,
        settings=ClientSettings(**extra),
        transport=options.transport,  # type: ignore[arg-type]
    )
    command = f"call {click.get_current_context().info_name}"
    _where(command, endpoint=client.endpoint_url, endpoint_from=_base_source(options.eu, fallback="the snapshot"),
           account=client.snapshot.account_id, user=credentials.username)  # fmt: skip
    _note(f"{command}: snapshot {client.snapshot.directory} ({_cache_source()})")
    return client


def _run_call(
    options: _CallOptions,
    operation: str,
    arguments: Callable[[Client], dict[str, Any]],
    action: Callable[[Client, dict[str, Any]], Iterable[Any]],
    progress: PageProgress | None = None,
) -> None:
    """Build the client, then print the dry-run envelope or stream the results (a table: all, at the end)."""
    from lxml import etree

    from boomi_soap._xml.redact import redact
    from boomi_soap.render import stream_results

    try:
        with _client(options) as client:
            values = arguments(client)
            if options.dry_run:
                envelope = client.envelope(operation, sign=True, **values)
                if client.transport == "rest":  # what goes on the wire: the REST request
                    from boomi_soap._transports.rest import RestTransport

                    assert isinstance(client._transport, RestTransport)
                    click.echo(client._transport.describe(envelope), nl=False)
                else:
                    click.echo(redact(etree.tostring(envelope, pretty_print=True, encoding="utf-8")), nl=False)
                _note(f"call {operation}: dry run, nothing sent")
                return
            if options.output == "table":
                _print_table(operation, values, action(client, values), progress)
            else:
                with progress or contextlib.nullcontext():
                    stream_results(
                        client, action(client, values), options.output, functools.partial(click.echo, nl=False)
                    )
            if options.verbose:
                click.echo(f"call {operation}: {client.deviations.summary()}", err=True)
            elif client.deviations.total:
                _note(f"call {operation}: {client.deviations.summary()} (--strict-responses refuses them)")
    except BoomiSoapError as exc:
        raise _fail(exc) from None


def _print_table(operation: str, values: dict[str, Any], results: Iterable[Any], progress: PageProgress | None) -> None:
    """Results as a table for people: a query's rows, or the fields of the one object a get or create returns."""
    from boomi_soap.tables import plain, print_record, print_rows

    with progress or contextlib.nullcontext():
        records = [plain(result) for result in results]
    if operation == "query":
        print_rows(records, title=f"{values['objectType']}", file=sys.stdout)
        return
    for record in records:
        print_record(record, title=str(record.get("@type", "")), file=sys.stdout)


def _read_input(source: str) -> tuple[bytes, str]:
    """The bytes of a file, or of stdin for ``-``; an unreadable file is a one-line error."""
    if source == "-":
        return sys.stdin.buffer.read(), "<stdin>"
    try:
        return Path(source).read_bytes(), source
    except OSError as exc:
        raise click.ClickException(f"{source}: cannot read ({exc.strerror or exc})") from None


@main.group("call", cls=_Group)
def call() -> None:
    """Call the service through the account's cached snapshot (run boomi-soap fetch first).

    On a terminal each subcommand prints a table (ids with names beside them), and a
    query's pages as they are read on stderr (-q silences them); piped, or with
    --format json or xml, it prints JSON lines (one object a line) or XML, as they
    arrive. --dry-run prints the envelope instead, signed and with its secrets masked.
    """


@call.command("get")
@click.argument("object_type")
@click.argument("object_id")
@_call_options
def call_get(options: _CallOptions, object_type: str, object_id: str) -> None:
    """Get one object: call get TYPE ID."""
    _run_call(
        options, "get", lambda client: {"objectType": object_type, "objectId": object_id},
        lambda client, values: [client.get(object_type, object_id)],
    )  # fmt: skip


@call.command("query")
@click.argument("object_type")
@click.option(
    "--filter", "filters", multiple=True, metavar="PROPERTY OPERATOR [VALUE...]",
    help="A condition, e.g. 'name LIKE Orders%' or 'executionTime BETWEEN a b' (repeatable: all must hold).",
)  # fmt: skip
@click.option("--sort", "sorts", multiple=True, metavar="FIELD[:ASC|DESC]", help="Sort by a field (repeatable).")
@click.option("--limit", type=click.IntRange(min=1), help="Stop after N results (no further page is read).")
@_call_options
def call_query(
    options: _CallOptions, object_type: str, filters: tuple[str, ...], sorts: tuple[str, ...], limit: int | None
) -> None:
    """Query objects: call query TYPE [--filter ...] [--limit N], paging lazily."""
    import itertools

    from boomi_soap.render import parse_filters
    from boomi_soap.tables import PageProgress

    try:
        where = parse_filters(filters)
    except BoomiSoapError as exc:
        raise _fail(exc) from None
    order = {f.partition(":")[0]: (f.partition(":")[2] or "ASC").upper() for f in sorts} or None
    for sort in sorts:  # the service ignores a direction it does not know: say so before sending
        field, _, direction = sort.partition(":")
        if not field or (direction and direction.upper() not in ("ASC", "DESC")):
            raise click.BadParameter(f"{sort!r}: give FIELD, FIELD:ASC or FIELD:DESC", param_hint="'--sort'")
    progress = PageProgress(f"query {object_type}", enabled=_progress_shown(options.output))
    _run_call(
        options, "query",
        lambda client: {"objectType": object_type, "queryConfig": client.query_config(where, sort=order)},
        lambda client, values: itertools.islice(
            client.query(object_type, where, sort=order, on_page=progress.page), limit
        ),
        progress,
    )  # fmt: skip


_object_argument = click.argument("source", default="-", metavar="[FILE|-]")
_type_option = click.option("--type", "object_type", help="The object's type, when the input does not say it.")


def _load(client: Client, source: str, object_type: str | None) -> Any:
    from boomi_soap.render import load_object

    data, name = _read_input(source)
    return load_object(client, data, source=name, object_type=object_type)


def _send_object(options: _CallOptions, operation: str, source: str, object_type: str | None) -> None:
    """``create`` or ``update`` with an object read from ``source``."""
    _run_call(
        options, operation, lambda client: {"object": _load(client, source, object_type)},
        lambda client, values: [getattr(client, operation)(values["object"])],
    )  # fmt: skip


@call.command("create")
@_object_argument
@_type_option
@_call_options
def call_create(options: _CallOptions, source: str, object_type: str | None) -> None:
    """Create an object read from an XML or JSON file (or stdin), validated before sending."""
    _send_object(options, "create", source, object_type)


@call.command("update")
@_object_argument
@_type_option
@_call_options
def call_update(options: _CallOptions, source: str, object_type: str | None) -> None:
    """Replace an object with one read from an XML or JSON file (or stdin), validated before sending."""
    _send_object(options, "update", source, object_type)


@call.command("delete")
@click.argument("object_type")
@click.argument("object_id")
@_call_options
def call_delete(options: _CallOptions, object_type: str, object_id: str) -> None:
    """Delete an object: call delete TYPE ID; exit 1 if it did not exist."""

    def delete(client: Client, values: dict[str, Any]) -> list[Any]:
        if not client.delete(object_type, object_id):
            raise click.ClickException(f"delete: {object_type} {object_id} did not exist")
        return []

    _run_call(options, "delete", lambda client: {"objectType": object_type, "objectId": object_id}, delete)
    if not options.dry_run:
        _note(f"deleted {object_type} {object_id}")


@call.command("execute")
@click.argument("atom_id")
@click.option("--process-id", help="The process to run, by id.")
@click.option("--process-name", help="The process to run, by name.")
@click.option("--property", "properties", multiple=True, metavar="NAME=VALUE", help="A process property (repeatable).")
@_call_options
def call_execute(
    options: _CallOptions,
    atom_id: str,
    process_id: str | None,
    process_name: str | None,
    properties: tuple[str, ...],
) -> None:
    """Start a process on an Atom: call execute ATOM_ID --process-name NAME [--property k=v]."""
    if bool(process_id) == bool(process_name):
        raise click.UsageError("give exactly one of --process-id and --process-name")
    bad = [p for p in properties if "=" not in p]
    if bad:
        raise click.UsageError(f"--property {bad[0]!r}: want NAME=VALUE")
    bag = dict(p.split("=", 1) for p in properties)

    def arguments(client: Client) -> dict[str, Any]:
        listed = {"ProcessProperty": [{"Name": k, "Value": v} for k, v in bag.items()]} if bag else None
        return {"processId": process_id, "processName": process_name, "atomId": atom_id, "ProcessProperties": listed}

    def execute(client: Client, values: dict[str, Any]) -> list[Any]:
        client.execute_process(atom_id, process_id=process_id, process_name=process_name, properties=bag)
        return []

    _run_call(options, "executeProcess", arguments, execute)
    if not options.dry_run:
        _note(f"started {process_name or process_id} on {atom_id}")


@call.command("send")
@click.argument("source", default="-", metavar="[FILE|-]")
@_call_options
def call_send(options: _CallOptions, source: str) -> None:
    """Send a whole SOAP envelope from a file (or stdin): validated, signed, and its answer printed as XML."""
    from lxml import etree

    from boomi_soap._xml.redact import redact
    from boomi_soap._xml.safe import parse_xml

    data, name = _read_input(source)
    try:
        root = parse_xml(data, source=name)
        body = root.find("{http://schemas.xmlsoap.org/soap/envelope/}Body")
        payload = next((c for c in body if isinstance(c.tag, str)), None) if body is not None else None
        if payload is None:
            raise click.ClickException(f"{name}: not a SOAP 1.1 envelope with a request in its Body")
        with _client(options) as client:
            if options.dry_run:
                envelope = client.signed_envelope(payload)
                click.echo(redact(etree.tostring(envelope, pretty_print=True, encoding="utf-8")), nl=False)
                _note("call send: dry run, nothing sent")
                return
            answer = client.call_xml(payload)
    except BoomiSoapError as exc:
        raise _fail(exc) from None
    if options.output == "json":
        click.echo(json.dumps({"operation": etree.QName(answer).localname,
                               "answer": etree.tostring(answer, encoding="unicode")}))  # fmt: skip
    else:
        click.echo(etree.tostring(answer, pretty_print=True, encoding="unicode"), nl=False)


from boomi_soap import cli_ipack as _cli_ipack  # noqa: E402, F401 - registers the ipack group
from boomi_soap import cli_runs as _cli_runs  # noqa: E402, F401 - registers run, deploy, promote, schedules, extensions
