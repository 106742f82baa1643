"""What :class:`~boomi_soap.Client` can do beyond single calls: the platform features, as one-line forwarders.

Each method forwards to a feature of :mod:`boomi_soap.platform`, written against the
:class:`~boomi_soap.platform.caller.Caller` protocol and run by the sync driver
:func:`~boomi_soap.platform.steps.drive`.  :class:`~boomi_soap.AsyncClient`'s twins
(:mod:`boomi_soap._async_features`) run the same generators with the async driver, so a
feature exists once.  The class that inherits this mixin is the caller: it has the
protocol's calls (``get``, ``call_xml``, ``get_linked`` ...), and the features import
nothing of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from boomi_soap.platform.caller import Caller
    from boomi_soap.platform.deploy import Promotion
    from boomi_soap.platform.polling import Backoff
    from boomi_soap.platform.runs import Execution, RequestId
    from boomi_soap.platform.runtime import RuntimeAnswer
    from boomi_soap.wire.bulk import BulkResults

__all__ = ["Features"]


def _caller(client: Features) -> Caller:
    # The class that inherits this mixin (Client) is the caller; the features need only the protocol.
    return cast("Caller", client)


class Features:
    """The platform features of :class:`~boomi_soap.Client` (a mixin of one-line forwarders)."""

    # -- runs and deployments (boomi_soap.platform.runs, boomi_soap.platform.deploy) ---------------------
    def run_process(
        self,
        process: str,
        atom: str,
        *,
        properties: Mapping[str, str] | None = None,
        wait: bool = True,
        timeout: float = 300.0,
        poll: Backoff | None = None,
    ) -> Execution:
        """Run a process and (by default) wait for how it ended; see :func:`boomi_soap.platform.runs.run_process`."""
        from boomi_soap.platform.runs import run_process

        return run_process(_caller(self), process, atom, properties=properties, wait=wait, timeout=timeout, poll=poll)

    def execution(self, request_id: RequestId, *, record_url: str | None = None) -> Execution:
        """Follow an earlier run by its request id; see :func:`boomi_soap.platform.runs.attach`."""
        from boomi_soap.platform.runs import attach

        return attach(_caller(self), request_id, record_url=record_url)

    def package(self, component: str, *, version: str | None = None, notes: str = "") -> Any:
        """Package a component version (``PackagedComponent``); see :func:`boomi_soap.platform.deploy.package`."""
        from boomi_soap.platform.deploy import package

        return package(_caller(self), component, version=version, notes=notes)

    def deploy(self, package_id: str, environment: str, *, notes: str = "") -> Any:
        """Deploy a package to an environment (``DeployedPackage``); see :func:`boomi_soap.platform.deploy.deploy`."""
        from boomi_soap.platform.deploy import deploy

        return deploy(_caller(self), package_id, environment, notes=notes)

    def undeploy(self, deployment_id: str) -> bool:
        """Remove a deployment; ``False`` if it did not exist."""
        from boomi_soap.platform.deploy import undeploy

        return undeploy(_caller(self), deployment_id)

    def promote(self, process: str, from_environment: str, to_environment: str, *, dry_run: bool = False) -> Promotion:
        """Deploy what runs in one environment to another; see :func:`boomi_soap.platform.deploy.promote`."""
        from boomi_soap.platform.deploy import promote

        return promote(_caller(self), process, from_environment, to_environment, dry_run=dry_run)

    # -- bulk and the REST-only reads (boomi_soap.platform.bulk, boomi_soap.platform.reads) ----------------
    def bulk_get(self, object_type: str, ids: Iterable[str]) -> BulkResults:
        """Get up to 100 objects: per-id objects and per-id errors (one call over REST; one get per id over SOAP).

        Raises:
            InvalidRequestError: With more than 100 ids (refused before sending).
        """
        from boomi_soap.platform.bulk import bulk_get

        return bulk_get(_caller(self), object_type, ids)

    def execution_record(self, request_id: str) -> tuple[Any, ...] | None:
        """The ExecutionRecord of an ExecutionRequest's ``requestId`` (REST only); ``None`` while not yet there.

        Raises:
            InvalidRequestError: Over SOAP.
            NotFoundError: If the account never issued that request id.
        """
        from boomi_soap.platform.reads import execution_record

        return execution_record(_caller(self), request_id)

    def openapi(self) -> dict[str, Any]:
        """The account's OpenAPI description of the RESTish API (REST only).

        Raises:
            InvalidRequestError: Over SOAP.
        """
        from boomi_soap.platform.reads import openapi

        return openapi(_caller(self))

    # -- the runtime (boomi_soap.platform.runtime) ------------------------------------------------------
    def async_get(
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
        from boomi_soap.platform.runtime import async_get

        return async_get(
            _caller(self), object_type, runtime_id, listener_id=listener_id, timeout=timeout, backoff=backoff,
            on_poll=on_poll,
        )  # fmt: skip

    def listener_status(
        self, runtime_id: str, listener_id: str | None = None, *, timeout: float = 300.0, backoff: Backoff | None = None
    ) -> dict[str, str]:
        """The status of each listener of a Runtime; see :func:`boomi_soap.platform.runtime.listener_status`."""
        from boomi_soap.platform.runtime import listener_status

        return listener_status(_caller(self), runtime_id, listener_id, timeout=timeout, backoff=backoff)

    def change_listener_status(self, atom_id: str, action: str, listener_id: str | None = None) -> None:
        """Pause, resume or restart listeners; see :func:`boomi_soap.platform.runtime.change_listener_status`."""
        from boomi_soap.platform.runtime import change_listener_status

        return change_listener_status(_caller(self), atom_id, action, listener_id)

    def clear_queue(
        self, atom_id: str, queue_name: str, *, dead_letters: bool = False, subscriber: str | None = None
    ) -> str:
        """Clear a queue of a Runtime; see :func:`boomi_soap.platform.runtime.clear_queue`."""
        from boomi_soap.platform.runtime import clear_queue

        return clear_queue(_caller(self), atom_id, queue_name, dead_letters=dead_letters, subscriber=subscriber)

    def move_queue(self, atom_id: str, source: str, destination: str, **options: Any) -> str:
        """Move the messages of one queue to another; see :func:`boomi_soap.platform.runtime.move_queue`."""
        from boomi_soap.platform.runtime import move_queue

        return move_queue(_caller(self), atom_id, source, destination, **options)

    def restart_runtime(self, runtime_id: str) -> str:
        """Restart a Runtime; see :func:`boomi_soap.platform.runtime.restart_runtime`."""
        from boomi_soap.platform.runtime import restart_runtime

        return restart_runtime(_caller(self), runtime_id)

    def java_rollback(self, atom_id: str) -> Any:
        """Return a Runtime to its previous Java version; see :func:`boomi_soap.platform.runtime.java_rollback`."""
        from boomi_soap.platform.runtime import java_rollback

        return java_rollback(_caller(self), atom_id)

    def merge(self, merge_request_id: str, action: str = "MERGE") -> Any:
        """Run a merge request; see :func:`boomi_soap.platform.runtime.merge`."""
        from boomi_soap.platform.runtime import merge

        return merge(_caller(self), merge_request_id, action)

    def download_worker_log(self, worker_id: str, **options: Any) -> bytes:
        """The log of a Runtime worker; see :func:`boomi_soap.platform.runtime.download_worker_log`."""
        from boomi_soap.platform.runtime import download_worker_log

        return download_worker_log(_caller(self), worker_id, **options)

    def download_connector_document(self, generic_connector_record_id: str, **options: Any) -> bytes:
        """A connector record's document; see :func:`boomi_soap.platform.runtime.download_connector_document`."""
        from boomi_soap.platform.runtime import download_connector_document

        return download_connector_document(_caller(self), generic_connector_record_id, **options)
