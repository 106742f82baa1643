"""Output for people and for pipes: JSON lines, XML, YAML, tables, progress and the lines on stderr.

Results go to stdout as JSON (one object a line), XML, YAML, or a table for people (the
default on a terminal for list-shaped output).  YAML is JSON's data in another notation:
wherever a command offers ``--format json`` it offers ``yaml`` too, the command itself
sees ``json`` (:func:`~boomi_soap.cli._options.format_option` notes the choice in the
context) and the writers here print the same data through PyYAML's ``safe_dump`` (a
well-kept library, and its safe dumper writes only plain YAML that ``safe_load`` reads
back), so ``yaml.safe_load`` of the output equals ``json.loads`` of the JSON output.  A
stream of results (JSON lines) is one YAML sequence, an item a result, still written as
each arrives.  Tables and the live progress line are
drawn by ``rich``, a well-kept library for both, imported only when one is shown, so
piped output never pays for it.  Notes (where a command talks, progress) go to stderr
and are silenced by ``-q``; errors are one line (:func:`fail`).
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TextIO

import click

from boomi_soap.exceptions import BoomiSoapError, ConfigurationError, SoapFaultError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress

    from boomi_soap.client import Client

__all__ = [
    "YAML_CHOSEN",
    "Activity",
    "PageProgress",
    "PlainFormatter",
    "cell_text",
    "columns_of",
    "echo_json",
    "echo_json_text",
    "echo_line",
    "fail",
    "note",
    "output_format",
    "plain",
    "print_record",
    "print_rows",
    "progress_shown",
    "quiet",
    "render_json_line",
    "render_results",
    "render_xml",
    "render_yaml",
    "stream_results",
    "terminal",
    "yaml_chosen",
]

#: The key of ``click.Context.meta`` that says ``--format yaml`` was chosen (the command sees ``json``).
YAML_CHOSEN = "boomi_soap.yaml"


# -- lines on stderr ---------------------------------------------------------------------
def quiet() -> bool:
    """Whether ``-q`` was given."""
    ctx = click.get_current_context(silent=True)
    root = ctx.find_root() if ctx is not None else None
    return bool(root is not None and isinstance(root.obj, dict) and root.obj.get("quiet"))


def note(text: str) -> None:
    """A line for people on stderr, unless -q."""
    if not quiet():
        click.echo(text, err=True)


def fail(exc: BoomiSoapError) -> click.ClickException:
    """Map a library error to exit 2 (settings the user must supply) or 1 (anything else), one line.

    Over REST an error names its HTTP status only: the SOAP fault code the library
    keeps for the error's type was never on the wire.
    """
    if isinstance(exc, ConfigurationError):
        return click.UsageError(str(exc))
    ctx = click.get_current_context(silent=True)
    root = ctx.find_root().obj if ctx is not None else None
    rest = isinstance(root, dict) and root.get("transport") == "rest"
    if rest and isinstance(exc, SoapFaultError) and exc.http_status:
        return click.ClickException(f"{exc.operation}: {exc.faultstring} (HTTP {exc.http_status})")
    return click.ClickException(str(exc))


class PlainFormatter(logging.Formatter):
    """Log lines as ``warning: ...`` (the level in lower case, no logger name), as people read them."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as ``level: message``."""
        return f"{record.levelname.lower()}: {record.getMessage()}"


