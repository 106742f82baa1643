"""JAX-WS's ``wsimport`` compiles the WSDL the local service serves, on every contract layout.

Boomi's WSDL is published by a JAX-WS service, so its own toolchain accepts it; a
contract it refuses (two global elements differing only in case, a global element and
a complex type of one name and two shapes) is one Boomi could not have published.
``wsimport`` runs as a user would: the served WSDL's URL, an output directory and
``-Xnocompile``, no binding file. It reads the password of the WSDL's HTTP Basic
sign-in from ``${user.home}/.metro/auth`` (its documented default), so ``user.home``
points at a temporary directory holding one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from boomi_soap.localservice import LocalService, ServiceConfig
from boomi_soap.localservice.config import User

WSIMPORT = shutil.which("wsimport")
# The Metro auth file carries the login in a URL's user part: a login without "@" needs no escaping.
LOGIN, PASSWORD = "jaxws", "jaxws-password"

pytestmark = pytest.mark.skipif(
    WSIMPORT is None, reason="wsimport (JAX-WS, Debian package jaxws) is not on PATH; .ci/run installs it"
)


def _auth_line(wsdl_url: str) -> str:
    parts = urlsplit(wsdl_url)
    return urlunsplit(parts._replace(netloc=f"{LOGIN}:{PASSWORD}@{parts.netloc}"))


def test_wsimport_compiles_the_served_wsdl(contract: str, tmp_path: Path) -> None:
    config = ServiceConfig(rate_limit=None, contract=contract, users=(User(LOGIN, password=PASSWORD),))
    home, out = tmp_path / "home", tmp_path / "out"
    (home / ".metro").mkdir(parents=True)
    out.mkdir()
    with LocalService(config) as service:
        wsdl = service.wsdl_url()
        (home / ".metro" / "auth").write_text(_auth_line(wsdl) + "\n", encoding="utf-8")
        env = dict(os.environ)
        # A short run: the client compiler alone and one GC thread halve the JVM's CPU (15 s -> 8 s for
        # the three layouts on two cores) and change nothing wsimport reads or writes.
        flags = f"-Duser.home={home} -XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
        env["JAVA_TOOL_OPTIONS"] = f"{env.get('JAVA_TOOL_OPTIONS', '')} {flags}".strip()
        assert WSIMPORT is not None
        done = subprocess.run(
            [WSIMPORT, "-Xnocompile", "-d", str(out), wsdl],
            capture_output=True,
            text=True,
            env=env,
            timeout=100,
            check=False,
        )
    output = done.stdout + done.stderr
    errors = [line for line in output.splitlines() if "[ERROR]" in line or "Exception in thread" in line]
    assert (done.returncode, errors) == (0, []), output
    assert list(out.rglob("*.java")), f"wsimport wrote no source for {contract}:\n{output}"
