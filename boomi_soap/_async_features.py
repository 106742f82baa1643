"""What :class:`~boomi_soap.AsyncClient` can do beyond single calls: the platform features, awaited.

Each method is a one-line forwarder to a feature of :mod:`boomi_soap.platform` (a
generator of steps, :mod:`boomi_soap.platform.steps`), run by the async driver
:func:`~boomi_soap.platform.steps.adrive`.  :class:`~boomi_soap.Client`'s forwarders run
the same generators with the sync driver, so the two clients cannot drift: a feature
exists once, and each client only says how a step is sent.  The methods without I/O
(the contract, ``from_xml``, ``new_object`` ...) are the wrapped sync client's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, cast

if TYPE_CHECKING:
    from lxml import etree

    from boomi_soap._transports.asyncio import AsyncSafeTransport
    from boomi_soap.client import Client
    from boomi_soap.platform.caller import AsyncCaller
    from boomi_soap.platform.deploy import Promotion, Schedule
    from boomi_soap.platform.polling import AsyncResult, Backoff
    from boomi_soap.platform.runs import AsyncExecution, RequestId
    from boomi_soap.platform.runtime import RuntimeAnswer
    from boomi_soap.query import Expression
    from boomi_soap.settings import ClientSettings
    from boomi_soap.snapshot.contract import Contract
    from boomi_soap.validate import SchemaValidator
    from boomi_soap.wire.bulk import BulkResults

__all__ = ["AsyncFeatures"]


def _caller(client: AsyncFeatures) -> AsyncCaller:
    # The class that inherits this mixin (AsyncClient) is the async caller; the parity
    # test checks it has every method of the protocol.
    return cast("AsyncCaller", client)


class AsyncFeatures:
    """The platform features of :class:`~boomi_soap.Client`, for the async client (a mixin)."""

    sync: Client
    address: str
    _transport: AsyncSafeTransport

    # -- what needs no call: the wrapped sync client's -----------------------------------
    @property
    def settings(self) -> ClientSettings:
        """Timeouts, size caps, retries: the wrapped client's."""
        return self.sync.settings

    @property
    def validator(self) -> SchemaValidator:
        """The snapshot's validator: requests the WSDL does not describe (a bulk request) are checked with it."""
        return self.sync.validator

    @property
    def transport(self) -> Literal["soap", "rest"]:
        """``"soap"`` or ``"rest"``: the wrapped client's (a bulk GET is one REST call or one get per id)."""
        return self.sync.transport

    @property
    def format(self) -> Literal["xml", "json"]:
        """The wrapped client's body format on REST."""
        return self.sync.format

    @property
    def sub_account(self) -> str | None:
        """The sub-account every call acts on (a view of :meth:`for_account`), else ``None``."""
        found = getattr(self.sync, "sub_account", None)
        return found if isinstance(found, str) else None

    @property
    def contract(self) -> Contract:
        """The operations of the account's WSDL."""
        return self.sync.contract

    @property
    def endpoint_url(self) -> str:
        """The wrapped client's endpoint URL."""
        return self.sync.endpoint_url

    def from_xml(self, element: etree._Element) -> Any:
        """An answer's XML element as the client's objects (see :meth:`Client.from_xml`)."""
        return self.sync.from_xml(element)

    def new_object(self, object_type: str, **fields: Any) -> Any:
        """A new object of a data-schema type, not sent (see :meth:`Client.new_object`)."""
        return self.sync.new_object(object_type, **fields)

    def query_config(self, where: Expression | None, *, sort: Mapping[str, str] | None = None) -> Any:
        """The ``QueryConfig`` a query would send (see :meth:`Client.query_config`)."""
        return self.sync.query_config(where, sort=sort)

    def envelope(self, operation: str, *, sign: bool = False, **kwargs: Any) -> etree._Element:
        """The SOAP envelope an operation would send, not sent (see :meth:`Client.envelope`)."""
        return self.sync.envelope(operation, sign=sign, **kwargs)

    def signed_envelope(self, payload: etree._Element) -> etree._Element:
        """A request wrapper element in a signed envelope, not sent (see :meth:`Client.signed_envelope`)."""
        return self.sync.signed_envelope(payload)

    def with_override(self, payload: etree._Element) -> etree._Element:
        """``payload`` as this client sends it: a sub-account view adds its override."""
        return self.sync.with_override(payload)

    # -- runs (boomi_soap.platform.runs) --------------------------------------------------
    async def run_process(
        self,
        process: str,
        atom: str,
        *,
        properties: Mapping[str, str] | None = None,
        wait: bool = True,
        timeout: float = 300.0,
        poll: Backoff | None = None,
        on_progress: Callable[[AsyncExecution], None] | None = None,
    ) -> AsyncExecution:
        """Run a process and (by default) wait for how it ended; see :func:`boomi_soap.platform.runs.run_process`."""
        from boomi_soap.platform.runs import arun_process

        return await arun_process(
            _caller(self), process, atom, properties=properties, wait=wait, timeout=timeout, poll=poll,
            on_progress=on_progress,
        )  # fmt: skip

    def execution(self, request_id: RequestId, *, record_url: str | None = None) -> AsyncExecution:
        """Follow an earlier run by its request id; see :func:`boomi_soap.platform.runs.attach`."""
        from boomi_soap.platform.runs import aattach

        return aattach(_caller(self), request_id, record_url=record_url)

    # -- deployments, extensions, schedules (boomi_soap.platform.deploy) ----------------
    async def package(self, component: str, *, version: str | None = None, notes: str = "") -> Any:
        """Package a component version (``PackagedComponent``); see :func:`boomi_soap.platform.deploy.package`."""
        from boomi_soap.platform import deploy, steps

        return await steps.adrive(
            _caller(self), deploy.package_steps(_caller(self), component, version=version, notes=notes)
        )

    async def deploy(self, package_id: str, environment: str, *, notes: str = "") -> Any:
        """Deploy a package to an environment (``DeployedPackage``); see :func:`boomi_soap.platform.deploy.deploy`."""
        from boomi_soap.platform import deploy, steps

        return await steps.adrive(
            _caller(self), deploy.deploy_steps(_caller(self), package_id, environment, notes=notes)
        )

    async def package_and_deploy(
        self, process: str, environment: str, *, version: str | None = None, notes: str = ""
    ) -> tuple[Any, Any]:
        """Package and deploy, whole or not at all; see :func:`~boomi_soap.platform.deploy.package_and_deploy`."""
        from boomi_soap.platform import deploy, steps

        return await steps.adrive(
            _caller(self),
            deploy.package_and_deploy_steps(_caller(self), process, environment, version=version, notes=notes),
        )

    async def undeploy(self, deployment_id: str) -> bool:
        """Remove a deployment; ``False`` if it did not exist."""
        from boomi_soap.platform import deploy, steps

        return await steps.adrive(_caller(self), deploy.undeploy_steps(_caller(self), deployment_id))

    async def deployed_package(self, process: str, environment: str) -> Any | None:
        """The active deployment of a process in an environment, or ``None``."""
        from boomi_soap.platform import deploy, steps

        return await steps.adrive(_caller(self), deploy.deployed_package_steps(_caller(self), process, environment))

    async def promote(
        self,
        process: str,
        from_environment: str,
        to_environment: str | Sequence[str],
        *,
        dry_run: bool = False,
        notes: str = "",
    ) -> Promotion:
        """Deploy what runs in one environment to others; see :func:`boomi_soap.platform.deploy.promote`."""
        from boomi_soap.platform import deploy, steps

        return await steps.adrive(
            _caller(self),
            deploy.promote_steps(
                _caller(self), process, from_environment, to_environment, dry_run=dry_run, notes=notes
            ),
        )

    async def get_extensions(self, environment: str) -> Any:
        """The ``EnvironmentExtensions`` of an environment."""
        from boomi_soap.platform import deploy, steps

        return await steps.adrive(_caller(self), deploy.get_extensions_steps(_caller(self), environment))

    async def update_extension_properties(self, environment: str, properties: Mapping[str, str]) -> Any:
        """Set extension properties by name, leaving every other extension as it is."""
        from boomi_soap.platform import deploy, steps

        return await steps.adrive(
            _caller(self), deploy.update_extension_properties_steps(_caller(self), environment, properties)
        )

    async def get_schedules(self, process: str, atom: str) -> Any:
        """The ``ProcessSchedules`` of a process on an Atom."""
        from boomi_soap.platform import deploy, steps

        return await steps.adrive(_caller(self), deploy.get_schedules_steps(_caller(self), process, atom))

    async def set_schedules(
        self, process: str, atom: str, schedules: Sequence[Schedule], *, max_retry: int | None = None
    ) -> Any:
        """Replace the schedules of a process on an Atom."""
        from boomi_soap.platform import deploy, steps

        return await steps.adrive(
            _caller(self), deploy.set_schedules_steps(_caller(self), process, atom, schedules, max_retry=max_retry)
        )

    async def clear_schedules(self, process: str, atom: str) -> Any:
        """Remove every schedule of a process on an Atom."""
        from boomi_soap.platform import deploy, steps

        return await steps.adrive(_caller(self), deploy.clear_schedules_steps(_caller(self), process, atom))

    async def get_schedule_status(self, process: str, atom: str) -> Any:
        """The ``ProcessScheduleStatus`` of a process on an Atom."""
        from boomi_soap.platform import deploy, steps

        return await steps.adrive(_caller(self), deploy.get_schedule_status_steps(_caller(self), process, atom))

    async def set_schedule_status(self, process: str, atom: str, *, enabled: bool) -> Any:
        """Turn the schedules of a process on an Atom on or off."""
        from boomi_soap.platform import deploy, steps

        return await steps.adrive(
            _caller(self), deploy.set_schedule_status_steps(_caller(self), process, atom, enabled=enabled)
        )

    # -- asynchronous results and downloads (boomi_soap.platform.polling) ---------------
    async def poll_async(
        self, url: str, *, timeout: float, backoff: Backoff | None = None, on_poll: Callable[[int], None] | None = None
    ) -> AsyncResult:
        """Poll a URL that answers an ``AsyncOperationResult``; see :func:`boomi_soap.platform.polling.poll_async`."""
        from boomi_soap.platform import polling, steps

        return await steps.adrive(
            _caller(self),
            polling.poll_async_steps(_caller(self), url, timeout=timeout, backoff=backoff, on_poll=on_poll),
        )

    async def fetch_download(self, url: str, **options: Any) -> bytes:
        """GET a download URL, polling while it is not ready; see :func:`boomi_soap.platform.polling.fetch_download`."""
        from boomi_soap.platform import polling, steps

        return await steps.adrive(_caller(self), polling.fetch_download_steps(_caller(self), url, **options))

    async def download_log(self, **options: Any) -> bytes:
        """A process or Atom log; see :func:`boomi_soap.platform.polling.download_log`."""
        from boomi_soap.platform import polling, steps

        return await steps.adrive(_caller(self), polling.download_log_steps(_caller(self), **options))

    async def download_artifacts(self, execution_id: str, **options: Any) -> bytes:
        """A run's ExecutionArtifacts (a zip); see :func:`boomi_soap.platform.polling.download_artifacts`."""
        from boomi_soap.platform import polling, steps

        return await steps.adrive(
            _caller(self), polling.download_artifacts_steps(_caller(self), execution_id, **options)
        )

    # -- component XML (boomi_soap.platform.components) -----------------------------------
    async def get_component_xml(self, component_id: str) -> bytes:
        """The XML inside a Component's ``object``, as stored."""
        from boomi_soap.platform import components, steps

        return await steps.adrive(_caller(self), components.get_component_xml_steps(_caller(self), component_id))

    async def create_component_xml(self, *, name: str, component_type: str, xml: bytes) -> tuple[str, bytes]:
        """Create a Component from its XML; its id and the XML as stored."""
        from boomi_soap.platform import components, steps

        return await steps.adrive(
            _caller(self),
            components.create_component_xml_steps(_caller(self), name=name, component_type=component_type, xml=xml),
        )

    async def update_component_xml(self, component_id: str, xml: bytes) -> bytes:
        """Replace the XML inside a Component's ``object``; the XML as stored after."""
        from boomi_soap.platform import components, steps

        return await steps.adrive(
            _caller(self), components.update_component_xml_steps(_caller(self), component_id, xml)
        )

    # -- bulk and the REST-only reads (boomi_soap.platform.bulk, boomi_soap.platform.reads) -----
    async def bulk_get(self, object_type: str, ids: Iterable[str]) -> BulkResults:
        """Get up to 100 objects (one call over REST; one get per id over SOAP); see :meth:`Client.bulk_get`."""
        from boomi_soap.platform import bulk, steps

        return await steps.adrive(_caller(self), bulk.bulk_get_steps(_caller(self), object_type, ids))

    async def execution_record(self, request_id: str) -> tuple[Any, ...] | None:
        """The ExecutionRecord of a request id (REST only); ``None`` while not yet there."""
        from boomi_soap.platform import reads, steps

        return await steps.adrive(_caller(self), reads.execution_record_steps(_caller(self), request_id))

    async def openapi(self) -> dict[str, Any]:
        """The account's OpenAPI description of the RESTish API (REST only)."""
        from boomi_soap.platform import reads, steps

        return await steps.adrive(_caller(self), reads.openapi_steps(_caller(self)))

    # -- the runtime (boomi_soap.platform.runtime) ----------------------------------------
    async def async_get(
        self,
        object_type: str,
        runtime_id: str,
        *,
        listener_id: str | None = None,
        timeout: float = 300.0,
        backoff: Backoff | None = None,
        on_poll: Callable[[int], None] | None = None,
    ) -> RuntimeAnswer:
        """Read an asynchronous-token object of a Runtime; see :func:`boomi_soap.platform.runtime.async_get`."""
        from boomi_soap.platform import runtime, steps

        return await steps.adrive(
            _caller(self),
            runtime.async_get_steps(
                _caller(self), object_type, runtime_id, listener_id=listener_id, timeout=timeout, backoff=backoff,
                on_poll=on_poll,
            ),
        )  # fmt: skip

    async def listener_status(
        self, runtime_id: str, listener_id: str | None = None, *, timeout: float = 300.0, backoff: Backoff | None = None
    ) -> dict[str, str]:
        """The status of each listener of a Runtime; see :func:`boomi_soap.platform.runtime.listener_status`."""
        from boomi_soap.platform import runtime, steps

        return await steps.adrive(
            _caller(self),
            runtime.listener_status_steps(_caller(self), runtime_id, listener_id, timeout=timeout, backoff=backoff),
        )

    async def change_listener_status(self, atom_id: str, action: str, listener_id: str | None = None) -> None:
        """Pause, resume or restart listeners; see :func:`boomi_soap.platform.runtime.change_listener_status`."""
        from boomi_soap.platform import runtime, steps

        return await steps.adrive(
            _caller(self), runtime.change_listener_status_steps(_caller(self), atom_id, action, listener_id)
        )

    async def clear_queue(
        self, atom_id: str, queue_name: str, *, dead_letters: bool = False, subscriber: str | None = None
    ) -> str:
        """Clear a queue of a Runtime; see :func:`boomi_soap.platform.runtime.clear_queue`."""
        from boomi_soap.platform import runtime, steps

        return await steps.adrive(
            _caller(self),
            runtime.clear_queue_steps(
                _caller(self), atom_id, queue_name, dead_letters=dead_letters, subscriber=subscriber
            ),
        )

    async def move_queue(self, atom_id: str, source: str, destination: str, **options: Any) -> str:
        """Move the messages of one queue to another; see :func:`boomi_soap.platform.runtime.move_queue`."""
        from boomi_soap.platform import runtime, steps

        return await steps.adrive(
            _caller(self), runtime.move_queue_steps(_caller(self), atom_id, source, destination, **options)
        )

    async def restart_runtime(self, runtime_id: str) -> str:
        """Restart a Runtime; see :func:`boomi_soap.platform.runtime.restart_runtime`."""
        from boomi_soap.platform import runtime, steps

        return await steps.adrive(_caller(self), runtime.restart_runtime_steps(_caller(self), runtime_id))

    async def java_rollback(self, atom_id: str) -> Any:
        """Return a Runtime to its previous Java version; see :func:`boomi_soap.platform.runtime.java_rollback`."""
        from boomi_soap.platform import runtime, steps

        return await steps.adrive(_caller(self), runtime.java_rollback_steps(_caller(self), atom_id))

    async def merge(self, merge_request_id: str, action: str = "MERGE") -> Any:
        """Run a merge request; see :func:`boomi_soap.platform.runtime.merge`."""
        from boomi_soap.platform import runtime, steps

        return await steps.adrive(_caller(self), runtime.merge_steps(_caller(self), merge_request_id, action))

    async def download_worker_log(self, worker_id: str, **options: Any) -> bytes:
        """The log of a Runtime worker; see :func:`boomi_soap.platform.runtime.download_worker_log`."""
        from boomi_soap.platform import runtime, steps

        return await steps.adrive(_caller(self), runtime.download_worker_log_steps(_caller(self), worker_id, **options))

    async def download_connector_document(self, generic_connector_record_id: str, **options: Any) -> bytes:
        """A connector record's document; see :func:`boomi_soap.platform.runtime.download_connector_document`."""
        from boomi_soap.platform import runtime, steps

        return await steps.adrive(
            _caller(self),
            runtime.download_connector_document_steps(_caller(self), generic_connector_record_id, **options),
        )
