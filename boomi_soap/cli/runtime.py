"""``boomi-soap runtime``: read a Runtime's state through Boomi's asynchronous-token operations.

``disk-space`` (AtomDiskSpace), ``queues list`` (ListQueues) and ``read TYPE`` (any
ASYNC-GET object: AtomSecurityPolicies, RuntimeProperties ...): request a token, poll it
until Boomi has the answer, print the results.  Exit codes: 0 done, 1 a failure or a
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
    """Read a Runtime's state (asynchronous-token operations): disk space, queues, any ASYNC-GET object."""


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
