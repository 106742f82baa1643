"""``boomi-soap fetch``: download the account's WSDL and schemas into the cache."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from boomi_soap.cli._options import (
    account_option,
    base_source,
    cache_option,
    cache_source,
    eu_option,
    flavour_option,
    format_option,
    network_options,
    pinned_root,
    profile_credentials,
    profile_option,
    resolve_base_url,
    session,
    store,
    user_option,
    where,
)
from boomi_soap.cli._output import echo_json, fail, note, quiet, terminal
from boomi_soap.exceptions import BoomiSoapError, FetchError

__all__ = ["fetch"]

fetch_base_url_option = click.option(
    "--base-url", envvar="BOOMI_BASE_URL", help="Platform host (or BOOMI_BASE_URL).  [default: https://api.boomi.com]"
)


@click.command()
@profile_option
@account_option
@fetch_base_url_option
@eu_option
@flavour_option
@user_option
@cache_option
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True,
              help="Read timeout per document, seconds.")  # fmt: skip
@click.option("--update-pinned", is_flag=True,
              help="Maintainers only: let --cache-dir be the package's own wsdl_cache/ (re-pinning after a"
                   " contract change); without it a fetch there is refused.")  # fmt: skip
@network_options
@format_option("text", "json")
def fetch(
    account: str | None,
    base_url: str | None,
    eu: bool,
    flavour: str,
    user: str | None,
    cache_dir: Path | None,
    timeout: float,
    update_pinned: bool,
    proxy: str | None,
    ca_bundle: Path | None,
    client_cert: Path | None,
    output: str,
) -> None:
    """Download the account's WSDL and schemas into the cache.

    Reads BOOMI_ACCOUNT_ID, BOOMI_BASE_URL, BOOMI_FLAVOUR, BOOMI_USERNAME,
    BOOMI_PASSWORD or BOOMI_API_TOKEN (with a token, the user is the e-mail
    address) and BOOMI_SOAP_CACHE_DIR; a flag wins over its variable. Only changed
    documents are downloaded again; a change makes a new snapshot and keeps the
    previous one.
    """
    from boomi_soap.credentials import Endpoint
    from boomi_soap.snapshot.cache import refresh

    try:
        endpoint = Endpoint.from_sources(account_id=account, base_url=resolve_base_url(base_url, eu), flavour=flavour)  # type: ignore[arg-type]
        credentials = profile_credentials(user)
        cache = store(cache_dir)
        pinned = pinned_root()
        root = cache.root.resolve()
        if not update_pinned and pinned is not None and (root == pinned or pinned in root.parents):
            # The bundled snapshots are tracked package data: a fetch there moves their
            # CURRENT and breaks `codegen --check` and the tests (issue 26).
            raise click.BadParameter(
                f"{cache.root} is the package's bundled wsdl_cache/ (read-only); give another --cache-dir"
                " (or BOOMI_SOAP_CACHE_DIR)",
                param_hint="'--cache-dir'",
            )
        where("fetch", endpoint=endpoint.wsdl_url, endpoint_from=base_source(eu, fallback="default"),
               account=endpoint.account_id, user=credentials.username)  # fmt: skip
        note(f"fetch: cache {cache.root} ({cache_source()})")
        from boomi_soap.cli._output import Activity

        shown = terminal(sys.stderr) and not quiet()
        downloads = session(proxy, ca_bundle, client_cert, always=shown)
        try:
            with Activity("fetch", enabled=shown, first="reading the WSDL") as activity:
                if downloads is not None and shown:  # a document each response: the progress a person sees
                    done = [0]

                    def counted(response: Any, *args: Any, **kwargs: Any) -> None:
                        done[0] += 1
                        activity.say(f"{done[0]} document{'s' if done[0] != 1 else ''}")

                    downloads.hooks["response"].append(counted)
                outcome = refresh(cache, endpoint, credentials, session=downloads, timeout=(10.0, timeout))
        finally:
            if downloads is not None:
                downloads.close()
    except FetchError as exc:
        raise click.ClickException(_refused(exc, endpoint_account(account))) from None
    except BoomiSoapError as exc:
        raise fail(exc) from None
    state = "unchanged" if outcome.unchanged else "new snapshot" if outcome.created else "already cached"
    if output == "json":
        echo_json({
            "state": state, "snapshot": str(outcome.snapshot.directory), "files": len(outcome.snapshot.files),
            "sha256": outcome.snapshot.sha256, "account": endpoint.account_id, "endpoint": endpoint.url,
        })  # fmt: skip
        return
    click.echo(
        f"{state}: {outcome.snapshot.directory} ({len(outcome.snapshot.files)} files, sha256 {outcome.snapshot.sha256})"
    )


def endpoint_account(account: str | None) -> str:
    """The account a refusal is about, as given (or from BOOMI_ACCOUNT_ID)."""
    import os

    return account or os.environ.get("BOOMI_ACCOUNT_ID", "?")


def _refused(exc: FetchError, account: str) -> str:
    """A refused download in words that point at the likely mistake.

    Boomi answers 403 for an account id the user may not use (a mistyped ``--account``)
    and 401 for credentials it does not accept: only 401 is about the credentials.
    """
    if exc.status == 403:
        return (
            f"{exc.url}: HTTP 403: account {account} refused this user (a mistyped --account, or an account"
            " the user may not use)"
        )
    return str(exc)
