"""The one option set of every command that calls, gathered into :class:`ClientOptions`, and :func:`build_client`.

Connection (``--account``, ``--sub-account``, ``--flavour``, ``--base-url``/``--eu``,
``--user``, ``--cache-dir``), TLS (``--ca-bundle``, ``--client-cert``), ``--proxy``,
``--limiter``, ``--transport``, ``--format``, ``--dry-run``, ``--timeout`` (always per
request: a command that waits for a whole run takes ``--run-timeout`` as well) and
``--strict-responses``.  :func:`build_client` turns them into a client and says on
stderr where it talks and where each setting came from.

``--profile NAME`` (or ``BOOMI_PROFILE``, :mod:`boomi_soap.profiles`) fills in the account,
user and base URL through click's default map, so each setting keeps its order: the flag,
else its environment variable, else the profile; the secret likewise (``BOOMI_PASSWORD`` /
``BOOMI_API_TOKEN``, else the profile's provider).  The where-line names the profile
beside each setting it gave, and where the secret came from.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from click.core import ParameterSource

from boomi_soap.cli._output import YAML_CHOSEN, note, output_format
from boomi_soap.exceptions import BoomiSoapError, ConfigurationError, SnapshotNotFoundError

if TYPE_CHECKING:
    import requests

    from boomi_soap.client import Client
    from boomi_soap.credentials import Credentials
    from boomi_soap.profiles import Profile
    from boomi_soap.snapshot.cache import CacheStore

__all__ = [
    "ClientOptions",
    "account_option",
    "base_source",
    "build_client",
    "cache_option",
    "cache_source",
    "client_options",
    "eu_option",
    "flavour_option",
    "format_option",
    "network_options",
    "pinned_root",
    "profile_credentials",
    "profile_option",
    "resolve_base_url",
    "session",
    "source",
    "store",
    "user_option",
    "where",
]

_F = TypeVar("_F", bound=Callable[..., Any])

EU_HOST = "https://api.platform.gb.boomi.com"

account_option = click.option("--account", envvar="BOOMI_ACCOUNT_ID", help="Account id (or BOOMI_ACCOUNT_ID).")
flavour_option = click.option(
    "--flavour", type=click.Choice(["platform", "partner", "apim"]), default="platform", show_default=True,
    envvar="BOOMI_FLAVOUR", help="Which API of the account (or BOOMI_FLAVOUR): the Partner API is 'partner'.",
)  # fmt: skip
cache_option = click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="BOOMI_SOAP_CACHE_DIR",
    help=(
        "Cache root (or BOOMI_SOAP_CACHE_DIR; default ./wsdl_cache if present and not the package's own,"
        " else the user cache)."
    ),
)
base_url_option = click.option(
    "--base-url", envvar="BOOMI_BASE_URL",
    help="Where to send calls (or BOOMI_BASE_URL).  [default: the snapshot's endpoint, if on https://api.boomi.com]",
)  # fmt: skip
eu_option = click.option("--eu", is_flag=True, help=f"Use the EU host, {EU_HOST}.")
user_option = click.option(
    "--user", envvar="BOOMI_USERNAME", help="User name or e-mail (or BOOMI_USERNAME); the secret comes from"
    " BOOMI_PASSWORD or BOOMI_API_TOKEN, else from the --profile's provider.",
)  # fmt: skip
_NETWORK = (
    click.option("--proxy", help="Proxy URL (else HTTPS_PROXY and friends)."),
    click.option("--ca-bundle", type=click.Path(dir_okay=False, exists=True, path_type=Path),
                 help="CA bundle (PEM) to verify the service with."),
    click.option("--client-cert", type=click.Path(dir_okay=False, exists=True, path_type=Path),
                 help="Client certificate and key (one PEM file) for mutual TLS."),
)  # fmt: skip
limiter_option = click.option(
    "--limiter",
    envvar="BOOMI_SOAP_LIMITER",
    metavar="memory|host|redis://HOST:PORT",
    help="Where the account's rate window and quota count live (or BOOMI_SOAP_LIMITER).  [default: memory]",
)
transport_option = click.option(
    "--transport",
    envvar="BOOMI_TRANSPORT",
    type=click.Choice(["soap", "rest"]),
    help="SOAP, or Boomi's RESTish API at /api/rest/v1/{accountId} (or BOOMI_TRANSPORT).  [default: soap]",
)


#: The key of ``click.Context.meta`` holding the :class:`~boomi_soap.profiles.Profile` of ``--profile``.
PROFILE_CHOSEN = "boomi_soap.profile"


def _apply_profile(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """Read the profile before the other options (it is eager) and give its settings as their defaults."""
    if not value:
        return
    from boomi_soap.profiles import load_profile

    try:
        profile = load_profile(value)
    except ConfigurationError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None
    ctx.meta[PROFILE_CHOSEN] = profile
    given = {"account": profile.account, "user": profile.user, "base_url": profile.base_url}
    # click reads a default map after the flag and the environment variable: the order wanted.
    ctx.default_map = {**(ctx.default_map or {}), **{k: v for k, v in given.items() if v}}


profile_option = click.option(
    "--profile", envvar="BOOMI_PROFILE", metavar="NAME", is_eager=True, expose_value=False, callback=_apply_profile,
    help="A profile of profiles.toml in the user config directory (or BOOMI_PROFILE; see boomi-soap profiles):"
    " its account, user, base URL and secret provider, each after its flag and its variable.",
)  # fmt: skip


def _profile() -> Profile | None:
    ctx = click.get_current_context(silent=True)
    found = ctx.meta.get(PROFILE_CHOSEN) if ctx is not None else None
    return found


def profile_credentials(username: str | None) -> Credentials:
    """The credentials of ``username`` (else BOOMI_USERNAME); the secret from the environment, else the profile.

    Raises:
        ConfigurationError: If the user or the secret is missing or refused.
    """
    from boomi_soap.credentials import Credentials

    profile = _profile()
    return Credentials.from_sources(username=username, provider=profile.provider() if profile else None)


def network_options(func: _F) -> _F:
    """``--proxy``, ``--ca-bundle`` and ``--client-cert``."""
    for option in reversed(_NETWORK):
        func = option(func)
    return func


def _yaml_is_json(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``yaml`` reaches the command as ``json``; the output module prints JSON's data as YAML (see _output)."""
    if value == "yaml":
        ctx.meta[YAML_CHOSEN] = True
        return "json"
    return value


