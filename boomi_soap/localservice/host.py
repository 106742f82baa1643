"""What the REST and ConnectNow front ends need of the running service: :class:`ServiceHost`.

:class:`~boomi_soap.localservice.server.LocalService` is one; the front ends
(:mod:`~boomi_soap.localservice.rest`, :mod:`~boomi_soap.localservice.connectnow`) are typed
against this protocol, so the server imports them and they never import the server.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from boomi_soap.localservice.config import ServiceConfig, User
    from boomi_soap.localservice.contract import Release
    from boomi_soap.localservice.injection import InjectionPlan
    from boomi_soap.localservice.limits import AccountLimits
    from boomi_soap.localservice.store import AccountStore

__all__ = ["Account", "ServiceHost"]


@dataclass
class Account:
    """One account the service holds: its objects and its limits."""

    store: AccountStore
    limits: AccountLimits


class ServiceHost(Protocol):
    """The running service, as its front ends use it."""

    config: ServiceConfig
    injections: InjectionPlan

    @property
    def release(self) -> Release:
        """The contract in force."""
        ...

    def account(self, account_id: str) -> Account | None:
        """The store and limits of an account (a sub-account made on first use), or ``None``."""
        ...

    def sub_accounts(self, account_id: str) -> tuple[str, ...]:
        """The sub-accounts of ``account_id``."""
        ...

    def endpoint(self, account_id: str | None = None) -> str:
        """The SOAP endpoint of an account."""
        ...

    def sign_in(self, username: str, secret: str, source: str) -> User | None:
        """The user these credentials sign in, ``None`` if they do not (counted by the sign-in throttle)."""
        ...
