"""Say in one line why a connection failed, naming the URL or host.

requests wraps the real cause several layers deep (``MaxRetryError`` around
``NameResolutionError`` around ``socket.gaierror``); the fetcher and the client
transport both want the same plain reading of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from boomi_soap._xml.redact import redact_url

__all__ = ["ConnectionProblem", "describe_connection_error", "looks_like_html"]

Kind = Literal["dns", "tls-plain", "tls", "refused", "other"]


@dataclass(frozen=True)
class ConnectionProblem:
    """What went wrong with a connection.

    Attributes:
        kind: ``dns``, ``tls-plain`` (https to a plain-http port), ``tls``, ``refused`` or ``other``.
        reason: One line for people, for a message that names the URL already.
        message: The same line naming the URL.
    """

    kind: Kind
    reason: str
    message: str


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for nxt in (current.__cause__, current.__context__, getattr(current, "reason", None)):
            if isinstance(nxt, BaseException):
                todo.append(nxt)
        todo.extend(a for a in current.args if isinstance(a, BaseException))


def describe_connection_error(exc: BaseException, url: str) -> ConnectionProblem:
    """Read a requests/urllib3 connection error.

    Args:
        exc: The exception requests raised.
        url: The URL that was being reached (user information is removed from the message).

    Returns:
        The kind of failure and a one-line message.
    """
    import socket
    import ssl

    shown = redact_url(url)
    host = urlsplit(url).hostname or shown
    chain = list(_chain(exc))
    texts = " ".join(str(e) for e in chain).lower()
    if any(isinstance(c, socket.gaierror) or type(c).__name__ == "NameResolutionError" for c in chain):
        reason = f"cannot resolve host {host!r} (DNS lookup failed)"
        return ConnectionProblem("dns", reason, f"{reason} for {shown}")
    tls = any(isinstance(c, ssl.SSLError) for c in chain) or "ssl" in texts
    if tls and any(s in texts for s in ("wrong version number", "record layer failure", "packet length too long")):
        reason = "does not speak TLS: the port answers plain HTTP (use http://, or the https port)"
        return ConnectionProblem("tls-plain", reason, f"{shown} {reason}")
    if tls and "certificate" in texts:
        return ConnectionProblem(
            "tls", "TLS certificate verification failed", f"TLS certificate verification failed for {shown}"
        )
    if tls:
        return ConnectionProblem("tls", "TLS handshake failed", f"TLS handshake with {shown} failed")
    if any(isinstance(c, ConnectionRefusedError) for c in chain) or "refused" in texts:
        return ConnectionProblem("refused", "connection refused", f"could not connect to {shown}: connection refused")
    reason = f"cannot connect ({type(exc).__name__})"
    return ConnectionProblem("other", reason, f"could not connect to {shown} ({type(exc).__name__})")


def looks_like_html(data: bytes) -> bool:
    """Whether an answer is an HTML page (a login page, a proxy's error) rather than XML."""
    head = data[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head
