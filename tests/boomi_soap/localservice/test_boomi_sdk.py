"""The PyPI ``boomi`` SDK (generated from Boomi's OpenAPI), unmodified, against the local service over REST.

A client no one here wrote: each step is what its README shows, and each asserts what
came back.  Skipped only when the SDK cannot be imported (it is in the ``test`` extra).
"""

from __future__ import annotations

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
    assert gone.value.status == 404
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
