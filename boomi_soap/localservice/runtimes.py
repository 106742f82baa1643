"""What the service's Runtimes hold: listeners, queues, disk space and restarts.

Boomi keeps this state on each Runtime, not in the account's objects, and reports it
through the asynchronous reads (``ListenerStatus``, ``ListQueues``, ``AtomDiskSpace``)
and changes it through ``changeListenerStatus``, the ClearQueue EXECUTE, the
MoveQueueRequest and RuntimeRestartRequest CREATEs.  Each account store gets one
:class:`Runtimes`, built for an Atom the first time it is used, from the account's
objects, so a fresh account always answers the same:

* listeners: the processes of :data:`LISTENERS` (and any process named ``Listener ...``)
  deployed (an active DeployedPackage) to an environment the Atom is attached to, each
  ``listening`` when it appears; a deploy adds one, an undeploy removes it;
* queues (an ONLINE Atom only): :data:`QUEUES`, two point-to-point queues and a topic
  whose subscribers are two of the account's processes;
* disk space (an ONLINE Atom only): :data:`DISK_SPACE`.

With the demo seed, the Production Atom has two listeners (a wss and an as2 one), the Test Molecule three, the
(offline) Dev Atom none.  Boomi accepts a change it cannot do (a listener or a queue
the Runtime does not have) and logs the error on the Runtime; so does the service: it
answers as accepted and changes nothing.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from boomi_soap.localservice.contract import NS_DATA
from boomi_soap.localservice.model import Record
from boomi_soap.localservice.store import AccountStore

__all__ = [
    "DISK_SPACE",
    "LISTENERS",
    "QUEUES",
    "Listener",
    "Queue",
    "Runtime",
    "Runtimes",
    "runtimes",
]

# Process name -> connector type, for the demo processes that listen.
LISTENERS: Final = {
    "Listener - Order Webhook": "wss",
    "Purchase Orders - EDI 850 Inbound": "as2",
    "Acknowledgements - EDI 997": "as2",
}
# (name, type, messages, dead letters, subscribers as (process name, messages, dead letters)).
QUEUES: Final = (
    ("orders-inbound", "Point-to-Point", 12, 2, ()),
    ("invoices-retry", "Point-to-Point", 0, 1, ()),
    (
        "order-events",
        "Publish/Subscribe",
        0,
        0,
        (("Orders - Salesforce to NetSuite", 5, 0), ("Inventory - SAP to Shopify", 3, 1)),
    ),
)
# totalSize, rawTotalSize, quotaLimit, rawQuotaLimit, directories as (file, size, rawSize).
DISK_SPACE: Final = (
    "52 MB",
    54525952,
    "5 GB",
    5368709120,
    (("execution", "40 MB", 41943040), ("logs", "12 MB", 12582912)),
)
_DEFAULT_CONNECTOR: Final = "wss"  # of a process named "Listener ..." that LISTENERS does not list
_LISTENING: Final = "listening"
_PAUSED: Final = "paused"


@dataclass
class Listener:
    """One listener of a Runtime: the listening process's component id, its connector and status."""

    listener_id: str
    connector_type: str
    status: str = _LISTENING
    restarts: int = 0


@dataclass
class Queue:
    """One queue or topic of a Runtime and its ``[messages, dead letters]`` counts (a topic's per subscriber)."""

    name: str
    kind: str
    own: list[int] = field(default_factory=lambda: [0, 0])
    subscribers: dict[str, list[int]] = field(default_factory=dict)

    def counts(self, subscriber: str | None) -> list[int] | None:
        """The counts a clear or a move changes: the queue's own, or one subscriber's of a topic."""
        if self.subscribers:
            return self.subscribers.get(subscriber or "")
        return None if subscriber else self.own

    def totals(self) -> tuple[int, int]:
        """Messages and dead letters, a topic's summed over its subscribers."""
        if not self.subscribers:
            return self.own[0], self.own[1]
        return sum(c[0] for c in self.subscribers.values()), sum(c[1] for c in self.subscribers.values())


