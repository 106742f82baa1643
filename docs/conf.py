"""Sphinx configuration of the API reference (built by tests/test_docs.py with -W)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))

import boomi_soap
import boomi_soap.bindings
import boomi_soap.localservice
from boomi_soap import __version__

# autodoc lists a module's members with dir(); the public modules load most names on first use,
# so every name of their __all__ is loaded here first, for autodoc to see it.
for _module in (boomi_soap, boomi_soap.bindings, boomi_soap.localservice):
    for _name in _module.__all__:
        setattr(_module, _name, getattr(_module, _name))

project = "boomi-soap"
author = "boomi-soap contributors"
copyright = "boomi-soap contributors"  # noqa: A001 - Sphinx's own name
version = release = __version__
extensions = ["sphinx.ext.autodoc", "sphinx.ext.napoleon", "sphinx_click"]
napoleon_google_docstring = True
napoleon_numpy_docstring = False
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True}
exclude_patterns = ["_build"]
html_theme = "alabaster"
# Quotes and ellipses only: "--account" in the commands' help must not become an en dash.
smartquotes_action = "qe"
suppress_warnings = ["ref.python"]  # forward references in type hints the stubs do not resolve


def _plain(text: str) -> str:
    # Click help is plain text, not reStructuredText: the stars of ``BOOMI_*`` and ``*.xml`` are literal.
    return re.sub(r"_?\*", lambda star: r"\_\*" if star.group().startswith("_") else r"\*", text)


def _plain_description(app: object, ctx: object, lines: list[str]) -> None:
    lines[:] = [_plain(line) for line in lines]


def _plain_option_help(app: object, ctx: object, lines: list[str]) -> None:
    # Only the help text under each ``.. option::``; the directive and its ``:default:`` stay.
    lines[:] = [_plain(line) if line.startswith("    ") and "``" not in line else line for line in lines]


def setup(app: object) -> None:  # noqa: D103 - Sphinx's hook
    for event in ("description", "epilog"):
        app.connect(f"sphinx-click-process-{event}", _plain_description)  # type: ignore[attr-defined]
    app.connect("sphinx-click-process-options", _plain_option_help)  # type: ignore[attr-defined]
