"""``boomi-soap ipack ...``: integration packs in a sub-account, over the Partner API.

Thin adapters over :class:`boomi_soap.platform.ipacks.IntegrationPacks`: ``--account SUB`` names
the sub-account acted on, ``--parent`` (``BOOMI_ACCOUNT_ID``) the partner account whose
Partner snapshot, credentials and rate limit are used.  Exit codes: 0 success, 1 failure,
2 usage; ``execute`` exits as ``run`` does.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import click

from boomi_soap.cli import _base_source, _cache_option, _fail, _Group, _note, _source, main
from boomi_soap.exceptions import BoomiSoapError

if TYPE_CHECKING:
    from boomi_soap.platform.ipacks import IntegrationPacks

__all__ = ["ZonedDateTime"]

_F = TypeVar("_F", bound=Callable[..., Any])


class ZonedDateTime(click.ParamType):  # type: ignore[type-arg]  # generic only from click 8.2 (setup.cfg: >=8.1)
    """An ISO 8601 date-time with its zone (``Z``, ``+01:00``), or a plain date meaning 00:00 UTC.

    A date-time without a zone is refused: which zone it meant would be a guess, and
    Boomi refuses naive date-times anyway.
    """

    name = "datetime"

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        """How ``--help`` shows the value."""
        return "YYYY-MM-DD|YYYY-MM-DDTHH:MM:SS(Z|+HH:MM)"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        """Parse ``value``; a usage error (exit 2) names the option and the accepted forms."""
        if isinstance(value, datetime):
            parsed = value
        else:
            text = str(value).strip()
            try:
                if len(text) == 10:
                    return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
                parsed = datetime.fromisoformat(text)
            except ValueError:
                self.fail(f"{text!r} is not an ISO 8601 date (2026-01-02) or date-time with a zone"
                          " (2026-01-02T03:04:05Z, 2026-01-02T03:04:05+01:00)", param, ctx)  # fmt: skip
        if parsed.tzinfo is None or parsed.utcoffset() is None:
            self.fail(f"{value!r} has no time zone; add Z (UTC) or an offset such as +01:00", param, ctx)
        return parsed


@main.group("ipack", cls=_Group)
def ipack() -> None:
    """Integration packs in a sub-account (the Connect Now operations, over the Partner API)."""


def _options(command: _F) -> _F:
    for option in (
        _cache_option,
        click.option("--user", envvar="BOOMI_USERNAME", help="User (secret from BOOMI_PASSWORD / BOOMI_API_TOKEN)."),
        click.option("--base-url", envvar="BOOMI_BASE_URL", help="Where to send calls."),
        click.option("--parent", envvar="BOOMI_ACCOUNT_ID", help="Partner (parent) account id (or BOOMI_ACCOUNT_ID)."),
        click.option("--account", "sub_account", required=True, metavar="SUB", help="Sub-account acted on."),
        click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True),
    ):
        command = option(command)
    return command


def _packs(options: dict[str, Any]) -> IntegrationPacks:
    from boomi_soap.client import Client
    from boomi_soap.credentials import Credentials

    credentials = Credentials.from_sources(username=options.pop("user"))
    client = Client.from_cache(
        options.pop("parent"),
        cache_dir=options.pop("cache_dir"),
        flavour="partner",
        base_url=options.pop("base_url"),
        credentials=credentials,
    )
    sub = options.pop("sub_account")
    command = f"ipack {click.get_current_context().info_name}"
    _note(
        f"{command}: endpoint {client.address} ({_base_source(False, fallback='the snapshot')});"
        f" parent account {client.snapshot.account_id} ({_source('parent', 'BOOMI_ACCOUNT_ID')});"
        f" sub-account {sub} (--account, Partner API override);"
        f" user {credentials.username} ({_source('user', 'BOOMI_USERNAME')})"
    )
    return client.for_account(sub).ipacks


def _plain(value: Any) -> Any:
    from zeep.helpers import serialize_object

    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if hasattr(value, "__values__") or hasattr(value, "_xsd_type"):
        return _plain(serialize_object(value, dict))  # type: ignore[no-untyped-call]
    return value


def _show(value: Any, output: str) -> None:
    plain = _plain(value)
    if output == "json":
        click.echo(json.dumps(plain, indent=2, default=str))
        return
    rows = plain if isinstance(plain, list) else [plain]
    for row in rows:
        if isinstance(row, dict):
            keys = [
                k for k in ("id", "name", "installationType", "integrationPackId", "wrapperProcessId") if row.get(k)
            ]
            click.echo("  ".join(str(row[k]) for k in keys) or json.dumps(row, default=str))
        else:
            click.echo(str(row))


def _run(options: dict[str, Any], action: Callable[[IntegrationPacks], Any]) -> None:
    output = options.pop("output")
    try:
        result = action(_packs(options))
    except BoomiSoapError as exc:
        raise _fail(exc) from None
    _show(result, output)


@ipack.command()
@click.option("--type", "installation_type", type=click.Choice(["SINGLE", "MULTI"]), help="Only this install type.")
@_options
def available(installation_type: str | None, **options: Any) -> None:
    """Packs the sub-account may install (getAllIPacksAvailableToAccount)."""
    _run(options, lambda p: p.available(installation_type))


@ipack.command()
@_options
def installed(**options: Any) -> None:
    """Installed packs (getInstalledIPacks)."""
    _run(options, lambda p: p.installed())


@ipack.command()
@click.argument("pack")
@click.option("--environment", required=True, help="Environment id or name (`ipack environments` lists them).")
@click.option("--name", "override_name", help="Instance name (multi-install packs).")
@_options
def install(pack: str, environment: str, override_name: str | None, **options: Any) -> None:
    """Install PACK (id or name) and attach it to an environment (createIntegrationPackDeployment).

    The pack, the environment and the install rules are checked before anything is
    written; if the attachment fails, the new instance is uninstalled again.
    """
    output = options.pop("output")
    try:
        packs = _packs(options)
        # Resolved here first so that the error names the flag (or argument) that was wrong.
        for flag, find, value in (
            ("PACK", packs.find_pack, pack),
            ("--environment", packs.find_environment, environment),
        ):
            try:
                find(value)
            except BoomiSoapError as exc:
                raise click.ClickException(f"{flag} {value!r}: {exc}") from None
        installation = packs.install(pack, environment, override_name)
    except BoomiSoapError as exc:
        raise _fail(exc) from None
    _show(installation.instance, output)


@ipack.command()
@click.argument("instance")
@_options
def processes(instance: str, **options: Any) -> None:
    """The processes of an installed pack (getInstalledIPackInstanceProcesses)."""
    _run(options, lambda p: p.processes(instance))


@ipack.command()
@click.argument("process")
@click.option("--atom", help="Atom id (default: the one of the pack's environment).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=300.0, show_default=True)
@_options
def execute(process: str, atom: str | None, timeout: float, **options: Any) -> None:
    """Run a pack's PROCESS and wait for how it ended (executeIntegrationProcess)."""
    from boomi_soap.cli_runs import EXIT_CODES

    output = options.pop("output")
    execution = None
    try:
        execution = _packs(options).execute(process, atom=atom, wait=False)
        # At once and whatever happens next: the one handle on a run that exists now.
        click.echo(f"ipack execute: submitted request {execution.request_id}", err=True)
        execution.wait(timeout)
    except KeyboardInterrupt:
        if execution is None:
            raise
        click.echo(f"interrupted: request {execution.request_id} may still run", err=True)
        raise click.exceptions.Exit(130) from None
    except BoomiSoapError as exc:
        if execution is None:
            raise _fail(exc) from None
        raise click.ClickException(f"{exc} (request {execution.request_id})") from None
    fields = {"request_id": execution.request_id, "execution_id": execution.execution_id, "status": execution.status}
    click.echo(json.dumps(fields, indent=2) if output == "json" else "\n".join(f"{k} {v}" for k, v in fields.items()))
    raise SystemExit(EXIT_CODES.get(execution.status, 1))


