"""Release several components to an environment in the order their references require.

A component that another references (a subprocess a process calls, a shared
connection) is packaged and deployed before the one that references it.  The order
comes from Boomi's ``ComponentReference`` object: ``GET /ComponentReference/{id}``
(``getComponentReference``) answers the components that reference ``id`` (its
parents).  Parents are followed upwards, through components not being released too,
so a chain ``A -> X -> B`` puts B before A even when X is not released.  Among
components with no order between them, the order given is kept.  References that
form a cycle are reported, with the cycle, before anything is written.

:func:`release` packages and deploys each component in turn; if one fails, the
deployments and packages this release made are removed again, newest first, and
:class:`~boomi_soap.exceptions.RolloutError` names the step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from boomi_soap.exceptions import BoomiSoapError, InvalidRequestError, NotFoundError, RequestRefusedError, RolloutError
from boomi_soap.platform.deploy import deploy, package, undeploy
from boomi_soap.platform.runs import resolve_id

if TYPE_CHECKING:
    from boomi_soap.platform.caller import Caller

__all__ = ["MAX_LOOKUPS", "Release", "ReleaseStep", "parents", "plan_release", "release"]

#: How many components the walk up the references reads at most (each one GET).
MAX_LOOKUPS: Final = 500


@dataclass(frozen=True)
class ReleaseStep:
    """One component of a release.

    Attributes:
        component_id: The component.
        after: The released components it must follow (it references them, directly or not).
        package_id: Its new package (``None`` in a plan).
        package_version: That package's version.
        deployment_id: Its new deployment.
    """

    component_id: str
    after: tuple[str, ...] = ()
    package_id: str | None = None
    package_version: str | None = None
    deployment_id: str | None = None


@dataclass(frozen=True)
class Release:
    """A release plan (or, from :func:`release`, what was done), in order.

    Attributes:
        environment_id: Where the components go.
        steps: One per component, in release order.
        lookups: How many components' references were read.
    """

    environment_id: str
    steps: tuple[ReleaseStep, ...] = field(default=())
    lookups: int = 0

    @property
    def order(self) -> tuple[str, ...]:
        """The component ids in release order."""
        return tuple(s.component_id for s in self.steps)


def parents(client: Caller, component_id: str) -> tuple[str, ...]:
    """The components that reference ``component_id`` (``ComponentReference`` GET); none if it has no references.

    Boomi answers 400 for a component with neither parents nor children; that is "none" here.
    """
    try:
        found = client.get("ComponentReference", component_id)
    except (NotFoundError, InvalidRequestError):
        return ()
    references = getattr(found, "references", found) if found is not None else ()
    seen: list[str] = []
    for reference in references or ():
        parent = str(getattr(reference, "parentComponentId", "") or "")
        child = str(getattr(reference, "componentId", "") or component_id)
        if parent and child == component_id and parent != component_id and parent not in seen:
            seen.append(parent)
    return tuple(seen)


def _ancestors(
    client: Caller, start: str, cache: dict[str, tuple[str, ...]], budget: list[int]
) -> dict[str, tuple[str, ...]]:
    """Every component above ``start``, each with one path of references from it down to ``start``."""
    paths: dict[str, tuple[str, ...]] = {}
    frontier: list[tuple[str, tuple[str, ...]]] = [(start, (start,))]
    while frontier:
        current, path = frontier.pop(0)
        if current not in cache:
            if budget[0] <= 0:
                raise RolloutError(
                    f"release: the references above {start} reach more than {MAX_LOOKUPS} components; release fewer"
                )
            budget[0] -= 1
            cache[current] = parents(client, current)
        for parent in cache[current]:
            if parent not in paths and parent != start:
                paths[parent] = (parent, *path)
                frontier.append((parent, (parent, *path)))
            elif parent == start:
                paths.setdefault(start, (start, *path))  # a cycle back to where it began
    return paths


def _order(given: Sequence[str], after: Mapping[str, set[str]]) -> list[str]:
    """Kahn's order: each component once everything it follows is placed, the given order among equals."""
    placed: list[str] = []
    left = list(given)
    while left:
        ready = next((c for c in left if after[c] <= set(placed)), None)
        if ready is None:  # only a cycle stops this; plan_release reports it first
            raise RolloutError("release: the references form a cycle")
        placed.append(ready)
        left.remove(ready)
    return placed


