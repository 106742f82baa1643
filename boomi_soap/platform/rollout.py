"""Deploys with what surrounds them: pause listeners, disable schedules, deploy, restore.

The OfficialBoomi CI/CD scripts pause an environment's listeners around a deploy; a
scheduled run that starts half-way through is the other surprise.  A rollout does it in
four parts, each step written to a *rollback record* before and after it is done:

1. plan (:func:`plan`): resolve the process and the environments, find the Atoms attached
   to them, read which of their listeners are ``listening`` and whether the process's
   schedules on each are enabled.  Nothing is written; ``--dry-run`` prints this.
2. change: pause each listening listener, disable each enabled schedule (one at a time).
3. deploy: :func:`~boomi_soap.platform.deploy.package_and_deploy` or
   :func:`~boomi_soap.platform.deploy.promote`.
4. restore: resume exactly the listeners paused in 2, enable exactly the schedules
   disabled in 2, newest first; nothing that was already paused or disabled is touched.

If a step fails, what was changed is restored and :class:`RolloutError` names the step
and the record.  A process that dies half-way leaves the record: :func:`resume` finishes
it (the deploy if it was not done, then the restore) and :func:`rollback` restores only.
The record holds ids and states, never a credential: a small JSON file written
atomically, readable by its owner only (0600).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from boomi_soap.exceptions import BoomiSoapError, ConfigurationError, NotFoundError, RolloutError
from boomi_soap.platform.deploy import get_schedule_status, package_and_deploy, promote, set_schedule_status
from boomi_soap.platform.polling import write_private
from boomi_soap.platform.runs import resolve_id
from boomi_soap.platform.runtime import async_get, change_listener_status
from boomi_soap.query import F

if TYPE_CHECKING:
    from boomi_soap.platform.caller import Caller

__all__ = [
    "RECORD_VERSION",
    "Change",
    "ListenerReader",
    "Rollout",
    "RolloutError",
    "default_record_path",
    "load",
    "load_for",
    "pending",
    "plan",
    "read_listeners",
    "resume",
    "rollback",
    "run",
]

_log = logging.getLogger(__name__)
RECORD_VERSION: Final = 1
LISTENING: Final = "listening"
#: Reads the listeners of an Atom: listener id -> status (``listening``, ``paused`` ...).
ListenerReader = Callable[["Caller", str], Mapping[str, str]]
StepHook = Callable[[str], None]

# A change's life: planned -> changing -> changed -> restoring -> restored.  "changing" and
# "restoring" are written before the call: after a crash the call may or may not have
# taken effect, and the restore (resume a listener, enable a schedule) is harmless either way.
_TO_RESTORE: Final = ("changing", "changed", "restoring")


@dataclass
class Change:
    """One thing a rollout changes around the deploy, and puts back after.

    Attributes:
        kind: ``listener`` (paused, then resumed) or ``schedule`` (disabled, then enabled).
        atom_id: The Atom it is on.
        target: The listener's id, or the process's id (its schedules).
        state: ``planned``, ``changing``, ``changed``, ``restoring`` or ``restored``.
    """

    kind: str
    atom_id: str
    target: str
    state: str = "planned"

    @property
    def what(self) -> str:
        """The changed thing, for people."""
        if self.kind == "listener":
            return f"listener {self.target} on Atom {self.atom_id}"
        return f"schedules of process {self.target} on Atom {self.atom_id}"

    @property
    def change_step(self) -> str:
        """The step that changes it."""
        return f"{'pause' if self.kind == 'listener' else 'disable'} {self.what}"

    @property
    def restore_step(self) -> str:
        """The step that puts it back."""
        return f"{'resume' if self.kind == 'listener' else 'enable'} {self.what}"


@dataclass
class Rollout:
    """A planned or running rollout; saved as the rollback record after every step.

    Attributes:
        operation: ``deploy`` (package and deploy) or ``promote``.
        process_id: The process.
        environments: The target environment ids.
        source: The environment a promotion copies from (``None`` for a deploy).
        package_version: The package version asked for (deploy), else ``None``.
        notes: Package and deployment notes.
        atoms: The Atoms attached to the target environments.
        changes: What is changed around the deploy, in the order it is changed.
        phase: ``planned``, ``changing``, ``deploying``, ``deployed``, ``failed``,
            ``restoring``, ``done`` (deployed and restored) or ``rolled-back``.
        deployed: What the deploy made (package and deployment ids).
        error: The failure, if one stopped it.
        address: The endpoint the rollout talks to (and the sub-account, through the Partner
            API): a record is finished against that one only.
        path: Where the record is written (not part of the record).
    """

    operation: str
    process_id: str
    environments: list[str]
    source: str | None = None
    package_version: str | None = None
    notes: str = ""
    atoms: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    phase: str = "planned"
    deployed: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    address: str = ""
    path: Path | None = None

    def steps(self) -> list[str]:
        """Every step, in order: the changes, the deploy, the restores (what ``--dry-run`` prints)."""
        return [
            *(c.change_step for c in self.changes),
            self.deploy_step,
            *(c.restore_step for c in reversed(self.changes)),
        ]

    @property
    def deploy_step(self) -> str:
        """The deploy, for people."""
        where = ", ".join(self.environments)
        if self.operation == "promote":
            return f"promote process {self.process_id} from environment {self.source} to {where}"
        return f"package process {self.process_id} and deploy it to environment {where}"

    def as_record(self) -> dict[str, Any]:
        """The rollback record's JSON fields."""
        fields = asdict(self)
        fields.pop("path")
        return {"record": "boomi-soap rollout", "version": RECORD_VERSION, "saved": _now(), **fields}

    def save(self) -> None:
        """Write the record (atomically, 0600) if it has a path."""
        if self.path is not None:
            data = json.dumps(self.as_record(), indent=2, sort_keys=True).encode() + b"\n"
            write_private(self.path, data)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def default_record_path(operation: str, process_id: str) -> Path:
    """Where a record goes by default: the user's state folder, one file per rollout."""
    import platformdirs

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    folder = Path(platformdirs.user_state_path("boomi-soap")) / "rollouts"
    return folder / f"{operation}-{stamp}-{process_id[:8]}.json"


