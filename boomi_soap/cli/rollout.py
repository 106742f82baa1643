"""``deploy``/``promote`` with ``--pause-listeners``/``--disable-schedules``, ``deploy --resume`` and ``rollback``.

The steps are :mod:`boomi_soap.platform.rollout`'s; this module adds the options, a
progress line per step on stderr (``-q`` silences them), the rollback record's path
(always said, before the first change: it is what finishes a rollout that dies), and
the outcome on stdout.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from boomi_soap.cli._options import ClientOptions, build_client, client_options
from boomi_soap.cli._output import echo_json, fail, note
from boomi_soap.exceptions import BoomiSoapError

if TYPE_CHECKING:
    from boomi_soap.platform.rollout import Rollout

__all__ = ["carry_out", "resume", "rollback", "rollout_options"]

_F = TypeVar("_F", bound=Callable[..., Any])
RECORD_HELP = (
    "Where the rollback record is written (default: a new file under the user state folder,"
    " e.g. ~/.local/state/boomi-soap/rollouts/)."
)


def rollout_options(func: _F) -> _F:
    """``--pause-listeners``, ``--disable-schedules`` and ``--record``."""
    func = click.option("--record", type=click.Path(dir_okay=False, path_type=Path), help=RECORD_HELP)(func)
    func = click.option(
        "--disable-schedules",
        is_flag=True,
        help="Disable the process's enabled schedules on the environment's Atoms while deploying; enable them after.",
    )(func)
    return click.option(
        "--pause-listeners",
        is_flag=True,
        help="Pause the listening listeners of the environment's Atoms while deploying; resume them after.",
    )(func)


def _change_rows(rollout: Rollout) -> list[dict[str, str]]:
    return [{"kind": c.kind, "atomId": c.atom_id, "target": c.target, "state": c.state} for c in rollout.changes]


def _fields(rollout: Rollout) -> dict[str, Any]:
    fields = rollout.as_record()
    for name in ("record", "saved", "version"):
        fields.pop(name, None)
    fields["changes"] = _change_rows(rollout)
    fields["recordPath"] = None if rollout.path is None else str(rollout.path)
    return fields


def _report(options: ClientOptions, rollout: Rollout) -> None:
    if options.output == "json":
        echo_json(_fields(rollout))
        return
    lines = []
    made = rollout.deployed
    if rollout.operation == "promote":
        lines += [f"{s['environmentId']}: {s['message']}" for s in made.get("steps", [])]
    elif made:
        lines.append(
            f"deployed package {made['packageVersion']} ({made['packageId']}) of process {rollout.process_id}"
            f" to environment {rollout.environments[0]}: deployment {made['deploymentId']}"
        )
    restored = sum(c.state == "restored" for c in rollout.changes)
    lines.append(f"{restored} change(s) around it restored (record: {rollout.path})")
    click.echo("\n".join(lines))


def _progress(step: str) -> None:
    note(f"{step} ...")


def carry_out(
    options: ClientOptions,
    operation: str,
    process: str,
    environments: list[str],
    *,
    source: str | None = None,
    version: str | None = None,
    notes: str = "",
    pause_listeners: bool,
    disable_schedules: bool,
    record: Path | None,
) -> None:
    """Plan a rollout, then print the plan (``--dry-run``) or carry it out."""
    from boomi_soap.platform import rollout as r

    client = build_client(options)
    try:
        planned = r.plan(client, operation, process, environments, source=source, version=version, notes=notes,
                         pause_listeners=pause_listeners, disable_schedules=disable_schedules)  # fmt: skip
        if options.dry_run:
            steps = planned.steps()
            if options.output == "json":
                echo_json({**_fields(planned), "dry_run": True, "steps": steps})
            else:
                click.echo("\n".join(f"would {step}" for step in steps))
            return
        path = record or r.default_record_path(operation, planned.process_id)
        if path.exists():  # it may be an unfinished rollout's: never overwritten
            raise click.UsageError(
                f"rollback record {path} exists: finish it (deploy --resume) or give another --record"
            )
        click.echo(f"rollback record: {path}", err=True)  # even with -q: it finishes a rollout that dies
        done = r.run(client, planned, record=path, on_step=_progress)
    except BoomiSoapError as exc:
        raise fail(exc) from None
    _report(options, done)


def resume(options: ClientOptions, record: Path) -> None:
    """``deploy --resume RECORD``: finish what the record started (the deploy if not done, then the restore)."""
    from boomi_soap.platform import rollout as r

    try:
        r.load(record)  # a record that is not one is said before anything else (credentials, snapshot)
    except BoomiSoapError as exc:
        raise fail(exc) from None
    client = build_client(options)
    try:
        if options.dry_run:
            _plan_restore(options, r.load_for(client, record), deploy=True)
            return
        done = r.resume(client, record, on_step=_progress)
    except BoomiSoapError as exc:
        raise fail(exc) from None
    _report(options, done)


def _plan_restore(options: ClientOptions, rollout: Rollout, *, deploy: bool) -> None:
    from boomi_soap.platform.rollout import pending

    steps = [c.change_step for c in rollout.changes if c.state == "planned"] if deploy else []
    if deploy and not rollout.deployed and rollout.phase not in ("failed", "rolled-back", "done"):
        steps.append(rollout.deploy_step)
    steps += [c.restore_step for c in pending(rollout)]
    if options.output == "json":
        echo_json({**_fields(rollout), "dry_run": True, "steps": steps})
    else:
        click.echo("\n".join(f"would {step}" for step in steps) or "nothing to do: the record is finished")


@click.command()
@click.argument("record", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@client_options("text", "json")
def rollback(options: ClientOptions, record: Path) -> None:
    """Put back what the rollout of a rollback RECORD changed (listeners, schedules), without deploying.

    Only what the record says the rollout paused or disabled is resumed or enabled; the
    record must have been made against the same endpoint.
    """
    from boomi_soap.platform import rollout as r

    try:
        r.load(record)  # a record that is not one is said before anything else (credentials, snapshot)
    except BoomiSoapError as exc:
        raise fail(exc) from None
    client = build_client(options)
    try:
        if options.dry_run:
            _plan_restore(options, r.load_for(client, record), deploy=False)
            return
        done = r.rollback(client, record, on_step=_progress)
    except BoomiSoapError as exc:
        raise fail(exc) from None
    _report(options, done)