def plan_release(client: Caller, components: Sequence[str], environment: str) -> Release:
    """The order to release ``components`` (ids, or process names) to ``environment`` in.  Nothing is written.

    Raises:
        NotFoundError: If a name or the environment does not exist.
        RolloutError: If the references form a cycle (the message shows it), or reach too far.
        InvalidRequestError: If no component, or one given twice.
    """
    if not components:
        raise RequestRefusedError("release", "give at least one component")
    ids = [resolve_id(client, "Process", c) for c in components]
    twice = sorted({c for c in ids if ids.count(c) > 1})
    if twice:
        raise RequestRefusedError("release", f"component {twice[0]} is given more than once")
    environment_id = resolve_id(client, "Environment", environment, verify=True)
    cache: dict[str, tuple[str, ...]] = {}
    budget = [MAX_LOOKUPS]
    after: dict[str, set[str]] = {c: set() for c in ids}
    for component in ids:
        above = _ancestors(client, component, cache, budget)
        if component in above:
            cycle = " -> ".join(above[component])
            raise RolloutError(f"release: references form a cycle: {cycle} (each references the next); nothing written")
        for ancestor in above:
            if ancestor in after:
                after[ancestor].add(component)  # the ancestor references it: it goes first
    order = _order(ids, after)
    steps = tuple(ReleaseStep(c, tuple(x for x in order if x in after[c])) for c in order)
    return Release(environment_id, steps, MAX_LOOKUPS - budget[0])


def release(
    client: Caller,
    plan: Release,
    *,
    version: str | None = None,
    notes: str = "",
    on_step: Callable[[str], None] | None = None,
) -> Release:
    """Package and deploy each component of ``plan`` in order; all or nothing.

    Raises:
        RolloutError: If a step failed: the deployments and packages this release made
            were removed again (the message names the step, and anything left over).
    """
    done: list[ReleaseStep] = []
    packages: list[str] = []
    for step in plan.steps:
        what = f"package and deploy component {step.component_id} to environment {plan.environment_id}"
        if on_step is not None:
            on_step(what)
        try:
            packaged: Any = package(client, step.component_id, version=version, notes=notes)
            packages.append(str(packaged.packageId))
            deployed: Any = deploy(client, str(packaged.packageId), plan.environment_id, notes=notes)
        except BoomiSoapError as exc:
            left = _undo(client, done, packages)
            tail = f"; left over: {'; '.join(left)}" if left else ""
            raise RolloutError(
                f"release: step '{what}' failed ({exc}); removed the {len(done)} deployment(s) and"
                f" {len(packages)} package(s) this release made{tail}"
            ) from exc
        done.append(
            ReleaseStep(
                step.component_id,
                step.after,
                str(packaged.packageId),
                str(packaged.packageVersion),
                str(deployed.deploymentId),
            )
        )
    return Release(plan.environment_id, tuple(done), plan.lookups)


def _undo(client: Caller, done: Sequence[ReleaseStep], packages: Sequence[str]) -> list[str]:
    """Undeploy, then delete the packages, newest first; what could not be removed, with the command that does."""
    left: list[str] = []
    for step in reversed(done):
        try:
            undeploy(client, str(step.deployment_id))
        except BoomiSoapError:
            left.append(f"boomi-soap call delete DeployedPackage {step.deployment_id}")
    for package_id in reversed(packages):
        try:
            client.delete("PackagedComponent", package_id)
        except BoomiSoapError:
            left.append(f"boomi-soap call delete PackagedComponent {package_id}")
    return left