def read_listeners(client: Caller, atom_id: str) -> dict[str, str]:
    """The listeners of an Atom (the ListenerStatus asynchronous read): listener id -> status."""
    answer = async_get(client, "ListenerStatus", atom_id)
    return {str(r.listenerId): str(r.status) for r in answer.results}


def _where(client: Caller) -> str:
    """The endpoint, and the sub-account a Partner API view acts on: what a record belongs to."""
    sub_account = getattr(client, "sub_account", None)
    return f"{client.address} (sub-account {sub_account})" if sub_account else client.address


def _atoms(client: Caller, environment_ids: Sequence[str]) -> list[str]:
    found: list[str] = []
    for environment_id in environment_ids:
        for attached in client.query("EnvironmentAtomAttachment", F("environmentId") == environment_id):
            if str(attached.atomId) not in found:
                found.append(str(attached.atomId))
    return found


def plan(
    client: Caller,
    operation: str,
    process: str,
    environments: str | Sequence[str],
    *,
    source: str | None = None,
    pause_listeners: bool = False,
    disable_schedules: bool = False,
    version: str | None = None,
    notes: str = "",
    listeners: ListenerReader = read_listeners,
) -> Rollout:
    """Plan a rollout: resolve names, read what runs now, decide what to change.  Nothing is written.

    Args:
        client: The client.
        operation: ``deploy`` or ``promote`` (which needs ``source``).
        process: Process id or unique name.
        environments: The target environment(s), ids or names.
        source: The environment a promotion copies from.
        pause_listeners: Pause the listening listeners of the targets' Atoms.
        disable_schedules: Disable the process's enabled schedules on the targets' Atoms.
        version: Package version (deploy).
        notes: Package and deployment notes.
        listeners: How an Atom's listeners are read (default: :func:`read_listeners`).

    Raises:
        ConfigurationError: For an operation that is not ``deploy`` or ``promote``.
        NotFoundError: If the process or an environment does not exist.
    """
    if operation not in ("deploy", "promote") or (operation == "promote") != (source is not None):
        raise ConfigurationError(f"a rollout is a deploy or a promote (with a source), not {operation!r}")
    targets = [environments] if isinstance(environments, str) else list(environments)
    process_id = resolve_id(client, "Process", process, verify=True)
    environment_ids = [resolve_id(client, "Environment", e, verify=True) for e in targets]
    source_id = None if source is None else resolve_id(client, "Environment", source, verify=True)
    rollout = Rollout(operation, process_id, environment_ids, source_id, version, notes, address=_where(client))
    if pause_listeners or disable_schedules:
        rollout.atoms = _atoms(client, environment_ids)
    for atom_id in rollout.atoms if pause_listeners else ():
        for listener_id, status in listeners(client, atom_id).items():
            if status == LISTENING:
                rollout.changes.append(Change("listener", atom_id, listener_id))
    for atom_id in rollout.atoms if disable_schedules else ():
        try:
            status = get_schedule_status(client, process_id, atom_id)
        except NotFoundError:  # no schedules there: nothing to disable
            continue
        if status.enabled:
            rollout.changes.append(Change("schedule", atom_id, process_id))
    return rollout


