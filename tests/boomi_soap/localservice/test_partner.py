"""The Partner API's account override: a call on behalf of a sub-account acts on that sub-account."""

from __future__ import annotations

from pathlib import Path

import pytest

from boomi_soap.client import Client
from boomi_soap.credentials import Credentials, Endpoint
from boomi_soap.exceptions import PermissionDeniedError
from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER, LocalService
from boomi_soap.localservice.config import DEFAULT_SUB_ACCOUNTS
from boomi_soap.settings import ClientSettings
from boomi_soap.snapshot.cache import CacheStore, refresh
from tests.boomi_soap.localservice.helpers import NS, RawSoap

MINE, NOT_MINE = DEFAULT_SUB_ACCOUNTS  # the demo user may act on the first sub-account only
pytestmark = pytest.mark.contracts("partner", why="the accountId override exists in the Partner contract only")


def get_account(soap: RawSoap, account: str, override: str | None) -> tuple[int, str]:
    extra = f"<accountId>{override}</accountId>" if override is not None else ""
    reply = soap.call(
        f"<soap:get><api:objectType>Account</api:objectType><api:objectId>{account}</api:objectId>{extra}</soap:get>"
    )
    if reply.status != 200:
        return reply.status, reply.fault()[2]
    result = reply.payload.find("api:result", NS)
    return reply.status, result.get("accountId", "") if result is not None else ""


def test_the_override_acts_on_the_sub_account(soap: RawSoap) -> None:
    assert get_account(soap, DEFAULT_ACCOUNT, None) == (200, DEFAULT_ACCOUNT)
    assert get_account(soap, MINE, MINE) == (200, MINE)
    assert get_account(soap, MINE, None) == (500, "NOT_FOUND")  # not an object of the parent account


def test_a_sub_account_the_user_may_not_act_on_is_refused(soap: RawSoap) -> None:
    assert get_account(soap, NOT_MINE, NOT_MINE) == (500, "PERMISSION")
    assert get_account(soap, "stranger-000000", "stranger-000000") == (500, "PERMISSION")


def test_writes_land_in_the_sub_account(soap: RawSoap, service: LocalService) -> None:
    created = soap.call(
        '<soap:create><object xsi:type="api:Environment" name="Sub" classification="TEST"/>'
        f"<accountId>{MINE}</accountId></soap:create>"
    )
    assert created.status == 200, created.body
    key = created.payload.find("api:result", NS).get("id")  # type: ignore[union-attr]
    assert service.store(MINE).get("Environment", key) is not None
    assert service.store().get("Environment", key) is None


def test_boomi_refuses_the_override_on_account_create_and_delete(soap: RawSoap) -> None:
    reply = soap.call(
        f"<soap:delete><objectType>Account</objectType><objectId>{MINE}</objectId><accountId>{MINE}</accountId></soap:delete>"
    )
    assert reply.fault()[1:] == ("The account override is not allowed for Account delete", "INVALID_REQUEST")


def test_the_client_sends_the_override(service: LocalService, tmp_path: Path) -> None:
    credentials = Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD)
    endpoint = Endpoint(DEFAULT_ACCOUNT, service.base_url, "partner")
    snapshot = refresh(CacheStore(tmp_path), endpoint, credentials).snapshot
    client = Client(snapshot, credentials, settings=ClientSettings(rate_limit=None), compiled_dir=tmp_path)
    assert client.contract.override == "accountId"
    assert client.call("get", objectType="Account", objectId=MINE, accountId=MINE).accountId == MINE
    with pytest.raises(PermissionDeniedError):
        client.call("get", objectType="Account", objectId=NOT_MINE, accountId=NOT_MINE)
