"""``boomi-soap runtime``: read and operate a Runtime.

Reads (request a token, poll it until Boomi has the answer, print the results):
``disk-space`` (AtomDiskSpace), ``queues list`` (ListQueues), ``listeners list``
(ListenerStatus) and ``read TYPE`` (any asynchronous-token object).  Changes (each with
``--dry-run``): ``listeners pause|resume|restart`` (changeListenerStatus), ``queues clear``
(the ClearQueue EXECUTE), ``queues move`` (a MoveQueueRequest) and ``restart`` (a
RuntimeRestartRequest).  Downloads, polled while Boomi answers 202 or 204 and written
atomically (0600): ``worker-log`` (AtomWorkerLog) and ``connector-document``
(ConnectorDocument).  Every command works over ``--transport soap`` and ``rest``; each
``--atom`` takes an id or a name.  Exit codes: 0 done, 1 a failure or a timeout, 2 usage,
130 interrupted.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from boomi_soap.cli._options import ClientOptions, build_client, client_options
from boomi_soap.cli._output import fail, note, plain, print_rows, render_results
from boomi_soap.exceptions import BoomiSoapError

if TYPE_CHECKING:
    from boomi_soap.client import Client

__all__ = ["runtime"]

_ATOM = click.option("--atom", required=True, help="Atom, Molecule or Cloud: id or name.")
_WAIT = click.option(
    "--wait", "wait", type=click.FloatRange(min=0, min_open=True), default=300.0, show_default=True,
    help="Seconds to keep polling for the answer.",
)  # fmt: skip
_LIMIT = click.option(
    "--max-bytes", type=click.IntRange(min=1), default=16 * 1024 * 1024, show_default=True,
    help="Largest download accepted; a larger one is refused and nothing is kept.",
)  # fmt: skip
_OUT = click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path),
    help="Write it to this file (0600, atomically) instead of stdout.",
)  # fmt: skip


@click.group()
def runtime() -> None:
    """Read and operate a Runtime: disk space, queues, listeners, any ASYNC-GET object."""


def _fast() -> Any:
    from boomi_soap.platform.polling import Backoff

    return Backoff(0.2, 2.0, 5.0)


def _atom(options: ClientOptions, atom: str) -> tuple[Client, str]:
    from boomi_soap.cli.runs import resolve

    client = build_client(options)
    return client, resolve(client, "Atom", atom, "--atom")


def _read(options: ClientOptions, object_type: str, atom: str, wait: float, listener: str | None = None) -> None:
    from boomi_soap.platform.runtime import async_get

    client, atom_id = _atom(options, atom)
    if options.dry_run:
        click.echo(f"would read {object_type} of Atom {atom} ({atom_id})")
        return
    try:
        answer = async_get(
            client, object_type, atom_id, listener_id=listener, timeout=wait, backoff=_fast(),
            on_poll=lambda n: note(f"runtime: {object_type} of {atom_id}: poll {n}"),
        )  # fmt: skip
    except BoomiSoapError as exc:
        raise fail(exc) from None
    if options.output == "table":
        print_rows([plain(result) for result in answer.results], title=f"{object_type} of {atom_id}", file=sys.stdout)
        return
    click.echo(render_results(client, list(answer.results), options.output), nl=False)


def _done(options: ClientOptions, atom: str, plan: str, change: Any) -> None:
    """Say what would change (``--dry-run``), or make the change and print Boomi's answer."""
    client, atom_id = _atom(options, atom)
    if options.dry_run:
        click.echo(f"would {plan} on Atom {atom} ({atom_id})")
        return
    try:
        click.echo(change(client, atom_id))
    except BoomiSoapError as exc:
        raise fail(exc) from None


@runtime.command("disk-space")
@_ATOM
@_WAIT
@client_options("json", "xml", table=True)
def disk_space(options: ClientOptions, atom: str, wait: float) -> None:
    """The disk space an Atom (id or name) uses (AtomDiskSpace)."""
    _read(options, "AtomDiskSpace", atom, wait)


@runtime.command("read")
@click.argument("object_type", metavar="TYPE")
@_ATOM
@_WAIT
@client_options("json", "xml", table=True)
def read(options: ClientOptions, object_type: str, atom: str, wait: float) -> None:
    """Read TYPE (an asynchronous-token object: AtomSecurityPolicies, RuntimeProperties ...) of an Atom."""
    from boomi_soap.platform.runtime import ASYNC_TYPES

    if object_type not in ASYNC_TYPES:
        raise click.BadParameter(f"{object_type} is not one of {', '.join(sorted(ASYNC_TYPES))}", param_hint="TYPE")
    _read(options, object_type, atom, wait)


@runtime.command("restart")
@_ATOM
@client_options("text")
def restart(options: ClientOptions, atom: str) -> None:
    """Restart an Atom, Molecule or Cloud (RuntimeRestartRequest); Boomi's message saying it was submitted."""
    from boomi_soap.platform.runtime import restart_runtime

    _done(options, atom, "restart the Runtime", restart_runtime)


@runtime.group()
def queues() -> None:
    """An Atom's message queues: list, clear, move."""


@queues.command("list")
@_ATOM
@_WAIT
@client_options("json", "xml", table=True)
def queues_list(options: ClientOptions, atom: str, wait: float) -> None:
    """The queues of an Atom (id or name) and their messages (ListQueues)."""
    _read(options, "ListQueues", atom, wait)


