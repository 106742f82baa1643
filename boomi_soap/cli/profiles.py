"""``boomi-soap profiles list|show NAME``: the named sign-ins of profiles.toml, never a secret.

A profile names where its secret is kept (the environment, a file, the OS keyring);
these commands say where, and never read or print the secret itself.
"""

from __future__ import annotations

from typing import Any

import click

from boomi_soap.cli._group import Group
from boomi_soap.cli._options import format_option
from boomi_soap.cli._output import echo_json, fail, note, output_format, print_record, print_rows
from boomi_soap.exceptions import BoomiSoapError

__all__ = ["profiles"]


def _row(profile: Any) -> dict[str, Any]:
    """What a profile says, with where its secret is kept (its provider's ``where``, not the secret)."""
    return {
        "name": profile.name,
        "account": profile.account,
        "user": profile.user,
        "base_url": profile.base_url,
        "auth": profile.auth,
        "secret": profile.provider().where,
    }


@click.group(cls=Group)
def profiles() -> None:
    r"""List or show the named sign-ins of profiles.toml (account, user, base URL, where the secret is kept).

    \b
    The file is profiles.toml in the user config directory, or the one
    BOOMI_SOAP_PROFILES names.
    Each profile is a table: account, user, base_url, auth ("token" or "password")
    and secret, which says where the secret is kept, never the secret itself:
    "environment" (BOOMI_PASSWORD / BOOMI_API_TOKEN), "keyring" (entry boomi-soap/NAME),
    "keyring:ENTRY", or "file:PATH" (mode 0600, outside any git work tree).
    Use one with --profile NAME (or BOOMI_PROFILE); a flag, then its environment
    variable, wins over the profile.
    """


@profiles.command("list")
@format_option("text", "json", table=True)
def profiles_list(output: str | None) -> None:
    """List the profiles: account, user, base URL and where each keeps its secret."""
    from boomi_soap.profiles import load_profiles, profiles_path

    path = profiles_path()
    try:
        rows = [_row(p) for p in load_profiles(path).values()]
    except BoomiSoapError as exc:
        raise fail(exc) from None
    note(f"profiles: {path}" + ("" if path.exists() else " (not there yet)"))
    output = output_format(output, "text")
    if output == "json":
        echo_json(rows)
    elif output == "table":
        print_rows(rows, title="profiles", object_type="profile")
    else:
        for row in rows:
            click.echo(f"{row['name']}  {row['account'] or '-'}  {row['user'] or '-'}  secret: {row['secret']}")


@profiles.command("show")
@click.argument("name")
@format_option("text", "json", table=True)
def profiles_show(name: str, output: str | None) -> None:
    """Show profile NAME: its settings and where it keeps its secret (never the secret)."""
    from boomi_soap.profiles import load_profile

    try:
        profile = load_profile(name)
        row = _row(profile)
    except BoomiSoapError as exc:
        raise fail(exc) from None
    note(f"profiles: {profile.path}")
    output = output_format(output, "text")
    if output == "json":
        echo_json(row)
    elif output == "table":
        print_record(row, title=f"profile {name}")
    else:
        for key, value in row.items():
            click.echo(f"{key}: {value if value is not None else '-'}")
