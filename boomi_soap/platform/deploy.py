"""Package, deploy, promote; environment extensions and process schedules.

Boomi deprecated legacy deployment (``deployProcess``/``deployComponent`` and the
Deployment object: "Boomi recommends that you take advantage of the ... Packaged Component
and Deployed Package objects", Deployment object, Platform API reference).  A deployment
is a ``PackagedComponent`` CREATE (a component version, frozen) then a ``DeployedPackage``
CREATE (that package in an environment).  :func:`promote` copies what is deployed in one environment to others
the same way, and undoes its own deployments if one fails, so nothing is left
half-promoted.  Extensions and schedules are set after a deployment; both are UPDATE-only
objects (no CREATE, and no UPSERT: Boomi never had one on the wire), so the helpers read
them and send a (partial) update.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from boomi_soap.exceptions import (
    BoomiSoapError,
    NotFoundError,
    PromotionError,
    RequestRefusedError,
)
from boomi_soap.platform import steps
from boomi_soap.platform.runs import resolve_steps
from boomi_soap.platform.steps import Steps, drive
from boomi_soap.query import F

if TYPE_CHECKING:
    from boomi_soap.platform.caller import Account, Caller

__all__ = [
    "Promotion",
    "PromotionError",
    "PromotionStep",
    "Schedule",
    "clear_schedules",
    "clear_schedules_steps",
    "deploy",
    "deploy_steps",
    "deployed_package",
    "deployed_package_steps",
    "get_extensions",
    "get_extensions_steps",
    "get_schedule_status",
    "get_schedule_status_steps",
    "get_schedules",
    "get_schedules_steps",
    "package",
    "package_and_deploy",
    "package_and_deploy_steps",
    "package_steps",
    "promote",
    "promote_steps",
    "set_schedule_status",
    "set_schedule_status_steps",
    "set_schedules",
    "set_schedules_steps",
    "undeploy",
    "undeploy_steps",
    "update_extension_properties",
    "update_extension_properties_steps",
]


@dataclass(frozen=True)
class PromotionStep:
    """One target of a promotion.

    Attributes:
        environment_id: The target environment.
        deployment_id: The new deployment, or ``None`` (already there, or a dry run).
        message: What happened, for people.
    """

    environment_id: str
    deployment_id: str | None
    message: str


@dataclass(frozen=True)
class Promotion:
    """What :func:`promote` did (or, on a dry run, would do).

    Attributes:
        process_id: The promoted process.
        package_id: The package deployed in the source environment.
        package_version: Its version.
        steps: One per target environment, in order.
    """

    process_id: str
    package_id: str
    package_version: str
    steps: tuple[PromotionStep, ...] = field(default=())

    @property
    def changed(self) -> bool:
        """Whether anything was (or would be) deployed."""
        return any(not s.message.startswith("already") for s in self.steps)


def package(client: Caller, component: str, *, version: str | None = None, notes: str = "") -> Any:
    """Package a component (``PackagedComponent`` CREATE); the platform assigns the id.

    Args:
        client: The client.
        component: Process id or unique process name.
        version: Package version (default: the platform's next one).
        notes: Package notes.

    Returns:
        The ``PackagedComponent``.
    """
    return drive(client, package_steps(client, component, version=version, notes=notes))


def package_steps(client: Account, component: str, *, version: str | None = None, notes: str = "") -> Steps[Any]:
    """The steps of :func:`package`."""
    component_id = yield from resolve_steps(client, "Process", component)
    # Only what the caller decides: Boomi assigns the id, creator, date, type and branch
    # (its create example sends componentId, packageVersion and notes; contract/ORIGIN.rst).
    fields: dict[str, Any] = {"componentId": component_id, "notes": notes}
    if version:
        fields["packageVersion"] = version
    return (yield steps.create("PackagedComponent", **fields))


def deploy(client: Caller, package_id: str, environment: str, *, notes: str = "") -> Any:
    """Deploy a package to an environment (``DeployedPackage`` CREATE).

    Raises:
        InvalidRequestError: If the package is already deployed there (Boomi's rule).
        NotFoundError: If the package or environment does not exist.
    """
    return drive(client, deploy_steps(client, package_id, environment, notes=notes))


def deploy_steps(client: Account, package_id: str, environment: str, *, notes: str = "") -> Steps[Any]:
    """The steps of :func:`deploy`."""
    environment_id = yield from resolve_steps(client, "Environment", environment)
    return (yield steps.create("DeployedPackage", packageId=package_id, environmentId=environment_id, notes=notes))


def package_and_deploy(
    client: Caller, process: str, environment: str, *, version: str | None = None, notes: str = ""
) -> tuple[Any, Any]:
    """Package a process and deploy the package to an environment, whole or not at all.

    The process and the environment (ids or names; an id is checked to exist) and a
    requested version's uniqueness are checked before anything is written, so a
    mistyped environment leaves no package behind to refuse the retry.  If the
    deployment fails, the new package is deleted again.

    Returns:
        The ``PackagedComponent`` and the ``DeployedPackage``.

    Raises:
        NotFoundError: If the process or environment does not exist (nothing was written).
        InvalidRequestError: If the process already has package ``version`` (nothing was written).
        BoomiSoapError: If the deployment failed; the message says whether the package was
            deleted again or, if not, the command that deletes it.
    """
    return drive(client, package_and_deploy_steps(client, process, environment, version=version, notes=notes))


def package_and_deploy_steps(
    client: Account, process: str, environment: str, *, version: str | None = None, notes: str = ""
) -> Steps[tuple[Any, Any]]:
    """The steps of :func:`package_and_deploy`."""
    process_id = yield from resolve_steps(client, "Process", process, verify=True)
    environment_id = yield from resolve_steps(client, "Environment", environment, verify=True)
    if version:
        where = (F("componentId") == process_id) & (F("packageVersion") == version)
        taken = yield steps.query("PackagedComponent", where)
        if any(str(p.packageVersion) == version for p in taken):
            raise RequestRefusedError("create", f"process {process} already has package version {version}")
    packaged = yield from package_steps(client, process_id, version=version, notes=notes)
    try:
        deployed = yield from deploy_steps(client, str(packaged.packageId), environment_id, notes=notes)
    except BaseException as exc:  # Ctrl-C too: a package deployed nowhere blocks its version's retry
        what = f"deploying package {packaged.packageVersion} ({packaged.packageId}) to {environment_id} failed ({exc})"
        try:
            yield steps.delete("PackagedComponent", str(packaged.packageId))
        except BoomiSoapError as undo:
            raise BoomiSoapError(
                f"{what}, and deleting the package again failed ({undo}): package {packaged.packageVersion} of"
                f" process {process_id} exists, deployed nowhere; delete it with:"
                f" boomi-soap call delete PackagedComponent {packaged.packageId}"
            ) from exc
        if isinstance(exc, BoomiSoapError):
            raise BoomiSoapError(f"{what}; the package was deleted again, nothing is left") from exc
        raise
    return packaged, deployed


def undeploy(client: Caller, deployment_id: str) -> bool:
    """Remove a deployment (``DeployedPackage`` DELETE); ``False`` if it did not exist."""
    return drive(client, undeploy_steps(client, deployment_id))


def undeploy_steps(client: Account, deployment_id: str) -> Steps[bool]:
    """The steps of :func:`undeploy`."""
    return bool((yield steps.delete("DeployedPackage", deployment_id)))


def deployed_package(client: Caller, process: str, environment: str) -> Any | None:
    """The active deployment of a process in an environment, or ``None``."""
    return drive(client, deployed_package_steps(client, process, environment))


def deployed_package_steps(client: Account, process: str, environment: str) -> Steps[Any | None]:
    """The steps of :func:`deployed_package`."""
    process_id = yield from resolve_steps(client, "Process", process)
    environment_id = yield from resolve_steps(client, "Environment", environment)
    where = (F("componentId") == process_id) & (F("environmentId") == environment_id) & (F("active") == "true")
    found = yield steps.query("DeployedPackage", where)
    return found[-1] if found else None


def promote(
    client: Caller,
    process: str,
    from_environment: str,
    to_environment: str | Sequence[str],
    *,
    dry_run: bool = False,
    notes: str = "",
) -> Promotion:
    """Deploy the package active in one environment to one or more others, in order.

    An environment that already runs that package is left alone.  If a deployment
    fails, the ones this call made are undeployed (the previous deployment is active
    again), and :class:`PromotionError` says so.

    Raises:
        NotFoundError: If nothing is deployed in the source environment.
        PromotionError: If a deployment failed; nothing of this promotion remains.
    """
    return drive(client, promote_steps(client, process, from_environment, to_environment, dry_run=dry_run, notes=notes))


def promote_steps(
    client: Account,
    process: str,
    from_environment: str,
    to_environment: str | Sequence[str],
    *,
    dry_run: bool = False,
    notes: str = "",
) -> Steps[Promotion]:
    """The steps of :func:`promote`."""
    targets = [to_environment] if isinstance(to_environment, str) else list(to_environment)
    process_id = yield from resolve_steps(client, "Process", process, verify=True)
    # Every target is resolved before the first deployment: a mistyped last one changes nothing.
    for target in targets:
        yield from resolve_steps(client, "Environment", target, verify=True)
    source = yield from deployed_package_steps(client, process_id, from_environment)
    if source is None:
        raise NotFoundError("query", f"process {process} has no active deployment in {from_environment}")
    package_id, version = str(source.packageId), str(source.packageVersion)
    done: list[PromotionStep] = []
    made: list[str] = []
    for target in targets:
        try:
            environment_id = yield from resolve_steps(client, "Environment", target)
            current = yield from deployed_package_steps(client, process_id, environment_id)
            if current is not None and str(current.packageId) == package_id:
                done.append(PromotionStep(environment_id, None, f"already deployed: package {version} is active"))
                continue
            if dry_run:
                done.append(PromotionStep(environment_id, None, f"would deploy package {version}"))
                continue
            created = yield from deploy_steps(client, package_id, environment_id, notes=notes)
        except BoomiSoapError as exc:
            undone: list[str] = []
            for deployment in reversed(made):
                if (yield from undeploy_steps(client, deployment)):
                    undone.append(deployment)
            raise PromotionError(
                f"promoting package {version} to {target} failed ({exc}); undeployed {len(undone)} deployment(s)"
                " this promotion had made",
                rolled_back=tuple(undone),
            ) from exc
        made.append(str(created.deploymentId))
        done.append(PromotionStep(environment_id, str(created.deploymentId), f"deployed package {version}"))
    return Promotion(process_id, package_id, version, tuple(done))


def get_extensions(client: Caller, environment: str) -> Any:
    """The ``EnvironmentExtensions`` of an environment (its id is the environment's)."""
    return drive(client, get_extensions_steps(client, environment))


def get_extensions_steps(client: Account, environment: str) -> Steps[Any]:
    """The steps of :func:`get_extensions`."""
    environment_id = yield from resolve_steps(client, "Environment", environment)
    return (yield steps.get("EnvironmentExtensions", environment_id))


def update_extension_properties(client: Caller, environment: str, properties: Mapping[str, str]) -> Any:
    """Set extension properties by name, leaving every other extension as it is (a partial update).

    Returns:
        The environment's extensions after the update.
    """
    return drive(client, update_extension_properties_steps(client, environment, properties))


def update_extension_properties_steps(client: Account, environment: str, properties: Mapping[str, str]) -> Steps[Any]:
    """The steps of :func:`update_extension_properties`."""
    environment_id = yield from resolve_steps(client, "Environment", environment)
    # A partial update carries only the section it changes (the other sections are optional).
    sections: dict[str, Any] = {"properties": {"property": [{"name": k, "value": v} for k, v in properties.items()]}}
    return (
        yield steps.update(
            "EnvironmentExtensions", id=environment_id, environmentId=environment_id, partial=True, **sections
        )
    )


@dataclass(frozen=True)
class Schedule:
    """One schedule line of a process on an Atom, in Boomi's cron-like fields."""

    minutes: str = "0"
    hours: str = "*"
    days_of_week: str = "*"
    days_of_month: str = "*"
    months: str = "*"
    years: str = "*"

    def as_fields(self) -> dict[str, str]:
        """The ``Schedule`` attributes."""
        return {
            "minutes": self.minutes,
            "hours": self.hours,
            "daysOfWeek": self.days_of_week,
            "daysOfMonth": self.days_of_month,
            "months": self.months,
            "years": self.years,
        }


def get_schedules(client: Caller, process: str, atom: str) -> Any:
    """The ``ProcessSchedules`` of a process on an Atom.

    Raises:
        NotFoundError: If the process has no schedules object on that Atom.
    """
    return drive(client, get_schedules_steps(client, process, atom))


def get_schedules_steps(client: Account, process: str, atom: str) -> Steps[Any]:
    """The steps of :func:`get_schedules`."""
    process_id = yield from resolve_steps(client, "Process", process)
    atom_id = yield from resolve_steps(client, "Atom", atom)
    found = yield steps.query("ProcessSchedules", (F("processId") == process_id) & (F("atomId") == atom_id))
    if not found:
        raise NotFoundError("query", f"no schedules for process {process} on Atom {atom}")
    return found[0]


def set_schedules(
    client: Caller, process: str, atom: str, schedules: Sequence[Schedule], *, max_retry: int | None = None
) -> Any:
    """Replace the schedules of a process on an Atom (UPDATE overwrites them all).

    Returns:
        The ``ProcessSchedules`` after the update.
    """
    return drive(client, set_schedules_steps(client, process, atom, schedules, max_retry=max_retry))


def set_schedules_steps(
    client: Account, process: str, atom: str, schedules: Sequence[Schedule], *, max_retry: int | None = None
) -> Steps[Any]:
    """The steps of :func:`set_schedules`."""
    current = yield from get_schedules_steps(client, process, atom)
    retry = None if max_retry is None else {"maxRetry": max_retry, "Schedule": []}
    return (
        yield steps.update(
            "ProcessSchedules",
            id=current.id,
            atomId=current.atomId,
            processId=current.processId,
            Retry=retry if retry is not None else current.Retry,
            Schedule=[s.as_fields() for s in schedules],
        )
    )


def clear_schedules(client: Caller, process: str, atom: str) -> Any:
    """Remove every schedule of a process on an Atom."""
    return drive(client, clear_schedules_steps(client, process, atom))


def clear_schedules_steps(client: Account, process: str, atom: str) -> Steps[Any]:
    """The steps of :func:`clear_schedules`."""
    return (yield from set_schedules_steps(client, process, atom, []))


def get_schedule_status(client: Caller, process: str, atom: str) -> Any:
    """The ``ProcessScheduleStatus`` of a process on an Atom: whether its schedules run.

    Its id is the conceptual id of the process's ``ProcessSchedules`` on that Atom, so it
    is found by a QUERY on ``processId`` and ``atomId`` (names or ids, resolved first).

    Raises:
        NotFoundError: If the process has no schedule status on that Atom (not deployed there).
    """
    return drive(client, get_schedule_status_steps(client, process, atom))


def get_schedule_status_steps(client: Account, process: str, atom: str) -> Steps[Any]:
    """The steps of :func:`get_schedule_status`."""
    process_id = yield from resolve_steps(client, "Process", process)
    atom_id = yield from resolve_steps(client, "Atom", atom)
    found = yield steps.query("ProcessScheduleStatus", (F("processId") == process_id) & (F("atomId") == atom_id))
    if not found:
        raise NotFoundError("query", f"no schedule status for process {process} on Atom {atom}")
    return found[0]


def set_schedule_status(client: Caller, process: str, atom: str, *, enabled: bool) -> Any:
    """Turn the schedules of a process on an Atom on or off (``ProcessScheduleStatus`` UPDATE).

    The schedules themselves are kept; only whether they run changes.

    Returns:
        The ``ProcessScheduleStatus`` after the update.
    """
    return drive(client, set_schedule_status_steps(client, process, atom, enabled=enabled))


def set_schedule_status_steps(client: Account, process: str, atom: str, *, enabled: bool) -> Steps[Any]:
    """The steps of :func:`set_schedule_status`."""
    current = yield from get_schedule_status_steps(client, process, atom)
    return (
        yield steps.update(
            "ProcessScheduleStatus", id=current.id, atomId=current.atomId, processId=current.processId, enabled=enabled
        )
    )
