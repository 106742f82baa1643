"""``boomi-soap ipack ...``: integration packs in a sub-account, over the Partner API.

Thin adapters over :class:`boomi_soap.platform.ipacks.IntegrationPacks`.  ``--account`` is the
partner account, as everywhere (its Partner snapshot, credentials and rate limit are
used); ``--sub-account`` names the sub-account acted on.  Exit codes: 0 success,
1 failure, 2 usage; ``execute`` exits as ``run`` does.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from boomi_soap.cli._group import Group
from boomi_soap.cli._input import ZonedDateTime
from boomi_soap.cli._options import ClientOptions, build_client, client_options
from boomi_soap.cli._output import echo_json, fail, print_rows
from boomi_soap.cli.runs import interrupted, resolve, run_timeout_option, wait_for
from boomi_soap.exceptions import BoomiSoapError

if TYPE_CHECKING:
    from boomi_soap.platform.ipacks import IntegrationPacks

__all__ = ["ipack"]

ipack_options = client_options("text", "json", flavour="partner", sub_account=True)
# The commands that list things: a table on a terminal (names beside ids), text lines when piped.
ipack_list_options = client_options("text", "json", flavour="partner", sub_account=True, table=True)


@click.group("ipack", cls=Group)
def ipack() -> None:
    """Integration packs in a sub-account (the Connect Now operations, over the Partner API).

    Every subcommand takes --sub-account (the sub-account acted on) and --account (the
    partner account, BOOMI_ACCOUNT_ID, whose Partner snapshot and credentials are used).
    """


def packs_of(options: ClientOptions) -> IntegrationPacks:
    """The integration packs of ``--sub-account``, through the partner account's client."""
    from boomi_soap.client import SubAccountClient

    client = build_client(options)
    assert isinstance(client, SubAccountClient)  # --sub-account is required here
    return client.ipacks


def plain(value: Any) -> Any:
    """Zeep objects as plain lists and dicts (zeep's empty ``_value_1`` left out)."""
    from zeep.helpers import serialize_object

    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if not (k == "_value_1" and v in (None, [], ""))}
    if hasattr(value, "__values__") or hasattr(value, "_xsd_type"):
        return plain(serialize_object(value, dict))  # type: ignore[no-untyped-call]
    return value


def show(value: Any, output: str, title: str = "") -> None:
    """A result: JSON, a table (a list, with ``title``), or a line per object (its id, name and kind)."""
    shown = plain(value)
    if output == "json":
        echo_json(shown)
        return
    if output == "table" and isinstance(shown, list) and all(isinstance(row, dict) for row in shown):
        print_rows(shown, title=title, object_type=title.split()[-1] if title else None)
        return
    for row in shown if isinstance(shown, list) else [shown]:
        if isinstance(row, dict):
            keys = [
                k for k in ("id", "name", "installationType", "integrationPackId", "wrapperProcessId") if row.get(k)
            ]
            click.echo("  ".join(str(row[k]) for k in keys) or json.dumps(row, default=str))
        else:
            click.echo(str(row))


def run(options: ClientOptions, action: Callable[[IntegrationPacks], Any], title: str = "") -> None:
    """Build the packs, run ``action`` on them and show what it returns (``title`` heads a table)."""
    packs = packs_of(options)
    try:
        result = action(packs)
    except BoomiSoapError as exc:
        raise fail(exc) from None
    show(result, options.output, title)


@ipack.command()
@click.option("--type", "installation_type", type=click.Choice(["SINGLE", "MULTI"]), help="Only this install type.")
@ipack_list_options
def available(options: ClientOptions, installation_type: str | None) -> None:
    """Packs the sub-account may install (getAllIPacksAvailableToAccount)."""
    run(options, lambda p: p.available(installation_type), f"{options.sub_account}: IntegrationPack")


@ipack.command()
@ipack_list_options
def installed(options: ClientOptions) -> None:
    """Installed packs (getInstalledIPacks)."""
    run(options, lambda p: p.installed(), f"{options.sub_account}: IntegrationPackInstance")


@ipack.command()
@click.argument("pack")
@click.option("--environment", required=True, help="Environment id or name (`ipack environments` lists them).")
@click.option("--name", "override_name", help="Instance name (multi-install packs).")
@ipack_options
def install(options: ClientOptions, pack: str, environment: str, override_name: str | None) -> None:
    """Install PACK (id or name) and attach it to an environment, id or name (createIntegrationPackDeployment).

    The pack, the environment and the install rules are checked before anything is
    written; if the attachment fails, the new instance is uninstalled again.
    """
    packs = packs_of(options)
    for flag, find, value in (("PACK", packs.find_pack, pack), ("--environment", packs.find_environment, environment)):
        try:
            find(value)
        except BoomiSoapError as exc:
            raise click.ClickException(f"{flag} {value!r}: {exc}") from None
    if options.dry_run:
        click.echo(f"would install pack {pack} in {options.sub_account} and attach it to environment {environment}")
        return
    run(options, lambda p: packs.install(pack, environment, override_name).instance)


@ipack.command()
@click.argument("instance")
@ipack_options
def processes(options: ClientOptions, instance: str) -> None:
    """The processes of an installed pack (getInstalledIPackInstanceProcesses)."""
    run(options, lambda p: p.processes(instance))


