"""Packaged components, deployed packages and environment extensions, with Boomi's rules.

Since Boomi deprecated legacy deployment (Deployment object, Platform API reference), a
deployment is two CREATEs: ``PackagedComponent`` (a component version, frozen) and ``DeployedPackage``
(that package in an environment).  The rules enforced: the component and the package
must exist, a package version is unique per component ("You cannot add package versions
... after creating the packaged component", Packaged Component object), a package is
deployed at most once per environment, and a new deployment of a component makes the
previous one in that environment inactive (``active``).
"""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, datetime
from typing import Final

from lxml import etree

from boomi_soap.localservice.contract import NS_DATA, Release
from boomi_soap.localservice.errors import ApiFault, FaultCode
from boomi_soap.localservice.model import Record, build_object, with_field
from boomi_soap.localservice.store import AccountStore

__all__ = ["create_deployed_package", "create_packaged_component", "delete_deployed_package", "merge_extensions"]

_DEPLOYER: Final = "api"


def _text(record: Record, name: str) -> str:
    return (record.element.findtext(f"{{{NS_DATA}}}{name}") or "").strip()


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def create_packaged_component(store: AccountStore, release: Release, element: etree._Element) -> Record:
    """Package a component version.

    Raises:
        ApiFault: ``NOT_FOUND`` for an unknown component, ``INVALID_REQUEST`` for a
            package version the component already has.
    """
    info = release.index.types["PackagedComponent"]
    probe = Record("PackagedComponent", "", element)
    component_id = _text(probe, "componentId")
    component = store.get("Process", component_id) or store.get("Component", component_id)
    if component is None:
        raise ApiFault(FaultCode.NOT_FOUND, f"Component with id {component_id} does not exist")
    with store._lock:  # the uniqueness check and the insert are one step
        siblings = [r for r in store.all("PackagedComponent") if _text(r, "componentId") == component_id]
        majors = [int(m) for r in siblings if (m := _text(r, "packageVersion").partition(".")[0]).isdigit()]
        version = _text(probe, "packageVersion") or f"{max(majors, default=0) + 1}.0"
        if any(_text(r, "packageVersion") == version for r in siblings):
            raise ApiFault(
                FaultCode.INVALID_REQUEST,
                f"Package version {version} already exists for component {component_id}",
            )
        key = str(uuid.uuid4())
        defaults = {
            "branchName": "main",
            "componentType": "process" if component.type == "Process" else component.element.get("type", ""),
            "componentVersion": _text(probe, "componentVersion") or component.element.get("version") or "1",
            "createdBy": _DEPLOYER,
            "createdDate": _now(),
            "deleted": "false",
            "notes": _text(probe, "notes"),
            "packageId": key,
            "packageVersion": version,
        }
        assigned = ("packageId", "createdBy", "createdDate", "deleted")  # the platform's, whatever was sent
        for name, value in defaults.items():
            if name in assigned or not _text(probe, name):
                with_field(info, element, name, value)
        record = Record("PackagedComponent", key, element)
        store.put(record)
        return record


def create_deployed_package(store: AccountStore, release: Release, element: etree._Element) -> Record:
    """Deploy a package to an environment.

    Raises:
        ApiFault: ``NOT_FOUND`` for an unknown package or environment,
            ``INVALID_REQUEST`` if the package is already deployed there.
    """
    info = release.index.types["DeployedPackage"]
    probe = Record("DeployedPackage", "", element)
    package_id, environment_id = _text(probe, "packageId"), _text(probe, "environmentId")
    component_id = _text(probe, "componentId")
    if not environment_id or not (package_id or component_id):
        raise ApiFault(FaultCode.INVALID_REQUEST, "environmentId and packageId (or componentId) are required")
    if store.get("Environment", environment_id) is None:
        raise ApiFault(FaultCode.NOT_FOUND, f"Environment with id {environment_id} does not exist")
    if not package_id:  # Boomi's second mode: package the component's current version, then deploy it
        fields = {n: _text(probe, n) for n in ("componentId", "componentVersion", "notes") if _text(probe, n)}
        package_id = create_packaged_component(
            store, release, build_object(release.index, "PackagedComponent", fields)
        ).key
        with_field(info, element, "packageId", package_id)
    package = store.get("PackagedComponent", package_id)
    if package is None:
        raise ApiFault(FaultCode.NOT_FOUND, f"PackagedComponent with id {package_id} does not exist")
    with store._lock:
        here = [r for r in store.all("DeployedPackage") if _text(r, "environmentId") == environment_id]
        if any(_text(r, "packageId") == package_id for r in here):
            raise ApiFault(
                FaultCode.INVALID_REQUEST,
                f"Package {package_id} is already deployed to environment {environment_id}",
            )
        component_id = _text(package, "componentId")
        for previous in here:
            if _text(previous, "componentId") == component_id and _text(previous, "active") == "true":
                replaced = copy.deepcopy(previous.element)
                with_field(info, replaced, "active", "false")
                store.put(Record(previous.type, previous.key, replaced))
        key = str(uuid.uuid4())
        values = {
            "active": "true",
            "componentId": component_id,
            "componentType": _text(package, "componentType"),
            "componentVersion": _text(package, "componentVersion"),
            "deployedBy": _DEPLOYER,
            "deployedDate": _now(),
            "deploymentId": key,
            "packageVersion": _text(package, "packageVersion"),
            "version": str(len([r for r in here if _text(r, "componentId") == component_id]) + 1),
        }
        for name, value in values.items():
            with_field(info, element, name, value)
        record = Record("DeployedPackage", key, element)
        store.put(record)
        return record


def delete_deployed_package(store: AccountStore, release: Release, key: str) -> bool:
    """Undeploy; when the active deployment goes, the component's latest remaining one there is active again.

    Returns:
        Whether the deployment existed.
    """
    with store._lock:
        gone = store.get("DeployedPackage", key)
        if gone is None or not store.delete("DeployedPackage", key):
            return False
        if _text(gone, "active") != "true":
            return True
        same = [
            r
            for r in store.all("DeployedPackage")
            if (_text(r, "environmentId"), _text(r, "componentId"))
            == (_text(gone, "environmentId"), _text(gone, "componentId"))
        ]
        if same:
            latest = same[-1]  # the store keeps insertion order: the most recent deployment
            element = copy.deepcopy(latest.element)
            with_field(release.index.types["DeployedPackage"], element, "active", "true")
            store.put(Record(latest.type, latest.key, element))
        return True


def merge_extensions(stored: Record, update: etree._Element) -> etree._Element:
    """Apply a partial ``EnvironmentExtensions`` update (``partial="true"``) to the stored one.

    Each item the update names (by ``name``, else ``id``) replaces the stored item of
    that name in its section, or is added; everything the update leaves out is kept.
    """
    merged = copy.deepcopy(stored.element)
    for section in update:
        if not isinstance(section.tag, str) or len(section) == 0:
            continue
        target = merged.find(section.tag)
        if target is None:
            continue
        for item in section:
            key = item.get("name") or item.get("id")
            match = next((t for t in target if key and (t.get("name") or t.get("id")) == key), None)
            if match is not None:
                target.replace(match, copy.deepcopy(item))
            else:
                target.append(copy.deepcopy(item))
    return merged