def _apply(client: Caller, change: Change) -> None:
    if change.kind == "listener":
        change_listener_status(client, change.atom_id, "pause", change.target)
    else:
        set_schedule_status(client, change.target, change.atom_id, enabled=False)


def _restore(client: Caller, change: Change) -> None:
    if change.kind == "listener":
        change_listener_status(client, change.atom_id, "resume", change.target)
    else:
        set_schedule_status(client, change.target, change.atom_id, enabled=True)


def _deploy(client: Caller, rollout: Rollout) -> dict[str, Any]:
    if rollout.operation == "promote":
        assert rollout.source is not None  # plan() checks it
        done = promote(client, rollout.process_id, rollout.source, rollout.environments, notes=rollout.notes)
        return {
            "packageId": done.package_id,
            "packageVersion": done.package_version,
            "steps": [
                {"environmentId": s.environment_id, "deploymentId": s.deployment_id, "message": s.message}
                for s in done.steps
            ],
        }
    packaged, deployed = package_and_deploy(
        client, rollout.process_id, rollout.environments[0], version=rollout.package_version, notes=rollout.notes
    )
    return {
        "packageId": str(packaged.packageId),
        "packageVersion": str(packaged.packageVersion),
        "deploymentId": str(deployed.deploymentId),
    }


def _put_back(client: Caller, rollout: Rollout, on_step: StepHook | None) -> list[str]:
    """Restore every change that may have happened, newest first; the steps that failed."""
    failed: list[str] = []
    for change in reversed(rollout.changes):
        if change.state not in _TO_RESTORE:
            continue
        if on_step is not None:
            on_step(change.restore_step)
        change.state = "restoring"
        rollout.save()
        try:
            _restore(client, change)
        except BoomiSoapError as exc:
            failed.append(f"{change.restore_step} ({exc})")
            continue
        change.state = "restored"
        rollout.save()
    return failed


def _restored(rollout: Rollout) -> int:
    return sum(c.state == "restored" for c in rollout.changes)


def _finish(client: Caller, rollout: Rollout, on_step: StepHook | None, *, failure: str = "") -> Rollout:
    """Restore, record the outcome; raise :class:`RolloutError` for ``failure`` or a failed restore."""
    rollout.phase = "restoring"
    rollout.save()
    not_restored = _put_back(client, rollout, on_step)
    where = f"record: {rollout.path}" if rollout.path is not None else "no record was kept"
    if not_restored:
        rollout.phase = "failed"
        rollout.error = "; ".join(filter(None, [failure, *not_restored]))
        rollout.save()
        first = failure or f"restoring failed at step '{not_restored[0]}'"
        then = f", and restoring failed at step '{not_restored[0]}'" if failure else ""
        finish = f"boomi-soap rollback {rollout.path}" if rollout.path is not None else "restore them by hand"
        raise RolloutError(
            f"{rollout.operation}: {first}{then}; {len(not_restored)} change(s) not restored, finish with: {finish}"
        )
    if failure:
        rollout.phase = "rolled-back"
        rollout.error = failure
        rollout.save()
        raise RolloutError(f"{rollout.operation}: {failure}; restored {_restored(rollout)} change(s); {where}")
    rollout.phase = "done" if rollout.deployed else "rolled-back"
    rollout.save()
    return rollout


def _step(on_step: StepHook | None, name: str) -> None:
    if on_step is not None:
        on_step(name)