def format_option(*choices: str, table: bool = False) -> Callable[[_F], _F]:
    """``--format``; with ``table``, also ``table``, the default when stdout is a terminal.

    Where ``json`` is a choice, ``yaml`` is one too: the same data, printed as YAML.
    """
    if "json" in choices and "yaml" not in choices:
        at = choices.index("json") + 1
        offered = [*choices[:at], "yaml", *choices[at:]]
    else:
        offered = list(choices)
    if not table:
        return click.option(
            "--format", "output", type=click.Choice(offered), default=choices[0], show_default=True,
            callback=_yaml_is_json, help="Output format.",
        )  # fmt: skip
    return click.option(
        "--format", "output", type=click.Choice([*offered, "table"]), default=None, callback=_yaml_is_json,
        help=f"Output format.  [default: table on a terminal, else {choices[0]}]",
    )  # fmt: skip


# -- where each setting came from ------------------------------------------------------
def source(name: str, env: str, flag: str | None = None) -> str:
    """Where a parameter's value came from: its flag, its environment variable, or the default."""
    ctx = click.get_current_context()
    found = ctx.get_parameter_source(name)
    if found is ParameterSource.COMMANDLINE:
        return flag or "--" + name.replace("_", "-")
    if found is ParameterSource.ENVIRONMENT:
        return env
    profile = _profile()
    if found is ParameterSource.DEFAULT_MAP and profile is not None:
        return f"profile {profile.name}"
    return "default"


def _from_environment(name: str) -> bool:
    """Whether the current command's parameter ``name`` was read from its environment variable."""
    ctx = click.get_current_context(silent=True)
    return ctx is not None and ctx.get_parameter_source(name) is ParameterSource.ENVIRONMENT


def where(command: str, *, endpoint: str, endpoint_from: str, account: str, user: str | None = None) -> None:
    """Say which endpoint, account and user a command uses, and where each came from."""
    account_from = source("account", "BOOMI_ACCOUNT_ID")
    line = f"{command}: endpoint {endpoint} ({endpoint_from}); account {account} ({account_from})"
    if user is not None:
        line += f"; user {user} ({source('user', 'BOOMI_USERNAME')})"
    profile = _profile()
    if profile is not None:
        import os

        from boomi_soap.credentials import EnvironmentSecret

        env = EnvironmentSecret()
        kept = env.where if os.environ.get("BOOMI_PASSWORD") or os.environ.get("BOOMI_API_TOKEN") else None
        line += f"; secret {kept or profile.provider().where} ({'environment' if kept else 'profile ' + profile.name})"
    note(line)


