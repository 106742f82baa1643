"""``boomi-soap call cancel EXECUTION_ID``: stop a run (``cancelExecution``, SOAP or REST)."""

from __future__ import annotations

import click

from boomi_soap.cli._options import ClientOptions, build_client, client_options
from boomi_soap.cli._output import echo_json, fail
from boomi_soap.exceptions import BoomiSoapError

__all__ = ["call_cancel"]


@click.command("cancel")
@click.argument("execution_id", metavar="EXECUTION_ID")
@client_options("text", "json")
def call_cancel(options: ClientOptions, execution_id: str) -> None:
    """Cancel a run by its execution id (execution-...): it ends ABORTED; exits 1 if there is no such run.

    A request id (executionrecord-...) is refused before anything is sent: cancel takes
    the execution id a run's record holds (boomi-soap run --follow shows it).
    """
    from boomi_soap.platform.runs import ExecutionId

    try:
        checked = ExecutionId(execution_id)
    except BoomiSoapError as exc:
        raise click.BadParameter(str(exc), param_hint="'EXECUTION_ID'") from None
    client = build_client(options)
    fields = {"executionId": str(checked), "dry_run": options.dry_run}
    try:
        if options.dry_run:
            client.envelope("cancelExecution", executionId=str(checked))  # checked against the snapshot, not sent
            _say(options, fields, f"would cancel execution {checked}")
            return
        client.call("cancelExecution", executionId=str(checked))
    except BoomiSoapError as exc:
        raise fail(exc) from None
    _say(options, {**fields, "cancelled": True}, f"cancelled execution {checked}")


def _say(options: ClientOptions, fields: dict[str, object], text: str) -> None:
    if options.output == "json":
        echo_json(fields)
    else:
        click.echo(text)
