"""``boomi-soap run``, ``deploy``, ``promote``, ``schedules`` and ``extensions``.

Exit codes of ``run``: 0 COMPLETE, 3 COMPLETE_WARN, 1 ERROR, ABORTED, DISCARDED or a
timeout, 2 usage.  The others: 0 success, 1 failure, 2 usage.  Progress goes to stderr,
and only when stderr is a terminal.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from boomi_soap.cli import _account_option, _cache_option, _fail, _flavour_option, _note, _transport_option, main
from boomi_soap.exceptions import BoomiSoapError

if TYPE_CHECKING:
    from boomi_soap.client import Client
    from boomi_soap.platform.runs import Execution

__all__ = ["EXIT_CODES"]

EXIT_CODES = {"COMPLETE": 0, "COMPLETE_WARN": 3, "ERROR": 1, "ABORTED": 1, "DISCARDED": 1}
_F = TypeVar("_F", bound=Callable[..., Any])


def _client_options(command: _F) -> _F:
    for option in (
        _transport_option,
        _cache_option,
        click.option("--user", envvar="BOOMI_USERNAME", help="User (secret from BOOMI_PASSWORD / BOOMI_API_TOKEN)."),
        click.option("--base-url", envvar="BOOMI_BASE_URL", help="Where to send calls."),
        _flavour_option,
        _account_option,
    ):
        command = option(command)
    return command


def _client(options: dict[str, Any]) -> Client:
    from boomi_soap.client import Client
    from boomi_soap.credentials import Credentials

    credentials = Credentials.from_sources(username=options.pop("user"))
    client = Client.from_cache(
        options.pop("account"),
        cache_dir=options.pop("cache_dir"),
        flavour=options.pop("flavour"),
        base_url=options.pop("base_url"),
        credentials=credentials,
        transport=options.pop("transport"),
    )
    _note(
        f"{click.get_current_context().info_name}: endpoint {client.endpoint_url};"
        f" account {client.snapshot.account_id}; user {credentials.username}"
    )
    return client


def _pairs(values: tuple[str, ...], what: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not name:
            raise click.UsageError(f"{what} {value!r} is not NAME=VALUE")
        pairs[name] = text
    return pairs


def _execution_fields(execution: Execution) -> dict[str, Any]:
    return {
        "request_id": execution.request_id,
        "execution_id": execution.execution_id,
        "status": execution.status,
        "started": execution.started.isoformat() if execution.started else None,
        "ended": execution.ended.isoformat() if execution.ended else None,
        "error": execution.error,
    }


def _show(fields: dict[str, Any], output: str) -> None:
    if output == "json":
        click.echo(json.dumps(fields, indent=2))
    else:
        click.echo("\n".join(f"{k:<13}{'' if v is None else v}" for k, v in fields.items()))


@main.command()
@click.argument("process", required=False)
@click.option("--atom", help="Atom id or name (required unless --follow).")
@click.option("-p", "--property", "properties", multiple=True, metavar="NAME=VALUE", help="Dynamic process property.")
@click.option("--follow", "follow", metavar="REQUEST_ID",
              help="Follow an earlier run by its request id (executionrecord-...); submit nothing.")  # fmt: skip
@click.option("--no-wait", is_flag=True, help="Print the request id and return at once.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=300.0, show_default=True,
              help="Seconds to wait for the run to end.")  # fmt: skip
@click.option("--poll", type=click.FloatRange(min=0, min_open=True), default=1.0, show_default=True,
              help="First poll interval; it doubles up to 5 s.")  # fmt: skip
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_client_options
def run(
    process: str | None,
    atom: str | None,
    properties: tuple[str, ...],
    follow: str | None,
    no_wait: bool,
    timeout: float,
    poll: float,
    output: str,
    **options: Any,
) -> None:
    """Run PROCESS (id or name) on an Atom and report how it ended, or --follow an earlier run.

    The request id is printed on stderr as soon as the run is submitted, so a run that
    fails to be followed, times out or is interrupted (Ctrl-C, exit 130) can be
    followed again with ``run --follow REQUEST_ID``; nothing is submitted twice.
    """
    from boomi_soap.platform.polling import Backoff
    from boomi_soap.platform.runs import ExecutionTimeoutError, IdMixupError, RequestId, attach, run_process

    if follow is not None:
        if process is not None or atom is not None or properties or no_wait:
            raise click.UsageError("--follow REQUEST_ID takes no PROCESS, --atom, --property or --no-wait")
        try:
            request_id = RequestId(follow)
        except IdMixupError as exc:
            raise click.BadParameter(str(exc), param_hint="'--follow'") from None
    elif process is None or atom is None:
        raise click.UsageError("give PROCESS and --atom, or --follow REQUEST_ID")
    bag = _pairs(properties, "property")
    progress = sys.stderr.isatty()
    seen: list[str] = []
    execution: Execution | None = None

    def report(execution: Execution) -> None:
        if progress and (not seen or seen[-1] != execution.status):
            seen.append(execution.status)
            click.echo(f"{execution.status} {execution.execution_id or execution.request_id}", err=True)

    def again(execution: Execution) -> str:
        return f"boomi-soap run --follow {execution.request_id}"

    try:
        client = _client(options)
        backoff = Backoff(poll, 2.0, 5.0)
        if follow is not None:
            execution = attach(client, request_id)
            execution.poll = backoff
        elif process is not None and atom is not None:  # (checked above: one or the other)
            execution = run_process(client, process, atom, properties=bag, wait=False, poll=backoff)
            # At once and whatever happens next: the one handle on a run that exists now.
            click.echo(f"run: submitted request {execution.request_id}", err=True)
        if not no_wait and execution is not None:
            execution.wait(timeout, on_progress=report)
    except ExecutionTimeoutError as exc:
        _show({"request_id": exc.request_id, "execution_id": exc.execution_id, "status": exc.status}, output)
        click.echo(f"Error: {exc}; follow it with: boomi-soap run --follow {exc.request_id}", err=True)
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        if execution is None:
            raise  # nothing was submitted, or its answer never came: the group says "interrupted"
        click.echo(
            f"interrupted: request {execution.request_id} may still run; follow it with: {again(execution)}", err=True
        )
        raise click.exceptions.Exit(130) from None
    except BoomiSoapError as exc:
        if execution is None:
            raise _fail(exc) from None
        raise click.ClickException(
            f"{exc} (request {execution.request_id}; follow it with: {again(execution)})"
        ) from None
    if execution is None:  # unreachable: PROCESS and --atom, or --follow, were checked above
        raise click.UsageError("give PROCESS and --atom, or --follow REQUEST_ID")
    _show(_execution_fields(execution), output)
    if not no_wait:
        raise SystemExit(EXIT_CODES.get(execution.status, 1))


@main.command()
@click.argument("process")
@click.option("--environment", required=True, help="Environment id or name.")
@click.option("--version", "version", help="Package version (default: the platform's next).")
@click.option("--notes", default="", help="Package and deployment notes.")
@click.option("--dry-run", is_flag=True, help="Say what would be done; change nothing.")
@_client_options
def deploy(process: str, environment: str, version: str | None, notes: str, dry_run: bool, **options: Any) -> None:
    """Package PROCESS (id or name) and deploy the package to an environment.

    The process, the environment and the version are checked before anything is
    written; if the deployment fails, the new package is deleted again.
    """
    from boomi_soap.platform.deploy import package_and_deploy
    from boomi_soap.platform.runs import resolve_id

    try:
        client = _client(options)
        # Resolved here first so that the error names the argument or flag that was wrong.
        ids = []
        for flag, kind, value in (("PROCESS", "Process", process), ("--environment", "Environment", environment)):
            try:
                ids.append(resolve_id(client, kind, value, verify=True))
            except BoomiSoapError as exc:
                raise click.ClickException(f"{flag} {value!r}: {exc}") from None
        process_id, environment_id = ids
        if dry_run:
            click.echo(f"would package process {process_id} and deploy it to environment {environment_id}")
            return
        packaged, deployed = package_and_deploy(client, process_id, environment_id, version=version, notes=notes)
    except BoomiSoapError as exc:
        raise _fail(exc) from None
    click.echo(
        f"deployed package {packaged.packageVersion} ({packaged.packageId}) of process {process_id}"
        f" to environment {environment_id}: deployment {deployed.deploymentId}"
    )


@main.command()
@click.argument("process")
@click.option("--from", "source", required=True, help="Environment whose deployment is copied.")
@click.option("--to", "targets", required=True, multiple=True, help="Target environment (repeat for a chain).")
@click.option("--dry-run", is_flag=True, help="Say what would be done; change nothing.")
@_client_options
def promote(process: str, source: str, targets: tuple[str, ...], dry_run: bool, **options: Any) -> None:
    """Deploy the package PROCESS runs in one environment to others, in order."""
    from boomi_soap.platform.deploy import promote as promote_process
    from boomi_soap.platform.runs import resolve_id

    try:
        client = _client(options)
        # Resolved here first so that the error names the argument or flag that was wrong.
        named = [("PROCESS", "Process", process), ("--from", "Environment", source)]
        for flag, kind, value in [*named, *(("--to", "Environment", t) for t in targets)]:
            try:
                resolve_id(client, kind, value, verify=True)
            except BoomiSoapError as exc:
                raise click.ClickException(f"{flag} {value!r}: {exc}") from None
        promotion = promote_process(client, process, source, targets, dry_run=dry_run)
    except BoomiSoapError as exc:
        raise _fail(exc) from None
    for step in promotion.steps:
        click.echo(f"{step.environment_id}: {step.message}")
    if not promotion.changed:
        click.echo(f"nothing to do: package {promotion.package_version} is already active everywhere")


@main.command()
@click.argument("process")
@click.option("--atom", required=True, help="Atom id or name.")
@click.option("--set", "lines", multiple=True, metavar="'MIN HOUR DOW DOM MONTH YEAR'",
              help="Replace the schedules with these (repeatable).")  # fmt: skip
@click.option("--clear", is_flag=True, help="Remove every schedule.")
@click.option("--dry-run", is_flag=True, help="Say what would be done; change nothing.")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_client_options
def schedules(
    process: str, atom: str, lines: tuple[str, ...], clear: bool, dry_run: bool, output: str, **options: Any
) -> None:
    """Show, set or clear the schedules of PROCESS on an Atom."""
    from boomi_soap.platform.deploy import Schedule, get_schedules, set_schedules

    if lines and clear:
        raise click.UsageError("--set and --clear exclude each other")
    wanted = []
    for line in lines:
        parts = line.split()
        if len(parts) != 6:
            raise click.UsageError(f"schedule {line!r} needs 6 fields: MIN HOUR DOW DOM MONTH YEAR")
        wanted.append(Schedule(*parts))
    try:
        client = _client(options)
        current = get_schedules(client, process, atom)
        if (lines or clear) and dry_run:
            click.echo(f"would replace {len(current.Schedule)} schedule(s) with {len(wanted)}")
            return
        if lines or clear:
            current = set_schedules(client, process, atom, wanted)
    except BoomiSoapError as exc:
        raise _fail(exc) from None
    rows = [{k: getattr(s, k) for k in Schedule().as_fields()} for s in current.Schedule]
    if output == "json":
        click.echo(json.dumps({"processId": current.processId, "atomId": current.atomId, "schedules": rows}, indent=2))
    else:
        click.echo("\n".join(" ".join(str(v) for v in row.values()) for row in rows) or "no schedules")


@main.command()
@click.argument("environment")
@click.option(
    "--set", "values", multiple=True, metavar="NAME=VALUE", help="Set an extension property (partial update)."
)
@click.option("--dry-run", is_flag=True, help="Say what would be done; change nothing.")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_client_options
def extensions(environment: str, values: tuple[str, ...], dry_run: bool, output: str, **options: Any) -> None:
    """Show or update (partially) the extension properties of ENVIRONMENT."""
    from boomi_soap.platform.deploy import get_extensions, update_extension_properties

    wanted = _pairs(values, "extension")
    try:
        client = _client(options)
        current = get_extensions(client, environment)
        if wanted and dry_run:
            from boomi_soap._xml.redact import MASK, is_secret_name

            have = {p.name: p.value for p in current.properties.property}
            for name, value in wanted.items():
                # A dry run's output ends up in terminals and CI logs: a secret-named value never does.
                secret = is_secret_name(name)
                old = MASK if secret and name in have else have.get(name, "(unset)")
                click.echo(f"would set {name}: {old} -> {MASK if secret else value}")
            return
        if wanted:
            current = update_extension_properties(client, environment, wanted)
    except BoomiSoapError as exc:
        raise _fail(exc) from None
    found = {p.name: p.value for p in current.properties.property}
    if output == "json":
        click.echo(json.dumps({"environmentId": current.environmentId, "properties": found}, indent=2))
    else:
        click.echo("\n".join(f"{k}={v}" for k, v in found.items()) or "no extension properties")
