"""What may be logged: envelopes, headers and URLs with every secret masked.

Secrets are recognised by name, never by value: an element or attribute whose local
name contains one of :data:`SECRET_WORDS` (``password``, ``awsSecretAccessKey``,
``apiKey``, ``encryptedValue``, ``credentials``, ``clientSecret`` ...) has its content
replaced by ``***``, and so has a name/value pair that names one
(``<field id="password" value="..."/>``, ``<Name>apiKey</Name><Value>...</Value>``).
The rules are regular expressions over the raw bytes, not a parse, so a truncated or
malformed answer is masked as well as a valid one.  They err on the side of masking:
``queryToken`` or ``keyName`` are masked too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final
from urllib.parse import urlsplit, urlunsplit

__all__ = [
    "SECRET_FIELDS",
    "SECRET_WORDS",
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
_NAMING_KEYS: Final = ("id", "name", "key", "fieldName", "propertyName")
_WORDS: Final = "|".join(SECRET_WORDS).encode()
_NAME: Final = rb"[\w.-]*(?:" + _WORDS + rb")[\w.-]*"
_TAG: Final = rb"(?:[\w.-]+:)?" + _NAME
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
_NAMED: Final = (
    _FLAGS + rb"(<[\w.:-]+\s[^>]*?\b(?:id|name|key|fieldName|propertyName)\s*=\s*([\"'])" + _NAME + rb"\2[^>]*>)([^<]*)"
)
_VALUE_ATTRIBUTE: Final = _FLAGS + rb"(\svalue\s*=\s*)(\"[^\"]*\"?|'[^']*'?)"
# <Name>apiKey</Name><Value>...</Value> (process properties and their kin).
_PAIR: Final = (
    _FLAGS
    + rb"(<(?:[\w.-]+:)?Name\b[^>]*>\s*"
    + _NAME
    + rb"\s*</(?:[\w.-]+:)?Name\s*>\s*<((?:[\w.-]+:)?Value)\b[^>]*(?<!/)>)"
    rb"(.*?)(</\2\s*>|\Z)"
)
_SECRET_NAME: Final = "(?i)" + _NAME.decode()
_SECRET_HEADERS: Final = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})


def is_secret_name(name: str) -> bool:
    """Whether an element, attribute or header name says it holds a secret."""
    local = name.rpartition(":")[2]
    return local.lower() in SECRET_FIELDS or re.fullmatch(_SECRET_NAME, local) is not None


def redact_json(value: object) -> object:
    """A JSON value with secrets masked at any depth.

    Masked: the value of every secret-named key (``auth``, ``password`` ...), and the
    ``value`` of an object that names a secret (``{"id": "password", "value": ...}``) or
    says it is encrypted (``"usesEncryption": true``).
    """
    if isinstance(value, dict):
        named = any(isinstance(value.get(k), str) and is_secret_name(value[k]) for k in _NAMING_KEYS)
        encrypted = value.get("usesEncryption") in (True, "true")
        return {
            k: MASK
            if v not in (None, "") and (is_secret_name(str(k)) or (k == "value" and (named or encrypted)))
            else redact_json(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact_json(v) for v in value]
    return value


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


# A JSON member with a string or scalar value (a REST body in JSON; see boomi_soap.rest).
_JSON_MEMBER: Final = rb'"([A-Za-z_][\w.:-]*)"(\s*:\s*)("(?:[^"\\]|\\.)*"|-?[\w.+-]+)'


def _mask_json(match: re.Match[bytes]) -> bytes:
    if not is_secret_name(match.group(1).decode("ascii", "replace")):
        return match.group(0)
    return b'"' + match.group(1) + b'"' + match.group(2) + b'"***"'


def redact(data: bytes | str) -> str:
    """Return an XML (or JSON) body as text with the content of every secret-named element, attribute or key masked."""
    raw = data.encode() if isinstance(data, str) else data
    if raw.lstrip()[:1] in (b"{", b"["):
        return re.sub(_JSON_MEMBER, _mask_json, raw).decode("utf-8", "replace")
    raw = re.sub(_ELEMENT, _mask_element, raw)
    raw = re.sub(_ATTRIBUTE, rb'\1"***"', raw)
    raw = re.sub(_NAMED, _mask_named, raw)
    raw = re.sub(_PAIR, rb"\1***\4", raw)
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
    if head.rfind(b"<") > head.rfind(b">"):
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


def redact_url(url: str) -> str:
    """Return a URL with any user information (``user:password@``) masked."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparsable URL>"
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{MASK}@{host}"))
