"""The runtime on the wire: a download that is not ready yet (202), and the asynchronous-token reads."""

from __future__ import annotations

import gc

import pytest
import requests

from boomi_soap.localservice import DEFAULT_PASSWORD, DEFAULT_USER, LocalService, executions
from boomi_soap.localservice.store import AccountStore
from boomi_soap.wire.restmap import rest_root
from tests.boomi_soap.localservice.helpers import NS, RawSoap

AUTH = (DEFAULT_USER, DEFAULT_PASSWORD)


def _log_url(soap: RawSoap, service: LocalService) -> str:
    execution = service.store().all("ExecutionRecord")[0].key
    payload = soap.ok(
        f'<soap:create><object xsi:type="api:ProcessLog" executionId="{execution}" logLevel="ALL"/></soap:create>'
    )
    return str(payload.find("api:result", NS).get("url"))


def test_a_held_download_answers_202_then_the_log(soap: RawSoap, service: LocalService) -> None:
    executions.hold_downloads(service.store(), 2)
    url = _log_url(soap, service)
    assert requests.get(url, timeout=5).status_code == 401  # credentials first: a 401 uses no poll
    statuses = [requests.get(url, auth=AUTH, timeout=5).status_code for _ in range(4)]
    assert statuses == [202, 202, 200, 200]
    unknown = url.rpartition("/")[0] + "/no-such-token"
    assert requests.get(unknown, auth=AUTH, timeout=5).status_code == 404  # unknown stays 404, never 202
    executions.hold_downloads(service.store(), 0)
    assert requests.get(_log_url(soap, service), auth=AUTH, timeout=5).status_code == 200


def test_holds_are_per_store_and_refuse_a_negative_count() -> None:
    store = AccountStore("acct-hold")
    executions.hold_downloads(store, 1)
    with pytest.raises(ValueError, match="must not be negative"):
        executions.hold_downloads(store, -1)
    other = AccountStore("acct-other")
    executions._issue(other, "tok-other")
    assert executions.log_ready(other, "tok-other")
    executions._issue(store, "tok-held")
    assert (executions.log_ready(store, "tok-held"), executions.log_ready(store, "tok-held")) == (False, True)
    held = len(executions._holds)
    del store
    gc.collect()
    assert len(executions._holds) == held - 1  # a store's hold goes with it


def test_an_async_read_token_is_the_accounts_only(service: LocalService) -> None:
    root = rest_root(service.endpoint())
    atom = next(a.key for a in service.store().all("Atom") if a.element.get("status") == "ONLINE")
    token = requests.get(f"{root}/async/ListQueues/{atom}", auth=AUTH, timeout=10)
    assert token.status_code == 200
    assert b"AsyncOperationTokenResult" in token.content
    forged = requests.get(f"{root}/async/ListQueues/response/ListQueues-forged", auth=AUTH, timeout=10)
    assert forged.status_code == 400  # an unknown id on a REST GET, as the OpenAPI declares