def cache_source() -> str:
    """Where the cache root came from; for the default, which of the two defaults."""
    found = source("cache_dir", "BOOMI_SOAP_CACHE_DIR")
    if found != "default":
        return found
    return "default: ./wsdl_cache here" if (Path.cwd() / "wsdl_cache").is_dir() else "default: the user cache"


def resolve_base_url(given: str | None, eu: bool) -> str | None:
    """The base URL of ``--base-url`` or ``--eu`` (a usage error when both are given)."""
    if eu and given and source("base_url", "BOOMI_BASE_URL") == "--base-url":
        raise click.UsageError("give --base-url or --eu, not both")
    return EU_HOST if eu else given


def base_source(eu: bool, *, fallback: str) -> str:
    """Where the base URL came from: ``--eu``, ``--base-url``, ``BOOMI_BASE_URL`` or ``fallback``."""
    if eu:
        return "--eu"
    found = source("base_url", "BOOMI_BASE_URL")
    return fallback if found == "default" else found


def store(cache_dir: Path | None) -> CacheStore:
    """The cache at ``cache_dir``, else the default one."""
    from boomi_soap.snapshot.cache import CacheStore, default_cache_dir

    return CacheStore(cache_dir or default_cache_dir())


def pinned_root() -> Path | None:
    """The package's own ``wsdl_cache`` directory (the bundled snapshots), resolved."""
    from importlib import resources

    try:
        return Path(str(resources.files("wsdl_cache"))).resolve()
    except (ModuleNotFoundError, OSError):
        return None


def session(
    proxy: str | None, ca_bundle: Path | None, client_cert: Path | None, *, always: bool = False
) -> requests.Session | None:
    """A download session with the network options, or ``None`` for requests' defaults (unless ``always``)."""
    if not (proxy or ca_bundle or client_cert or always):
        return None
    import requests

    made = requests.Session()
    if proxy:
        made.proxies.update({"http": proxy, "https": proxy})
    if ca_bundle is not None:
        made.verify = str(ca_bundle)
    if client_cert is not None:
        made.cert = str(client_cert)
    return made


# -- the option set of every command that calls ------------------------------------------
@dataclass(frozen=True)
class ClientOptions:
    """The options every command that calls takes (see the module docstring)."""

    account: str | None
    sub_account: str | None
    flavour: str
    base_url: str | None
    eu: bool
    user: str | None
    cache_dir: Path | None
    timeout: float | None
    proxy: str | None
    ca_bundle: Path | None
    client_cert: Path | None
    limiter: str | None
    transport: str | None
    output: str  # resolved: a table on a terminal where the command offers one
    dry_run: bool
    strict_responses: bool
    otp: str | None = field(default=None, repr=False)