@ipack.command()
@click.argument("process")
@click.option("--atom", help="Atom id or name (default: the one of the pack's environment).")
@run_timeout_option
@ipack_options
def execute(options: ClientOptions, process: str, atom: str | None, run_timeout: float) -> None:
    """Run a pack's PROCESS (id or name) and wait for how it ended (executeIntegrationProcess)."""
    packs = packs_of(options)
    process_id = resolve(packs.client, "Process", process, "PROCESS")
    atom_id = resolve(packs.client, "Atom", atom, "--atom") if atom else None
    if options.dry_run:
        click.echo(f"would run process {process} in {options.sub_account} on {atom or 'the pack environment Atom'}")
        return
    try:
        execution = packs.execute(process_id, atom=atom_id, wait=False)
    except BoomiSoapError as exc:
        raise fail(exc) from None
    # At once and whatever happens next: the one handle on a run that exists now.
    try:
        click.echo(f"ipack execute: submitted request {execution.request_id}", err=True)
        wait_for(execution, run_timeout, options.output, again=None)
    except KeyboardInterrupt:
        interrupted(execution, None)


@ipack.command()
@click.argument("instance")
@click.option("--set", "values", multiple=True, metavar="CONNECTION.FIELD=VALUE",
              help="Set a connection field or process property (CONTAINER.KEY=VALUE); partial update.")  # fmt: skip
@ipack_options
def extensions(options: ClientOptions, instance: str, values: tuple[str, ...]) -> None:
    """Show, or partially update, an installed pack's extensions (getExtended..., upsertEnvironmentExtensions)."""
    wanted: dict[str, dict[str, str]] = {}
    for value in values:
        target, sep, text = value.partition("=")
        owner, dot, name = target.rpartition(".")
        if not sep or not dot or not owner or not name:
            raise click.BadParameter(f"{value!r} is not CONNECTION.FIELD=VALUE", param_hint="'--set'")
        wanted.setdefault(owner, {})[name] = text
    packs = packs_of(options)
    try:
        current = packs.extensions(instance)
        if wanted and not options.dry_run:
            connections = {c.name for c in current.connections} | {c.id for c in current.connections}
            current = packs.upsert_extensions(
                instance,
                connections={k: v for k, v in wanted.items() if k in connections} or None,
                process_properties={k: v for k, v in wanted.items() if k not in connections} or None,
            )
    except BoomiSoapError as exc:
        raise fail(exc) from None
    if wanted and options.dry_run:
        click.echo("\n".join(f"would set {owner}.{key}" for owner, keys in wanted.items() for key in keys))
        return
    shown, encrypted = current.values(), current.encrypted_set()
    if options.output == "json":
        echo_json({"values": shown, "encryptedValueSet": encrypted})
        return
    for owner, fields in shown.items():
        for key, shown_value in fields.items():
            # An encrypted value is write-only: say whether one is set, never what it is.
            secret = "(encrypted, set)" if encrypted.get(f"{owner}/{key}") else "(encrypted, not set)"
            click.echo(f"{owner}.{key}={secret if shown_value is None else shown_value}")


@ipack.command("oauth2-url")
@click.argument("instance")
@click.option("--connection", required=True, help="Connection id.")
@click.option("--field", "field_id", default="accessToken", show_default=True, help="OAuth2 field id.")
@ipack_options
def oauth2_url(options: ClientOptions, instance: str, connection: str, field_id: str) -> None:
    """The URL that authorizes an OAuth2 connection field, valid 15 minutes (getOAuth2AccessTokenURL)."""
    run(options, lambda p: p.oauth2_token_url(instance, connection, field_id))


@ipack.command()
@click.argument("instance")
@ipack_options
def schedules(options: ClientOptions, instance: str) -> None:
    """Schedules of an installed pack's processes (getProcessSchedules)."""
    run(options, lambda p: p.schedules(instance))


@ipack.command()
@click.option("--since", required=True, type=ZonedDateTime(),
              help="First execution time: ISO 8601 with a zone (2026-01-02T03:04:05Z, ...+01:00), or a date"
                   " (00:00 UTC).")  # fmt: skip
@click.option("--limit", type=click.IntRange(min=1), default=1000, show_default=True, help="At most this many records.")
@ipack_options
def records(options: ClientOptions, since: datetime, limit: int) -> None:
    """Execution records from a date on (getProcessExecutionRecords)."""
    run(options, lambda p: p.execution_records(since, limit))


@ipack.command()
@click.argument("instance")
@ipack_options
def uninstall(options: ClientOptions, instance: str) -> None:
    """Remove an installed pack (deleteInstalledIPackInstance); exit 1, naming it, if there was none."""

    def remove(packs: IntegrationPacks) -> dict[str, object]:
        if options.dry_run:
            return {"id": instance, "deleted": False, "dry_run": True}
        if not packs.uninstall(instance):
            sub = options.sub_account
            raise click.ClickException(
                f"INSTANCE {instance!r}: no such installed pack in {sub}"
                f" (`boomi-soap ipack installed --sub-account {sub}` lists them)"
            )
        return {"id": instance, "deleted": True}

    run(options, remove)


@ipack.command()
@ipack_options
def profile(options: ClientOptions) -> None:
    """The sub-account (getBoomiAccountProfile)."""
    run(options, lambda p: p.account_profile())


@ipack.command()
@ipack_list_options
def environments(options: ClientOptions) -> None:
    """The sub-account's environments (getEnvironmentsForAccount)."""
    run(options, lambda p: p.environments(), f"{options.sub_account}: Environment")