@dataclass
class Runtime:
    """The state one Atom, Molecule or Cloud holds."""

    runtime_id: str
    online: bool
    listeners: dict[str, Listener] = field(default_factory=dict)
    queues: dict[str, Queue] = field(default_factory=dict)
    restarts: int = 0
    java_rollbacks: int = 0


def _value(record: Record, name: str) -> str:
    return record.element.get(name) or record.element.findtext(f"{{{NS_DATA}}}{name}") or ""


def _deployed_listeners(store: AccountStore, atom_id: str) -> dict[str, str]:
    """Listener process id -> connector type, for the listener processes active in the Atom's environments."""
    environments = {
        _value(r, "environmentId") for r in store.all("EnvironmentAtomAttachment") if _value(r, "atomId") == atom_id
    }
    names = {r.key: _value(r, "name") for r in store.all("Process")}
    found: dict[str, str] = {}
    for record in store.all("DeployedPackage"):
        process = _value(record, "componentId")
        if _value(record, "active") != "true" or _value(record, "environmentId") not in environments:
            continue
        name = names.get(process, "")
        connector = LISTENERS.get(name) or (_DEFAULT_CONNECTOR if name.startswith("Listener") else None)
        if connector is not None:
            found[process] = connector
    return found


class Runtimes:
    """The Runtimes of one account store, each built on first use (thread-safe)."""

    def __init__(self, store: AccountStore) -> None:
        """Hold the Runtimes of ``store`` (kept weakly: the store owns its Runtimes, not the other way)."""
        self._store = weakref.ref(store)
        self._runtimes: dict[str, Runtime] = {}
        self.lock = threading.RLock()

    def get(self, runtime_id: str) -> Runtime | None:
        """The Runtime with this id, or ``None`` if the account has no such Atom.

        Its listeners follow the account's deployments: a listener process deployed since
        is there (``listening``), an undeployed one is gone, the others keep their status.
        """
        with self.lock:
            store = self._store()
            atom = store.get("Atom", runtime_id) if store is not None else None
            if store is None or atom is None:
                return None
            found = self._runtimes.get(runtime_id)
            if found is None:
                found = self._runtimes[runtime_id] = self._build(store, atom)
            deployed = _deployed_listeners(store, atom.key)
            for gone in set(found.listeners) - set(deployed):
                del found.listeners[gone]
            for process, connector in deployed.items():
                found.listeners.setdefault(process, Listener(process, connector))
            return found

    def _build(self, store: AccountStore, atom: Record) -> Runtime:
        online = _value(atom, "status") == "ONLINE"
        runtime = Runtime(atom.key, online)
        by_name = {_value(r, "name"): r.key for r in store.all("Process")}
        if online:
            for name, kind, messages, dead, subscribers in QUEUES:
                counts = {by_name.get(p, p): [m, d] for p, m, d in subscribers}
                runtime.queues[name] = Queue(name, kind, [messages, dead], counts)
        return runtime

    def listeners(self, runtime_ids: Iterable[str], listener_ids: Iterable[str] = ()) -> list[Listener]:
        """The listeners of these Runtimes (only those named, if any are), in a stable order."""
        wanted = set(listener_ids)
        found: list[Listener] = []
        with self.lock:
            for runtime_id in dict.fromkeys(runtime_ids):
                runtime = self.get(runtime_id)
                if runtime is not None:
                    found.extend(v for k, v in runtime.listeners.items() if not wanted or k in wanted)
        return found

    def change_listeners(self, runtime_id: str, action: str, listener_id: str | None) -> None:
        """Apply a changeListenerStatus action (``pause``, ``resume_all`` ...) to a Runtime's listeners."""
        with self.lock:
            runtime = self.get(runtime_id)
            if runtime is None:
                return
            verb, _, every = action.partition("_")
            chosen = runtime.listeners.values() if every else [runtime.listeners.get(listener_id or "")]
            for listener in chosen:
                if listener is None:
                    continue  # Boomi accepts it and logs the error on the Runtime
                if verb == "pause":
                    listener.status = _PAUSED
                elif verb == "resume":
                    listener.status = _LISTENING
                else:  # a restart leaves a paused listener paused
                    listener.restarts += 1

    def clear_queue(self, runtime_id: str, queue: str, *, dead_letters: bool, subscriber: str | None) -> None:
        """Empty a queue (its dead letters, with ``dead_letters``), or one subscriber's part of a topic."""
        with self.lock:
            runtime = self.get(runtime_id)
            found = runtime.queues.get(queue) if runtime is not None else None
            counts = found.counts(subscriber) if found is not None else None
            if counts is not None:
                counts[1 if dead_letters else 0] = 0

    def move_queue(
        self, runtime_id: str, source: tuple[str, bool, str | None], target: tuple[str, bool, str | None]
    ) -> None:
        """Move every message of ``source`` to ``target``, each ``(queue, dead letters, subscriber)``.

        Both must exist on the Runtime and be of the same type (point-to-point or topic),
        as Boomi's page requires; otherwise nothing moves.
        """
        with self.lock:
            runtime = self.get(runtime_id)
            if runtime is None:
                return
            source_queue, target_queue = runtime.queues.get(source[0]), runtime.queues.get(target[0])
            if source_queue is None or target_queue is None or source_queue.kind != target_queue.kind:
                return
            taken, given = source_queue.counts(source[2]), target_queue.counts(target[2])
            if taken is None or given is None or source == target:
                return
            take, put = (1 if source[1] else 0), (1 if target[1] else 0)
            given[put] += taken[take]
            taken[take] = 0

    def report(self, kind: str, runtime_id: str) -> dict[str, Any] | None:
        """What an ONLINE Runtime reports for ``ListQueues`` or ``AtomDiskSpace``, as field values.

        ``None`` when it reports nothing (an offline Runtime, another type).
        """
        with self.lock:
            runtime = self.get(runtime_id)
            if runtime is None or not runtime.online:
                return None
            if kind == "AtomDiskSpace":
                total, raw_total, quota, raw_quota, directories = DISK_SPACE
                parts = [{"file": f, "size": size, "rawSize": raw} for f, size, raw in directories]
                return {
                    "totalSize": total,
                    "rawTotalSize": raw_total,
                    "quotaLimit": quota,
                    "rawQuotaLimit": raw_quota,
                    "DiskSpaceDirectory": parts,
                }
            if kind != "ListQueues":
                return None
            records = []
            for queue in runtime.queues.values():
                messages, dead = queue.totals()
                subscribers = [
                    {"SubscriberName": name, "messageCount": m, "deadLettersCount": d}
                    for name, (m, d) in queue.subscribers.items()
                ]
                records.append(
                    {
                        "queueName": queue.name,
                        "queueType": queue.kind,
                        "messagesCount": messages,
                        "deadLettersCount": dead,
                        "topicSubscribers": subscribers or None,
                    }
                )
            return {"QueueRecord": records}

    def restart(self, runtime_id: str) -> None:
        """Count a restart of the Runtime (its listeners keep their status, as on Boomi)."""
        with self.lock:
            runtime = self.get(runtime_id)
            if runtime is not None:
                runtime.restarts += 1


_lock = threading.Lock()
_by_store: dict[int, Runtimes] = {}


def runtimes(store: AccountStore) -> Runtimes:
    """The Runtimes of ``store`` (made on first use; gone with the store)."""
    key = id(store)
    with _lock:
        found = _by_store.get(key)
        if found is None:
            found = _by_store[key] = Runtimes(store)
            weakref.finalize(store, _by_store.pop, key, None)
        return found