def _go(client: Caller, rollout: Rollout, on_step: StepHook | None) -> Rollout:
    """Change what is planned (and not changed yet), deploy (if not done), restore."""
    current = ""
    try:
        rollout.phase = "changing"
        rollout.save()
        for change in rollout.changes:
            if change.state != "planned":
                continue
            current = change.change_step
            _step(on_step, current)
            change.state = "changing"
            rollout.save()
            _apply(client, change)
            change.state = "changed"
            rollout.save()
        if not rollout.deployed:
            current = rollout.deploy_step
            _step(on_step, current)
            rollout.phase = "deploying"
            rollout.save()
            rollout.deployed = _deploy(client, rollout)
            rollout.phase = "deployed"
            rollout.save()
    except BoomiSoapError as exc:
        return _finish(client, rollout, on_step, failure=f"step '{current}' failed ({exc})")
    except BaseException:  # Ctrl-C: put back what was changed, then stop as asked
        try:
            _finish(client, rollout, on_step, failure=f"step '{current}' was interrupted")
        except RolloutError as undone:  # said on stderr; the interrupt is what the caller sees
            _log.warning("%s", undone)
        raise
    return _finish(client, rollout, on_step)


def run(
    client: Caller, rollout: Rollout, *, record: str | os.PathLike[str] | None, on_step: StepHook | None = None
) -> Rollout:
    """Carry out a planned rollout: change, deploy, restore; the record saved after every step.

    Args:
        client: The client.
        rollout: From :func:`plan`.
        record: Where the rollback record is written (``None``: none is kept).
        on_step: Called with each step's description before the step.

    Returns:
        The rollout, ``phase`` ``done``.

    Raises:
        RolloutError: If a step failed: what was changed is restored (the message names the
            step and the record), or, if a restore failed too, the command that finishes it.
    """
    rollout.path = None if record is None else Path(record)
    return _go(client, rollout, on_step)


def load(record: str | os.PathLike[str]) -> Rollout:
    """Read a rollback record.

    Raises:
        ConfigurationError: If the file cannot be read or is not a rollout record (one line naming it).
    """
    path = Path(record)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigurationError(f"cannot read rollback record {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise ConfigurationError(f"rollback record {path} is not JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("record") != "boomi-soap rollout":
        raise ConfigurationError(f"{path} is not a boomi-soap rollback record")
    if data.get("version") != RECORD_VERSION:
        raise ConfigurationError(f"rollback record {path} has version {data.get('version')!r}, not {RECORD_VERSION}")
    try:
        changes = [
            Change(str(c["kind"]), str(c["atom_id"]), str(c["target"]), str(c["state"])) for c in data["changes"]
        ]
        return Rollout(
            operation=str(data["operation"]),
            process_id=str(data["process_id"]),
            environments=[str(e) for e in data["environments"]],
            source=None if data.get("source") is None else str(data["source"]),
            package_version=None if data.get("package_version") is None else str(data["package_version"]),
            notes=str(data.get("notes", "")),
            atoms=[str(a) for a in data.get("atoms", [])],
            changes=changes,
            phase=str(data["phase"]),
            deployed=dict(data.get("deployed") or {}),
            error=str(data.get("error", "")),
            address=str(data.get("address", "")),
            path=path,
        )
    except (KeyError, TypeError) as exc:
        raise ConfigurationError(f"rollback record {path} lacks {exc}") from None


def resume(client: Caller, record: str | os.PathLike[str], *, on_step: StepHook | None = None) -> Rollout:
    """Finish a rollout a record left: change what was planned, deploy if not done, restore.

    A record whose rollout failed or was rolled back is only restored (its deploy is not
    tried again: that is a new rollout).
    """
    rollout = load_for(client, record)
    if rollout.phase in ("failed", "rolled-back", "done"):
        return _finish(client, rollout, on_step)
    return _go(client, rollout, on_step)


def rollback(client: Caller, record: str | os.PathLike[str], *, on_step: StepHook | None = None) -> Rollout:
    """Restore what a record's rollout changed, without deploying."""
    return _finish(client, load_for(client, record), on_step)


def load_for(client: Caller, record: str | os.PathLike[str]) -> Rollout:
    """Read a rollback record made against ``client``'s endpoint.

    Raises:
        ConfigurationError: If it cannot be read, is not a record, or was made against another endpoint.
    """
    rollout = load(record)
    if rollout.address != _where(client):  # the ids in it mean nothing (or something else) elsewhere
        raise ConfigurationError(f"rollback record {record} was made against {rollout.address}, not {_where(client)}")
    return rollout


def pending(rollout: Rollout) -> list[Change]:
    """The changes a rollback of ``rollout`` would put back, newest first."""
    return [c for c in reversed(rollout.changes) if c.state in _TO_RESTORE]
