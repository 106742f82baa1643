"""The PyPI ``boomi`` SDK (generated from Boomi's OpenAPI), unmodified, against the local service over REST.

A client no one here wrote: each step is what its README shows, and each asserts what
came back.  Skipped only when the SDK cannot be imported (it is in the ``test`` extra).
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER, LocalService

boomi = pytest.importorskip("boomi", reason="the PyPI boomi SDK is not installed (pip install -e '.[test]')")
models: Any = pytest.importorskip("boomi.models")
ApiError: Any = pytest.importorskip("boomi.net.transport.api_error").ApiError

pytestmark = pytest.mark.contracts("split", "single", why="the SDK speaks the account REST API, /api/rest/v1/")


@pytest.fixture
def sdk(service: LocalService) -> Any:
    base = service.endpoint(DEFAULT_ACCOUNT).replace("/api/soap/v1/", "/api/rest/v1/")
    base = base.rsplit("/", 1)[0] + "/{accountId}"  # the SDK fills in its account_id
    return boomi.Boomi(username=DEFAULT_USER, password=DEFAULT_PASSWORD, base_url=base, account_id=DEFAULT_ACCOUNT)


def _name_equals(value: str) -> Any:
    expression = models.EnvironmentSimpleExpression(operator="EQUALS", property="name", argument=[value])
    return models.EnvironmentQueryConfig(query_filter=models.EnvironmentQueryConfigQueryFilter(expression=expression))


def test_get_and_query(sdk: Any, service: LocalService) -> None:
    account = sdk.account.get_account(DEFAULT_ACCOUNT)
    assert account.account_id == DEFAULT_ACCOUNT
    stored = sorted(r.element.get("name", "") for r in service.store().all("Environment"))
    everything = sdk.environment.query_environment(models.EnvironmentQueryConfig(query_filter=None))
    assert sorted(e.name for e in everything.result) == stored
    assert everything.number_of_results == len(stored)
    one = sdk.environment.query_environment(_name_equals(stored[0]))
    assert [e.name for e in one.result] == [stored[0]]
    either = models.EnvironmentGroupingExpression(
        operator="or",
        nested_expression=[
            models.EnvironmentSimpleExpression(operator="EQUALS", property="name", argument=[name])
            for name in stored[:2]
        ],
    )
    grouped = sdk.environment.query_environment(
        models.EnvironmentQueryConfig(query_filter=models.EnvironmentQueryConfigQueryFilter(expression=either))
    )
    assert sorted(e.name for e in grouped.result) == stored[:2]


def test_query_more_pages(sdk: Any, service: LocalService) -> None:
    first = sdk.execution_record.query_execution_record(models.ExecutionRecordQueryConfig(query_filter=None))
    assert first.query_token
    seen = [r.execution_id for r in first.result]
    page = first
    while getattr(page, "query_token", None):  # the SDK sets no attribute for a key not sent
        page = sdk.execution_record.query_more_execution_record(page.query_token)
        seen.extend(r.execution_id for r in page.result)
    stored = {r.key for r in service.store().all("ExecutionRecord")}
    assert len(seen) == len(set(seen)) == len(stored)
    assert set(seen) == stored


def test_create_update_delete(sdk: Any, service: LocalService) -> None:
    created = sdk.environment.create_environment(models.Environment(name="SDK env", classification="TEST"))
    assert created.id_
    assert created.name == "SDK env"
    assert service.store().get("Environment", created.id_) is not None
    changed = models.Environment(id_=created.id_, name="SDK env 2", classification="TEST")
    updated = sdk.environment.update_environment(created.id_, changed)
    assert updated.name == "SDK env 2"
    assert sdk.environment.get_environment(created.id_).name == "SDK env 2"
    sdk.environment.delete_environment(created.id_)
    assert service.store().get("Environment", created.id_) is None
    with pytest.raises(ApiError) as gone:
        sdk.environment.get_environment(created.id_)
    assert gone.value.status == 400
    folder = sdk.folder.create_folder(models.Folder(name="SDK folder"))
    assert folder.full_path.endswith("/SDK folder")
    assert folder.deleted is False


def test_bulk_and_documented_errors(sdk: Any, service: LocalService) -> None:
    known = service.store().all("Environment")[0].key
    request = models.EnvironmentBulkRequest(type_="GET", request=[models.BulkId(id_=known), models.BulkId(id_="nope")])
    answer = sdk.environment.bulk_environment(request)
    assert [(item.status_code, item.id_) for item in answer.response] == [(200, known), (400, "nope")]
    assert answer.response[0].result.id_ == known
    bad = models.EnvironmentSimpleExpression(operator="EQUALS", property="name", argument=["x"])
    bad.property = "colour"  # the SDK's enum would refuse it before sending: set it after
    config = models.EnvironmentQueryConfig(query_filter=models.EnvironmentQueryConfigQueryFilter(expression=bad))
    with pytest.raises(ApiError) as unknown_property:
        sdk.environment.query_environment(config)
    assert unknown_property.value.status == 400
    assert "colour does not exist" in str(unknown_property.value.response.body)


def test_execution_request_and_its_async_record(sdk: Any, service: LocalService) -> None:
    atom, process = service.store().all("Atom")[0].key, service.store().all("Process")[0].key
    asked = sdk.execution_request.create_execution_request(models.ExecutionRequest(atom_id=atom, process_id=process))
    assert asked.request_id.startswith("executionrecord-")
    assert "/api/rest/v1/" in asked.record_url
    assert asked.record_url.endswith(f"/ExecutionRecord/async/{asked.request_id}")
    record = sdk.execution_record.async_get_execution_record(asked.request_id)  # None while Boomi answers 202
    for _ in range(50):
        if record is not None:
            break
        time.sleep(0.1)
        record = sdk.execution_record.async_get_execution_record(asked.request_id)
    assert record is not None
    assert (record.process_id, record.atom_id) == (process, atom)
    assert service.store().get("ExecutionRecord", record.execution_id) is not None


def test_environment_extensions(sdk: Any, service: LocalService) -> None:
    environment = service.store().all("Environment")[0].key
    got = sdk.environment_extensions.get_environment_extensions(environment)
    assert got.environment_id == environment
    expression = models.EnvironmentExtensionsSimpleExpression(
        operator="EQUALS", property="environmentId", argument=[environment]
    )
    queried = sdk.environment_extensions.query_environment_extensions(
        models.EnvironmentExtensionsQueryConfig(
            query_filter=models.EnvironmentExtensionsQueryConfigQueryFilter(expression=expression)
        )
    )
    assert [e.environment_id for e in queried.result] == [environment]
    updated = sdk.environment_extensions.update_environment_extensions(environment, got)
    assert updated.environment_id == environment


def test_packaged_and_deployed_package(sdk: Any, service: LocalService) -> None:
    environment, process = service.store().all("Environment")[0].key, service.store().all("Process")[0].key
    package = sdk.packaged_component.create_packaged_component(
        models.PackagedComponent(component_id=process, component_type="process", package_version="9.1", notes="sdk")
    )
    assert (package.component_id, package.package_version, package.created_by) == (process, "9.1", "api")
    assert sdk.packaged_component.get_packaged_component(package.package_id).notes == "sdk"
    by_component = models.PackagedComponentSimpleExpression(
        operator="EQUALS", property="componentId", argument=[process]
    )
    packages = sdk.packaged_component.query_packaged_component(
        models.PackagedComponentQueryConfig(
            query_filter=models.PackagedComponentQueryConfigQueryFilter(expression=by_component)
        )
    )
    assert package.package_id in {p.package_id for p in packages.result}
    deployed = sdk.deployed_package.create_deployed_package(
        models.DeployedPackage(environment_id=environment, package_id=package.package_id)
    )
    assert (deployed.package_id, deployed.environment_id, deployed.active) == (package.package_id, environment, True)
    assert sdk.deployed_package.get_deployed_package(deployed.deployment_id).component_id == process
    in_environment = models.DeployedPackageSimpleExpression(
        operator="EQUALS", property="environmentId", argument=[environment]
    )
    deployments = sdk.deployed_package.query_deployed_package(
        models.DeployedPackageQueryConfig(
            query_filter=models.DeployedPackageQueryConfigQueryFilter(expression=in_environment)
        )
    )
    assert deployed.deployment_id in {d.deployment_id for d in deployments.result}
    sdk.deployed_package.delete_deployed_package(deployed.deployment_id)
    assert service.store().get("DeployedPackage", deployed.deployment_id) is None


def test_role_and_folder_lifecycles(sdk: Any, service: LocalService) -> None:
    role = sdk.role.create_role(models.Role(name="SDK role", description="first"))
    assert sdk.role.get_role(role.id_).description == "first"
    sdk.role.update_role(role.id_, models.Role(id_=role.id_, name="SDK role 2", description="second"))
    named = models.RoleSimpleExpression(operator="EQUALS", property="name", argument=["SDK role 2"])
    found = sdk.role.query_role(
        models.RoleQueryConfig(query_filter=models.RoleQueryConfigQueryFilter(expression=named))
    )
    assert [(r.id_, r.description) for r in found.result] == [(role.id_, "second")]
    assignable = sdk.get_assignable_roles.get_get_assignable_roles()
    assert role.id_ in {r.id_ for r in assignable.role}
    sdk.role.delete_role(role.id_)
    assert service.store().get("Role", role.id_) is None
    folder = sdk.folder.create_folder(models.Folder(name="SDK folder"))
    assert sdk.folder.get_folder(folder.id_).full_path == folder.full_path
    renamed = sdk.folder.update_folder(folder.id_, models.Folder(id_=folder.id_, name="SDK folder 2"))
    assert renamed.full_path == folder.full_path.replace("SDK folder", "SDK folder 2")
    by_name = models.FolderSimpleExpression(operator="EQUALS", property="name", argument=["SDK folder 2"])
    listed = sdk.folder.query_folder(
        models.FolderQueryConfig(query_filter=models.FolderQueryConfigQueryFilter(expression=by_name))
    )
    assert [f.id_ for f in listed.result] == [folder.id_]
    sdk.folder.delete_folder(folder.id_)
    assert service.store().get("Folder", folder.id_) is None


def test_atom_and_process_reads(sdk: Any, service: LocalService) -> None:
    atom = service.store().all("Atom")[0]
    assert sdk.atom.get_atom(atom.key).name == atom.element.get("name")
    processes = sdk.process.query_process(models.ProcessQueryConfig(query_filter=None))
    assert processes.number_of_results == len(service.store().all("Process"))
    bulk = sdk.atom.bulk_atom(models.AtomBulkRequest(type_="GET", request=[models.BulkId(id_=atom.key)]))
    assert [(r.status_code, r.result.id_) for r in bulk.response] == [(200, atom.key)]
