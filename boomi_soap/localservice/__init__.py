"""A local AtomSphere platform API: a real SOAP 1.1 service on loopback.

It serves the bundled contract (WSDL and schemas) behind HTTP Basic auth, answers
SOAP calls authenticated with a WS-Security UsernameToken over a seeded,
stateful in-memory store, enforces the per-account rate limit and daily quota
with HTTP 503, and can inject network and server failures for tests.
"""

from typing import TYPE_CHECKING, Any

from boomi_soap.localservice.config import (
    DEFAULT_ACCOUNT,
    DEFAULT_API_TOKEN,
    DEFAULT_PASSWORD,
    DEFAULT_USER,
    TOKEN_PREFIX,
    ServiceConfig,
    User,
)

if TYPE_CHECKING:
    from boomi_soap.localservice.injection import Injection
    from boomi_soap.localservice.limits import LimitStats
    from boomi_soap.localservice.server import LocalService

__all__ = [
    "DEFAULT_ACCOUNT",
    "DEFAULT_API_TOKEN",
    "DEFAULT_PASSWORD",
    "DEFAULT_USER",
    "TOKEN_PREFIX",
    "Injection",
    "LimitStats",
    "LocalService",
    "ServiceConfig",
    "User",
]

_LAZY = {"Injection": "injection", "LimitStats": "limits", "LocalService": "server"}


def __getattr__(name: str) -> Any:
    # The server is imported on first use, so reading a constant (``validate`` reads
    # DEFAULT_ACCOUNT) does not import the whole service.
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f"boomi_soap.localservice.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
