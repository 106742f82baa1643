"""What :class:`~boomi_soap.AsyncClient` can do beyond single calls: the platform features, awaited.

Each method is a one-line forwarder to a feature of :mod:`boomi_soap.platform` (a
generator of steps, :mod:`boomi_soap.platform.steps`), run by the async driver
:func:`~boomi_soap.platform.steps.adrive`.  :class:`~boomi_soap.Client`'s forwarders run
the same generators with the sync driver, so the two clients cannot drift: a feature
exists once, and each client only says how a step is sent.  The methods without I/O
(the contract, ``from_xml``, ``new_object`` ...) are the wrapped sync client's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from lxml import etree

    from boomi_soap.client import Client
    from boomi_soap.platform.caller import AsyncCaller
    from boomi_soap.platform.deploy import Promotion, Schedule
    from boomi_soap.platform.polling import AsyncResult, Backoff
    from boomi_soap.platform.runs import AsyncExecution, RequestId
    from boomi_soap.query import Expression
    from boomi_soap.settings import ClientSettings
    from boomi_soap.snapshot.contract import Contract

__all__ = ["AsyncFeatures"]


def _caller(client: AsyncFeatures) -> AsyncCaller:
    # The class that inherits this mixin (AsyncClient) is the async caller; the parity
    # test checks it has every method of the protocol.
    return cast("AsyncCaller", client)


class AsyncFeatures:
    """The platform features of :class:`~boomi_soap.Client`, for the async client (a mixin)."""

    sync: Client

    # -- what needs no call: the wrapped sync client's -----------------------------------
    @property
    def settings(self) -> ClientSettings:
        """Timeouts, size caps, retries: the wrapped client's."""
        return self.sync.settings

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
