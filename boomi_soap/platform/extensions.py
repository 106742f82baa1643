"""Environment extensions for every section, from a JSON (or YAML) file, secrets from the environment or a file.

The file holds an ``EnvironmentExtensions`` in Boomi's JSON form, any of its sections
(``connections``, ``crossReferences``, ``PGPCertificates``, ``tradingPartners``,
``processProperties``, ``properties``, ``operations``, ``sharedCommunications``)::

    {"connections": {"connection": [{"id": "...", "name": "Orders DB", "field": [
        {"id": "password", "value": {"env": "ORDERS_DB_PASSWORD"}, "usesEncryption": true}]}]},
     "properties": {"property": [{"name": "region", "value": "eu-west-1"}]}}

Any value may instead be ``{"env": "NAME"}`` (an environment variable) or ``{"file":
"PATH"}`` (a file's text, one trailing newline dropped; a relative path is read from the
extensions file's folder).  Such a value is a :class:`Secret`: never in a message, a
log, a repr or a dry run's output (``***`` there), only in the request that sets it.

Every key is checked against the snapshot's schema before anything is sent (its
element or attribute exists at that place, a list where the schema repeats it, a
boolean or a number where it wants one): a mistake is one line naming the file and the
JSON path (``$.connections.connection[0].field[1].valu``).  The update is partial:
what the file does not name stays as it is.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol

from boomi_soap._xml.redact import MASK, NAMING_KEYS, VALUE_KEYS, is_secret_name
from boomi_soap.exceptions import BoomiSoapError, ConfigurationError
from boomi_soap.platform.runs import resolve_id

if TYPE_CHECKING:
    from boomi_soap.platform.caller import Caller

__all__ = ["SECTIONS", "ExtensionsFile", "Secret", "TypedCaller", "apply", "load", "plan_lines"]

SECTIONS: Final = (
    "PGPCertificates",
    "connections",
    "crossReferences",
    "operations",
    "processProperties",
    "properties",
    "sharedCommunications",
    "tradingPartners",
)
_TYPE: Final = "EnvironmentExtensions"
_SOURCES: Final = ("env", "file")
_MAX_SECRET_BYTES: Final = 1024 * 1024


class TypedCaller(Protocol):
    """A client that also answers the schema's types (:meth:`boomi_soap.Client.type`)."""

    def type(self, name: str) -> Any:
        """The schema type ``name``."""
        ...


@dataclass(frozen=True)
class Secret:
    """A value read from an environment variable or a file: its text is never shown."""

    source: str
    value: str = field(repr=False)

    def __str__(self) -> str:
        return MASK

    def __repr__(self) -> str:
        return f"Secret({self.source})"


@dataclass(frozen=True)
class ExtensionsFile:
    """A checked extensions file.

    Attributes:
        path: The file.
        sections: The sections to send, secrets as :class:`Secret`.
        leaves: Every value, as (JSON path, value) in file order, for a dry run.
    """

    path: Path
    sections: dict[str, Any]
    leaves: tuple[tuple[str, Any], ...]


