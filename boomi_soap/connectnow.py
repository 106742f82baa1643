"""A client of the Boomi Connect Now JSON web services (``POST /ws/simple/<operation>``).

Connect Now was a set of Boomi processes on a legacy Boomi cloud, built on the Partner
API; some shops still call a deployment of it.  Each method sends exactly the documented
body: ``auth`` (base64 ``user:password``, built from the credentials; never logged),
``accountId`` and the operation's fields.  Answers are JSON; a body with
``errorMessage`` is a failure (:class:`ConnectNowError`).  For new code, prefer
``client.for_account(sub).ipacks`` (:mod:`boomi_soap.platform.ipacks`), which makes the same
calls over the supported Partner API.

The transport is as hardened as the SOAP client's: redirects are refused, answers are
read up to ``max_response_bytes`` within ``total_timeout`` (a dripped answer is cut
there), an answer cut short is a :class:`~boomi_soap.exceptions.ResponseError`, JSON
nested deeper than :data:`~boomi_soap.wire.jsonform.MAX_DEPTH` is refused, and plain
``http://`` is allowed to loopback only.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Final

import requests

from boomi_soap._transports.deadline import Deadline, bounded_request, read_capped, release, watch_session
from boomi_soap._xml.redact import redact_json, redact_url
from boomi_soap.credentials import Credentials, check_url
from boomi_soap.exceptions import (
    ConnectNowError,
    JsonFormError,
    ResponseError,
    ServiceTimeoutError,
    TransportError,
)
from boomi_soap.settings import ClientSettings
from boomi_soap.wire.jsonform import loads

__all__ = ["DEFAULT_BASE_URL", "EXTRA_OPERATIONS", "OPERATIONS", "ConnectNowClient", "ConnectNowError"]

DEFAULT_BASE_URL: Final = "https://connect.boomi.com"
OPERATIONS: Final = (
    "createIntegrationPackDeployment",
    "executeIntegrationProcess",
    "getAllIPacksAvailableToAccount",
    "getBoomiAccountProfile",
    "getEnvironmentsForAccount",
    "getExtendedConnectionsForInstalledIPack",
    "getExtendedCrossReferenceTablesForInstalledIPack",
    "getExtendedMapsForInstalledIPack",
    "getExtendedProcessPropertiesForInstalledIPack",
    "getProcessExecutionRecords",
    "getInstalledIPacks",
    "getOAuth2AccessTokenURL",
    "getProcessSchedules",
    "getInstalledIPackInstanceProcesses",
    "deleteInstalledIPackInstance",
    "upsertEnvironmentExtensions",
)
EXTRA_OPERATIONS: Final = ("upsertProcessSchedules",)
"""Documented in the same Connect Now reference, beyond the 16 integration-pack operations."""
_log = logging.getLogger("boomi_soap.connectnow")


def _one_line(text: str) -> str:
    """``text`` with control characters (line breaks included) as spaces, for a one-line message."""
    return "".join(" " if not c.isprintable() else c for c in text).strip()


class ConnectNowClient:
    """The 16 Connect Now operations (and ``upsertProcessSchedules``), one method each, in Python style."""

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        credentials: Credentials | None = None,
        env: Mapping[str, str] | None = None,
        settings: ClientSettings | None = None,
        session: requests.Session | None = None,
    ) -> None:
        """Check where calls go and whose credentials they carry; nothing is sent.

        Args:
            base_url: The Connect Now deployment (``https://connect.boomi.com`` by default).
            credentials: The service account; default ``BOOMI_USERNAME`` and ``BOOMI_PASSWORD``.
            env: The environment to read credentials from (default: ``os.environ``).
            settings: Timeouts, answer size bound, ``allow_insecure``.
            session: HTTP session (a new one by default).

        Raises:
            ConfigurationError: If the URL is refused or credentials are missing.
        """
        self.settings = settings or ClientSettings()
        self.base_url = base_url.rstrip("/")
        check_url(self.base_url, what="Connect Now URL", allow_insecure=self.settings.allow_insecure)
        self._credentials = credentials or Credentials.from_sources(env=env)
        # A deadline can cut a connection of this session mid-read, a dripped answer included.
        self._session = watch_session(session or requests.Session())
        if self.settings.otp is not None:
            self._session.headers["X-Boomi-OTP"] = self.settings.otp

    def __repr__(self) -> str:
        return f"ConnectNowClient(base_url={self.base_url!r}, user={self._credentials.username!r})"

    def __enter__(self) -> ConnectNowClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP connections."""
        self._session.close()

    @property
    def _auth(self) -> str:
        pair = f"{self._credentials.username}:{self._credentials.secret}"
        return base64.b64encode(pair.encode()).decode()

    def send(self, operation: str, fields: Mapping[str, Any], *, method: str = "POST") -> Any:
        """Send one operation with ``auth`` and ``fields`` as its body; return the JSON answer.

        Raises:
            ConnectNowError: If the answer has ``errorMessage``, an error status, or is not JSON.
            TransportError: If the connection fails; ``ResponseError`` on a redirect, an oversized
                answer or one cut short; ``ServiceTimeoutError`` past ``total_timeout``.
        """
        if operation not in OPERATIONS and operation not in EXTRA_OPERATIONS:
            raise ConnectNowError(operation, "not a Connect Now operation")
        body = {"auth": self._auth, **fields}
        url = f"{self.base_url}/ws/simple/{operation}"
        _log.debug("%s %s request:\n%s", method, operation, json.dumps(redact_json(body)))
        settings = self.settings
        headers = {
            "Accept": "application/json",
            "Content-Type": "application/json",
            "Authorization": f"Basic {self._auth}",
        }
        with Deadline(settings.total_timeout) as deadline:
            data = json.dumps(body).encode()
            try:
                response = bounded_request(
                    self._session, method, url, operation=operation, settings=settings, deadline=deadline,
                    data=data, headers=headers,
                )  # fmt: skip
            except TransportError:
                if deadline.expired:  # the watchdog cut the connection: say why
                    raise self._out_of_time(operation, url) from None
                raise
            try:
                if 300 <= response.status_code < 400:
                    raise ResponseError(
                        operation, f"HTTP {response.status_code} redirect from {redact_url(url)} refused"
                    )
                content = read_capped(response, settings.max_response_bytes, deadline)
            except requests.exceptions.RequestException as exc:  # cut inside the body, a broken chunk
                if deadline.expired:
                    raise self._out_of_time(operation, url) from None
                raise ResponseError(
                    operation, f"unreadable answer ({type(exc).__name__}) from {redact_url(url)}; the call may have run"
                ) from None
            finally:
                release(response)
            if deadline.expired:  # a cut connection can look like a short, complete body
                raise self._out_of_time(operation, url)
        if content is None:
            raise ResponseError(operation, f"the answer is larger than {settings.max_response_bytes} bytes; not read")
        status = response.status_code
        if not content.strip():
            if 200 <= status < 300:
                # Every operation answers a JSON object: an empty body is an answer cut short
                # (inside its headers, say), not a success.
                raise ResponseError(
                    operation, f"HTTP {status}: the answer has no body (cut short?); the call may have run"
                )
            raise ConnectNowError(operation, "the call failed", http_status=status)
        try:
            answer = loads(content, max_bytes=settings.max_response_bytes)
        except JsonFormError as exc:
            raise ConnectNowError(operation, f"the answer is not JSON ({exc})", http_status=status) from None
        _log.debug("%s answer (HTTP %d):\n%s", operation, status, json.dumps(redact_json(answer))[:65536])
        if isinstance(answer, dict) and answer.get("errorMessage"):
            raise ConnectNowError(operation, _one_line(str(answer["errorMessage"]))[:500], http_status=status)
        if not 200 <= status < 300:
            raise ConnectNowError(operation, "the call failed", http_status=status)
        return answer

    def _out_of_time(self, operation: str, url: str) -> ServiceTimeoutError:
        return ServiceTimeoutError(
            operation,
            f"no complete answer from {redact_url(url)} within the total timeout of {self.settings.total_timeout:g} s"
            "; the call may have run",
        )

    # -- the 16 operations, bodies as documented -----------------------------------
    def create_integration_pack_deployment(
        self, account_id: str, environment_id: str, integration_pack_id: str, integration_pack_override_name: str = ""
    ) -> Any:
        """``createIntegrationPackDeployment``: install a pack and attach it to an environment."""
        return self.send(
            "createIntegrationPackDeployment",
            {
                "accountId": account_id,
                "environmentId": environment_id,
                "integrationPackId": integration_pack_id,
                "integrationPackOverrideName": integration_pack_override_name,
            },
        )

    def execute_integration_process(self, account_id: str, process_id: str) -> Any:
        """``executeIntegrationProcess``: run a pack's process."""
        return self.send("executeIntegrationProcess", {"id": process_id, "accountId": account_id})

    def get_all_ipacks_available_to_account(self, account_id: str, install_type: str | None = None) -> Any:
        """``getAllIPacksAvailableToAccount``: multi-install packs; ``install_type="BOTH"`` adds single-install ones."""
        fields: dict[str, Any] = {"accountId": account_id}
        if install_type:
            fields["@type"] = install_type
        return self.send("getAllIPacksAvailableToAccount", fields)

    def get_boomi_account_profile(self, account_id: str) -> Any:
        """``getBoomiAccountProfile``."""
        return self.send("getBoomiAccountProfile", {"accountId": account_id})

    def get_environments_for_account(self, account_id: str) -> Any:
        """``getEnvironmentsForAccount``."""
        return self.send("getEnvironmentsForAccount", {"accountId": account_id})

    def _extended(self, operation: str, account_id: str, instance_id: str, install_type: str, **more: Any) -> Any:
        return self.send(operation, {"accountId": account_id, "id": instance_id, "@type": install_type, **more})

    def get_extended_connections_for_installed_ipack(self, account_id: str, instance_id: str, install_type: str) -> Any:
        """``getExtendedConnectionsForInstalledIPack``."""
        return self._extended("getExtendedConnectionsForInstalledIPack", account_id, instance_id, install_type)

    def get_extended_cross_reference_tables_for_installed_ipack(
        self, account_id: str, instance_id: str, install_type: str
    ) -> Any:
        """``getExtendedCrossReferenceTablesForInstalledIPack``."""
        return self._extended("getExtendedCrossReferenceTablesForInstalledIPack", account_id, instance_id, install_type)

    def get_extended_maps_for_installed_ipack(
        self, account_id: str, instance_id: str, install_type: str, connection: Sequence[Mapping[str, Any]] = ()
    ) -> Any:
        """``getExtendedMapsForInstalledIPack`` (``connection``: the extended connections, for dynamic browse)."""
        return self._extended(
            "getExtendedMapsForInstalledIPack", account_id, instance_id, install_type, connection=list(connection)
        )

    def get_extended_process_properties_for_installed_ipack(
        self, account_id: str, instance_id: str, install_type: str
    ) -> Any:
        """``getExtendedProcessPropertiesForInstalledIPack``."""
        return self._extended("getExtendedProcessPropertiesForInstalledIPack", account_id, instance_id, install_type)

    def get_process_execution_records(self, account_id: str, since: datetime) -> Any:
        """``getProcessExecutionRecords``: the first 1000 records from ``since`` on."""
        date = since.strftime("%Y-%m-%dT%H:%M:%S.") + f"{since.microsecond // 1000:03d}"
        return self.send("getProcessExecutionRecords", {"date": date, "accountId": account_id})

    def get_installed_ipacks(self, account_id: str) -> Any:
        """``getInstalledIPacks``."""
        return self.send("getInstalledIPacks", {"accountId": account_id})

    def get_oauth2_access_token_url(
        self, account_id: str, connection_id: str, environment_id: str, extension_group_id: str, field_id: str
    ) -> Any:
        """``getOAuth2AccessTokenURL``: the URL that authorizes an OAuth2 connection field."""
        return self.send(
            "getOAuth2AccessTokenURL",
            {
                "accountId": account_id,
                "connectionId": connection_id,
                "environmentId": environment_id,
                "extensionGroupId": extension_group_id,
                "fieldId": field_id,
            },
        )

    def get_process_schedules(self, account_id: str, instance_id: str) -> Any:
        """``getProcessSchedules``."""
        return self.send("getProcessSchedules", {"accountId": account_id, "id": instance_id})

    def get_installed_ipack_instance_processes(self, account_id: str, instance_id: str) -> Any:
        """``getInstalledIPackInstanceProcesses``."""
        return self.send("getInstalledIPackInstanceProcesses", {"id": instance_id, "accountId": account_id})

    def delete_installed_ipack_instance(self, account_id: str, instance_id: str) -> Any:
        """``deleteInstalledIPackInstance`` (HTTP DELETE)."""
        return self.send("deleteInstalledIPackInstance", {"id": instance_id, "accountId": account_id}, method="DELETE")

    def upsert_environment_extensions(
        self,
        account_id: str,
        instance_id: str,
        install_type: str,
        *,
        process_property_containers: Sequence[Mapping[str, Any]] = (),
        connections: Sequence[Mapping[str, Any]] = (),
        cross_reference_tables: Sequence[Mapping[str, Any]] = (),
    ) -> Any:
        """``upsertEnvironmentExtensions``: the arrays as the ``getExtended...`` operations return them."""
        return self.send(
            "upsertEnvironmentExtensions",
            {
                "accountId": account_id,
                "iPackInstanceId": instance_id,
                "@ipackType": install_type,
                "processPropertyContainers": list(process_property_containers),
                "connections": list(connections),
                "crossReferenceTables": list(cross_reference_tables),
            },
        )

    def upsert_process_schedules(self, account_id: str, schedules: Sequence[Mapping[str, Any]]) -> Any:
        """``upsertProcessSchedules``: ``ProcessSchedules`` objects as ``getProcessSchedules`` returns them."""
        return self.send("upsertProcessSchedules", {"result": list(schedules), "accountId": account_id})
