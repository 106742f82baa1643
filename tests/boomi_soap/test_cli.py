"""The command line: wiring, exit codes, and `serve` as a real process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest
import requests
from click.testing import CliRunner

from boomi_soap import __version__
from boomi_soap.cli import main
from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_help_of_every_command(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    for name, command in main.commands.items():
        sub = runner.invoke(main, [name, "--help"])
        assert sub.exit_code == 0, name
        assert command.help
        assert command.help.split("\n")[0] in sub.output


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["serve", "--password", "x"], {}, "--password/--api-token need --user"),
        (["serve", "--user", "u@example.com"], {}, "--user needs --password or --api-token"),
        (["serve", "--port", "70000"], {}, "70000"),
        (["serve", "--release", "future"], {}, "future"),
        (["serve", "--rate-limit", "0"], {}, "rate-limit"),
    ],
)
def test_serve_usage_errors_exit_2(runner: CliRunner, args: list[str], env: dict[str, str], message: str) -> None:
    result = runner.invoke(main, args, env={"BOOMI_USERNAME": "", "BOOMI_PASSWORD": "", **env})
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_serve_port_in_use_is_a_one_line_error(runner: CliRunner) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(main, ["serve", "--port", str(port)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot listen on 127.0.0.1:")
    assert len(result.output.strip().splitlines()) == 1


@pytest.fixture
def served() -> Iterator[tuple[subprocess.Popen[str], str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOOMI_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "boomi_soap", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    try:
        yield process, first
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=10)


def test_serve_prints_its_url_and_serves_the_wsdl(served: tuple[subprocess.Popen[str], str]) -> None:
    process, first = served
    assert first.startswith("AtomSphere local service on http://127.0.0.1:")
    base = first.split()[4]
    reply = requests.get(f"{base}/api/soap/v1/{DEFAULT_ACCOUNT}?wsdl", auth=(DEFAULT_USER, DEFAULT_PASSWORD), timeout=5)
    assert reply.status_code == 200
    assert f"{base}/api/soap/v1/{DEFAULT_ACCOUNT}?xsd=1".encode() in reply.content
    assert process.poll() is None


def test_serve_stops_cleanly_on_interrupt(served: tuple[subprocess.Popen[str], str]) -> None:
    process, _ = served
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "Traceback" not in stderr
