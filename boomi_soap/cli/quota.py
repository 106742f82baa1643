"""``boomi-soap quota``: the account's calls over the rolling 24 hours, as the limiter's store counted them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from boomi_soap.cli._options import cache_option, format_option, limiter_option, source
from boomi_soap.cli._output import echo_json, fail, note
from boomi_soap.exceptions import BoomiSoapError

__all__ = ["quota"]


@click.command()
@click.option("--account", envvar="BOOMI_ACCOUNT_ID", required=True, help="Account id (or BOOMI_ACCOUNT_ID).")
@limiter_option
@cache_option
@click.option("--daily-quota", type=click.IntRange(min=1), help="The account's daily limit, to show the share used.")
@format_option("text", "json")
def quota(account: str, limiter: str | None, cache_dir: Path | None, daily_quota: int | None, output: str) -> None:
    """Show the account's calls per hour over the rolling 24 hours, as the limiter's store counted them.

    The default store is the host's (--limiter host, under --cache-dir): the one other
    processes on this machine count in.  The memory limiter counts inside one process
    only, so it has nothing to show here.
    """
    from boomi_soap.limits.limiter import backend_for, default_limits_dir
    from boomi_soap.limits.quota import QuotaBudget

    spec = limiter or "host"  # BOOMI_SOAP_LIMITER is read into --limiter already
    limits = cache_dir / "limits" if cache_dir is not None else default_limits_dir()
    try:
        backend = backend_for(spec, limits_dir=limits)
        report = QuotaBudget(backend, account, daily_quota).report()
    except BoomiSoapError as exc:
        raise fail(exc) from None
    store = f"the host store in {limits}" if backend.kind == "host" else f"{spec}"
    note(f"quota: account {account} ({source('account', 'BOOMI_ACCOUNT_ID')}); counts of {store}"
         f" ({source('limiter', 'BOOMI_SOAP_LIMITER')})")  # fmt: skip
    if backend.kind == "memory":
        note("quota: the memory limiter counts inside one process; use --limiter host or redis://")
    if output == "json":
        hours = [{"hour": datetime.fromtimestamp(h, UTC).isoformat(), "calls": n} for h, n in report.hours]
        echo_json({"account": account, "used": report.used, "limit": daily_quota, "hours": hours})
        return
    for start, calls in report.hours:
        click.echo(f"{datetime.fromtimestamp(start, UTC):%Y-%m-%d %H:00} UTC  {calls:7d}")
    share = f" of {daily_quota} ({report.used / daily_quota:.0%})" if daily_quota else ""
    click.echo(f"{account}: {report.used} calls in the last 24 hours{share}")