def _read(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"cannot read extensions file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigurationError(f"{path}: not UTF-8 text") from None
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            import yaml  # type: ignore[import-untyped,unused-ignore]
        except ImportError:
            raise ConfigurationError(
                f"{path}: reading YAML needs PyYAML (pip install pyyaml); or give the file as JSON"
            ) from None
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1} column {mark.column + 1}" if mark is not None else ""
            raise ConfigurationError(f"{path}: not YAML{where}: {getattr(exc, 'problem', None) or exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"{path}: not JSON: line {exc.lineno} column {exc.colno}: {exc.msg}") from None


class _Checker:
    """Walks the file's document along the schema's types, resolving secret sources."""

    def __init__(self, path: Path, environ: Mapping[str, str]) -> None:
        self.path = path
        self.environ = environ
        self.leaves: list[tuple[str, Any]] = []

    def fail(self, where: str, message: str) -> ConfigurationError:
        return ConfigurationError(f"{self.path}: {where}: {message}")

    def complex(self, value: Any, kind: Any, where: str) -> dict[str, Any]:
        name = getattr(kind, "name", None) or "this element"
        if not isinstance(value, dict):
            raise self.fail(where, f"expected an object ({name}), not {_what(value)}")
        elements = dict(kind.elements)
        attributes = dict(kind.attributes)
        checked: dict[str, Any] = {}
        for key, item in value.items():
            here = f"{where}.{key}"
            if key in elements:
                checked[key] = self.element(item, elements[key], here)
            elif key in attributes:
                checked[key] = self.simple(item, attributes[key].type, here, named=_secret_named(key, value))
            else:
                known = ", ".join(sorted([*elements, *attributes])) or "nothing"
                raise self.fail(here, f"{name} has no {key!r} (it has {known})")
        return checked

    def element(self, value: Any, element: Any, where: str) -> Any:
        repeated = element.max_occurs == "unbounded" or int(element.max_occurs) > 1
        if repeated:
            if not isinstance(value, list):
                raise self.fail(where, f"expected a list, not {_what(value)}")
            return [self.one(item, element.type, f"{where}[{i}]") for i, item in enumerate(value)]
        if isinstance(value, list):
            raise self.fail(where, f"expected one value, not a list ({element.name} is not repeated)")
        return self.one(value, element.type, where)

    def one(self, value: Any, kind: Any, where: str) -> Any:
        if hasattr(kind, "elements"):
            return self.complex(value, kind, where)
        return self.simple(value, kind, where, named=False)

    def simple(self, value: Any, kind: Any, where: str, *, named: bool) -> Any:
        accepted = tuple(getattr(kind, "accepted_types", ()) or ())
        if isinstance(value, dict):
            value = self.secret(value, where)
        elif bool in accepted and not isinstance(value, bool):
            raise self.fail(where, f"expected true or false, not {_what(value)}")
        elif int in accepted and bool not in accepted and (isinstance(value, bool) or not isinstance(value, int)):
            raise self.fail(where, f"expected a whole number, not {_what(value)}")
        elif not isinstance(value, (str, int, float, bool)):  # a list or null
            raise self.fail(where, f"expected a value, not {_what(value)}")
        secret = isinstance(value, Secret) or is_secret_name(where.rpartition(".")[2]) or named
        self.leaves.append((where, MASK if secret else value))
        return value

    def secret(self, value: dict[str, Any], where: str) -> Secret:
        if len(value) != 1 or next(iter(value)) not in _SOURCES:
            raise self.fail(where, 'expected a value, or {"env": "NAME"} or {"file": "PATH"} for a secret')
        source, given = next(iter(value.items()))
        if not isinstance(given, str) or not given.strip():
            raise self.fail(where, f"{source} needs a name as text")
        if source == "env":
            found = self.environ.get(given)
            if found is None:
                raise self.fail(where, f"environment variable {given} is not set")
            return Secret(f"env {given}", found)
        target = Path(given).expanduser()
        target = target if target.is_absolute() else self.path.parent / target
        try:
            with target.open("rb") as handle:
                data = handle.read(_MAX_SECRET_BYTES + 1)
        except OSError as exc:
            raise self.fail(where, f"cannot read {target}: {exc.strerror or exc}") from None
        if len(data) > _MAX_SECRET_BYTES:
            raise self.fail(where, f"{target} is larger than {_MAX_SECRET_BYTES} bytes")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise self.fail(where, f"{target} is not UTF-8 text") from None
        return Secret(f"file {target}", text[:-1] if text.endswith("\n") else text)


def _secret_named(key: str, siblings: Mapping[str, Any]) -> bool:
    """Whether ``key`` is the value of a field that says it is secret.

    A field named so (a property ``db.password``, a connection field ``password``) or
    marked ``usesEncryption``: its value is shown as ``***`` even when given in the file.
    """
    if key not in VALUE_KEYS:
        return False
    if siblings.get("usesEncryption") is True:
        return True
    return any(isinstance(siblings.get(k), str) and is_secret_name(siblings[k]) for k in NAMING_KEYS)


def _what(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    kinds: dict[type, str] = {dict: "an object", list: "a list", str: "text"}
    return kinds.get(type(value), type(value).__name__)


def load(
    client: TypedCaller, path: str | os.PathLike[str], *, environ: Mapping[str, str] | None = None
) -> ExtensionsFile:
    """Read an extensions file and check it against the snapshot's schema; nothing is sent.

    Args:
        client: The client (its schema types judge the file).
        path: A JSON file (``.yaml``/``.yml``: YAML, if PyYAML is installed).
        environ: Where ``{"env": NAME}`` values come from (default: the process environment).

    Raises:
        ConfigurationError: One line naming the file and the JSON path of the mistake.
    """
    source = Path(path)
    document = _read(source)
    checker = _Checker(source, os.environ if environ is None else environ)
    if not isinstance(document, dict):
        raise checker.fail("$", f"expected an object holding extension sections, not {_what(document)}")
    if not document:
        raise checker.fail("$", f"no sections to set (give any of {', '.join(SECTIONS)})")
    kind = client.type(_TYPE)
    elements = dict(kind.elements)
    sections: dict[str, Any] = {}
    for key, value in document.items():
        if key not in SECTIONS or key not in elements:
            raise checker.fail(f"$.{key}", f"not an extension section (give any of {', '.join(SECTIONS)})")
        sections[key] = checker.element(value, elements[key], f"$.{key}")
    return ExtensionsFile(source, sections, tuple(checker.leaves))


def plan_lines(extensions: ExtensionsFile) -> list[str]:
    """What would be set, a line a value, secrets as ``***``."""
    return [f"would set {where[2:]} = {value}" for where, value in extensions.leaves]


def _unwrap(value: Any) -> Any:
    if isinstance(value, Secret):
        return value.value
    if isinstance(value, dict):
        return {k: _unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    return value


def _secrets(value: Any) -> list[str]:
    if isinstance(value, Secret):
        return [value.value] if value.value else []
    if isinstance(value, dict):
        return [s for v in value.values() for s in _secrets(v)]
    if isinstance(value, list):
        return [s for v in value for s in _secrets(v)]
    return []


def _mask(text: str, secrets: Sequence[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


@contextlib.contextmanager
def _masked_logs(secrets: Sequence[str]) -> Iterator[None]:
    """While sending, mask the secrets' text in every log record made (a DEBUG body log above all).

    The body redaction masks values by the names beside them; a secret read from the
    environment for a field named plainly (``region``) is masked here by its text.
    """
    if not secrets:
        yield
        return
    made = logging.getLogRecordFactory()

    def masking(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = made(*args, **kwargs)
        message = record.getMessage()
        if any(secret in message for secret in secrets):
            record.msg, record.args = _mask(message, secrets), ()
        return record

    logging.setLogRecordFactory(masking)
    try:
        yield
    finally:
        logging.setLogRecordFactory(made)


def apply(client: Caller, environment: str, extensions: ExtensionsFile) -> Any:
    """Send the file's sections as a partial ``EnvironmentExtensions`` UPDATE of an environment.

    The secrets' text is masked in the log records made while sending and in an error's
    message.

    Returns:
        The environment's extensions as the service answers them (mind: it may hold the
        secrets just set; show them masked).
    """
    environment_id = resolve_id(client, "Environment", environment, verify=True)
    secrets = _secrets(extensions.sections)
    sections = _unwrap(extensions.sections)
    try:
        with _masked_logs(secrets):
            return client.update(_TYPE, id=environment_id, environmentId=environment_id, partial=True, **sections)
    except BoomiSoapError as exc:
        if any(secret in str(exc) for secret in secrets):
            raise BoomiSoapError(_mask(str(exc), secrets)) from None
        raise