@queues.command("clear")
@_ATOM
@click.option("--queue", "queue", required=True, help="The queue's name.")
@click.option("--dead-letters", is_flag=True, help="Clear the dead-letter queue instead.")
@click.option("--subscriber", help="For a topic: the subscriber whose messages to clear.")
@client_options("text")
def queues_clear(options: ClientOptions, atom: str, queue: str, dead_letters: bool, subscriber: str | None) -> None:
    """Clear a queue of an Atom (the ClearQueue EXECUTE)."""
    from boomi_soap.platform.runtime import clear_queue

    which = f"the dead letters of queue {queue}" if dead_letters else f"queue {queue}"
    _done(
        options, atom, f"clear {which}",
        lambda client, atom_id: clear_queue(client, atom_id, queue, dead_letters=dead_letters, subscriber=subscriber),
    )  # fmt: skip


@queues.command("move")
@_ATOM
@click.option("--from", "source", required=True, metavar="QUEUE", help="The queue to take the messages from.")
@click.option(
    "--to", "destination", required=True, metavar="QUEUE", help="The queue (of the same type) to put them in."
)
@click.option("--from-dead-letters", is_flag=True, help="Take the source's dead letters instead.")
@click.option("--to-dead-letters", is_flag=True, help="Put them in the destination's dead-letter queue.")
@click.option("--from-subscriber", metavar="NAME", help="For a topic: the source subscriber.")
@click.option("--to-subscriber", metavar="NAME", help="For a topic: the destination subscriber.")
@client_options("text")
def queues_move(
    options: ClientOptions, atom: str, source: str, destination: str, from_dead_letters: bool, to_dead_letters: bool,
    from_subscriber: str | None, to_subscriber: str | None,
) -> None:  # fmt: skip
    """Move every message of one queue of an Atom to another (MoveQueueRequest); read `queues list` to see it done."""
    from boomi_soap.platform.runtime import move_queue

    def change(client: Client, atom_id: str) -> str:
        return move_queue(
            client, atom_id, source, destination, source_dead_letters=from_dead_letters,
            destination_dead_letters=to_dead_letters, source_subscriber=from_subscriber,
            destination_subscriber=to_subscriber,
        )  # fmt: skip

    _done(options, atom, f"move the messages of queue {source} to queue {destination}", change)


@runtime.group()
def listeners() -> None:
    """The listeners of an Atom: list their status; pause, resume or restart them (changeListenerStatus)."""


@listeners.command("list")
@_ATOM
@click.option("--listener", metavar="ID", help="Only this listener (the listening process's component id).")
@_WAIT
@client_options("json", "xml", table=True)
def listeners_list(options: ClientOptions, atom: str, listener: str | None, wait: float) -> None:
    """The listeners of an Atom and their status: listening, paused or errored (ListenerStatus)."""
    _read(options, "ListenerStatus", atom, wait, listener)


def _change(options: ClientOptions, atom: str, action: str, listener: str | None) -> None:
    from boomi_soap.platform.runtime import change_listener_status

    which = f"listener {listener}" if listener else "every listener"

    def change(client: Client, atom_id: str) -> str:
        change_listener_status(client, atom_id, action if listener else f"{action}_all", listener)
        return f"{action}: accepted for {which} on Atom {atom_id}"

    _done(options, atom, f"{action} {which}", change)


def _listener_command(action: str) -> None:
    @listeners.command(action, help=f"{action.capitalize()} one listener (--listener ID) or every listener of an Atom.")
    @_ATOM
    @click.option("--listener", metavar="ID", help="The listener process's component id (default: every listener).")
    @client_options("text")
    def command(options: ClientOptions, atom: str, listener: str | None) -> None:
        _change(options, atom, action, listener)


for _action in ("pause", "resume", "restart"):
    _listener_command(_action)


def _download(options: ClientOptions, what: str, out: Path | None, fetch: Any) -> None:
    from boomi_soap.platform.polling import write_private

    client = build_client(options)
    if options.dry_run:
        click.echo(f"would download {what}" + (f" to {out}" if out else ""))
        return
    try:
        body = fetch(client)
        if out is None:
            click.echo(body.decode("utf-8", "replace"), nl=False)
            return
        write_private(out, body)
    except BoomiSoapError as exc:
        raise fail(exc) from None
    note(f"runtime: {len(body)} bytes written to {out}")


@runtime.command("worker-log")
@click.argument("worker_id")
@_OUT
@_LIMIT
@_WAIT
@client_options("text")
def worker_log(options: ClientOptions, worker_id: str, out: Path | None, max_bytes: int, wait: float) -> None:
    """Download the log of a Runtime worker, WORKER_ID as the Runtime Workers panel names it (AtomWorkerLog)."""
    from boomi_soap.platform.runtime import download_worker_log

    def fetch(client: Client) -> bytes:
        return download_worker_log(client, worker_id, max_bytes=max_bytes, timeout=wait, backoff=_fast())

    _download(options, f"the log of worker {worker_id}", out, fetch)


@runtime.command("connector-document")
@click.argument("record_id", metavar="GENERIC_CONNECTOR_RECORD_ID")
@_OUT
@_LIMIT
@_WAIT
@client_options("text")
def connector_document(options: ClientOptions, record_id: str, out: Path | None, max_bytes: int, wait: float) -> None:
    """Download the document a connector sent or received (ConnectorDocument of a GenericConnectorRecord)."""
    from boomi_soap.platform.runtime import download_connector_document

    def fetch(client: Client) -> bytes:
        return download_connector_document(client, record_id, max_bytes=max_bytes, timeout=wait, backoff=_fast())

    _download(options, f"the document of connector record {record_id}", out, fetch)
