"""Exceptions raised by boomi_soap.

Every exception the library raises on purpose derives from one root, so a caller
can catch them all with a single ``except BoomiSoapError``::

    BoomiSoapError
    ├── ConfigurationError     missing or contradictory settings (credentials, endpoint)
    ├── XMLInputError          unsafe or malformed XML (DTD, entity, syntax, depth)
    ├── FetchError             the WSDL or a schema could not be downloaded safely
    ├── SchemaLoadError        a snapshot's schemas do not compile
    ├── DocumentInvalidError   a document breaks the schema (carries every issue)
    ├── CacheError             the WSDL cache cannot serve what was asked
    │   ├── SnapshotNotFoundError  no snapshot cached for this account
    │   └── CacheIntegrityError    a cached file is missing, altered or partial
    └── ServiceError           the local AtomSphere service cannot start or is misused
        └── ServiceConfigError bad configuration (accounts, users, limits)

No message, ``str()`` or ``repr()`` of these exceptions contains a password, an
API token or an ``Authorization`` header.
"""

from __future__ import annotations

__all__ = [
    "BoomiSoapError",
    "CacheError",
    "CacheIntegrityError",
    "ConfigurationError",
    "DocumentInvalidError",
    "FetchError",
    "SchemaLoadError",
    "ServiceConfigError",
    "ServiceError",
    "SnapshotNotFoundError",
    "XMLInputError",
]


class BoomiSoapError(Exception):
    """Root of every exception raised by boomi_soap."""


class ConfigurationError(BoomiSoapError, ValueError):
    """Settings are missing or contradict each other (credentials, endpoint, paths)."""


class FetchError(BoomiSoapError):
    """A WSDL or schema download failed or was refused for safety.

    Attributes:
        url: The document's URL (never with credentials in it).
        status: The HTTP status, when the server answered.
    """

    def __init__(self, message: str, *, url: str, status: int | None = None) -> None:
        self.url = url
        self.status = status
        super().__init__(f"{url}: {message}")


class SchemaLoadError(BoomiSoapError):
    """A snapshot's schemas cannot be loaded or compiled."""


class DocumentInvalidError(BoomiSoapError, ValueError):
    """A document does not conform to the schema.

    Attributes:
        issues: Every problem found, in document order.
    """

    def __init__(self, issues: tuple[object, ...], *, source: str = "<document>") -> None:
        self.issues = issues
        self.source = source
        lines = [f"{source}: {len(issues)} schema violation(s)"] + [f"  {issue}" for issue in issues]
        super().__init__("\n".join(lines))


class CacheError(BoomiSoapError):
    """The WSDL cache cannot serve what was asked."""


class SnapshotNotFoundError(CacheError, LookupError):
    """No snapshot is cached for an account."""


class CacheIntegrityError(CacheError):
    """A cached file is missing, altered or partial.

    Attributes:
        path: The offending file.
    """

    def __init__(self, message: str, *, path: str) -> None:
        self.path = path
        super().__init__(f"{path}: {message}")


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
