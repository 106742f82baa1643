"""What a sub-account view does differently from its parent client (a mixin of :class:`~boomi_soap.SubAccountClient`).

A view's calls carry the override through its own call core; what differs besides is
where a run's record is read (the REST link, with ``?overrideAccount=``) and its
integration packs.  The platform
parts are one-line forwarders to :mod:`boomi_soap.platform.partner` and
:mod:`boomi_soap.platform.ipacks`, written against the
:class:`~boomi_soap.platform.partner.SubAccountView` protocol.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from boomi_soap.platform.ipacks import IntegrationPacks
    from boomi_soap.platform.partner import SubAccountView
    from boomi_soap.platform.polling import Backoff
    from boomi_soap.platform.runs import Execution, RequestId

__all__ = ["SubAccountFeatures"]


def _view(client: SubAccountFeatures) -> SubAccountView:
    # The class that inherits this mixin (SubAccountClient) is the view; the features need only the protocol.
    return cast("SubAccountView", client)


class SubAccountFeatures:
    """The parts of a sub-account view that are not its parent client's.

    Attributes:
        sub_account: The sub-account every call acts on.
        parent: The parent account's client.
    """

    sub_account: str
    parent: Any  # the parent Client (not imported here: the client module defines the view on this mixin)

    def __repr__(self) -> str:
        account = self.parent.snapshot.account_id
        return f"SubAccountClient(account={account!r}, sub_account={self.sub_account!r})"

    @property
    def record_query(self) -> str:
        """The query string that makes a REST link (``recordUrl``, log URLs) act on the sub-account."""
        return f"overrideAccount={self.sub_account}"

    def run_process(
        self,
        process: str,
        atom: str,
        *,
        properties: Mapping[str, str] | None = None,
        wait: bool = True,
        timeout: float = 300.0,
        poll: Backoff | None = None,
    ) -> Execution:
        """Run a process in the sub-account; its record is read through the REST override."""
        from boomi_soap.platform.ipacks import run_in

        return run_in(_view(self), process, atom, properties=properties, wait=wait, timeout=timeout, poll=poll)

    def execution(self, request_id: RequestId, *, record_url: str | None = None) -> Execution:
        """Follow an earlier run in the sub-account by its request id."""
        from boomi_soap.platform.partner import attach_in

        return attach_in(_view(self), request_id, record_url=record_url)

    @property
    def ipacks(self) -> IntegrationPacks:
        """Integration-pack tasks in this sub-account (see :mod:`boomi_soap.platform.ipacks`)."""
        from boomi_soap.platform.ipacks import IntegrationPacks

        return IntegrationPacks(_view(self))
