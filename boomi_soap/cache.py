"""Stage 2: the pinned, content-hashed, offline WSDL cache.

Layout under a cache root (one snapshot directory per distinct content)::

    <root>/<flavour>/<account>/
        CURRENT                 id of the snapshot in use (one line)
        .lock                   held while a fetch writes
        <snapshot id>/          first 16 hex digits of the snapshot's SHA-256
            manifest.json       format, tool, endpoint, and per file: url, sha256,
                                size, etag, last_modified, fetched_at (no credential)
            service.wsdl
            service.xsd1.xsd ...

A snapshot is written into a temporary directory, flushed, then renamed into place;
``CURRENT`` is replaced atomically afterwards.  A process killed at any point leaves
the previous snapshot whole and in use.  Reading verifies every file's SHA-256 and
size, so a corrupt or partial snapshot is never used silently.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import secrets
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from boomi_soap._version import __version__
from boomi_soap.credentials import FLAVOURS, Credentials, Endpoint, Flavour
from boomi_soap.exceptions import CacheError, CacheIntegrityError, ConfigurationError, SnapshotNotFoundError
from boomi_soap.fetch import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, FetchResult, Previous, fetch_documents

if TYPE_CHECKING:
    import requests

__all__ = [
    "FORMAT_VERSION",
    "CacheStore",
    "FileEntry",
    "Refresh",
    "Snapshot",
    "default_cache_dir",
    "pinned_store",
    "refresh",
    "resolve_snapshot",
]

FORMAT_VERSION: Final = 1
MANIFEST: Final = "manifest.json"
CURRENT: Final = "CURRENT"
_log = logging.getLogger("boomi_soap.cache")


@dataclass(frozen=True)
class FileEntry:
    """One file of a snapshot, as the manifest records it."""

    path: str
    url: str
    sha256: str
    size: int
    etag: str | None
    last_modified: str | None
    fetched_at: str


@dataclass(frozen=True)
class Snapshot:
    """A verified snapshot on disk.

    Attributes:
        directory: The snapshot's directory.
        account_id: The account it belongs to.
        flavour: ``platform``, ``partner`` or ``apim``.
        endpoint: The SOAP endpoint URL it was fetched from.
        wsdl: File name of the WSDL within :attr:`directory`.
        sha256: Hash over the files' names and hashes: the snapshot's identity.
        files: The manifest entries, sorted by path.
        tool: Name and version of the tool that wrote it.
    """

    directory: Path
    account_id: str
    flavour: str
    endpoint: str
    wsdl: str
    sha256: str
    files: tuple[FileEntry, ...]
    tool: str

    @property
    def id(self) -> str:
        """Short identity: the first 16 hex digits of :attr:`sha256`."""
        return self.sha256[:16]

    @property
    def wsdl_path(self) -> Path:
        """Absolute path of the WSDL."""
        return self.directory / self.wsdl

    def location_map(self) -> dict[str, Path]:
        """Map every source URL to its local file (for offline schema loading)."""
        return {entry.url: self.directory / entry.path for entry in self.files}

    def previous(self) -> dict[str, Previous]:
        """What a conditional re-fetch needs to know, by URL."""
        return {
            entry.url: Previous(
                (self.directory / entry.path).read_bytes(),
                entry.etag,
                entry.last_modified,
                entry.fetched_at,
                entry.path,
            )
            for entry in self.files
        }


def snapshot_hash(entries: Mapping[str, str]) -> str:
    """Return the identity hash of a set of files (``path -> sha256``)."""
    lines = "".join(f"{path} {digest}\n" for path, digest in sorted(entries.items()))
    return hashlib.sha256(lines.encode()).hexdigest()


def default_cache_dir(env: Mapping[str, str] | None = None, cwd: Path | None = None) -> Path:
    """Pick the cache root: ``BOOMI_SOAP_CACHE_DIR``, else ``./wsdl_cache`` if present, else the user cache.

    Args:
        env: The environment (``os.environ`` by default).
        cwd: The working directory (the process's by default).

    Returns:
        The directory (not created).
    """
    env = os.environ if env is None else env
    if env.get("BOOMI_SOAP_CACHE_DIR"):
        return Path(env["BOOMI_SOAP_CACHE_DIR"])
    project = (cwd or Path.cwd()) / "wsdl_cache"
    if project.is_dir():
        return project
    import platformdirs  # only needed when no project cache is around

    return Path(platformdirs.user_cache_dir("boomi-soap"))


def pinned_store() -> CacheStore:
    """The read-only store of the snapshots pinned in the ``wsdl_cache`` package."""
    return CacheStore(Path(str(resources.files("wsdl_cache"))), read_only=True)


def _sha256_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def _write_file(path: Path, data: bytes) -> None:
    with path.open("xb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class CacheStore:
    """Snapshots of many accounts under one root directory."""

    def __init__(self, root: Path, *, read_only: bool = False) -> None:
        """Open a store (nothing is read or created yet).

        Args:
            root: The cache root.
            read_only: Refuse every write (the pinned store, a runtime cache).
        """
        self.root = Path(root)
        self.read_only = read_only

    def __repr__(self) -> str:
        return f"CacheStore({str(self.root)!r}, read_only={self.read_only})"

    def account_dir(self, account_id: str, flavour: Flavour = "platform") -> Path:
        """Directory holding an account's snapshots.

        Raises:
            ConfigurationError: On an unsafe account id or an unknown flavour.
        """
        if flavour not in FLAVOURS:
            raise ConfigurationError(f"unknown flavour {flavour!r}")
        if not account_id or account_id.startswith(".") or any(c in account_id for c in "/\\\0"):
            raise ConfigurationError(f"invalid account id {account_id!r}")
        return self.root / flavour / account_id

    # -- reading --------------------------------------------------------------------
    def current(self, account_id: str, flavour: Flavour = "platform") -> Snapshot:
        """Return the verified snapshot in use for an account.

        Raises:
            SnapshotNotFoundError: If nothing is cached for the account.
            CacheIntegrityError: If the snapshot is corrupt or partial.
        """
        directory = self.account_dir(account_id, flavour)
        pointer = directory / CURRENT
        try:
            snapshot_id = pointer.read_text(encoding="ascii").strip()
        except (FileNotFoundError, NotADirectoryError):
            raise SnapshotNotFoundError(
                f"no snapshot of account {account_id} ({flavour}) in {self.root};"
                f" run: boomi-soap fetch --account {account_id} --cache-dir {self.root}"
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise CacheIntegrityError(f"unreadable ({exc.__class__.__name__})", path=str(pointer)) from None
        if not snapshot_id or not all(c in "0123456789abcdef" for c in snapshot_id):
            raise CacheIntegrityError("does not name a snapshot", path=str(pointer))
        return self.open(directory / snapshot_id)

    def open(self, directory: Path) -> Snapshot:
        """Read and verify the snapshot in ``directory``.

        Raises:
            CacheIntegrityError: If the manifest or any file does not match.
            CacheError: If the snapshot was written in another format version.
        """
        manifest_path = directory / MANIFEST
        try:
            raw: dict[str, Any] = json.loads(manifest_path.read_bytes())
        except FileNotFoundError:
            raise CacheIntegrityError(
                "missing: not a snapshot directory, or a partial one", path=str(manifest_path)
            ) from None
        except (OSError, ValueError) as exc:
            raise CacheIntegrityError(
                f"not a readable manifest ({exc.__class__.__name__})", path=str(manifest_path)
            ) from None
        if not isinstance(raw, dict) or raw.get("format") != FORMAT_VERSION:
            found = raw.get("format") if isinstance(raw, dict) else None
            raise CacheError(f"{manifest_path}: cache format {found!r} is not {FORMAT_VERSION}; fetch again")
        try:
            entries = tuple(FileEntry(**entry) for entry in raw["files"])
            snapshot = Snapshot(
                directory,
                raw["account"],
                raw["flavour"],
                raw["endpoint"],
                raw["wsdl"],
                raw["sha256"],
                entries,
                raw["tool"],
            )
        except (KeyError, TypeError) as exc:
            raise CacheIntegrityError(f"malformed manifest ({exc})", path=str(manifest_path)) from None
        self._verify(snapshot)
        return snapshot

    def _verify(self, snapshot: Snapshot) -> None:
        digests: dict[str, str] = {}
        for entry in snapshot.files:
            path = snapshot.directory / entry.path
            if Path(entry.path).name != entry.path or entry.path in (MANIFEST, CURRENT):
                raise CacheIntegrityError("manifest names a file outside the snapshot", path=str(path))
            try:
                digest, size = _sha256_file(path)
            except FileNotFoundError:
                raise CacheIntegrityError("missing", path=str(path)) from None
            if (digest, size) != (entry.sha256, entry.size):
                raise CacheIntegrityError(
                    f"content does not match the manifest (sha256 {digest[:12]}…, {size} bytes;"
                    f" expected {entry.sha256[:12]}…, {entry.size} bytes)",
                    path=str(path),
                )
            digests[entry.path] = digest
        if snapshot_hash(digests) != snapshot.sha256 or snapshot.directory.name != snapshot.id:
            raise CacheIntegrityError("snapshot hash does not match its files", path=str(snapshot.directory))
        if snapshot.wsdl not in digests:
            raise CacheIntegrityError("the manifest's WSDL is not among its files", path=str(snapshot.directory))

    def snapshot_dirs(self, account_id: str | None = None) -> list[Path]:
        """Every snapshot directory in the store (or of one account), sorted."""
        found: list[Path] = []
        for flavour in FLAVOURS:
            base = self.root / flavour
            if not base.is_dir():
                continue
            for account in sorted(base.iterdir()):
                if account_id is not None and account.name != account_id:
                    continue
                found.extend(d for d in sorted(account.iterdir()) if d.is_dir() and not d.name.startswith("."))
        return found

    def verify(self, account_id: str | None = None) -> list[CacheError]:
        """Recompute every hash of every snapshot (and check each ``CURRENT``).

        Args:
            account_id: Only this account's snapshots.

        Returns:
            One error per bad snapshot or pointer; empty when all is well.
        """
        problems: list[CacheError] = []
        for directory in self.snapshot_dirs(account_id):
            try:
                self.open(directory)
            except CacheError as exc:
                problems.append(exc)
        for flavour in FLAVOURS:
            base = self.root / flavour
            for account in sorted(base.iterdir()) if base.is_dir() else []:
                if account_id is not None and account.name != account_id:
                    continue
                pointer = account / CURRENT
                if not pointer.exists():
                    problems.append(CacheIntegrityError("missing", path=str(pointer)))
                    continue
                target = account / pointer.read_text(encoding="ascii", errors="replace").strip()
                if not (target / MANIFEST).is_file():
                    problems.append(CacheIntegrityError("names a snapshot that does not exist", path=str(pointer)))
        return problems

    # -- writing --------------------------------------------------------------------
    @contextlib.contextmanager
    def lock(self, account_id: str, flavour: Flavour = "platform") -> Iterator[None]:
        """Hold the account's write lock (blocks while another process fetches)."""
        directory = self.account_dir(account_id, flavour)
        directory.mkdir(parents=True, exist_ok=True)
        with (directory / ".lock").open("a") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def save(self, result: FetchResult) -> tuple[Snapshot, bool]:
        """Store a fetch as a snapshot and make it current.

        Call under :meth:`lock`.  Identical content maps to the same snapshot, which is
        then only made current again; a changed one is written beside the old ones.

        Args:
            result: The fetched documents.

        Returns:
            The snapshot and whether a new directory was written.

        Raises:
            CacheError: If the store is read-only or the disk refuses.
        """
        if self.read_only:
            raise CacheError(f"{self.root} is read-only")
        endpoint = result.endpoint
        directory = self.account_dir(endpoint.account_id, endpoint.flavour)
        directory.mkdir(parents=True, exist_ok=True)
        self._sweep(directory)
        digests = {d.path: d.sha256 for d in result.documents}
        digest = snapshot_hash(digests)
        target = directory / digest[:16]
        created = False
        try:
            existing = self.open(target) if target.exists() else None
        except CacheError:
            _log.warning("replacing damaged snapshot %s", target)
            shutil.rmtree(target)
            existing = None
        if existing is None:
            self._write_snapshot(directory, target, result, digest)
            created = True
        pointer = directory / CURRENT
        if not pointer.exists() or pointer.read_text(encoding="ascii", errors="replace").strip() != target.name:
            temporary = directory / f".tmp-{secrets.token_hex(8)}-{CURRENT}"
            _write_file(temporary, (target.name + "\n").encode())
            os.replace(temporary, pointer)
            _fsync_dir(directory)
        return self.open(target), created

    def _write_snapshot(self, directory: Path, target: Path, result: FetchResult, digest: str) -> None:
        staging = directory / f".tmp-{secrets.token_hex(8)}"
        staging.mkdir()
        try:
            for document in result.documents:
                _write_file(staging / document.path, document.content)
            manifest = {
                "format": FORMAT_VERSION,
                "tool": f"boomi-soap {__version__}",
                "account": result.endpoint.account_id,
                "flavour": result.endpoint.flavour,
                "endpoint": result.endpoint.url,
                "wsdl": result.documents[0].path,
                "sha256": digest,
                "files": [
                    {
                        "path": d.path,
                        "url": d.url,
                        "sha256": d.sha256,
                        "size": len(d.content),
                        "etag": d.etag,
                        "last_modified": d.last_modified,
                        "fetched_at": d.fetched_at,
                    }
                    for d in sorted(result.documents, key=lambda d: d.path)
                ],
            }
            _write_file(staging / MANIFEST, (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode())
            _fsync_dir(staging)
            os.replace(staging, target)
            _fsync_dir(directory)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise

    @staticmethod
    def _sweep(directory: Path) -> None:
        # Leftovers of a writer that was killed; only ever called under the lock.
        for leftover in directory.glob(".tmp-*"):
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)


@dataclass(frozen=True)
class Refresh:
    """Outcome of :func:`refresh`.

    Attributes:
        snapshot: The snapshot now in use.
        created: Whether a new snapshot directory was written.
        unchanged: Whether the service answered 304 for every document (nothing written).
    """

    snapshot: Snapshot
    created: bool
    unchanged: bool


def refresh(
    store: CacheStore,
    endpoint: Endpoint,
    credentials: Credentials,
    *,
    session: requests.Session | None = None,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Refresh:
    """Fetch an account's WSDL and schemas into the store, revalidating what it has.

    Holds the account's lock throughout, so two concurrent refreshes leave one
    whole snapshot.  A damaged current snapshot is not used for revalidation: the
    documents are fetched in full and the snapshot rewritten.

    Args:
        store: Where snapshots live.
        endpoint: The account's endpoint.
        credentials: HTTP Basic credentials (never stored).
        session: HTTP session to use.
        timeout: Connect and read timeouts.
        max_bytes: Largest document accepted.

    Returns:
        The snapshot in use and what happened.

    Raises:
        FetchError: If the download fails.
        CacheError: If the store cannot be written.
    """
    with store.lock(endpoint.account_id, endpoint.flavour):
        try:
            current: Snapshot | None = store.current(endpoint.account_id, endpoint.flavour)
        except SnapshotNotFoundError:
            current = None
        except CacheError as exc:
            _log.warning("ignoring damaged snapshot: %s", exc)
            current = None
        previous = current.previous() if current is not None and current.endpoint == endpoint.url else None
        result = fetch_documents(
            endpoint, credentials, session=session, previous=previous, timeout=timeout, max_bytes=max_bytes
        )
        if current is not None and result.unchanged:
            return Refresh(current, created=False, unchanged=True)
        snapshot, created = store.save(result)
        return Refresh(snapshot, created=created, unchanged=False)


def resolve_snapshot(
    *,
    account: str | None = None,
    flavour: Flavour = "platform",
    cache_dir: Path | None = None,
    snapshot: Path | None = None,
) -> Snapshot:
    """Pick the snapshot a command asked for: a directory, an account's current one, else the pinned reference.

    Raises:
        CacheError: If the snapshot is missing or damaged.
    """
    if snapshot is not None:
        return CacheStore(snapshot.parent, read_only=True).open(snapshot)
    if account is not None:
        return CacheStore(cache_dir or default_cache_dir(), read_only=True).current(account, flavour)
    from boomi_soap.localservice.config import DEFAULT_ACCOUNT  # the bundled reference account

    return pinned_store().current(DEFAULT_ACCOUNT)
