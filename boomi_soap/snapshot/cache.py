"""Stage 2: the pinned, content-hashed, offline WSDL cache.

Layout under a cache root (one snapshot directory per distinct content)::

    <root>/<flavour>/<account>/
        CURRENT                 id of the snapshot in use (one line)
        .lock                   held while a fetch writes
        <snapshot id>/          first 16 hex digits of the snapshot's identity hash
            manifest.json       format, tool, account, flavour, endpoint, the contract
                                hash, the identity hash, and per file: url, sha256,
                                size, etag, last_modified, fetched_at (no credential)
            service.wsdl
            service.xsd1.xsd ...

Two hashes: ``sha256`` covers the files (the contract; codegen and the compiled-schema
cache key on it) and ``snapshot_sha256`` covers that, the account, flavour, endpoint,
WSDL name and source URLs (the snapshot; it names the directory).  So an edited
endpoint fails verification like an edited schema does.

A snapshot is written into a temporary directory, flushed, then renamed into place;
``CURRENT`` is replaced atomically afterwards.  A process killed at any point leaves
the previous snapshot whole and in use.  Reading verifies every file's SHA-256 and
size, so a corrupt or partial snapshot is never used silently.

Nobody else may steer the cache: directories are made 0700 and files 0600 whatever the
umask; no symbolic link is followed below the root (``O_NOFOLLOW``, ``lstat``); and a
private store (every one but the pinned, packaged one) checks that each directory and
file it uses is owned by this user and not writable by others.  A path that fails is
refused with :class:`~boomi_soap.exceptions.CachePermissionError`, never repaired.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import logging
import os
import secrets
import shutil
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from boomi_soap._version import __version__
from boomi_soap._xml.redact import redact_url
from boomi_soap.credentials import FLAVOURS, Credentials, Endpoint, Flavour, same_origin
from boomi_soap.exceptions import (
    CacheError,
    CacheIntegrityError,
    CachePermissionError,
    ConfigurationError,
    SnapshotNotFoundError,
)
from boomi_soap.settings import DEFAULT_MAX_BYTES, DEFAULT_MAX_TOTAL_BYTES, DEFAULT_TIMEOUT, DEFAULT_TOTAL_TIMEOUT

if TYPE_CHECKING:
    import requests

    from boomi_soap.snapshot.fetch import FetchResult, Previous

__all__ = [
    "FORMAT_VERSION",
    "CacheStore",
    "FileEntry",
    "Refresh",
    "Snapshot",
    "check_private",
    "default_cache_dir",
    "identity_hash",
    "make_private_dir",
    "pinned_store",
    "read_private",
    "refresh",
    "resolve_snapshot",
    "write_private",
]

FORMAT_VERSION: Final = 2
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
        sha256: Hash over the files' names and hashes: the contract's identity.
        files: The manifest entries, sorted by path.
        tool: Name and version of the tool that wrote it.
        snapshot_sha256: Hash over :attr:`sha256`, account, flavour, endpoint, WSDL name
            and source URLs: the snapshot's identity (see :func:`identity_hash`).
    """

    directory: Path
    account_id: str
    flavour: str
    endpoint: str
    wsdl: str
    sha256: str
    files: tuple[FileEntry, ...]
    tool: str
    snapshot_sha256: str = ""

    @property
    def id(self) -> str:
        """Short identity, the directory's name: the first 16 hex digits of :attr:`snapshot_sha256`."""
        return self.snapshot_sha256[:16]

    @property
    def origin_url(self) -> str:
        """Where its WSDL was downloaded from."""
        return next((entry.url for entry in self.files if entry.path == self.wsdl), "")

    @property
    def wsdl_path(self) -> Path:
        """Absolute path of the WSDL."""
        return self.directory / self.wsdl

    def location_map(self) -> dict[str, Path]:
        """Map every source URL to its local file (for offline schema loading)."""
        return {entry.url: self.directory / entry.path for entry in self.files}

    def previous(self) -> dict[str, Previous]:
        """What a conditional re-fetch needs to know, by URL."""
        from boomi_soap.snapshot.fetch import Previous  # fetching is the only user: reading a snapshot never imports it

        return {
            entry.url: Previous(
                read_private(self.directory / entry.path, private=False),
                entry.etag,
                entry.last_modified,
                entry.fetched_at,
                entry.path,
            )
            for entry in self.files
        }


