"""``boomi-soap runtime``: read and operate a Runtime.

``disk-space`` (AtomDiskSpace), ``queues list`` (ListQueues) and ``read TYPE`` (any
ASYNC-GET object: AtomSecurityPolicies, RuntimeProperties ...): request a token, poll it
until Boomi has the answer, print the results.  ``listeners pause|resume|restart``
(changeListenerStatus) and ``queues clear`` (the ClearQueue EXECUTE) go over SOAP.  Exit codes: 0 done, 1 a failure or a
timeout, 2 usage, 130 interrupted.
"""

from __future__ import annotations

import click

from boomi_soap.cli._options import ClientOptions, build_client, client_options
from boomi_soap.cli._output import fail, note, render_results
from boomi_soap.exceptions import BoomiSoapError

__all__ = ["runtime"]

_ATOM = click.option("--atom", required=True, help="Atom, Molecule or Cloud: id or name.")
_WAIT = click.option(
    "--wait", "wait", type=click.FloatRange(min=0, min_open=True), default=300.0, show_default=True,
    help="Seconds to keep polling for the answer.",
)  # fmt: skip


@click.group()
def runtime() -> None:
    """Read and operate a Runtime: disk space, queues, listeners, any ASYNC-GET object."""


def _read(options: ClientOptions, object_type: str, atom: str, wait: float) -> None:
    from boomi_soap.cli.runs import resolve
    from boomi_soap.platform.polling import Backoff
    from boomi_soap.platform.runtime import async_get

    client = build_client(options)
    atom_id = resolve(client, "Atom", atom, "--atom")
    if options.dry_run:
        click.echo(f"would read {object_type} of Atom {atom} ({atom_id})")
        return
    try:
        answer = async_get(
            client, object_type, atom_id, timeout=wait, backoff=Backoff(0.2, 2.0, 5.0),
            on_poll=lambda n: note(f"runtime: {object_type} of {atom_id}: poll {n}"),
        )  # fmt: skip
    except BoomiSoapError as exc:
        raise fail(exc) from None
    click.echo(render_results(client, list(answer.results), options.output), nl=False)


@runtime.command("disk-space")
@_ATOM
@_WAIT
@client_options("json", "xml")
def disk_space(options: ClientOptions, atom: str, wait: float) -> None:
    """The disk space an Atom (id or name) uses (AtomDiskSpace)."""
    _read(options, "AtomDiskSpace", atom, wait)


@runtime.group()
def queues() -> None:
    """An Atom's message queues."""


@queues.command("list")
@_ATOM
@_WAIT
@client_options("json", "xml")
def queues_list(options: ClientOptions, atom: str, wait: float) -> None:
    """The queues of an Atom (id or name) and their messages (ListQueues)."""
    _read(options, "ListQueues", atom, wait)


@runtime.command("read")
@click.argument("object_type", metavar="TYPE")
@_ATOM
@_WAIT
@client_options("json", "xml")
def read(options: ClientOptions, object_type: str, atom: str, wait: float) -> None:
    """Read TYPE (an ASYNC-GET object: AtomSecurityPolicies, RuntimeProperties ...) of an Atom."""
    from boomi_soap.platform.runtime import ASYNC_GET_TYPES

    if object_type not in ASYNC_GET_TYPES:
        raise click.BadParameter(f"{object_type} is not one of {', '.join(sorted(ASYNC_GET_TYPES))}", param_hint="TYPE")
    _read(options, object_type, atom, wait)


@runtime.group()
def listeners() -> None:
    """Pause, resume or restart the listeners of an Atom (changeListenerStatus; SOAP)."""


def _change(options: ClientOptions, atom: str, action: str, listener: str | None) -> None:
    from boomi_soap.cli.runs import resolve
    from boomi_soap.platform.runtime import change_listener_status

    client = build_client(options)
    atom_id = resolve(client, "Atom", atom, "--atom")
    which = f"listener {listener}" if listener else "every listener"
    if options.dry_run:
        click.echo(f"would {action} {which} on Atom {atom} ({atom_id})")
        return
    try:
        change_listener_status(client, atom_id, action if listener else f"{action}_all", listener)
    except BoomiSoapError as exc:
        raise fail(exc) from None
    click.echo(f"{action}: accepted for {which} on Atom {atom_id}")


def _listener_command(action: str) -> None:
    @listeners.command(action, help=f"{action.capitalize()} one listener (--listener ID) or every listener of an Atom.")
    @_ATOM
    @click.option("--listener", metavar="ID", help="The listener process's component id (default: every listener).")
    @client_options("text")
    def command(options: ClientOptions, atom: str, listener: str | None) -> None:
        _change(options, atom, action, listener)


for _action in ("pause", "resume", "restart"):
    _listener_command(_action)


@queues.command("clear")
@_ATOM
@click.option("--queue", "queue", required=True, help="The queue's name.")
@click.option("--dead-letters", is_flag=True, help="Clear the dead-letter queue instead.")
@click.option("--subscriber", help="For a topic: the subscriber whose messages to clear.")
@client_options("text")
def queues_clear(options: ClientOptions, atom: str, queue: str, dead_letters: bool, subscriber: str | None) -> None:
    """Clear a queue of an Atom (the ClearQueue EXECUTE; SOAP)."""
    from boomi_soap.cli.runs import resolve
    from boomi_soap.platform.runtime import clear_queue

    client = build_client(options)
    atom_id = resolve(client, "Atom", atom, "--atom")
    if options.dry_run:
        click.echo(f"would clear queue {queue} on Atom {atom} ({atom_id})")
        return
    try:
        click.echo(clear_queue(client, atom_id, queue, dead_letters=dead_letters, subscriber=subscriber))
    except BoomiSoapError as exc:
        raise fail(exc) from None
