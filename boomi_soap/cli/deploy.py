"""``boomi-soap deploy``, ``promote``, ``schedules`` and ``extensions``: what runs where, and how it is set up.

Every PROCESS, ATOM and ENVIRONMENT is an id or a unique name, resolved (and an id
checked) before anything is written; the output names each beside its id.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from boomi_soap.cli._input import pairs
from boomi_soap.cli._options import ClientOptions, build_client, client_options
from boomi_soap.cli._output import echo_json, fail, print_rows
from boomi_soap.cli.rollout import rollout_options
from boomi_soap.cli.runs import resolve
from boomi_soap.exceptions import BoomiSoapError

__all__ = ["deploy", "extensions", "promote", "schedules", "undeploy"]


def named(value: str, ident: str) -> str:
    """``name (id)``, or the id alone when that is what was given."""
    return ident if value == ident else f"{value} ({ident})"


def report(options: ClientOptions, fields: dict[str, Any], text: str) -> None:
    """A command's outcome: its fields as JSON with --format json, else ``text``."""
    if options.output == "json":
        echo_json(fields)
    else:
        click.echo(text)


@click.command()
@click.argument("process", required=False)
@click.option("--environment", help="Environment id or name (required, except with --resume).")
@click.option("--version", "version", help="Package version (default: the platform's next).")
@click.option("--notes", default="", help="Package and deployment notes.")
@rollout_options
@click.option("--resume", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="RECORD",
              help="Finish the rollout a rollback record left (its deploy if not done, then the restore).")  # fmt: skip
@client_options("text", "json")
def deploy(
    options: ClientOptions,
    process: str | None,
    environment: str | None,
    version: str | None,
    notes: str,
    pause_listeners: bool,
    disable_schedules: bool,
    record: Path | None,
    resume: Path | None,
) -> None:
    """Package PROCESS (id or name) and deploy the package to an environment (id or name).

    The process, the environment and the version are checked before anything is
    written; if the deployment fails, the new package is deleted again.  With
    --pause-listeners and --disable-schedules, what runs on the environment's Atoms is
    paused around the deploy and put back after, success or failure, every step in a
    rollback record (--dry-run prints the steps).
    """
    from boomi_soap.cli import rollout

    if resume is not None:
        if process or environment or pause_listeners or disable_schedules or record or version:
            raise click.UsageError("--resume takes the record alone: the rest is in it")
        rollout.resume(options, resume)
        return
    if not process or not environment:
        raise click.UsageError("deploy needs PROCESS and --environment (or --resume RECORD)")
    if pause_listeners or disable_schedules:
        rollout.carry_out(options, "deploy", process, [environment], version=version, notes=notes,
                          pause_listeners=pause_listeners, disable_schedules=disable_schedules,
                          record=record)  # fmt: skip
        return
    if record is not None:
        raise click.UsageError("--record goes with --pause-listeners or --disable-schedules")
    _deploy(options, process, environment, version, notes)


def _deploy(options: ClientOptions, process: str, environment: str, version: str | None, notes: str) -> None:
    from boomi_soap.platform.deploy import package_and_deploy

    client = build_client(options)
    process_id, environment_id = (
        resolve(client, "Process", process, "PROCESS"),
        resolve(client, "Environment", environment, "--environment"),
    )
    fields: dict[str, Any] = {"process": process, "processId": process_id, "environment": environment,
                              "environmentId": environment_id, "dry_run": options.dry_run}  # fmt: skip
    what = f"process {named(process, process_id)} to environment {named(environment, environment_id)}"
    if options.dry_run:
        report(options, fields, f"would package {what}")
        return
    try:
        packaged, deployed = package_and_deploy(client, process_id, environment_id, version=version, notes=notes)
    except BoomiSoapError as exc:
        raise fail(exc) from None
    fields |= {"packageId": packaged.packageId, "packageVersion": packaged.packageVersion,
               "deploymentId": deployed.deploymentId}  # fmt: skip
    report(options, fields, f"deployed package {packaged.packageVersion} ({packaged.packageId}) of {what}:"
                            f" deployment {deployed.deploymentId}")  # fmt: skip


