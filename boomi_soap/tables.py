"""Output for people: results as a table, and the progress of long work on stderr.

The tables and the live progress line are drawn by ``rich``, a well-kept library for
both, rather than by hand-written column code.  It is imported only when a table or a
progress line is actually shown, so ``import boomi_soap`` and piped output (JSON lines,
XML) never pay for it.  Choosing the columns and the text of each cell needs no
``rich`` (:func:`columns_of`, :func:`cell_text`).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TextIO

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress

__all__ = ["Activity", "PageProgress", "cell_text", "columns_of", "plain", "print_record", "print_rows"]

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
    from boomi_soap.render import render_json_line

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