def client_options(
    *formats: str, table: bool = False, flavour: str | None = None, sub_account: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Give a command the shared options, gathered into one :class:`ClientOptions` (its first argument).

    Args:
        formats: The ``--format`` choices, the first the default (when piped, with ``table``).
        table: Offer ``--format table``, the default on a terminal.
        flavour: A fixed flavour (``"partner"`` for ``ipack``), instead of ``--flavour``.
        sub_account: Whether ``--sub-account`` is required (``ipack``); it is optional elsewhere.
    """
    sub_help = "The sub-account acted on, over the Partner API (needs a partner snapshot" + (
        "; required)." if sub_account else ": --flavour partner)."
    )
    options = [
        profile_option,
        account_option,
        click.option("--sub-account", required=sub_account, metavar="ID", help=sub_help),
        *([] if flavour else [flavour_option]),
        base_url_option,
        eu_option,
        user_option,
        cache_option,
        click.option("--timeout", type=click.FloatRange(min=0, min_open=True),
                     help="Read timeout per request, seconds.  [default: 120]"),
        *_NETWORK,
        limiter_option,
        transport_option,
        format_option(*formats, table=table),
        click.option("--dry-run", is_flag=True,
                     help="Check everything and say what would be sent or changed; send no change."),
        click.option("--otp", envvar="BOOMI_OTP", metavar="CODE",
                     help="One-time password of a two-factor sign-in, sent as X-Boomi-OTP (or BOOMI_OTP)."),
        click.option("--strict-responses", is_flag=True,
                     help="Refuse an answer that does not fit the snapshot (default: read it and say what drifted)."),
    ]  # fmt: skip
    names = [f.name for f in fields(ClientOptions)]

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(**kwargs: Any) -> Any:
            given = {name: kwargs.pop(name, None) for name in names}
            given["flavour"] = flavour or given["flavour"]
            given["output"] = output_format(given["output"], formats[0]) if table else given["output"]
            given["eu"] = bool(given["eu"])
            given["dry_run"] = bool(given["dry_run"])
            given["strict_responses"] = bool(given["strict_responses"])
            return func(ClientOptions(**given), **kwargs)

        decorated: Callable[..., Any] = wrapper
        for option in reversed(options):
            decorated = option(decorated)
        return decorated

    return decorate


def _command() -> str:
    """The command's words after the program name (``call get``, ``ipack install``)."""
    ctx: click.Context | None = click.get_current_context()
    words = []
    while ctx is not None and ctx.parent is not None:
        words.append(ctx.info_name or "")
        ctx = ctx.parent
    return " ".join(reversed(words))


def _flags(message: str) -> str:
    """A library hint in the words of the command line: flags, never Python-only settings."""
    return (
        message.replace(
            "; set BOOMI_BASE_URL (or base_url=) to the host to call, or pass ClientSettings(allow_other_host=True)",
            "; give --base-url (or BOOMI_BASE_URL) the host to call",
        )
        .replace("pass endpoint= or ClientSettings(allow_other_host=True)", "give --base-url (or BOOMI_BASE_URL)")
        .replace("ClientSettings(allow_insecure=True)", "an https:// --base-url")
    )


def build_client(options: ClientOptions) -> Client:
    """The client of ``options`` (the sub-account's view with ``--sub-account``), having said where it talks.

    Raises:
        click.UsageError: For settings the user must supply (exit 2), hints naming flags.
        click.ClickException: For a missing snapshot or another failure (exit 1).
    """
    from boomi_soap.client import Client
    from boomi_soap.settings import ClientSettings

    extra: dict[str, Any] = {}
    if options.timeout is not None:
        extra["read_timeout"] = options.timeout
    if options.proxy:
        extra["proxies"] = {"http": options.proxy, "https": options.proxy}
    if options.ca_bundle is not None:
        extra["ca_bundle"] = str(options.ca_bundle)
    if options.client_cert is not None:
        extra["client_cert"] = str(options.client_cert)
    if options.limiter is not None:
        extra["limiter"] = options.limiter
    if options.strict_responses:
        extra["responses"] = "strict"
    if options.otp:
        extra["otp"] = options.otp
    command = _command()
    try:
        credentials = profile_credentials(options.user)
        # A value click read from BOOMI_ACCOUNT_ID / BOOMI_BASE_URL is left for the client to
        # read from the same variable, so its INFO line names the variable as the where-line
        # does, not "argument" / "base_url=".
        client = Client.from_cache(
            None if _from_environment("account") else options.account,
            cache_dir=options.cache_dir,
            flavour=options.flavour,  # type: ignore[arg-type]
            base_url=None
            if _from_environment("base_url") and not options.eu
            else resolve_base_url(options.base_url, options.eu),
            credentials=credentials,
            settings=ClientSettings(**extra),
            transport=options.transport,  # type: ignore[arg-type]
        )
    except SnapshotNotFoundError as exc:
        flavour = f" --flavour {options.flavour}" if options.flavour != "platform" else ""
        raise click.ClickException(
            str(exc).replace("run: boomi-soap fetch", f"run: boomi-soap fetch{flavour}")
        ) from None
    except ConfigurationError as exc:
        raise click.UsageError(_flags(str(exc))) from None
    except BoomiSoapError as exc:
        raise click.ClickException(_flags(str(exc))) from None
    root = click.get_current_context().find_root()
    if isinstance(root.obj, dict):
        root.obj["transport"] = client.transport  # how errors are worded (see _output.fail)
    where(command, endpoint=client.endpoint_url, endpoint_from=base_source(options.eu, fallback="the snapshot"),
          account=client.snapshot.account_id, user=credentials.username)  # fmt: skip
    note(f"{command}: snapshot {client.snapshot.directory} ({cache_source()})")
    if options.sub_account is None:
        return client
    note(f"{command}: sub-account {options.sub_account} (--sub-account, Partner API override)")
    try:
        return client.for_account(options.sub_account)
    except ConfigurationError as exc:
        raise click.BadParameter(
            f"{exc} (fetch a partner snapshot: boomi-soap fetch --flavour partner)", param_hint="'--sub-account'"
        ) from None