@click.command()
@click.argument("process")
@click.option("--environment", required=True, help="Environment id or name.")
@client_options("text", "json")
def undeploy(options: ClientOptions, process: str, environment: str) -> None:
    """Remove the active deployment of PROCESS (id or name) from an environment (id or name).

    The process, the environment and the deployment are checked before anything is
    removed; the package stays, so it can be deployed again.
    """
    from boomi_soap.platform.deploy import deployed_package
    from boomi_soap.platform.deploy import undeploy as remove

    client = build_client(options)
    process_id, environment_id = (
        resolve(client, "Process", process, "PROCESS"),
        resolve(client, "Environment", environment, "--environment"),
    )
    what = f"process {named(process, process_id)} from environment {named(environment, environment_id)}"
    try:
        found = deployed_package(client, process_id, environment_id)
        if found is None:
            raise click.ClickException(f"{what}: nothing to undeploy, the process is not deployed there")
        fields: dict[str, Any] = {"process": process, "processId": process_id, "environment": environment,
                                  "environmentId": environment_id, "deploymentId": found.deploymentId,
                                  "packageId": found.packageId, "packageVersion": found.packageVersion,
                                  "dry_run": options.dry_run}  # fmt: skip
        removed = f"deployment {found.deploymentId} (package {found.packageVersion}, {found.packageId}) of {what}"
        if options.dry_run:
            report(options, fields, f"would undeploy {removed}")
            return
        if not remove(client, found.deploymentId):
            raise click.ClickException(f"{what}: deployment {found.deploymentId} was already gone")
    except BoomiSoapError as exc:
        raise fail(exc) from None
    report(options, fields, f"undeployed {removed}")


@click.command()
@click.argument("process")
@click.option("--from", "source", required=True, help="Environment (id or name) whose deployment is copied.")
@click.option(
    "--to", "targets", required=True, multiple=True, help="Target environment, id or name (repeat for a chain)."
)
@rollout_options
@client_options("text", "json")
def promote(
    options: ClientOptions,
    process: str,
    source: str,
    targets: tuple[str, ...],
    pause_listeners: bool,
    disable_schedules: bool,
    record: Path | None,
) -> None:
    """Deploy the package PROCESS (id or name) runs in one environment to others, in order.

    With --pause-listeners and --disable-schedules, what runs on the target environments'
    Atoms is paused around it and put back after, as for deploy.
    """
    from boomi_soap.platform.deploy import promote as promote_process

    if pause_listeners or disable_schedules:
        from boomi_soap.cli.rollout import carry_out

        carry_out(options, "promote", process, list(targets), source=source, pause_listeners=pause_listeners,
                  disable_schedules=disable_schedules, record=record)  # fmt: skip
        return
    if record is not None:
        raise click.UsageError("--record goes with --pause-listeners or --disable-schedules")

    client = build_client(options)
    names = {
        resolve(client, "Process", process, "PROCESS"): process,
        resolve(client, "Environment", source, "--from"): source,
    }
    names |= {resolve(client, "Environment", target, "--to"): target for target in targets}
    try:
        promotion = promote_process(client, process, source, targets, dry_run=options.dry_run)
    except BoomiSoapError as exc:
        raise fail(exc) from None
    steps = [{"environmentId": s.environment_id, "environment": names.get(s.environment_id, s.environment_id),
              "deploymentId": s.deployment_id, "message": s.message} for s in promotion.steps]  # fmt: skip
    text = [f"{named(names.get(s.environment_id, s.environment_id), s.environment_id)}: {s.message}"
            for s in promotion.steps]  # fmt: skip
    if not promotion.changed:
        text.append(f"nothing to do: package {promotion.package_version} is already active everywhere")
    report(options, {"process": process, "processId": promotion.process_id, "packageId": promotion.package_id,
                     "packageVersion": promotion.package_version, "changed": promotion.changed,
                     "dry_run": options.dry_run, "steps": steps}, "\n".join(text))  # fmt: skip


def schedule_lines(lines: tuple[str, ...]) -> list[Any]:
    """``--set`` values as schedules: six fields, each checked locally (a value out of range is a usage error)."""
    from boomi_soap.platform.deploy import Schedule

    ranges = {"minute": (0, 59), "hour": (0, 23), "daysOfWeek": (1, 7), "daysOfMonth": (1, 31),
              "month": (1, 12), "year": (1970, 9999)}  # fmt: skip
    wanted = []
    for line in lines:
        parts = line.split()
        if len(parts) != 6:
            raise click.BadParameter(f"{line!r} needs 6 fields: MIN HOUR DOW DOM MONTH YEAR", param_hint="'--set'")
        for (name, (low, high)), part in zip(ranges.items(), parts, strict=True):
            bad = _out_of_range(part, low, high)
            if bad is not None:
                raise click.BadParameter(f"{line!r}: {name} {bad!r} is not in {low}-{high}", param_hint="'--set'")
        wanted.append(Schedule(*parts))
    return wanted


