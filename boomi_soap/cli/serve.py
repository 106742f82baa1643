"""``boomi-soap serve``: the local AtomSphere service (the test double), until interrupted."""

from __future__ import annotations

import signal
import sys

import click

from boomi_soap.cli._options import source
from boomi_soap.exceptions import BoomiSoapError, ServiceConfigError

__all__ = ["serve"]


@click.command()
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
@click.option(
    "--answers",
    type=click.Choice(["complete", "documented"]),
    default="complete",
    show_default=True,
    help="Whole records, or cut to the fields Boomi's own example answers show (as sparse as Boomi).",
)
@click.option(
    "--snapshot",
    type=click.Path(exists=True, file_okay=False, dir_okay=True),
    default=None,
    help="Serve the contract of a fetched snapshot directory (e.g. your account's) instead of the bundled one.",
)
@click.option(
    "--seed",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Seed file: objects in Boomi's JSON form added to the demo data, checked against the schema at start.",
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
    answers: str,
    snapshot: str | None,
    seed: str | None,
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
            answers=answers,
            snapshot=snapshot,
            seed=seed,
        )
    except ServiceConfigError as exc:
        # A flag's value is wrong (an account id, a port, ...): a usage error.
        raise click.UsageError(str(exc)) from None
    try:
        # The seed file and the snapshot are read here: their content being wrong is a
        # failed start (exit 1) with the same one line, not a misuse of the flags.
        service = LocalService(config)
        service.bind()
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
        how = "--user" if user and source("user", "") == "--user" else "BOOMI_SERVE_USER" if user else "default"
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
