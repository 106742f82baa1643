"""Exceptions raised by boomi_soap.

Every exception the library raises on purpose derives from one root, so a caller
can catch them all with a single ``except BoomiSoapError``::

    BoomiSoapError
    ├── XMLInputError          unsafe or malformed XML (DTD, entity, syntax, depth)
    └── ServiceError           the local AtomSphere service cannot start or is misused
        └── ServiceConfigError bad configuration (accounts, users, limits)

No message, ``str()`` or ``repr()`` of these exceptions contains a password, an
API token or an ``Authorization`` header.
"""

from __future__ import annotations

__all__ = [
    "BoomiSoapError",
    "ServiceConfigError",
    "ServiceError",
    "XMLInputError",
]


class BoomiSoapError(Exception):
    """Root of every exception raised by boomi_soap."""


class XMLInputError(BoomiSoapError, ValueError):
    """A document is not well-formed, or uses a construct refused for safety.

    Attributes:
        source: Where the document came from (file name, URL, ``<stdin>``).
        line: Line of the problem, when known.
        column: Column of the problem, when known.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str = "<bytes>",
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.source = source
        self.line = line
        self.column = column
        where = source if line is None else f"{source}:{line}:{column or 0}"
        super().__init__(f"{where}: {message}")


class ServiceError(BoomiSoapError):
    """The local AtomSphere service could not do what was asked."""


class ServiceConfigError(ServiceError, ValueError):
    """The local AtomSphere service was given an invalid configuration."""
