"""What may be logged: envelopes, headers and URLs with every secret masked.

Secrets are recognised by name, never by value: an element or attribute whose local
name contains one of :data:`SECRET_WORDS` (``password``, ``awsSecretAccessKey``,
``apiKey``, ``encryptedValue``, ``credentials``, ``clientSecret`` ...) has its content
replaced by ``***``, and so has a name/value pair that names one
(``<field id="password" value="..."/>``, ``<Name>apiKey</Name><Value>...</Value>``,
``{"name": "dbPassword", "value": "..."}``).  XML and JSON follow one rule, from one
list of naming keys (:data:`NAMING_KEYS`) and value keys (:data:`VALUE_KEYS`), compared
without regard to case.  The rules work on the raw bytes (regular expressions for
XML, a tolerant tokenizer for JSON), not a parse, so a truncated or malformed answer
is masked as well as a valid one.  They err on the side of masking: ``queryToken`` or
``keyName`` are masked too, and so is the value of a JSON object cut off before its
name could be read.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping, Sequence
from typing import Final
from urllib.parse import unquote_plus, urlsplit, urlunsplit

__all__ = [
    "MASK",
    "NAMING_KEYS",
    "SECRET_FIELDS",
    "SECRET_WORDS",
    "VALUE_KEYS",
    "debug_body",
    "is_secret_name",
    "redact",
    "redact_headers",
    "redact_json",
    "redact_url",
]

SECRET_WORDS: Final = (
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "key",
    "credential",
    "encrypted",
    "nonce",
    "authorization",
    "cookie",
)
SECRET_FIELDS: Final = frozenset({"auth"})
"""Names that are secrets as a whole word only (Connect Now's ``auth``: base64 ``user:password``)."""
MASK: Final = "***"
NAMING_KEYS: Final = ("id", "name", "key", "fieldName", "propertyName")
"""Keys (attributes, elements, JSON members) that name the value beside them, any case."""
VALUE_KEYS: Final = ("value",)
"""Keys that hold the value a naming key names, any case (``value``, ``Value``)."""
_ENCRYPTED_FLAG: Final = "usesencryption"
_WORDS: Final = "|".join(SECRET_WORDS).encode()
_NAME: Final = rb"[\w.-]*(?:" + _WORDS + rb")[\w.-]*"
_TAG: Final = rb"(?:[\w.-]+:)?" + _NAME
# A name as a value (id="DB Password", <Name>DB Password</Name>): spaces allowed.
_LABEL: Final = rb"[\w. -]*(?:" + _WORDS + rb")[\w. -]*"
# Patterns as text: ``re`` compiles (and keeps) each on first use, so importing this
# module (every client does) costs nothing until something is redacted.
_FLAGS: Final = rb"(?is)"
# <password>...</password>, <credentials>...</credentials>; to the end when the end tag was cut off.
_ELEMENT: Final = _FLAGS + rb"(<(" + _TAG + rb")(?=[\s/>])[^>]*(?<!/)>)(.*?)(</\2\s*>|\Z)"
_TEXT: Final = rb"(^|>)([^<]+)"
_CDATA: Final = rb"(?s)<!\[CDATA\[.*?(?:\]\]>|\Z)"
_ANY_VALUE: Final = rb"(=\s*)(\"[^\"]*\"?|'[^']*'?)"
# password="...", wsse:Nonce='...': the value, even an unterminated one.
_ATTRIBUTE: Final = _FLAGS + rb"(\s" + _TAG + rb"\s*=\s*)(\"[^\"]*\"?|'[^']*'?)"
# <field id="password" type="password" value="..."/> and <property name="apiKey">...</property>.
_NAMING: Final = rb"(?:" + "|".join(NAMING_KEYS).encode() + rb")"
_VALUE: Final = rb"(?:" + "|".join(VALUE_KEYS).encode() + rb")"
_NAMED: Final = _FLAGS + rb"(<[\w.:-]+\s[^>]*?\b" + _NAMING + rb"\s*=\s*([\"'])" + _LABEL + rb"\2[^>]*>)([^<]*)"
_VALUE_ATTRIBUTE: Final = _FLAGS + rb"(\s" + _VALUE + rb"\s*=\s*)(\"[^\"]*\"?|'[^']*'?)"
# <Name>apiKey</Name><Value>...</Value> (process properties and their kin).
_NAME_ELEMENT: Final = rb"<(?:[\w.-]+:)?(" + _NAMING + rb")\b[^>]*>\s*" + _LABEL + rb"\s*</(?:[\w.-]+:)?\2\s*>"
_VALUE_START: Final = rb"\s*<((?:[\w.-]+:)?" + _VALUE + rb")\b[^>]*(?<!/)>"
_PAIR: Final = _FLAGS + rb"(" + _NAME_ELEMENT + _VALUE_START + rb")(.*?)(</\3\s*>|\Z)"
_SECRET_NAME: Final = "(?i)" + _NAME.decode()
_SECRET_HEADERS: Final = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie", "x-boomi-otp"})


@functools.lru_cache(maxsize=4096)  # the same few keys, over and over, in a body
def is_secret_name(name: str) -> bool:
    """Whether an element, attribute, header or property name says it holds a secret (``DB Password`` too)."""
    local = name.rpartition(":")[2]
    lowered = local.lower()
    if not any(word in lowered for word in SECRET_WORDS):  # most names: no regular expression needed
        return lowered in SECRET_FIELDS
    return re.fullmatch(_SECRET_NAME, re.sub(r"\s", "_", local)) is not None


_SECRET_KEY: Final = 1
_NAMING_KEY: Final = 2
_VALUE_KEY: Final = 4
_FLAG_KEY: Final = 8


@functools.lru_cache(maxsize=4096)
def _role(key: str) -> int:
    """What a member's key makes it, as bits: a secret, a naming key, a value key, the encryption flag."""
    lowered = key.lower()
    return (
        (_SECRET_KEY if is_secret_name(key) else 0)
        | (_NAMING_KEY if lowered in _NAMING_LOWER else 0)
        | (_VALUE_KEY if lowered in _VALUE_LOWER else 0)
        | (_FLAG_KEY if lowered == _ENCRYPTED_FLAG else 0)
    )


def _secret_members(members: Sequence[tuple[str, object]], *, complete: bool = True) -> set[int]:
    """The positions of an object's members whose values are secrets: the one rule for XML's kin in JSON.

    Masked: the value of every secret-named key (``auth``, ``password`` ...), and the
    value key (:data:`VALUE_KEYS`) of an object that names a secret with a naming key
    (``{"name": "dbPassword", "value": ...}``) or says it is encrypted
    (``"usesEncryption": true``).  In an object cut off before its end (``complete``
    false) the value key is masked unless a naming key already names something else.
    A value of ``_CUT`` is a string cut off before its end.
    """
    roles = [_role(key) for key, _ in members]
    named = public = encrypted = False
    for role, (_, value) in zip(roles, members, strict=True):
        if role & _NAMING_KEY:
            if isinstance(value, str) and is_secret_name(value):
                named = True
            elif value is not _CUT:
                public = True
        elif role & _FLAG_KEY and value in (True, "true"):
            encrypted = True
    masked = _SECRET_KEY | _VALUE_KEY if named or encrypted or not (complete or public) else _SECRET_KEY
    return {i for i, role in enumerate(roles) if role & masked and members[i][1] not in (None, "")}


def redact_json(value: object) -> object:
    """A JSON value with secrets masked at any depth (see :func:`_secret_members` for which)."""
    if isinstance(value, dict):
        members = [(str(k), v) for k, v in value.items()]
        secret = _secret_members(members)
        return {k: MASK if i in secret else redact_json(v) for i, (k, v) in enumerate(value.items())}
    if isinstance(value, list):
        return [redact_json(v) for v in value]
    return value


_CUT: Final = object()
_NAMING_LOWER: Final = frozenset(k.lower() for k in NAMING_KEYS)
_VALUE_LOWER: Final = frozenset(k.lower() for k in VALUE_KEYS)
# A JSON token: a string (group 1 is its closing quote, absent when it was cut off; group
# 2 the colon after a key), a punctuator, or a bare scalar (true, 12, null).
_JSON_TOKEN: Final = rb'"(?:[^"\\]|\\.)*(?:(")(\s*:)?|\\?\Z)|[{}\[\],]|[^\s{}\[\]:,"]+|:'
_BARE: Final = {b"true": True, b"false": False, b"null": None}
# What a secret needs somewhere in a body: a secret word, the encryption flag, or an escape
# that could spell either.  Searched for in the lowered bytes: an IGNORECASE alternation
# is twenty times slower.
_JSON_SUSPECTS: Final = (
    *(w.encode() for w in SECRET_WORDS),
    *(f.encode() for f in SECRET_FIELDS),
    b"usesencryption",
    b"\\u",
)


def _json_scalar(match: re.Match[bytes]) -> object:
    """What a string or bare token says (``_CUT`` for a string cut off before its end)."""
    token = match.group()
    if not token.startswith(b'"'):
        return _BARE.get(token, token)
    if match.group(1) is None:
        return _CUT
    text = token[: match.end(1) - match.start()]  # the string, quotes included, without a key's colon
    if b"\\" not in text:
        return text[1:-1].decode("utf-8", "replace")
    try:
        return json.loads(text)
    except ValueError:  # a stray escape: not a name anyone can read
        return _CUT


class _Object:
    """An object being read by :func:`_mask_json_text`: its members and where each value lies."""

    __slots__ = ("key", "members", "spans", "start")

    def __init__(self) -> None:
        self.members: list[tuple[str, object]] = []
        self.spans: list[tuple[int, int]] = []
        self.key: str | None = None  # the key read, until its value is
        self.start = -1  # where the key's value began, when it is an object or array

    def add(self, start: int, end: int, value: object) -> None:
        if self.key is not None:
            self.members.append((self.key, value))
            self.spans.append((start, end))
        self.key, self.start = None, -1


def _mask_json_text(raw: bytes) -> bytes:
    """Mask JSON text by :func:`_secret_members`, read by a tokenizer that survives a cut or a misfit."""
    lowered = raw.lower()
    if not any(suspect in lowered for suspect in _JSON_SUSPECTS):
        try:
            json.loads(raw)
        except (ValueError, RecursionError):
            pass  # cut off, malformed or nested past the parser: an object's name may lie past the end
        else:
            return raw  # whole, and no word of a secret in it: nothing to mask (and the tokenizer is slow)
    stack: list[_Object | None] = []  # None: an array
    masks: list[tuple[int, int]] = []
    for match in re.finditer(_JSON_TOKEN, raw):
        token, start, end = match.group(), match.start(), match.end()
        frame = stack[-1] if stack else None
        if token in (b"{", b"["):
            if frame is not None and frame.key is not None:
                frame.start = start
            stack.append(_Object() if token == b"{" else None)
        elif token in (b"}", b"]"):
            done = stack.pop() if stack else None
            if done is not None:
                masks.extend(done.spans[i] for i in _secret_members(done.members))
            parent = stack[-1] if stack else None
            if parent is not None and parent.start >= 0:
                parent.add(parent.start, end, token)  # masked whole if its key is a secret's
        elif token not in (b":", b",") and frame is not None:
            scalar = _json_scalar(match)
            if frame.key is None or match.group(2) is not None:
                frame.key = scalar if isinstance(scalar, str) else "\ufffd"  # cut or not a string: no name
            else:
                frame.add(start, end, scalar)
    # Cut off: each open object is judged as far as it goes, an open value masked to the end.
    for frame in stack:
        if frame is None:
            continue
        if frame.start >= 0:
            frame.add(frame.start, len(raw), _CUT)
        masks.extend(frame.spans[i] for i in _secret_members(frame.members, complete=False))
    out, at = [], 0
    for start, end in sorted(masks):
        if start < at:  # inside a value masked already
            continue
        out += [raw[at:start], b'"***"']
        at = end
    out.append(raw[at:])
    return b"".join(out)


def _mask_text(match: re.Match[bytes]) -> bytes:
    return match.group(1) + (MASK.encode() if match.group(2).strip() else match.group(2))


def _mask_element(match: re.Match[bytes]) -> bytes:
    # Child tags stay, so the log still shows the shape (wsse:Username, wsse:Password).
    content = re.sub(_CDATA, MASK.encode(), match.group(3))
    content = re.sub(_ANY_VALUE, rb'\1"***"', re.sub(_TEXT, _mask_text, content))
    return match.group(1) + content + match.group(4)


def _mask_named(match: re.Match[bytes]) -> bytes:
    tag = re.sub(_VALUE_ATTRIBUTE, rb'\1"***"', match.group(1))
    return tag + (MASK.encode() if match.group(3).strip() else match.group(3))


def _is_json(raw: bytes) -> bool:
    return raw.lstrip()[:1] in (b"{", b"[")


def redact(data: bytes | str) -> str:
    """Return an XML (or JSON) body as text with the content of every secret-named element, attribute or key masked."""
    raw = data.encode() if isinstance(data, str) else data
    if _is_json(raw):
        return _mask_json_text(raw).decode("utf-8", "replace")
    # Pairs first: the naming key may itself be secret-named (``key``) and masked below.
    raw = re.sub(_NAMED, _mask_named, raw)
    raw = re.sub(_PAIR, rb"\1***\5", raw)
    raw = re.sub(_ELEMENT, _mask_element, raw)
    raw = re.sub(_ATTRIBUTE, rb'\1"***"', raw)
    return raw.decode("utf-8", "replace")


def debug_body(data: bytes | str, limit: int) -> str:
    """Return a body for a DEBUG log: redacted, then cut at ``limit`` bytes with its full size stated."""
    raw = data.encode() if isinstance(data, str) else data
    if len(raw) <= limit:
        return redact(raw)
    # Only the part shown is redacted, so a huge body costs nothing more.  A secret whose
    # end tag was cut off is masked to the end; a tag cut in half is dropped, since its
    # name/value pair (<field id="password" value=...) cannot be judged.
    head = raw[:limit]
    if not _is_json(head) and head.rfind(b"<") > head.rfind(b">"):
        head = head[: head.rfind(b"<")]
    return redact(head) + f"\n[... cut at {limit} of {len(raw)} bytes]"


def redact_headers(headers: Mapping[str, str | bytes]) -> str:
    """Return headers as ``Name: value`` lines, credentials masked (the auth scheme is kept)."""
    lines = []
    for name, value in headers.items():
        text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
        if name.lower() in _SECRET_HEADERS or is_secret_name(name):
            scheme, _, rest = text.partition(" ")
            text = f"{scheme} {MASK}" if rest and name.lower().endswith("authorization") else MASK
        lines.append(f"{name}: {text}")
    return "\n".join(lines)


def redact_url(url: str, *, keep_user: bool = False) -> str:
    """Return a URL with its credentials masked.

    Masked: any user information (``user:password@``, or only the password with
    ``keep_user``), and the value of every query parameter with a secret name
    (``?password=...``, ``&access_token=...``).

    Args:
        url: The URL.
        keep_user: Keep the user name, masking only the password (``user:***@host``).
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparsable URL>"
    if "@" in parts.netloc:
        user, _, host = parts.netloc.rpartition("@")
        name, colon, _ = user.partition(":")
        shown = f"{name}:{MASK}" if keep_user and colon else (name if keep_user else MASK)
        parts = parts._replace(netloc=f"{shown}@{host}")
    shown_url = urlunsplit(parts) if parts.netloc != urlsplit(url).netloc else url
    base, mark, rest = shown_url.partition("?")
    if not mark:
        return shown_url
    query, hash_mark, fragment = rest.partition("#")
    # The query is rewritten by hand, not re-encoded, so everything else stays as written.
    fields = [_mask_parameter(field) for field in re.split(r"([&;])", query)]
    return f"{base}?{''.join(fields)}{hash_mark}{fragment}"


def _mask_parameter(field: str) -> str:
    name, equals, _ = field.partition("=")
    return f"{name}={MASK}" if equals and is_secret_name(unquote_plus(name)) else field