@ipack.command()
@click.argument("instance")
@click.option("--set", "values", multiple=True, metavar="CONNECTION.FIELD=VALUE",
              help="Set a connection field or process property (CONTAINER.KEY=VALUE); partial update.")  # fmt: skip
@_options
def extensions(instance: str, values: tuple[str, ...], **options: Any) -> None:
    """Show, or partially update, an installed pack's extensions (getExtended..., upsertEnvironmentExtensions)."""
    output = options.pop("output")
    wanted: dict[str, dict[str, str]] = {}
    for value in values:
        target, sep, text = value.partition("=")
        owner, dot, name = target.rpartition(".")
        if not sep or not dot or not owner or not name:
            raise click.UsageError(f"--set {value!r} is not CONNECTION.FIELD=VALUE")
        wanted.setdefault(owner, {})[name] = text
    try:
        packs = _packs(options)
        current = packs.extensions(instance)
        if wanted:
            connections = {c.name for c in current.connections} | {c.id for c in current.connections}
            current = packs.upsert_extensions(
                instance,
                connections={k: v for k, v in wanted.items() if k in connections} or None,
                process_properties={k: v for k, v in wanted.items() if k not in connections} or None,
            )
    except BoomiSoapError as exc:
        raise _fail(exc) from None
    if output == "json":
        shown = {"values": current.values(), "encryptedValueSet": current.encrypted_set()}
        click.echo(json.dumps(shown, indent=2))
    else:
        for owner, fields in current.values().items():
            for key, shown_value in fields.items():
                click.echo(f"{owner}.{key}={'(encrypted)' if shown_value is None else shown_value}")


