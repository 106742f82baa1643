"""The answer of a bulk GET: per-id objects and per-id errors, in request order.

Plain values, read by the REST wire from ``BulkResult`` and built by the SOAP stand-in
(:func:`boomi_soap.platform.bulk.bulk_get`), so both paths answer alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["BulkItem", "BulkResults"]


@dataclass(frozen=True)
class BulkItem:
    """One id of a bulk GET.

    Attributes:
        id: The id asked for.
        index: Its position in the request.
        status: The per-id status Boomi reports (200 when found).
        value: The object (typed, as ``get`` returns it), or ``None``.
        error: The per-id error message, or ``None``.
    """

    id: str
    index: int
    status: int
    value: Any = None
    error: str | None = None


@dataclass(frozen=True)
class BulkResults:
    """The answer of one bulk GET, in request order.

    Attributes:
        items: One per id asked for.
    """

    items: tuple[BulkItem, ...]

    @property
    def found(self) -> dict[str, Any]:
        """The objects found, by id."""
        return {i.id: i.value for i in self.items if i.error is None}

    @property
    def errors(self) -> dict[str, str]:
        """The per-id errors, by id."""
        return {i.id: i.error for i in self.items if i.error is not None}
