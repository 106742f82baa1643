"""Hardened XML parsing shared by every component that reads untrusted XML.

The parser never loads a DTD, never expands an entity, never touches the network
and keeps libxml2's default depth and text-size limits (``huge_tree`` off), so a
"billion laughs" document, an external entity, a 10,000-deep nesting or a 50 MB
text node is refused in bounded time and memory.  A document that declares a
DOCTYPE at all is refused before libxml2 sees it (libxml2 still parses entity
declarations when it does not expand them): no SOAP or schema document we read needs
one.  The check looks for the literal ``<!DOCTYPE`` in every Unicode encoding, so a
CDATA section quoting one is refused too; that trade keeps the check simple and sure.

:func:`parse_xml` reuses one such parser per thread: building a parser costs about as
much as parsing a small request, and lxml parsers must not be shared between threads.
"""

from __future__ import annotations

import re
import threading

from lxml import etree

from boomi_soap.exceptions import XMLInputError

__all__ = ["parse_xml", "safe_parser"]

_DOCTYPE_PATTERNS = tuple(
    "<!DOCTYPE".encode(codec) for codec in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
)

_UTF8_DOCTYPE = _DOCTYPE_PATTERNS[:1]


def safe_parser(*, remove_comments: bool = False) -> etree.XMLParser:
    """Return a new lxml parser configured for untrusted input.

    Args:
        remove_comments: Drop comments while parsing.

    Returns:
        An ``XMLParser`` with DTD loading, entity expansion and network access off.
    """
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=remove_comments,
        remove_pis=True,
        # CDATA sections are kept as such, so component XML goes back in an update as it came.
        strip_cdata=False,
    )


_local = threading.local()


def _thread_parser() -> etree.XMLParser:
    """This thread's hardened parser, made on first use."""
    parser: etree.XMLParser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = safe_parser()
    return parser


def parse_xml(data: bytes, *, source: str = "<bytes>") -> etree._Element:
    """Parse a complete XML document safely and return its root element.

    Args:
        data: The raw document.
        source: A name for the document used in error messages.

    Returns:
        The root element.

    Raises:
        XMLInputError: If the document is empty, malformed, too deep, or has a DTD.
    """
    if not data or data.isspace():
        raise XMLInputError("empty document", source=source)
    # UTF-16 and UTF-32 spell "<!DOCTYPE" with NUL bytes: without one, UTF-8's spelling is the only one.
    for pattern in _DOCTYPE_PATTERNS if b"\x00" in data else _UTF8_DOCTYPE:
        position = data.find(pattern)
        if position >= 0:
            line = data.count(b"\n", 0, position) + 1
            column = position - (data.rfind(b"\n", 0, position) + 1) + 1
            raise XMLInputError("DOCTYPE declarations are not allowed", source=source, line=line, column=column)
    try:
        root = etree.fromstring(data, parser=_thread_parser())
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (None, None)
        reason = (exc.msg or "not well-formed").splitlines()[0]
        raise XMLInputError(f"not well-formed XML: {reason}", source=source, line=line, column=column) from None
    # Asking libxml2 costs a quarter of parsing a small request: only when the byte
    # scan above could have missed a DOCTYPE (an encoding other than UTF-8 or ASCII).
    plain = data[0] == 0x3C and len(data) > 1 and data[1] != 0x3F  # "<" then not "?": no declaration, UTF-8
    if not plain and not _scanned(data) and root.getroottree().docinfo.doctype:
        raise XMLInputError("DOCTYPE declarations are not allowed", source=source, line=1, column=1)
    return root


_ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_SCANNED_ENCODINGS = frozenset({b"utf-8", b"utf8", b"us-ascii", b"ascii"})


def _scanned(data: bytes) -> bool:
    """Whether libxml2 reads ``data`` as UTF-8 (or ASCII), where the byte scan sees every DOCTYPE."""
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    if data[start : start + 1] != b"<":
        return False
    if not data.startswith(b"<?xml", start):
        return True  # no declaration: UTF-8
    end = data.find(b"?>", start, start + 512)
    if end < 0:
        return False
    declared = _ENCODING.search(data, start, end)
    return declared is None or declared.group(1).lower() in _SCANNED_ENCODINGS
