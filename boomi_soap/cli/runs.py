"""``boomi-soap run``: run a process on an Atom and report how it ended, or follow an earlier run.

Exit codes: 0 COMPLETE, 3 COMPLETE_WARN, 1 ERROR, ABORTED, DISCARDED or a timeout,
2 usage, 130 interrupted.  Progress goes to stderr, and only when stderr is a terminal.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, NoReturn

import click

from boomi_soap.cli._input import pairs
from boomi_soap.cli._options import ClientOptions, build_client, client_options
from boomi_soap.cli._output import echo_json, fail, quiet, terminal
from boomi_soap.exceptions import BoomiSoapError

if TYPE_CHECKING:
    from boomi_soap.client import Client
    from boomi_soap.platform.caller import Caller
    from boomi_soap.platform.runs import Execution

__all__ = ["EXIT_CODES", "interrupted", "resolve", "run", "run_timeout_option", "show_fields", "wait_for"]

EXIT_CODES = {"COMPLETE": 0, "COMPLETE_WARN": 3, "ERROR": 1, "ABORTED": 1, "DISCARDED": 1}
FIELDS = ("request_id", "execution_id", "status", "started", "ended", "error")

run_timeout_option = click.option(
    "--run-timeout", type=click.FloatRange(min=0, min_open=True), default=300.0, show_default=True,
    help="Seconds to wait for the whole run to end (--timeout is per request).",
)  # fmt: skip


def resolve(client: Caller, kind: str, value: str, flag: str) -> str:
    """The id of ``value`` (an id or a unique name) of type ``kind``; a miss names ``flag``."""
    from boomi_soap.platform.runs import resolve_id

    try:
        return resolve_id(client, kind, value, verify=True)
    except BoomiSoapError as exc:
        raise click.ClickException(f"{flag} {value!r}: {exc}") from None


def show_fields(fields: dict[str, Any], output: str) -> None:
    """A run's fields: JSON with the same keys whatever the outcome, or the fields that have a value."""
    shown = {key: fields.get(key) for key in FIELDS} | fields
    if output == "json":
        echo_json(shown)
    else:
        click.echo("\n".join(f"{k:<13}{v}" for k, v in shown.items() if v not in (None, "")))


def execution_fields(execution: Execution) -> dict[str, Any]:
    """The fields ``run`` prints of a run."""
    return {
        "request_id": execution.request_id,
        "execution_id": execution.execution_id,
        "status": execution.status,
        "started": execution.started.isoformat() if execution.started else None,
        "ended": execution.ended.isoformat() if execution.ended else None,
        "error": execution.error,
    }


def wait_for(execution: Execution, run_timeout: float, output: str, *, again: str | None) -> None:
    """Wait for a submitted run, print how it ended and exit with its status's code.

    ``again`` is the command that follows the run again, named in every error; a
    timeout, an error or Ctrl-C still prints the request id.
    """
    from boomi_soap.platform.runs import ExecutionTimeoutError

    progress = terminal(sys.stderr) and not quiet()  # a person watching; -q asks for results only
    seen: list[str] = []
    follow = f"; follow it with: {again}" if again else ""

    def report(execution: Execution) -> None:
        if progress and (not seen or seen[-1] != execution.status):
            seen.append(execution.status)
            click.echo(f"{execution.status} {execution.execution_id or execution.request_id}", err=True)

    try:
        execution.wait(run_timeout, on_progress=report)
    except ExecutionTimeoutError as exc:
        show_fields({"request_id": exc.request_id, "execution_id": exc.execution_id, "status": exc.status}, output)
        click.echo(f"Error: {exc}{follow}", err=True)
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        interrupted(execution, again)
    except BoomiSoapError as exc:
        raise click.ClickException(f"{exc} (request {execution.request_id}{follow})") from None
    show_fields(execution_fields(execution), output)
    raise SystemExit(EXIT_CODES.get(execution.status, 1))


@click.command()
@click.argument("process", required=False)
@click.option("--atom", help="Atom id or name (required unless --follow).")
@click.option("-p", "--property", "properties", multiple=True, metavar="NAME=VALUE", help="Dynamic process property.")
@click.option("--follow", "follow", metavar="REQUEST_ID",
              help="Follow an earlier run by its request id (executionrecord-...); submit nothing.")  # fmt: skip
@click.option("--no-wait", is_flag=True, help="Print the request id and return at once.")
@run_timeout_option
@click.option("--poll", type=click.FloatRange(min=0, min_open=True), default=1.0, show_default=True,
              help="First poll interval; it doubles up to 5 s.")  # fmt: skip
@client_options("text", "json")
def run(
    options: ClientOptions,
    process: str | None,
    atom: str | None,
    properties: tuple[str, ...],
    follow: str | None,
    no_wait: bool,
    run_timeout: float,
    poll: float,
) -> None:
    """Run PROCESS (id or name) on an Atom and report how it ended, or --follow an earlier run.

    The request id is printed on stderr as soon as the run is submitted, so a run that
    fails to be followed, times out or is interrupted (Ctrl-C, exit 130) can be
    followed again with ``run --follow REQUEST_ID``; nothing is submitted twice.
    """
    from boomi_soap.platform.polling import Backoff
    from boomi_soap.platform.runs import run_process

    if follow is not None and (process is not None or atom is not None or properties or no_wait):
        raise click.UsageError("--follow REQUEST_ID takes no PROCESS, --atom, --property or --no-wait")
    if follow is None and (process is None or atom is None):
        raise click.UsageError("give PROCESS and --atom, or --follow REQUEST_ID")
    bag = pairs(properties, "--property")
    client = build_client(options)
    submitted: list[Execution] = []
    try:
        if follow is not None:
            submitted.append(attach_to(client, follow))
        else:
            assert process is not None  # checked above
            assert atom is not None
            process_id = resolve(client, "Process", process, "PROCESS")
            atom_id = resolve(client, "Atom", atom, "--atom")
            if options.dry_run:
                click.echo(f"would run process {process} ({process_id}) on Atom {atom} ({atom_id})")
                return
            submitted.append(run_process(client, process_id, atom_id, properties=bag, wait=False))
            # At once and whatever happens next: the one handle on a run that exists now.
            click.echo(f"run: submitted request {submitted[0].request_id}", err=True)
        execution = submitted[0]
        execution.poll = Backoff(poll, 2.0, 5.0)
        if no_wait:
            show_fields(execution_fields(execution), options.output)
            return
        wait_for(execution, run_timeout, options.output, again=f"boomi-soap run --follow {execution.request_id}")
    except BoomiSoapError as exc:
        raise fail(exc) from None
    except KeyboardInterrupt:
        if not submitted:
            raise  # nothing was submitted, or its answer never came: the group says "interrupted"
        interrupted(submitted[0], f"boomi-soap run --follow {submitted[0].request_id}")


def attach_to(client: Client, follow: str) -> Execution:
    """The run of an earlier request id (``--follow``); a malformed id is a usage error."""
    from boomi_soap.platform.runs import IdMixupError, RequestId, attach

    try:
        return attach(client, RequestId(follow))
    except IdMixupError as exc:
        raise click.BadParameter(str(exc), param_hint="'--follow'") from None


def interrupted(execution: Execution, again: str | None) -> NoReturn:
    """Ctrl-C once a run exists: its request id, how to follow it, and exit 130."""
    follow = f"; follow it with: {again}" if again else ""
    click.echo(f"interrupted: request {execution.request_id} may still run{follow}", err=True)
    raise click.exceptions.Exit(130) from None
