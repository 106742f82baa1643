"""``boomi-soap release COMPONENT... --environment ENV``: several components, in the order their references require."""

from __future__ import annotations

from typing import Any

import click

from boomi_soap.cli._options import ClientOptions, build_client, client_options
from boomi_soap.cli._output import echo_json, fail, note
from boomi_soap.cli.runs import resolve
from boomi_soap.exceptions import BoomiSoapError

__all__ = ["release"]


@click.command()
@click.argument("components", nargs=-1, required=True, metavar="COMPONENT...")
@click.option("--environment", required=True, help="Environment id or name.")
@click.option("--version", "version", help="Package version of every package (default: the platform's next).")
@click.option("--notes", default="", help="Package and deployment notes.")
@client_options("text", "json")
def release(
    options: ClientOptions, components: tuple[str, ...], environment: str, version: str | None, notes: str
) -> None:
    """Package and deploy COMPONENTs (ids, or process names) to an environment, referenced ones first.

    The order comes from ComponentReference (a component another references goes
    first, also through components not released); references that form a cycle are
    reported before anything is written.  If a step fails, what this release deployed
    and packaged is removed again.  --dry-run prints the order.
    """
    from boomi_soap.platform.release import plan_release
    from boomi_soap.platform.release import release as carry_out

    client = build_client(options)
    environment_id = resolve(client, "Environment", environment, "--environment")
    try:
        plan = plan_release(client, list(components), environment_id)
        if options.dry_run:
            planned: list[dict[str, Any]] = [
                {"componentId": s.component_id, "after": list(s.after)} for s in plan.steps
            ]
            text = [f"{i}. would package and deploy {s.component_id}"
                    + (f" (after {', '.join(s.after)})" if s.after else "")
                    for i, s in enumerate(plan.steps, 1)]  # fmt: skip
            _report(options, {"dry_run": True, "environmentId": environment_id, "steps": planned}, "\n".join(text))
            return
        done = carry_out(client, plan, version=version, notes=notes, on_step=lambda step: note(f"{step} ..."))
    except BoomiSoapError as exc:
        raise fail(exc) from None
    rows: list[dict[str, Any]] = [{"componentId": s.component_id, "after": list(s.after), "packageId": s.package_id,
             "packageVersion": s.package_version, "deploymentId": s.deployment_id} for s in done.steps]  # fmt: skip
    text = [f"{i}. deployed package {s.package_version} ({s.package_id}) of {s.component_id}: deployment"
            f" {s.deployment_id}" for i, s in enumerate(done.steps, 1)]  # fmt: skip
    _report(options, {"dry_run": False, "environmentId": environment_id, "steps": rows}, "\n".join(text))


def _report(options: ClientOptions, fields: dict[str, Any], text: str) -> None:
    if options.output == "json":
        echo_json(fields)
    else:
        click.echo(text)