# -- formats -----------------------------------------------------------------------------
def terminal(stream: Any) -> bool:
    """Whether ``stream`` is a terminal (a closed or replaced stream is not)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def output_format(chosen: str | None, piped: str) -> str:
    """The format asked for, else a table on a terminal and ``piped`` elsewhere (what scripts have always read)."""
    return chosen or ("table" if terminal(sys.stdout) else piped)


def progress_shown(output: str) -> bool:
    """Progress goes to stderr on a terminal, unless -q, and not over results streaming to the same terminal."""
    return terminal(sys.stderr) and not quiet() and (output == "table" or not terminal(sys.stdout))


def yaml_chosen() -> bool:
    """Whether ``--format yaml`` was chosen (the command was told ``json``)."""
    ctx = click.get_current_context(silent=True)
    return ctx is not None and bool(ctx.meta.get(YAML_CHOSEN))


def render_yaml(data: object) -> str:
    """``data`` as YAML: exactly the data its JSON holds (dates as ISO 8601 strings, keys in order)."""
    import yaml  # only when YAML is asked for

    plain_data = json.loads(json.dumps(data, default=_plain))
    text: str = yaml.safe_dump(plain_data, sort_keys=False, allow_unicode=True, default_flow_style=False)
    return text


def echo_json(data: object) -> None:
    """``data`` as indented JSON on stdout (dates as ISO 8601), or as YAML with ``--format yaml``."""
    if yaml_chosen():
        click.echo(render_yaml(data), nl=False)
    else:
        click.echo(json.dumps(data, indent=2, default=_plain))


def echo_line(data: object) -> None:
    """``data`` as one line of JSON on stdout, or as YAML with ``--format yaml``."""
    if yaml_chosen():
        click.echo(render_yaml(data), nl=False)
    else:
        click.echo(json.dumps(data, default=_plain))


def echo_json_text(text: str) -> None:
    """JSON text made elsewhere (a report's ``to_json()``) on stdout as it is, or as YAML with ``--format yaml``."""
    if yaml_chosen():
        click.echo(render_yaml(json.loads(text)), nl=False)
    else:
        click.echo(text, nl=False)


# -- results as JSON or XML --------------------------------------------------------------
def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    from lxml import etree

    if isinstance(value, etree._Element):
        return etree.tostring(value, encoding="unicode")
    return str(value)


def _data(result: Any) -> Any:
    from zeep.helpers import serialize_object

    data = _without_any(serialize_object(result, dict))  # type: ignore[no-untyped-call]
    if isinstance(data, dict):
        data = {"@type": type(result).__name__, **data}
    return data


def _without_any(value: Any) -> Any:
    """Drop zeep's ``_value_1`` (the holder of an ``xs:any`` it did not read) wherever it is empty."""
    if isinstance(value, dict):
        return {k: _without_any(v) for k, v in value.items() if not (k == "_value_1" and v in (None, [], ""))}
    if isinstance(value, list):
        return [_without_any(v) for v in value]
    return value


def render_json_line(result: Any) -> str:
    """One result as one line of JSON (with the object's ``@type``)."""
    return json.dumps(_data(result), default=_plain)


def render_xml(client: Client, result: Any) -> str:
    """One result as a ``<result type="...">`` element, its children in the data namespace as ``api:``."""
    from lxml import etree
    from zeep.exceptions import Error as ZeepError

    from boomi_soap.exceptions import ResponseError

    element = etree.Element("result", type=type(result).__name__)
    try:
        result._xsd_type.render(element, result)
    except ZeepError as exc:  # an answer zeep read but will not write back: say which, not a traceback
        raise ResponseError("result", f"a {type(result).__name__} cannot be printed as XML: {exc}") from None
    etree.cleanup_namespaces(element, top_nsmap={"api": client.contract.data_namespace})
    return etree.tostring(element, pretty_print=True, encoding="unicode")


def stream_results(client: Client, results: Iterable[Any], output: str, write: Callable[[str], None]) -> int:
    """Write each result as soon as it arrives: JSON lines, or XML inside one ``<results>`` element.

    Returns:
        How many results were written.
    """
    count = 0
    as_yaml = output == "json" and yaml_chosen()
    if output == "xml":
        write("<results>\n")
    try:
        for result in results:
            if as_yaml:  # one item of one sequence
                write(render_yaml([_data(result)]))
            else:
                write(render_json_line(result) + "\n" if output == "json" else render_xml(client, result))
            count += 1
    finally:
        if output == "xml":
            write("</results>\n")
        elif as_yaml and count == 0:
            write("[]\n")  # an empty sequence, not an empty document
    return count


def render_results(client: Client, results: list[Any], output: str) -> str:
    """Render results as a JSON array (with each object's ``@type``) or as XML elements."""
    if output == "json":
        if yaml_chosen():
            return render_yaml([_data(r) for r in results])
        return json.dumps([_data(r) for r in results], indent=2, default=_plain) + "\n"
    parts: list[str] = []
    stream_results(client, results, "xml", parts.append)
    return "".join(parts)


# -- tables and progress for people ------------------------------------------------------
# A cell wider than this is cut on a terminal (the whole value is in --format json).
_WIDEST = 48


def cell_text(value: Any) -> str:
    """The text of one cell: scalars as JSON shows them, lists and nested objects summarised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return ", ".join(t for t in (cell_text(v) for v in value) if t)
    if isinstance(value, Mapping):
        inner = {k: v for k, v in value.items() if v not in (None, "", [], {}) and k != "@type"}
        if "name" in inner:  # a nested reference reads best by its name
            return cell_text(inner["name"])
        if len(inner) == 1:  # a wrapper such as {"Privilege": [...]}
            return cell_text(next(iter(inner.values())))
        return f"{{{len(inner)} fields}}" if inner else ""
    return str(value)


def _stem(key: str) -> str | None:
    """``processId`` -> ``process``; ``None`` for a key that is not an id."""
    for suffix in ("Id", "ID"):
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return None


def columns_of(records: Sequence[Mapping[str, Any]], object_type: str | None = None) -> list[str]:
    """The columns of a table of ``records``: the object's id and name first, each name beside its id.

    A column empty in every record is left out; so is ``@type`` (the table's title says it).
    The id is ``id``, else the id named after the type (``executionId`` of an
    ``ExecutionRecord``, ``accountId`` of an ``Account``); a ``fooName`` follows its ``fooId``.
    """
    keys: list[str] = []
    for record in records:
        keys += [k for k in record if k not in keys and k != "@type"]
    keys = [k for k in keys if any(cell_text(r.get(k)) for r in records)]
    kind = (object_type or "").lower()
    identity = "id" if "id" in keys else next((k for k in keys if (s := _stem(k)) and kind.startswith(s.lower())), None)
    first = [k for k in (identity, "name") if k is not None and k in keys]
    ordered = list(first)
    for key in keys:
        if key in ordered:
            continue
        stem = _stem(key)
        if stem is not None and f"{stem}Name" in keys:
            ordered += [key, f"{stem}Name"]  # the name beside its id
        elif key.endswith("Name") and any(f"{key[:-4]}{s}" in keys for s in ("Id", "ID")):
            continue  # placed with its id
        else:
            ordered.append(key)
    return list(dict.fromkeys(ordered))


def _console(file: TextIO, *, terminal: bool | None = None) -> Console:
    from rich.console import Console

    return Console(file=file, force_terminal=terminal, highlight=False, soft_wrap=False)


def print_rows(
    records: Sequence[Mapping[str, Any]],
    *,
    title: str,
    object_type: str | None = None,
    file: TextIO | None = None,
    console: Console | None = None,
) -> None:
    """Print records as one table, a row each, to ``console`` (else a console on ``file``).

    ``object_type`` (default: the title's last word) names the records' type, to find their id.

    On a terminal the table fits its width: long cells are cut and the columns that do
    not fit are left out, named in the caption.  Elsewhere (``--format table`` into a
    file) every column is printed whole.
    """
    from rich.table import Table

    console = console or _console(file or sys.stdout)
    object_type = object_type or (title.split()[-1] if title else None)
    columns = columns_of(records, object_type)
    fit = _encodable(console)
    cells = [[fit(cell_text(r.get(c))) for c in columns] for r in records]
    natural = [max([len(c), *(len(row[i]) for row in cells)]) for i, c in enumerate(columns)]
    keep = set(range(len(columns)))
    if console.is_terminal:  # fit the width: the most telling columns first, the rest named in the caption
        keep, used = set(), 0
        for i in sorted(range(len(columns)), key=lambda i: _rank(columns, i, cells)):
            whole = i == 0 or _stem(columns[i]) is not None  # ids are never cut
            width = (natural[i] if whole else min(natural[i], _WIDEST)) + 3  # a cell's padding and the gap
            if keep and used + width > console.width - 2:  # the table's edges
                continue
            keep.add(i)
            used += width
    shown = [i for i in range(len(columns)) if i in keep]
    left_out = len(columns) - len(shown)
    count = f"{len(records)} result{'s' if len(records) != 1 else ''}"
    caption = count + (f"; {left_out} more column{'s' if left_out != 1 else ''} in --format json" if left_out else "")
    table = Table(box=_box(console))
    for i in shown:
        identity = i == 0 or _stem(columns[i]) is not None
        table.add_column(columns[i], no_wrap=True, overflow="fold" if identity else "ellipsis",  # a row a line
                         min_width=natural[i] if identity else None,
                         max_width=None if identity or not console.is_terminal else _WIDEST)  # fmt: skip
    for row in cells:
        table.add_row(*(row[i] for i in shown))
    if not console.is_terminal:
        console.width = max(console.width, sum(natural[i] + 3 for i in shown) + 2)
    # The title and the count on lines of their own: a narrow table does not wrap them.
    console.print(fit(title), style="italic", highlight=False, soft_wrap=True)
    if columns:
        console.print(table)
    console.print(caption, style="dim", highlight=False, soft_wrap=True)


def _rank(columns: Sequence[str], i: int, cells: Sequence[Sequence[str]]) -> tuple[int, int]:
    """Which columns a narrow terminal keeps first: id and name, names, what varies, then what does not."""
    column = columns[i]
    if i < 2 and (column == "name" or _stem(column) is not None):
        tier = 0
    elif column.endswith("Name"):
        tier = 1
    elif len({row[i] for row in cells}) <= 1 < len(cells):
        tier = 5  # the same in every row: the least telling
    elif column.lower() in _TELLING or column.endswith(("Time", "Date", "On")):
        tier = 2  # what a person scans a list of Boomi objects for: its state and when
    elif _stem(column) is not None:
        tier = 4 if f"{_stem(column)}Name" in columns else 3
    else:
        tier = 3
    return tier, i


_TELLING = frozenset({"status", "state", "classification", "type", "version", "current"})


def print_record(record: Mapping[str, Any], *, title: str, file: TextIO | None = None,
                 console: Console | None = None) -> None:  # fmt: skip
    """Print one object as a two-column table: each non-empty field and its value, id and name first."""
    from rich.table import Table

    console = console or _console(file or sys.stdout)
    fit = _encodable(console)
    table = Table(box=_box(console))
    table.add_column("field", no_wrap=True)
    table.add_column("value", overflow="fold")
    for column in columns_of([record], title.split()[0] if title else None):
        table.add_row(column, fit(cell_text(record.get(column))))
    console.print(fit(title), style="italic", highlight=False, soft_wrap=True)
    console.print(table)


def _unicode(console: Console) -> bool:
    return console.encoding.lower().replace("-", "").startswith("utf")


def _box(console: Console) -> Any:
    """A rule under the header: a line of ``─``, or of ``-`` where the output cannot encode it."""
    from rich import box

    if _unicode(console):
        return box.SIMPLE_HEAD
    return box.Box("    \n    \n -- \n    \n    \n    \n    \n    \n", ascii=True)  # SIMPLE_HEAD in ASCII


def _encodable(console: Console) -> Any:
    """Text as the console's encoding can write it (``?`` for what it cannot), not a UnicodeEncodeError."""
    if _unicode(console):
        return lambda text: text
    encoding = console.encoding
    return lambda text: text.encode(encoding, "replace").decode(encoding)


def plain(result: Any) -> dict[str, Any]:
    """A result as the JSON object ``--format json`` prints (so a table shows the same values)."""
    data = json.loads(render_json_line(result))
    return data if isinstance(data, dict) else {"value": data}


class Activity:
    """Long work on one live line on stderr (``fetch: 2 documents read``), then one summary line.

    Shown only when ``enabled`` (the CLI enables it on a terminal, without ``-q``); it
    disappears when the work ends, leaving its last text.  Disabled, it imports and
    prints nothing.
    """

    def __init__(self, label: str, *, enabled: bool, console: Console | None = None, first: str = "starting") -> None:
        """Progress for ``label`` (``"query ExecutionRecord"``), drawn on ``console`` (else stderr)."""
        self.label = label
        self.enabled = enabled
        self.text: str | None = None
        self._first = first
        self._console = console
        self._progress: Progress | None = None
        self._task: Any = None

    def __enter__(self) -> Self:
        if self.enabled:
            from rich.progress import Progress, SpinnerColumn, TextColumn

            console = self._console or _console(sys.stderr)
            self._console = console
            self._progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), console=console,
                                      transient=True, redirect_stdout=False, redirect_stderr=False)  # fmt: skip
            self._progress.start()
            self._task = self._progress.add_task(f"{self.label}: {self._first}")
        return self

    def say(self, text: str) -> None:
        """Show ``text`` after the label, at once (each step is seen, however quick)."""
        self.text = text
        if self._progress is not None:
            self._progress.update(self._task, description=f"{self.label}: {text}", refresh=True)

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._progress is None:
            return
        self._progress.stop()
        self._progress = None
        if kind is None and self._console is not None and self.text is not None:
            self._console.print(f"{self.label}: {self.text}", highlight=False)


class PageProgress(Activity):
    """The pages of a query and the count so far (give :meth:`page` as ``Client.query``'s ``on_page``)."""

    def __init__(self, label: str, *, enabled: bool, console: Console | None = None) -> None:
        """Progress for ``label`` (``"query ExecutionRecord"``), drawn on ``console`` (else stderr)."""
        super().__init__(label, enabled=enabled, console=console, first="reading the first page")
        self.pages = 0
        self.seen = 0

    def page(self, pages: int, seen: int) -> None:
        """Note a page read: ``pages`` so far, ``seen`` results so far."""
        self.pages, self.seen = pages, seen
        self.say(f"{seen} read in {pages} page{'s' if pages != 1 else ''}")