def _out_of_range(field: str, low: int, high: int) -> str | None:
    """The first number of a cron-like field (``*``, ``*/5``, ``1-5``, ``1,3``) outside low..high, if any.

    Only numbers are judged here; any other word is the service's to accept or refuse.
    """
    for item in field.split(","):
        base = item.partition("/")[0]
        for number in base.split("-"):
            if number.isdigit() and not low <= int(number) <= high:
                return number
    return None


SWITCHES = ("status", "enable", "disable")


@click.command()
@click.argument("target", nargs=-1, required=True, metavar="[status|enable|disable] PROCESS")
@click.option("--atom", required=True, help="Atom id or name.")
@click.option("--set", "lines", multiple=True, metavar="'MIN HOUR DOW DOM MONTH YEAR'",
              help="Replace the schedules with these (repeatable); numbers are checked (minute 0-59, hour 0-23,"
                   " day of week 1-7, day of month 1-31, month 1-12).")  # fmt: skip
@click.option("--clear", is_flag=True, help="Remove every schedule.")
@client_options("text", "json", table=True)
def schedules(options: ClientOptions, target: tuple[str, ...], atom: str, lines: tuple[str, ...], clear: bool) -> None:
    """Show, set or clear the schedules of PROCESS (id or name) on an Atom (id or name).

    With ``status``, ``enable`` or ``disable`` first, show or switch whether they run
    (ProcessScheduleStatus); the schedules themselves are kept.
    """
    from boomi_soap.platform.deploy import Schedule, get_schedules, set_schedules

    if len(target) > 2 or (len(target) == 2 and target[0] not in SWITCHES):
        raise click.UsageError(f"expected [status|enable|disable] PROCESS, got {' '.join(target)!r}")
    if len(target) == 2:
        if lines or clear:
            raise click.UsageError(f"--set and --clear do not go with {target[0]}")
        schedule_status(options, target[0], target[1], atom)
        return
    process = target[0]
    if lines and clear:
        raise click.UsageError("--set and --clear exclude each other")
    wanted = schedule_lines(lines)
    client = build_client(options)
    process_id, atom_id = resolve(client, "Process", process, "PROCESS"), resolve(client, "Atom", atom, "--atom")
    try:
        current = get_schedules(client, process_id, atom_id)
        if (lines or clear) and options.dry_run:
            report(options, {"dry_run": True, "current": len(current.Schedule), "wanted": len(wanted)},
                   f"would replace {len(current.Schedule)} schedule(s) with {len(wanted)}")  # fmt: skip
            return
        if lines or clear:
            current = set_schedules(client, process_id, atom_id, wanted)
    except BoomiSoapError as exc:
        raise fail(exc) from None
    rows = [{k: getattr(s, k) for k in Schedule().as_fields()} for s in current.Schedule]
    if options.output == "table":  # a terminal's default: the names typed beside their ids, a row a schedule
        where = f"{named(process, current.processId)} on {named(atom, current.atomId)}"
        print_rows(rows, title=f"{where}: Schedule", object_type="Schedule")
        return
    report(options, {"process": process, "processId": current.processId, "atom": atom, "atomId": current.atomId,
                     "schedules": rows},
           "\n".join(" ".join(str(v) for v in row.values()) for row in rows) or "no schedules")  # fmt: skip


def _state(enabled: object) -> str:
    return "enabled" if enabled else "disabled"


def schedule_status(options: ClientOptions, action: str, process: str, atom: str) -> None:
    """``schedules status|enable|disable``: read or switch the ProcessScheduleStatus."""
    from boomi_soap.platform.deploy import get_schedule_status, set_schedule_status

    client = build_client(options)
    process_id, atom_id = resolve(client, "Process", process, "PROCESS"), resolve(client, "Atom", atom, "--atom")
    where = f"process {named(process, process_id)} on Atom {named(atom, atom_id)}"
    try:
        status = get_schedule_status(client, process_id, atom_id)
        wanted = {"enable": True, "disable": False}.get(action)
        if wanted is not None and options.dry_run:
            report(options, {"dry_run": True, "processId": process_id, "atomId": atom_id,
                             "enabled": bool(status.enabled), "wanted": wanted},
                   f"would {action} the schedules of {where} (now {_state(status.enabled)})")  # fmt: skip
            return
        if wanted is not None:
            status = set_schedule_status(client, process_id, atom_id, enabled=wanted)
    except BoomiSoapError as exc:
        raise fail(exc) from None
    state = _state(status.enabled)
    report(options, {"process": process, "processId": process_id, "atom": atom, "atomId": atom_id,
                     "id": status.id, "enabled": bool(status.enabled)},
           f"schedules of {where}: {state}")  # fmt: skip


