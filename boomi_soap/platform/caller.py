"""What the platform features need of a client: the :class:`Caller` and :class:`AsyncCaller` protocols.

The features (runs, deploys, polling, components) are written against these protocols,
never against :class:`~boomi_soap.Client`, so the clients may forward to them without an
import cycle, and any object with these methods (the sync client, a sub-account view, the
async client, a test's recording caller) can run them.  A feature is a generator of steps
(:mod:`boomi_soap.platform.steps`): each step is a call of one of these methods, made by
:func:`~boomi_soap.platform.steps.drive` on a :class:`Caller` and awaited by
:func:`~boomi_soap.platform.steps.adrive` on an :class:`AsyncCaller`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from lxml import etree

    from boomi_soap.query import Expression
    from boomi_soap.settings import ClientSettings
    from boomi_soap.snapshot.contract import Contract

__all__ = ["Account", "AsyncCaller", "Caller"]


class Account(Protocol):
    """What both kinds of caller hold without a call: where, how, and the account's contract."""

    @property
    def address(self) -> str:
        """Where calls go."""
        ...

    @property
    def settings(self) -> ClientSettings:
        """Timeouts, size caps, retries."""
        ...

    @property
    def contract(self) -> Contract:
        """The operations of the account's WSDL."""
        ...

    def from_xml(self, element: etree._Element) -> Any:
        """An answer's XML element as the client's objects."""
        ...


class Caller(Account, Protocol):
    """A sync client of one account, as the platform features use it."""

    def get(self, object_type: str, object_id: str) -> Any:
        """One object by id."""
        ...

    def query(
        self,
        object_type: str,
        where: Expression | None = None,
        *,
        sort: Mapping[str, str] | None = None,
        on_page: Callable[[int, int], None] | None = None,
    ) -> Iterator[Any]:
        """Objects of a type, every page followed."""
        ...

    def create(self, obj: Any = None, /, object_type: str | None = None, **fields: Any) -> Any:
        """Create an object; the service's answer."""
        ...

    def update(self, obj: Any = None, /, object_type: str | None = None, **fields: Any) -> Any:
        """Update an object; the service's answer."""
        ...

    def delete(self, object_type: str, object_id: str) -> bool:
        """Delete an object by id."""
        ...

    def call(self, operation: str, **kwargs: Any) -> Any:
        """Any other operation of the WSDL."""
        ...

    def call_xml(self, payload: etree._Element) -> etree._Element:
        """Send a request wrapper element; the response wrapper element."""
        ...

    def get_linked(self, url: str, *, max_bytes: int, operation: str) -> tuple[int, bytes]:
        """GET a resource an answer linked to, on the client's own origin: its status and body."""
        ...

    def post_linked(
        self, url: str, body: bytes, *, content_type: str, max_bytes: int, operation: str
    ) -> tuple[int, bytes]:
        """POST to a REST resource of the account, with :meth:`get_linked`'s rules (never retried)."""
        ...


class AsyncCaller(Account, Protocol):
    """An async client of one account (:class:`~boomi_soap.AsyncClient`): :class:`Caller`'s calls, awaited."""

    async def get(self, object_type: str, object_id: str) -> Any:
        """One object by id."""
        ...

    def query(
        self,
        object_type: str,
        where: Expression | None = None,
        *,
        sort: Mapping[str, str] | None = None,
        on_page: Callable[[int, int], None] | None = None,
    ) -> AsyncIterator[Any]:
        """Objects of a type, every page followed: ``async for``."""
        ...

    async def create(self, obj: Any = None, /, object_type: str | None = None, **fields: Any) -> Any:
        """Create an object; the service's answer."""
        ...

    async def update(self, obj: Any = None, /, object_type: str | None = None, **fields: Any) -> Any:
        """Update an object; the service's answer."""
        ...

    async def delete(self, object_type: str, object_id: str) -> bool:
        """Delete an object by id."""
        ...

    async def call(self, operation: str, **kwargs: Any) -> Any:
        """Any other operation of the WSDL."""
        ...

    async def call_xml(self, payload: etree._Element) -> etree._Element:
        """Send a request wrapper element; the response wrapper element."""
        ...

    async def get_linked(self, url: str, *, max_bytes: int, operation: str) -> tuple[int, bytes]:
        """GET a resource an answer linked to, on the client's own origin: its status and body."""
        ...

    async def post_linked(
        self, url: str, body: bytes, *, content_type: str, max_bytes: int, operation: str
    ) -> tuple[int, bytes]:
        """POST to a REST resource of the account, with :meth:`get_linked`'s rules (never retried)."""
        ...
