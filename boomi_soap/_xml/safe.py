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

Every document also meets :func:`check_bounds` before a tree is built: at most
:data:`MAX_NAMESPACES` ``xmlns`` declarations, :data:`MAX_TAGS` tags and
:data:`MAX_ATTRIBUTES` attributes (:data:`MAX_ELEMENT_ATTRIBUTES` on one element),
nested at most :data:`MAX_DEPTH` deep.  What follows a parse (schema checks, copies,
zeep's reading) costs up to the square of the namespace declarations in scope, or of
an element's attributes: 160,000 declarations took minutes.  The counts run on the
raw bytes, in C, and refuse such a document in milliseconds.  The numbers are those
the local service applies to the requests it reads (its ``ServiceConfig`` should take
them from here).  :func:`bound_zeep_binding` puts zeep's own parse of an answer under
the same bounds.
"""

from __future__ import annotations

import re
import threading
from typing import Any, Final

from lxml import etree

from boomi_soap.exceptions import ResponseError, XMLInputError

__all__ = [
    "DOCTYPE_PATTERNS",
    "MAX_ATTRIBUTES",
    "MAX_DEPTH",
    "MAX_ELEMENT_ATTRIBUTES",
    "MAX_NAMESPACES",
    "MAX_TAGS",
    "bound_zeep_binding",
    "check_bounds",
    "parse_xml",
    "safe_parser",
]

MAX_NAMESPACES: Final = 1_000
"""Most ``xmlns`` declarations in one document (each spelling of ``xmlns`` in its bytes counts)."""
MAX_TAGS: Final = 100_000
"""Most tags in one document: every ``<`` counts, end tags too."""
MAX_ATTRIBUTES: Final = 100_000
"""Most attributes in one document, namespace declarations included."""
MAX_ELEMENT_ATTRIBUTES: Final = 1_000
"""Most attributes on one element: lxml sets each one after a search of those set before (quadratic)."""
MAX_DEPTH: Final = 256
"""Deepest nesting of elements: libxml2's own limit without ``huge_tree``, which this parser and zeep's keep."""

DOCTYPE_PATTERNS = tuple(
    "<!DOCTYPE".encode(codec) for codec in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
)

_UTF8_DOCTYPE = DOCTYPE_PATTERNS[:1]


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
    counted = check_bounds(data, source=source)
    # UTF-16 and UTF-32 spell "<!DOCTYPE" with NUL bytes: without one, UTF-8's spelling is the only one.
    for pattern in DOCTYPE_PATTERNS if b"\x00" in data else _UTF8_DOCTYPE:
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
    if not counted:
        _check_tree(root, source)
    return root


# The spellings of what the bounds count, in every encoding libxml2 detects without a declaration.
_WIDE: Final = ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
_PATTERNS: Final = {
    text: (text.encode("ascii"), *(text.encode(codec) for codec in _WIDE)) for text in ("xmlns", "<", "=")
}


def check_bounds(data: bytes, *, source: str = "<bytes>") -> bool:
    """Refuse a document over the bounds, from its raw bytes (no parse; linear, in C).

    The counts are upper bounds: ``xmlns`` in a text or a comment counts too, as in
    the local service's guard.  Attributes are bounded by the ``=`` signs, and counted
    exactly on the tree only when there are more signs than :data:`MAX_ATTRIBUTES`, or
    more than :data:`MAX_ELEMENT_ATTRIBUTES` from one ``<`` to the next.
    Depth is left to libxml2, which stops at :data:`MAX_DEPTH` while it parses.

    Args:
        data: The raw document, as received.
        source: A name for the document used in error messages.

    Returns:
        Whether the byte counts were conclusive.  ``False`` for an encoding that may
        spell markup in other bytes (UTF-7, EBCDIC), and when the ``=`` signs
        outnumber the attribute bounds: :func:`parse_xml` then counts on the tree
        before returning it.  Parsing is linear in what is counted; only the work
        after it is not.

    Raises:
        XMLInputError: If the document has more namespace declarations or tags than allowed.
    """
    wide = b"\x00" in data  # UTF-16 and UTF-32 spell markup with NUL bytes: count every spelling
    if not wide and not _ascii_markup(data):
        return False

    if wide:
        namespaces, tags, signs = (max(map(data.count, _PATTERNS[text])) for text in ("xmlns", "<", "="))
    else:  # every answer read: three counts in C, no Python loop
        namespaces, tags, signs = data.count(b"xmlns"), data.count(b"<"), data.count(b"=")
    if namespaces > MAX_NAMESPACES:
        raise XMLInputError(f"more than {MAX_NAMESPACES} namespace declarations (xmlns); refused", source=source)
    if tags > MAX_TAGS:
        raise XMLInputError(f"more than {MAX_TAGS} tags; refused", source=source)
    if signs <= MAX_ELEMENT_ATTRIBUTES:
        return True
    if signs > MAX_ATTRIBUTES or wide:
        return False
    # The signs between one "<" and the next bound the attributes of one element (at most
    # MAX_TAGS pieces, so the walk stays short); more there is rare and counted on the tree.
    return max(piece.count(b"=") for piece in data.split(b"<")) <= MAX_ELEMENT_ATTRIBUTES


_ASCII_MARKUP: Final = re.compile(
    rb"utf-?8|(?:us-)?ascii|iso-?8859-[0-9]+|latin-?[0-9]|(?:windows|cp)-?125[0-8]", re.IGNORECASE
)


def _ascii_markup(data: bytes) -> bool:
    """Whether ``data`` spells its markup in ASCII bytes, as UTF-8 and the ISO-8859 family do."""
    text = data.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
    if not text.startswith(b"<"):
        return False  # not XML libxml2 reads as UTF-8: the parse settles it
    if not text.startswith(b"<?xml"):
        return True  # no declaration: UTF-8
    end = text.find(b"?>", 0, 512)
    if end < 0:
        return False
    declared = _ENCODING.search(text, 0, end)
    return declared is None or _ASCII_MARKUP.fullmatch(declared.group(1)) is not None


def _check_tree(root: etree._Element, source: str) -> None:
    """The bounds on a parsed tree, for what the byte counts of the document could not settle.

    The tree is written out again in UTF-8, where the byte counts are conclusive for
    namespace declarations and tags (walking the declarations in scope is quadratic in
    lxml); attributes are counted element by element only when the ``=`` signs are
    still too many.
    """
    if check_bounds(etree.tostring(root, encoding="utf-8"), source=source):
        return
    attributes = 0
    for node in root.iter(etree.Element):
        own = len(node.attrib)
        if own > MAX_ELEMENT_ATTRIBUTES:
            raise XMLInputError(f"an element has more than {MAX_ELEMENT_ATTRIBUTES} attributes; refused", source=source)
        attributes += own
    if attributes > MAX_ATTRIBUTES:
        raise XMLInputError(f"more than {MAX_ATTRIBUTES} attributes; refused", source=source)


def bound_zeep_binding(binding: Any) -> None:
    """Check each answer against the bounds before a zeep SOAP binding parses it.

    zeep parses an answer with a parser of its own (``huge_tree`` off, so depth is
    bounded); the byte counts of :func:`check_bounds` run first, on the same bytes.
    When those are not conclusive (an encoding such as UTF-7, many ``=`` signs), the
    answer is first parsed and counted with this module's parser: zeep gives no hook
    between its parse and its reading.

    Args:
        binding: A ``zeep.wsdl.bindings.soap.SoapBinding``; its ``process_reply`` is wrapped.
    """
    read = binding.process_reply

    def process_reply(client: Any, operation: Any, response: Any) -> Any:
        name = str(getattr(operation, "name", "call"))
        content = response.content or b""
        try:
            if not check_bounds(content, source=f"{name} answer"):
                try:
                    root = etree.fromstring(content, parser=_thread_parser())
                except etree.XMLSyntaxError:
                    root = None  # zeep reports it, as for any answer
                if root is not None:
                    _check_tree(root, f"{name} answer")  # counted on a tree of ours, then zeep parses its own
        except XMLInputError as exc:
            raise ResponseError(name, f"HTTP {response.status_code}: {exc}") from None
        return read(client, operation, response)

    binding.process_reply = process_reply


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