@click.command()
@click.argument("target", nargs=-1, required=True, metavar="[set] ENVIRONMENT")
@click.option(
    "--set", "values", multiple=True, metavar="NAME=VALUE", help="Set an extension property (partial update)."
)
@click.option("--file", "file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Set any sections (connections, cross references, PGP certificates, trading partners, process"
                   " properties, properties) from a JSON file (YAML with PyYAML); a value {\"env\": \"NAME\"} or"
                   ' {"file": "PATH"} is a secret, never shown.')  # fmt: skip
@client_options("text", "json")
def extensions(options: ClientOptions, target: tuple[str, ...], values: tuple[str, ...], file: Path | None) -> None:
    """Show or update (partially) the extension properties of ENVIRONMENT (id or name).

    ``extensions set ENVIRONMENT --file F`` sets any section from a file, checked
    against the snapshot's schema first (one line naming the file and the JSON path);
    --dry-run lists what would be set, secrets as ***.
    """
    if len(target) > 2 or (len(target) == 2 and target[0] != "set"):
        raise click.UsageError(f"expected [set] ENVIRONMENT, got {' '.join(target)!r}")
    environment = target[-1]
    if file is not None:
        if values:
            raise click.UsageError("--set and --file exclude each other")
        _set_from_file(options, environment, file)
        return
    if len(target) == 2 and not values:
        raise click.UsageError("extensions set needs --file F or --set NAME=VALUE")
    _properties(options, environment, values)


def _set_from_file(options: ClientOptions, environment: str, file: Path) -> None:
    from boomi_soap.platform import extensions as ext

    client = build_client(options)
    environment_id = resolve(client, "Environment", environment, "ENVIRONMENT")
    try:
        checked = ext.load(client, file)
        if options.dry_run:
            report(options, {"dry_run": True, "environmentId": environment_id, "file": str(file),
                             "values": [{"path": p, "value": v} for p, v in checked.leaves]},
                   "\n".join(ext.plan_lines(checked)))  # fmt: skip
            return
        ext.apply(client, environment_id, checked)
    except BoomiSoapError as exc:
        raise fail(exc) from None
    sections = sorted(checked.sections)
    # The answer may hold the secrets just set: say what was sent, never what came back.
    report(options, {"environment": environment, "environmentId": environment_id, "file": str(file),
                     "sections": sections, "values": len(checked.leaves)},
           f"set {len(checked.leaves)} value(s) of {', '.join(sections)} in environment"
           f" {named(environment, environment_id)} from {file}")  # fmt: skip


def _properties(options: ClientOptions, environment: str, values: tuple[str, ...]) -> None:
    from boomi_soap._xml.redact import MASK, is_secret_name
    from boomi_soap.platform.deploy import get_extensions, update_extension_properties

    wanted = pairs(values, "--set")
    client = build_client(options)
    environment_id = resolve(client, "Environment", environment, "ENVIRONMENT")
    try:
        current = get_extensions(client, environment_id)
        if wanted and options.dry_run:
            have = {p.name: p.value for p in current.properties.property}
            # A dry run's output ends up in terminals and CI logs: a secret-named value never does.
            changes = {name: (MASK if is_secret_name(name) and name in have else have.get(name, "(unset)"),
                              MASK if is_secret_name(name) else value) for name, value in wanted.items()}  # fmt: skip
            report(options, {"dry_run": True, "changes": {k: {"from": a, "to": b} for k, (a, b) in changes.items()}},
                   "\n".join(f"would set {k}: {a} -> {b}" for k, (a, b) in changes.items()))  # fmt: skip
            return
        if wanted:
            current = update_extension_properties(client, environment_id, wanted)
    except BoomiSoapError as exc:
        raise fail(exc) from None
    found = {p.name: p.value for p in current.properties.property}
    report(options, {"environment": environment, "environmentId": current.environmentId, "properties": found},
           "\n".join(f"{k}={v}" for k, v in found.items()) or "no extension properties")  # fmt: skip
