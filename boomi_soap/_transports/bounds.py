"""The bounds of one answer, decided without I/O, so both drivers enforce the same ones.

The sync driver (:mod:`boomi_soap._transports.sync`, on requests) and the asyncio one
(:mod:`boomi_soap.async_client`, on httpx) read bytes each their own way and ask this module
the same questions in the same order:

1. after the status line and headers, :func:`check_head`: a redirect is refused (never
   followed: it would take the envelope and its password to another URL), and a
   declared size over the cap is not read at all;
2. while the body streams, :class:`BodyCap` counts the decoded bytes and says when the
   cap is passed, and :class:`Inflater` decodes a compressed body in bounded steps, so a
   small gzip answer that inflates to gigabytes stops at the cap;
3. after the body, :func:`check_body`: an HTML page (a login page, a proxy's error) is
   not a SOAP answer.

The retry decisions that follow (503, at most once) are
:func:`boomi_soap._transports.sync.settled` and :func:`boomi_soap._transports.sync.next_try`.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Mapping
from typing import Any, Final

from boomi_soap._xml.redact import redact_url
from boomi_soap.exceptions import RedirectRefusedError, ResponseError
from boomi_soap.wire.attempts import check_body  # the HTML check is the decision's, shared by both drivers

__all__ = ["CHUNK", "ENCODINGS", "BodyCap", "Inflater", "check_body", "check_head", "too_large"]

CHUNK: Final = 64 * 1024
ENCODINGS: Final = "gzip, deflate"
"""The ``Accept-Encoding`` a driver that decodes with :class:`Inflater` sends."""


def check_head(
    operation: str, attempts: int, status: int, headers: Mapping[str, str], address: str, limit: int
) -> None:
    """Refuse an answer from its status and headers, before its body is read.

    Args:
        operation: The operation, for the error.
        attempts: Sends made so far, for the error.
        status: The HTTP status.
        headers: The answer's headers (a case-insensitive mapping: requests' or httpx's).
        address: The URL the request went to.
        limit: ``ClientSettings.max_response_bytes``.

    Raises:
        RedirectRefusedError: On a 3xx answer.
        ResponseError: When ``Content-Length`` says the body is longer than ``limit``.
    """
    if 300 <= status < 400:
        raise RedirectRefusedError(
            operation,
            url=redact_url(address),
            location=redact_url(headers.get("Location", "?")),
            status=status,
            attempts=attempts,
        )
    declared = (headers.get("Content-Length") or "").strip()
    if declared.isdigit() and int(declared) > limit:
        raise too_large(operation, attempts, address, limit)


def too_large(operation: str, attempts: int, address: str, limit: int) -> ResponseError:
    """The error for an answer longer than ``limit`` bytes (decoded); it was not read further."""
    return ResponseError(
        operation, f"answer larger than {limit} bytes from {redact_url(address)}; not read further", attempts=attempts
    )


class BodyCap:
    """Collects a streamed body up to ``limit`` bytes.

    Attributes:
        limit: The most bytes kept.
    """

    def __init__(self, limit: int) -> None:
        """Start empty."""
        self.limit = limit
        self._body = bytearray()

    def add(self, chunk: bytes) -> bool:
        """Keep ``chunk``; ``False`` once the body is longer than the limit (stop reading then)."""
        self._body += chunk
        return len(self._body) <= self.limit

    @property
    def room(self) -> int:
        """Bytes that may still come before the body is over the limit, plus one to tell."""
        return max(1, self.limit + 1 - len(self._body))

    def body(self) -> bytes:
        """What was kept."""
        return bytes(self._body)


class _Stage:
    """One ``Content-Encoding`` step, decoding at most :data:`CHUNK` bytes per call."""

    def __init__(self, encoding: str) -> None:
        self._decoder: Any = None
        self._head = b""  # deflate: the first two bytes tell a zlib header from raw deflate
        if encoding != "deflate":
            self._decoder = zlib.decompressobj(zlib.MAX_WBITS | 16)

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._decoder is None:
            # deflate is zlib-wrapped by the RFC, raw by some servers: the header says which.
            self._head += data
            if len(self._head) < 2:
                return
            data, self._head = self._head, b""
            wrapped = data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
            self._decoder = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        while data:
            out = self._decoder.decompress(data, CHUNK)
            data = self._decoder.unconsumed_tail
            if out:
                yield out

    def flush(self) -> bytes:
        if self._decoder is None:  # fewer than two bytes in all
            self._decoder = zlib.decompressobj(-zlib.MAX_WBITS)
            return bytes(self._decoder.decompress(self._head) + self._decoder.flush())
        return bytes(self._decoder.flush())


class Inflater:
    """Decodes a body sent with a ``Content-Encoding`` in steps of at most :data:`CHUNK` bytes.

    A decoder that inflates a whole network read at once (httpx's) turns 64 KiB of a
    gzip bomb into 64 MiB, and a twice-encoded one into far more, before anything can
    count it; this one yields as it goes, so the caller stops at its cap.
    """

    def __init__(self, content_encoding: str | None, *, operation: str, attempts: int) -> None:
        """Prepare the decoders ``Content-Encoding`` names (applied last first).

        Raises:
            ResponseError: For an encoding other than ``gzip``, ``deflate`` or ``identity``
                (only those are asked for, see :data:`ENCODINGS`).
        """
        names = [e.strip().lower() for e in (content_encoding or "").split(",") if e.strip()]
        names = [e for e in names if e != "identity"]
        unknown = sorted({e for e in names if e not in ("gzip", "x-gzip", "deflate")})
        if unknown:
            raise ResponseError(
                operation, f"answer in an encoding not asked for ({', '.join(unknown)[:40]})", attempts=attempts
            )
        self._stages = [_Stage(e) for e in reversed(names)]
        self._operation = operation
        self._attempts = attempts

    def feed(self, data: bytes) -> Iterator[bytes]:
        """The decoded bytes of the next raw ``data``, in pieces of at most :data:`CHUNK` bytes.

        Raises:
            ResponseError: If the body is not in the encoding it claims.
        """
        try:
            yield from self._through(0, data)
        except zlib.error:
            raise ResponseError(
                self._operation, "answer not in the Content-Encoding it claims", attempts=self._attempts
            ) from None

    def finish(self) -> Iterator[bytes]:
        """What the decoders still hold at the end of the body (a window at most).

        Raises:
            ResponseError: If the body is not in the encoding it claims.
        """
        try:
            for index, stage in enumerate(self._stages):
                yield from self._through(index + 1, stage.flush())
        except zlib.error:
            raise ResponseError(
                self._operation, "answer not in the Content-Encoding it claims", attempts=self._attempts
            ) from None

    def _through(self, index: int, data: bytes) -> Iterator[bytes]:
        if index == len(self._stages):
            if data:
                yield data
            return
        for piece in self._stages[index].feed(data):
            yield from self._through(index + 1, piece)
