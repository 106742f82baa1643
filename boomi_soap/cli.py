"""The ``boomi-soap`` command line: thin adapters over the library.

Exit codes: 0 success, 1 failure (the library raised its root exception),
2 usage error (click's own).
"""

from __future__ import annotations

import logging
import sys

import click

from boomi_soap import __version__
from boomi_soap.exceptions import BoomiSoapError

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
    except BoomiSoapError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"AtomSphere local service on {service.base_url} (release {release})")
    for account in served:
        click.echo(f"  WSDL {service.wsdl_url(account)}")
    click.echo(f"  sign in as {login.login} (or BOOMI_TOKEN.{login.login} with an API token)")
    sys.stdout.flush()
    try:
        service.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
