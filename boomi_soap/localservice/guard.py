"""The guard on a SOAP request body while it arrives, before anything builds its tree.

Three checks run on each chunk the server receives:

- the encoding: UTF-8 or UTF-16, as the WS-I Basic Profile (R1012) requires of a
  SOAP message.  Others are refused, UTF-7 above all, which can spell markup in
  base64 and so slip past any count of raw bytes;
- limits, on the raw bytes: tags (every ``<``) and ``xmlns`` declarations, and no
  DOCTYPE anywhere.  Counting is linear and needs no parser, so a body made of
  namespace declarations is refused in milliseconds, where parsing and validating it
  takes tens of seconds;
- sign-in: a pull parser with the hardened settings of :mod:`boomi_soap._xml.safe`
  reads the Envelope up to the end of its Header and checks the WS-Security
  ``UsernameToken``.  Until it has, at most ``max_unauthenticated_bytes`` of the body
  are read: whatever stops the scan there (a DOCTYPE, malformed XML, a Header that
  does not end, a Body before any Header) refuses the request, so an unauthenticated
  sender never gets the service to hold more than that prefix.

A body short enough to have ended before the scan decided (an Envelope without a
Header, say) goes to the full parse, which refuses it with the precise message.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from typing import Final

from lxml import etree

from boomi_soap._xml.safe import DOCTYPE_PATTERNS
from boomi_soap.exceptions import XMLInputError
from boomi_soap.localservice.config import ServiceConfig
from boomi_soap.localservice.errors import ApiFault, FaultCode, malformed
from boomi_soap.localservice.soap import NS_ENVELOPE, body_child, username_token

__all__ = ["EnvelopeGuard"]

_XMLNS_UTF8: Final = b"xmlns"
_XMLNS_UTF16LE: Final = "xmlns".encode("utf-16-le")
_XMLNS_UTF16BE: Final = "xmlns".encode("utf-16-be")
_XMLNS_ANY: Final = (_XMLNS_UTF8, _XMLNS_UTF16LE, _XMLNS_UTF16BE)
_OVERLAP: Final = max(len(p) for p in (*_XMLNS_ANY, *DOCTYPE_PATTERNS)) - 1
_ENCODING: Final = re.compile(rb"""encoding\s*=\s*["']([^"']*)["']""")
_DECLARATION_BYTES: Final = 512
_NO_DOCTYPE: Final = XMLInputError("DOCTYPE declarations are not allowed", source="request")
_ENVELOPE: Final = f"{{{NS_ENVELOPE}}}Envelope"
_HEADER: Final = f"{{{NS_ENVELOPE}}}Header"
_BODY: Final = f"{{{NS_ENVELOPE}}}Body"


class EnvelopeGuard:
    """Checks one request body chunk by chunk; :meth:`feed` raises to refuse it.

    Attributes:
        signed_in: Whether the Header's UsernameToken authenticated a user.
    """

    def __init__(self, config: ServiceConfig, sign_in: Callable[[str, str], object]) -> None:
        """Start checking a body.

        Args:
            config: The limits.
            sign_in: Checks a user name and secret; raises the ``ApiFault`` to answer
                when they do not sign in (or the sender is throttled).
        """
        self._config = config
        self._check_sign_in = sign_in
        self._parser: etree.XMLPullParser | None = etree.XMLPullParser(
            events=("start", "end"),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            remove_pis=True,
        )
        self._tail = b""
        self._start = b""
        self._xmlns: tuple[bytes, ...] | None = None  # the pattern in the body's encoding, once known
        self._tags = 0
        self._namespaces = 0
        self._scanned = 0
        self._depth = 0
        self.signed_in = False

    @property
    def allowance(self) -> int | None:
        """Bytes of the body that may be read now in all (``None``: no bound beyond the body's)."""
        return None if self.signed_in else self._config.max_unauthenticated_bytes

    def feed(self, chunk: bytes) -> None:
        """Check the next chunk of the body.

        Args:
            chunk: Bytes that follow those already fed.

        Raises:
            ApiFault: ``INVALID_REQUEST`` (HTTP 400) for a malformed body or one over
                a limit, ``AUTHENTICATION`` (or the envelope's own fault) when the
                sign-in fails or does not come within the unauthenticated allowance.
        """
        if self._xmlns is None:
            self._start += chunk[:_DECLARATION_BYTES]
            self._xmlns = _encoding_patterns(self._start)
        tail, window = self._tail, self._tail + chunk
        self._tail = window[-_OVERLAP:]
        # The tail's own matches were counted with the previous chunk; the window adds
        # those that span the two.
        self._tags += chunk.count(b"<")
        self._namespaces += max(window.count(p) - tail.count(p) for p in self._xmlns or _XMLNS_ANY)
        if self._tags > self._config.max_elements:
            raise malformed(f"The request has more than {self._config.max_elements} tags")
        if self._namespaces > self._config.max_namespaces:
            raise malformed(f"The request has more than {self._config.max_namespaces} namespace declarations")
        if any(p in window for p in DOCTYPE_PATTERNS):
            # parse_xml would refuse it too: refusing it here spares reading the rest.
            raise malformed(f"Malformed request: {_NO_DOCTYPE}")
        if self._parser is not None:
            self._scan(chunk)

    def _scan(self, chunk: bytes) -> None:
        assert self._parser is not None
        try:
            self._parser.feed(chunk)
            events = list(self._parser.read_events())
        except etree.XMLSyntaxError as exc:
            line, column = exc.position if exc.position else (None, None)
            reason = (exc.msg or "not well-formed").splitlines()[0]
            error = XMLInputError(f"not well-formed XML: {reason}", source="request", line=line, column=column)
            raise malformed(f"Malformed request: {error}") from None
        for event, element in events:
            if event == "end":
                self._depth -= 1
                if self._depth == 1 and element.tag == _HEADER:
                    self._sign_in(element)
                    return
                continue
            self._depth += 1
            if self._depth == 1 and element.tag != _ENVELOPE:
                body_child(etree.Element(element.tag))  # raises the fault for a wrong root
            if self._depth == 2 and element.tag == _BODY:
                username_token(None)  # no Header before the Body: raises "token required"
        self._scanned += len(chunk)
        if self._scanned >= self._config.max_unauthenticated_bytes:
            raise ApiFault(
                FaultCode.AUTHENTICATION,
                f"The SOAP Header must end within the first {self._config.max_unauthenticated_bytes} bytes",
            )

    def _sign_in(self, header: etree._Element) -> None:
        username, secret = username_token(header)
        self._check_sign_in(username, secret)
        self.signed_in = True
        self._parser = None  # the Body is left to the full parse, after sign-in


def _encoding_patterns(start: bytes) -> tuple[bytes, ...] | None:
    """The ``xmlns`` pattern in the encoding the body starts with, or ``None`` until it shows.

    Raises:
        ApiFault: ``INVALID_REQUEST`` for an encoding other than UTF-8 or UTF-16.
    """
    if start.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, b"\0\0\0<", b"<\0\0\0")):
        raise malformed("UTF-32 is not accepted: send UTF-8 or UTF-16")
    if len(start) < 4:
        return None
    if start.startswith((codecs.BOM_UTF16_LE, b"<\0")):
        return (_XMLNS_UTF16LE,)
    if start.startswith((codecs.BOM_UTF16_BE, b"\0<")):
        return (_XMLNS_UTF16BE,)
    text = start.removeprefix(codecs.BOM_UTF8)
    if not text.startswith(b"<?xml"):
        return (_XMLNS_UTF8,)  # no declaration: UTF-8
    end = text.find(b"?>")
    if end < 0:
        if len(start) < _DECLARATION_BYTES:
            return None
        raise malformed("The XML declaration is malformed")
    declared = _ENCODING.search(text, 0, end)
    if declared and declared.group(1).lower() not in (b"utf-8", b"utf-16"):
        name = declared.group(1).decode("ascii", "replace")
        raise malformed(f"The {name} encoding is not accepted: send UTF-8 or UTF-16")
    return (_XMLNS_UTF8,)