def snapshot_hash(entries: Mapping[str, str]) -> str:
    """Return the contract hash of a set of files (``path -> sha256``)."""
    lines = "".join(f"{path} {digest}\n" for path, digest in sorted(entries.items()))
    return hashlib.sha256(lines.encode()).hexdigest()


def identity_hash(
    *, account: str, flavour: str, endpoint: str, wsdl: str, contract: str, urls: Mapping[str, str]
) -> str:
    """Return a snapshot's identity hash: what it holds, and where it came from and calls.

    Args:
        account: The account id.
        flavour: The API flavour.
        endpoint: The SOAP endpoint URL.
        wsdl: The WSDL's file name.
        contract: The contract hash (:func:`snapshot_hash`).
        urls: Source URL of every file, by file name.
    """
    sealed = {
        "format": FORMAT_VERSION,
        "account": account,
        "flavour": flavour,
        "endpoint": endpoint,
        "wsdl": wsdl,
        "sha256": contract,
        "urls": dict(sorted(urls.items())),
    }
    return hashlib.sha256(json.dumps(sealed, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def default_cache_dir(env: Mapping[str, str] | None = None, cwd: Path | None = None) -> Path:
    """Pick the cache root: ``BOOMI_SOAP_CACHE_DIR``, else ``./wsdl_cache`` if present, else the user cache.

    ``./wsdl_cache`` is not taken when it is the package's own (the working directory is
    the source checkout): those are the pinned snapshots, tracked data that a ``fetch``
    must not rewrite unless told so with an explicit ``--cache-dir``.

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
    if project.is_dir() and not _is_pinned(project):
        return project
    import platformdirs  # only needed when no project cache is around

    return Path(platformdirs.user_cache_dir("boomi-soap"))


def _is_pinned(path: Path) -> bool:
    """Whether ``path`` is the ``wsdl_cache`` package's own directory."""
    try:
        return path.resolve() == Path(str(resources.files("wsdl_cache"))).resolve()
    except (ModuleNotFoundError, OSError):
        return False


def pinned_store() -> CacheStore:
    """The read-only store of the snapshots pinned in the ``wsdl_cache`` package."""
    # Package data: as trusted as the code installed beside it, so not owner-checked.
    return CacheStore(Path(str(resources.files("wsdl_cache"))), read_only=True, private=False)


# -- private files --------------------------------------------------------------------
_NOFOLLOW: Final = os.O_NOFOLLOW | os.O_CLOEXEC


def _refuse(info: os.stat_result, path: Path, *, directory: bool, private: bool, secret: bool = False) -> None:
    if stat.S_ISLNK(info.st_mode):
        raise CachePermissionError("is a symbolic link; links are never followed in the cache", path=str(path))
    if directory != stat.S_ISDIR(info.st_mode) or not (directory or stat.S_ISREG(info.st_mode)):
        raise CachePermissionError(f"is not a {'directory' if directory else 'regular file'}", path=str(path))
    if not private:
        return
    if info.st_uid != os.geteuid():
        raise CachePermissionError(
            f"is owned by uid {info.st_uid}, not by this user (uid {os.geteuid()}); refusing to use it", path=str(path)
        )
    loose = info.st_mode & (0o077 if secret else 0o022)
    if loose:
        fix = "go-rwx" if secret else "go-w"
        raise CachePermissionError(
            f"mode {stat.S_IMODE(info.st_mode):04o} lets others {'read or ' if secret else ''}write it;"
            f" refusing to use it (chmod {fix})",
            path=str(path),
        )


def check_private(path: Path, *, directory: bool, private: bool = True) -> os.stat_result:
    """Check a cache path before use, without following a link.

    Args:
        path: The path.
        directory: Whether it must be a directory (else a regular file).
        private: Also check it is this user's and not writable by others.

    Returns:
        Its ``lstat``.

    Raises:
        FileNotFoundError: If it does not exist.
        CachePermissionError: If it is a link, of the wrong type, another user's or writable by others.
    """
    info = os.lstat(path)
    _refuse(info, path, directory=directory, private=private)
    return info


def make_private_dir(path: Path, *, private: bool = True) -> None:
    """Create a directory (and missing parents) with mode 0700 whatever the umask, or check the existing one.

    Raises:
        CachePermissionError: If the existing directory fails :func:`check_private`.
    """
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        check_private(path, directory=True, private=private)
        return
    except FileNotFoundError:
        make_private_dir(path.parent, private=private)
        make_private_dir(path, private=private)
        return
    # mkdir's mode passes through the umask; set it exactly, on the directory just made.
    descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY | _NOFOLLOW)
    try:
        os.fchmod(descriptor, 0o700)
    finally:
        os.close(descriptor)


def _open(path: Path, flags: int, *, private: bool, secret: bool = False) -> int:
    try:
        descriptor = os.open(path, flags | _NOFOLLOW, 0o600)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise CachePermissionError(
                "is a symbolic link; links are never followed in the cache", path=str(path)
            ) from None
        raise
    try:
        _refuse(os.fstat(descriptor), path, directory=False, private=private, secret=secret)
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


def read_private(path: Path, *, private: bool = True, secret: bool = False) -> bytes:
    """Read a cache file without following a link, after :func:`check_private`'s checks.

    Args:
        path: The file.
        private: Check owner and mode.
        secret: Refuse it if others may even read it (a key).

    Raises:
        FileNotFoundError: If it does not exist.
        CachePermissionError: If it fails the checks.
    """
    with os.fdopen(_open(path, os.O_RDONLY, private=private, secret=secret), "rb") as handle:
        return handle.read()


def write_private(path: Path, data: bytes) -> None:
    """Create a new file with mode 0600 whatever the umask, write and flush it.

    Raises:
        FileExistsError: If anything, a link included, is already at ``path``.
    """
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        os.fchmod(descriptor, 0o600)
        handle.write(data)
        handle.flush()
        os.fsync(descriptor)


def _sha256_file(path: Path, *, private: bool) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with os.fdopen(_open(path, os.O_RDONLY, private=private), "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def _fsync_dir(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY | _NOFOLLOW)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class CacheStore:
    """Snapshots of many accounts under one root directory."""

    def __init__(self, root: Path, *, read_only: bool = False, private: bool = True) -> None:
        """Open a store (nothing is read or created yet).

        Args:
            root: The cache root (it may be a link; nothing below it may).
            read_only: Refuse every write (the pinned store, a runtime cache).
            private: Check that every path used is this user's and not writable by
                others (off only for package data, see :func:`pinned_store`).
        """
        self.root = Path(root)
        self.read_only = read_only
        self.private = private

    def __repr__(self) -> str:
        return f"CacheStore({str(self.root)!r}, read_only={self.read_only})"

    def _check_root(self) -> None:
        info = os.stat(self.root)  # the root itself may be a link the user made
        _refuse(info, self.root, directory=True, private=self.private)

    def _check_dirs(self, directory: Path) -> None:
        """Check the root and every directory from it down to ``directory``."""
        self._check_root()
        current = self.root
        for part in directory.relative_to(self.root).parts:
            current = current / part
            check_private(current, directory=True, private=self.private)

    def _make_dirs(self, directory: Path) -> None:
        if not self.root.exists():
            make_private_dir(self.root)
        self._check_root()
        current = self.root
        for part in directory.relative_to(self.root).parts:
            current = current / part
            make_private_dir(current, private=self.private)

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
    def current(self, account_id: str, flavour: Flavour = "platform", *, check_endpoint: bool = True) -> Snapshot:
        """Return the verified snapshot in use for an account.

        Raises:
            SnapshotNotFoundError: If nothing is cached for the account.
            CacheIntegrityError: If the snapshot is corrupt or partial.
            CachePermissionError: If a path on the way is a link, another user's or writable by others.
        """
        directory = self.account_dir(account_id, flavour)
        pointer = directory / CURRENT
        try:
            self._check_dirs(directory)
            snapshot_id = read_private(pointer, private=self.private).decode("ascii").strip()
        except (FileNotFoundError, NotADirectoryError):
            raise SnapshotNotFoundError(
                f"no snapshot of account {account_id} ({flavour}) in {self.root};"
                f" run: boomi-soap fetch --account {account_id} --cache-dir {self.root}"
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise CacheIntegrityError(f"unreadable ({exc.__class__.__name__})", path=str(pointer)) from None
        if not snapshot_id or not all(c in "0123456789abcdef" for c in snapshot_id):
            raise CacheIntegrityError("does not name a snapshot", path=str(pointer))
        snapshot = self.open(directory / snapshot_id, check_endpoint=check_endpoint)
        if (snapshot.account_id, snapshot.flavour) != (account_id, flavour):
            raise CacheIntegrityError(
                f"holds a snapshot of account {snapshot.account_id} ({snapshot.flavour})", path=str(snapshot.directory)
            )
        return snapshot

    def open(self, directory: Path, *, check_endpoint: bool = True) -> Snapshot:
        """Read and verify the snapshot in ``directory``.

        ``check_endpoint=False`` skips only the check that the endpoint is on its WSDL's
        origin, for a reader of the schemas alone, which never connects (every file is
        still checked against the manifest, the manifest against its seal).

        Raises:
            CacheIntegrityError: If the manifest or any file does not match.
            CachePermissionError: If the directory or a file is a link, another user's or writable by others.
            CacheError: If the snapshot was written in another format version.
        """
        manifest_path = directory / MANIFEST
        try:
            check_private(directory, directory=True, private=self.private)
            raw: dict[str, Any] = json.loads(read_private(manifest_path, private=self.private))
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
                raw["snapshot_sha256"],
            )
        except (KeyError, TypeError) as exc:
            raise CacheIntegrityError(f"malformed manifest ({exc})", path=str(manifest_path)) from None
        self._verify(snapshot, check_endpoint=check_endpoint)
        return snapshot

    def _verify(self, snapshot: Snapshot, *, check_endpoint: bool = True) -> None:
        digests: dict[str, str] = {}
        for entry in snapshot.files:
            path = snapshot.directory / entry.path
            if Path(entry.path).name != entry.path or entry.path in (MANIFEST, CURRENT):
                raise CacheIntegrityError("manifest names a file outside the snapshot", path=str(path))
            try:
                digest, size = _sha256_file(path, private=self.private)
            except FileNotFoundError:
                raise CacheIntegrityError("missing", path=str(path)) from None
            if (digest, size) != (entry.sha256, entry.size):
                raise CacheIntegrityError(
                    f"content does not match the manifest (sha256 {digest[:12]}…, {size} bytes;"
                    f" expected {entry.sha256[:12]}…, {entry.size} bytes)",
                    path=str(path),
                )
            digests[entry.path] = digest
        if snapshot_hash(digests) != snapshot.sha256:
            raise CacheIntegrityError("snapshot hash does not match its files", path=str(snapshot.directory))
        if snapshot.wsdl not in digests:
            raise CacheIntegrityError("the manifest's WSDL is not among its files", path=str(snapshot.directory))
        sealed = identity_hash(
            account=snapshot.account_id,
            flavour=snapshot.flavour,
            endpoint=snapshot.endpoint,
            wsdl=snapshot.wsdl,
            contract=snapshot.sha256,
            urls={entry.path: entry.url for entry in snapshot.files},
        )
        if sealed != snapshot.snapshot_sha256 or snapshot.directory.name != snapshot.id:
            raise CacheIntegrityError(
                "snapshot hash does not match its manifest (endpoint, account or source URLs edited?)",
                path=str(snapshot.directory),
            )
        if check_endpoint and not same_origin(snapshot.endpoint, snapshot.origin_url):
            raise CacheIntegrityError(
                f"endpoint {redact_url(snapshot.endpoint)} is not on the origin its WSDL came from",
                path=str(snapshot.directory),
            )

    def snapshot_dirs(self, account_id: str | None = None) -> list[Path]:
        """Every snapshot directory in the store (or of one account), sorted; links included, to be refused."""
        return [d for account in self._account_dirs(account_id) for d in self._entries(account)]

    def _account_dirs(self, account_id: str | None) -> list[Path]:
        found: list[Path] = []
        for flavour in FLAVOURS:
            base = self.root / flavour
            if os.path.lexists(base):
                found += [a for a in self._entries(base) if account_id is None or a.name == account_id]
        return found

    @staticmethod
    def _entries(directory: Path) -> list[Path]:
        """Subdirectories, and links (which :meth:`open` then refuses); other files are not ours to judge."""
        if not os.path.isdir(directory) or os.path.islink(directory):
            return []
        return sorted(
            p
            for p in directory.iterdir()
            if not p.name.startswith(".") and (stat.S_ISDIR(p.lstat().st_mode) or p.is_symlink())
        )

    def verify(self, account_id: str | None = None) -> list[CacheError]:
        """Recompute every hash of every snapshot, check each ``CURRENT`` and every path's owner and mode.

        Args:
            account_id: Only this account's snapshots.

        Returns:
            One error per bad snapshot, pointer or path; empty when all is well.
        """
        problems: list[CacheError] = []
        try:
            self._check_root()
            for flavour in FLAVOURS:
                if os.path.lexists(self.root / flavour):
                    check_private(self.root / flavour, directory=True, private=self.private)
        except CacheError as exc:
            return [exc]
        except FileNotFoundError:
            return []
        for account in self._account_dirs(account_id):
            try:
                check_private(account, directory=True, private=self.private)
            except CacheError as exc:
                problems.append(exc)
                continue
            for directory in self._entries(account):
                try:
                    self.open(directory)
                except CacheError as exc:
                    problems.append(exc)
            pointer = account / CURRENT
            try:
                target = account / read_private(pointer, private=self.private).decode("ascii", "replace").strip()
            except FileNotFoundError:
                problems.append(CacheIntegrityError("missing", path=str(pointer)))
                continue
            except CacheError as exc:
                problems.append(exc)
                continue
            if not (target / MANIFEST).is_file() or target.parent != account:
                problems.append(CacheIntegrityError("names a snapshot that does not exist", path=str(pointer)))
        return problems

    # -- writing --------------------------------------------------------------------
    @contextlib.contextmanager
    def lock(self, account_id: str, flavour: Flavour = "platform") -> Iterator[None]:
        """Hold the account's write lock (blocks while another process fetches)."""
        directory = self.account_dir(account_id, flavour)
        self._make_dirs(directory)
        descriptor = _open(directory / ".lock", os.O_RDWR | os.O_CREAT, private=self.private)
        try:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                # Say why nothing happens, rather than hang silently behind another fetch.
                _log.warning("waiting for %s: another fetch of %s is running", directory / ".lock", account_id)
                fcntl.flock(descriptor, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(descriptor, fcntl.LOCK_UN)
        finally:
            os.close(descriptor)

    def save(self, result: FetchResult) -> tuple[Snapshot, bool]:
        """Store a fetch as a snapshot and make it current.

        Call under :meth:`lock`.  Identical content maps to the same snapshot, which is
        then only made current again; a changed one is written beside the old ones.

        Args:
            result: The fetched documents.

        Returns:
            The snapshot and whether a new directory was written.

        Raises:
            CachePermissionError: If a path it would use, the new snapshot's included, fails the checks.
            CacheError: If the store is read-only or the disk refuses.
        """
        if self.read_only:
            raise CacheError(f"{self.root} is read-only")
        endpoint = result.endpoint
        directory = self.account_dir(endpoint.account_id, endpoint.flavour)
        self._make_dirs(directory)
        self._sweep(directory)
        manifest = self._manifest(result)
        target = directory / manifest["snapshot_sha256"][:16]
        created = False
        try:
            existing = self.open(target) if os.path.lexists(target) else None
        except CachePermissionError:
            raise  # a link or a foreign directory where ours would go: refused, never "repaired"
        except CacheError:
            _log.warning("replacing damaged snapshot %s", target)
            shutil.rmtree(target)
            existing = None
        if existing is None:
            self._write_snapshot(directory, target, result, manifest)
            created = True
        pointer = directory / CURRENT
        try:
            named = read_private(pointer, private=self.private).decode("ascii", "replace").strip()
        except FileNotFoundError:
            named = ""
        if named != target.name:
            temporary = directory / f".tmp-{secrets.token_hex(8)}-{CURRENT}"
            write_private(temporary, (target.name + "\n").encode())
            os.replace(temporary, pointer)
            _fsync_dir(directory)
        return self.open(target), created

    @staticmethod
    def _manifest(result: FetchResult) -> dict[str, Any]:
        contract = snapshot_hash({d.path: d.sha256 for d in result.documents})
        endpoint = result.endpoint
        wsdl = result.documents[0].path
        return {
            "format": FORMAT_VERSION,
            "tool": f"boomi-soap {__version__}",
            "account": endpoint.account_id,
            "flavour": endpoint.flavour,
            "endpoint": endpoint.url,
            "wsdl": wsdl,
            "sha256": contract,
            "snapshot_sha256": identity_hash(
                account=endpoint.account_id,
                flavour=endpoint.flavour,
                endpoint=endpoint.url,
                wsdl=wsdl,
                contract=contract,
                urls={d.path: d.url for d in result.documents},
            ),
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

    def _write_snapshot(self, directory: Path, target: Path, result: FetchResult, manifest: dict[str, Any]) -> None:
        staging = directory / f".tmp-{secrets.token_hex(8)}"
        make_private_dir(staging)
        try:
            for document in result.documents:
                write_private(staging / document.path, document.content)
            write_private(staging / MANIFEST, (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode())
            _fsync_dir(staging)
            os.replace(staging, target)  # a rename never follows a link at the target: it fails
            _fsync_dir(directory)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise

    @staticmethod
    def _sweep(directory: Path) -> None:
        # Leftovers of a writer that was killed; only ever called under the lock.
        for leftover in directory.glob(".tmp-*"):
            if stat.S_ISDIR(os.lstat(leftover).st_mode):
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)  # a file or a link: the link itself, never its target


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
    max_total_bytes: int = DEFAULT_MAX_TOTAL_BYTES,
    total_timeout: float | None = DEFAULT_TOTAL_TIMEOUT,
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
        max_total_bytes: Most bytes downloaded in all.
        total_timeout: Seconds the whole download may take.

    Returns:
        The snapshot in use and what happened.

    Raises:
        FetchError: If the download fails.
        CachePermissionError: If a cache path is a link, another user's or writable by others.
        CacheError: If the store cannot be written.
    """
    try:
        with store.lock(endpoint.account_id, endpoint.flavour):
            return _refresh(
                store, endpoint, credentials, session=session, timeout=timeout, max_bytes=max_bytes,
                max_total_bytes=max_total_bytes, total_timeout=total_timeout,
            )  # fmt: skip
    except OSError as exc:  # the disk refused (no space, no permission, a name too long)
        raise CacheError(
            f"{exc.filename or store.root}: cannot write the cache ({exc.strerror or type(exc).__name__})"
        ) from None


def _refresh(
    store: CacheStore,
    endpoint: Endpoint,
    credentials: Credentials,
    *,
    session: requests.Session | None,
    timeout: tuple[float, float],
    max_bytes: int,
    max_total_bytes: int,
    total_timeout: float | None,
) -> Refresh:
    try:
        current: Snapshot | None = store.current(endpoint.account_id, endpoint.flavour)
    except SnapshotNotFoundError:
        current = None
    except CachePermissionError:
        raise
    except CacheError as exc:
        _log.warning("ignoring damaged snapshot: %s", exc)
        current = None
    previous = current.previous() if current is not None and current.endpoint == endpoint.url else None
    from boomi_soap.snapshot.fetch import fetch_documents

    result = fetch_documents(
        endpoint, credentials, session=session, previous=previous, timeout=timeout, max_bytes=max_bytes,
        max_total_bytes=max_total_bytes, total_timeout=total_timeout,
    )  # fmt: skip
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
    check_endpoint: bool = True,
) -> Snapshot:
    """Pick the snapshot a command asked for: a directory, an account's current one, else the pinned reference.

    ``check_endpoint=False`` is for a caller that reads the schemas alone and never
    connects (:meth:`CacheStore.open`).

    Raises:
        CacheError: If the snapshot is missing or damaged.
    """
    if snapshot is not None:
        # A directory named by the user, for reading its schemas only: not owner-checked.
        return CacheStore(snapshot.parent, read_only=True, private=False).open(snapshot, check_endpoint=check_endpoint)
    if account is not None:
        store = CacheStore(cache_dir or default_cache_dir(), read_only=True)
        return store.current(account, flavour, check_endpoint=check_endpoint)
    from boomi_soap.snapshot.reference import REFERENCE_ACCOUNT  # data in wsdl_cache/, read on first use

    return pinned_store().current(REFERENCE_ACCOUNT, check_endpoint=check_endpoint)