@ipack.command("oauth2-url")
@click.argument("instance")
@click.option("--connection", required=True, help="Connection id.")
@click.option("--field", "field_id", default="accessToken", show_default=True, help="OAuth2 field id.")
@_options
def oauth2_url(instance: str, connection: str, field_id: str, **options: Any) -> None:
    """The URL that authorizes an OAuth2 connection field, valid 15 minutes (getOAuth2AccessTokenURL)."""
    _run(options, lambda p: p.oauth2_token_url(instance, connection, field_id))


@ipack.command()
@click.argument("instance")
@_options
def schedules(instance: str, **options: Any) -> None:
    """Schedules of an installed pack's processes (getProcessSchedules)."""
    _run(options, lambda p: p.schedules(instance))


@ipack.command()
@click.option("--since", required=True, type=ZonedDateTime(),
              help="First execution time: ISO 8601 with a zone (2026-01-02T03:04:05Z, ...+01:00), or a date"
                   " (00:00 UTC).")  # fmt: skip
@click.option("--limit", type=click.IntRange(min=1), default=1000, show_default=True)
@_options
def records(since: datetime, limit: int, **options: Any) -> None:
    """Execution records from a date on (getProcessExecutionRecords)."""
    _run(options, lambda p: p.execution_records(since, limit))


@ipack.command()
@click.argument("instance")
@_options
def uninstall(instance: str, **options: Any) -> None:
    """Remove an installed pack (deleteInstalledIPackInstance); exit 1 if there was none."""

    def remove(packs: IntegrationPacks) -> dict[str, object]:
        if not packs.uninstall(instance):
            sub = packs.client.sub_account
            raise click.ClickException(
                f"INSTANCE {instance!r}: no such installed pack in {sub}"
                f" (`boomi-soap ipack installed --account {sub}` lists them)"
            )
        return {"id": instance, "deleted": True}

    _run(options, remove)


@ipack.command()
@_options
def profile(**options: Any) -> None:
    """The sub-account (getBoomiAccountProfile)."""
    _run(options, lambda p: p.account_profile())


@ipack.command()
@_options
def environments(**options: Any) -> None:
    """The sub-account's environments (getEnvironmentsForAccount)."""
    _run(options, lambda p: p.environments())
