"""``boomi-soap quickstart``: the guided tour (:mod:`boomi_soap.cli.tour`)."""

from __future__ import annotations

import click

from boomi_soap.cli._options import base_source, eu_option, resolve_base_url, source
from boomi_soap.cli._output import fail, note
from boomi_soap.exceptions import BoomiSoapError

__all__ = ["quickstart"]


@click.command()
@click.option("--account", help="A real account: run the read-only part against it (reads one query page).")
@click.option("--base-url", envvar="BOOMI_BASE_URL", help="Platform host for --account (or BOOMI_BASE_URL).")
@eu_option
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
    from boomi_soap.cli.tour import run_quickstart
    from boomi_soap.credentials import Credentials

    try:
        credentials = None
        host = None
        if account:
            host = resolve_base_url(base_url, eu)
            credentials = Credentials.from_sources(username=user)
            note(f"quickstart: account {account} (--account); base URL {host or 'https://api.boomi.com'}"
                  f" ({base_source(eu, fallback='default')}); user {credentials.username}"
                  f" ({source('user', 'BOOMI_USERNAME')})")  # fmt: skip
        status = run_quickstart(click.echo, account_id=account, credentials=credentials, base_url=host)
    except BoomiSoapError as exc:
        raise fail(exc) from None
    raise SystemExit(status)
