"""The ``boomi-soap`` command line: a package of thin commands over the library.

Exit codes: 0 success, 1 failure (the library raised its root exception),
2 usage error (click's own), 130 interrupted (Ctrl-C).

Every setting is taken from its flag, else its environment variable, else the
snapshot or the default; commands that talk to a service say on stderr which
endpoint, account and user they use and where each came from (``-q`` silences it).

Each command lives in a module of its own, imported only when that command runs
(:class:`~boomi_soap.cli._group.LazyGroup`): ``boomi-soap --help`` and ``boomi-soap
validate`` never import the client.  The commands that call share one option set
(:mod:`boomi_soap.cli._options`) and one output module (:mod:`boomi_soap.cli._output`).
"""

from __future__ import annotations

import logging
import sys

import click

from boomi_soap import __version__
from boomi_soap.cli._group import Lazy, LazyGroup
from boomi_soap.cli._output import PlainFormatter

__all__ = ["COMMANDS", "main"]

# httpx's own command line (rich, pygments) stays unloaded: see boomi_soap/__init__.py.
# Our tables import rich only when they are shown.

#: Each command: the module that holds it, its function, and the line ``--help`` lists it with.
COMMANDS: dict[str, Lazy] = {
    "cache": Lazy(
        "boomi_soap.cli.cache", "cache",
        'Inspect and check the WSDL cache.',
    ),
    "artifacts": Lazy(
        "boomi_soap.cli.logs", "artifacts",
        "Download the ExecutionArtifacts of EXECUTION_ID (a zip) into a folder.",
    ),
    "call": Lazy(
        "boomi_soap.cli.call", "call",
        "Call the service through the account's cached snapshot (run boomi-soap fetch first).",
    ),
    "codegen": Lazy(
        "boomi_soap.cli.codegen", "codegen",
        'Generate typed bindings from a cached snapshot (the bundled reference one by default).',
    ),
    "deploy": Lazy(
        "boomi_soap.cli.deploy", "deploy",
        'Package PROCESS (id or name) and deploy the package to an environment (id or name).',
    ),
    "extensions": Lazy(
        "boomi_soap.cli.deploy", "extensions",
        'Show or update (partially) the extension properties of ENVIRONMENT (id or name).',
    ),
    "fetch": Lazy(
        "boomi_soap.cli.fetch", "fetch",
        "Download the account's WSDL and schemas into the cache.",
    ),
    "ipack": Lazy(
        "boomi_soap.cli.ipack", "ipack",
        'Integration packs in a sub-account (the Connect Now operations, over the Partner API).',
    ),
    "logs": Lazy(
        "boomi_soap.cli.logs", "logs",
        "Download the process log of EXECUTION_ID (execution-...), polling until Boomi has it ready.",
    ),
    "profiles": Lazy(
        "boomi_soap.cli.profiles", "profiles",
        "List or show the named sign-ins of profiles.toml (account, user, base URL, where the secret is kept).",
    ),
    "promote": Lazy(
        "boomi_soap.cli.deploy", "promote",
        'Deploy the package PROCESS (id or name) runs in one environment to others, in order.',
    ),
    "quickstart": Lazy(
        "boomi_soap.cli.quickstart", "quickstart",
        'Tour the client: against the bundled local service, or read-only against --account.',
    ),
    "quota": Lazy(
        "boomi_soap.cli.quota", "quota",
        "Show the account's calls per hour over the rolling 24 hours, as the limiter's store counted them.",
    ),
    "release": Lazy(
        "boomi_soap.cli.release", "release",
        "Package and deploy COMPONENTs (ids, or process names) to an environment, referenced ones first.",
    ),
    "rollback": Lazy(
        "boomi_soap.cli.rollout", "rollback",
        "Put back what the rollout of a rollback RECORD changed (listeners, schedules), without deploying.",
    ),
    "run": Lazy(
        "boomi_soap.cli.runs", "run",
        'Run PROCESS (id or name) on an Atom and report how it ended, or --follow an earlier run.',
    ),
    "runtime": Lazy(
        "boomi_soap.cli.runtime", "runtime",
        "Read and operate a Runtime: disk space, queues, listeners, any ASYNC-GET object.",
    ),
    "schedules": Lazy(
        "boomi_soap.cli.deploy", "schedules",
        'Show, set or clear the schedules of PROCESS (id or name) on an Atom (id or name).',
    ),
    "serve": Lazy(
        "boomi_soap.cli.serve", "serve",
        'Run the local AtomSphere service until interrupted (Ctrl-C exits 130, SIGTERM 0).',
    ),
    "troubleshoot": Lazy(
        "boomi_soap.cli.logs", "troubleshoot",
        "Gather what EXECUTION_ID left into one folder: record, summary, connector records, log, artifacts.",
    ),
    "undeploy": Lazy(
        "boomi_soap.cli.deploy", "undeploy",
        'Remove the active deployment of PROCESS (id or name) from an environment (id or name).',
    ),
    "validate": Lazy(
        "boomi_soap.cli.validate", "validate",
        'Validate XML files, folders (*.xml, recursively) or - (stdin) against the schema.',
    ),
}  # fmt: skip


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="boomi-soap")
@click.option("-v", "--verbose", count=True, help="More logging on stderr (-v info, -vv debug, -vvv zeep's too).")
@click.option("-q", "--quiet", is_flag=True, help="Print only results and errors (no 'where' or progress lines).")
@click.pass_context
def main(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """Drive the Boomi AtomSphere platform API over SOAP."""
    ctx.obj = {"quiet": quiet}
    level = logging.WARNING - 10 * min(verbose, 2)
    # A warning reads as a line for people ("warning: ..."); logger names only with -v and more.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s") if verbose else PlainFormatter())
    logging.basicConfig(level=level, handlers=[handler])
    # zeep logs its WSDL parsing at DEBUG, hundreds of lines before the first envelope.
    logging.getLogger("zeep").setLevel(logging.DEBUG if verbose >= 3 else logging.WARNING)
