"""``boomi-soap logs``, ``artifacts`` and ``troubleshoot``: what an execution left behind.

Downloads poll while Boomi answers 202 or 204 (not ready yet), are size-capped, and are
written atomically to files only the owner can read (0600).  Exit codes: 0 done, 1 a
failure, 2 usage, 130 interrupted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from boomi_soap.cli._options import ClientOptions, build_client, client_options
from boomi_soap.cli._output import fail, note, render_json_line
from boomi_soap.exceptions import BoomiSoapError, OutputError, ResponseError

__all__ = ["artifacts", "logs", "troubleshoot"]

_LIMIT = click.option(
    "--max-bytes", type=click.IntRange(min=1), default=16 * 1024 * 1024, show_default=True,
    help="Largest download accepted; a larger one is refused and nothing is kept.",
)  # fmt: skip
_WAIT = click.option(
    "--wait", "wait", type=click.FloatRange(min=0, min_open=True), default=300.0, show_default=True,
    help="Seconds to keep polling a download that is not ready yet (202/204).",
)  # fmt: skip


def _fast() -> Any:
    from boomi_soap.platform.polling import Backoff

    return Backoff(0.2, 2.0, 5.0)


@click.command()
@click.argument("execution_id")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the log to this file (0600, atomically) instead of stdout.")  # fmt: skip
@_LIMIT
@_WAIT
@click.option("--level", default="ALL", show_default=True, help="Log level (ALL, SEVERE, WARNING, INFO ...).")
@client_options("text")
def logs(options: ClientOptions, execution_id: str, out: Path | None, max_bytes: int, wait: float, level: str) -> None:
    """Download the process log of EXECUTION_ID (execution-...), polling until Boomi has it ready."""
    from boomi_soap.platform.polling import download_log, write_private

    client = build_client(options)
    if options.dry_run:
        click.echo(f"would download the log of {execution_id}")
        return
    try:
        body = download_log(
            client, execution_id=execution_id, log_level=level, max_bytes=max_bytes, timeout=wait, backoff=_fast()
        )
    except BoomiSoapError as exc:
        raise fail(exc) from None
    if out is None:
        click.echo(body.decode("utf-8", "replace"), nl=False)
        return
    try:
        write_private(out, body)
    except BoomiSoapError as exc:
        raise fail(exc) from None
    note(f"logs: {len(body)} bytes written to {out}")


@click.command()
@click.argument("execution_id")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True,
              help="Folder to write EXECUTION_ID.zip into.")  # fmt: skip
@_LIMIT
@_WAIT
@client_options("text")
def artifacts(options: ClientOptions, execution_id: str, out: Path, max_bytes: int, wait: float) -> None:
    """Download the ExecutionArtifacts of EXECUTION_ID (a zip) into a folder."""
    from boomi_soap.platform.polling import download_artifacts, write_private

    client = build_client(options)
    target = out / f"{_safe(execution_id)}.zip"
    if options.dry_run:
        click.echo(f"would download the artifacts of {execution_id} to {target}")
        return
    try:
        body = download_artifacts(client, execution_id, max_bytes=max_bytes, timeout=wait, backoff=_fast())
    except BoomiSoapError as exc:
        raise fail(exc) from None
    try:
        write_private(target, body)
    except BoomiSoapError as exc:
        raise fail(exc) from None
    click.echo(str(target))


@click.command()
@click.argument("execution_id")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Folder to gather into.  [default: ./EXECUTION_ID]")  # fmt: skip
@_LIMIT
@_WAIT
@client_options("text")
def troubleshoot(options: ClientOptions, execution_id: str, out: Path | None, max_bytes: int, wait: float) -> None:
    """Gather what EXECUTION_ID left into one folder: record, summary, connector records, log, artifacts.

    One progress line per step on stderr.  A step that fails is named and the others
    still run; the exit code is 1 if any failed.
    """
    from boomi_soap.platform.polling import download_artifacts, download_log, write_private
    from boomi_soap.query import F

    folder = out if out is not None else Path(_safe(execution_id))
    client = build_client(options)
    if options.dry_run:
        click.echo(f"would gather {execution_id} into {folder}")
        return
    try:  # a folder that cannot be made is said before any call, not at each step
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise fail(OutputError(f"cannot write {folder}: {exc.strerror or exc}")) from None
    where = F("executionId") == execution_id

    found: list[Any] = []

    def records(kind: str, expression: Any = where) -> bytes:
        answers = list(client.query(kind, expression))
        if kind == "ExecutionRecord":
            found.extend(answers)
        return "".join(render_json_line(r) + "\n" for r in answers).encode()

    def summary() -> bytes:
        # A summary is per process, Atom and time block, not per run: those of the run's process on its Atom.
        if not found:
            raise ResponseError("troubleshoot", f"no ExecutionRecord of {execution_id} to summarise")
        run = found[0]
        return records("ExecutionSummaryRecord", (F("processId") == run.processId) & (F("atomId") == run.atomId))

    steps: list[tuple[str, str, Any]] = [
        ("record", "ExecutionRecord.jsonl", lambda: records("ExecutionRecord")),
        ("summary", "ExecutionSummaryRecord.jsonl", summary),
        ("connector records", "ExecutionConnector.jsonl", lambda: records("ExecutionConnector")),
        ("log", "process_log.txt", lambda: download_log(
            client, execution_id=execution_id, max_bytes=max_bytes, timeout=wait, backoff=_fast())),
        ("artifacts", "artifacts.zip", lambda: download_artifacts(
            client, execution_id, max_bytes=max_bytes, timeout=wait, backoff=_fast())),
    ]  # fmt: skip
    failed = _gather(folder, steps, write_private)
    click.echo(str(folder))
    if failed:
        raise click.ClickException(f"troubleshoot: {', '.join(failed)} could not be gathered into {folder}")


def _gather(folder: Path, steps: list[tuple[str, str, Any]], write: Any) -> list[str]:
    """Run each step, write its bytes, say so on stderr; the names of the steps that failed."""
    failed = []
    for number, (name, file, step) in enumerate(steps, 1):
        try:
            body = step()
        except BoomiSoapError as exc:
            failed.append(name)
            note(f"troubleshoot: [{number}/{len(steps)}] {name}: failed: {exc}")
            continue
        try:
            write(folder / file, body)
        except BoomiSoapError as exc:
            failed.append(name)
            note(f"troubleshoot: [{number}/{len(steps)}] {name}: failed: {exc}")
            continue
        note(f"troubleshoot: [{number}/{len(steps)}] {name}: {len(body)} bytes in {folder / file}")
    return failed


def _safe(name: str) -> str:
    """A file name from an id: nothing that climbs out of the folder."""
    kept = "".join(c if c.isalnum() or c in "-_." else "_" for c in name).lstrip(".")
    return kept or "execution"
