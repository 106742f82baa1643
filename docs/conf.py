"""Sphinx configuration of the API reference (built by tests/test_docs.py with -W)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))

from boomi_soap import __version__

project = "boomi-soap"
author = "boomi-soap contributors"
copyright = "boomi-soap contributors"  # noqa: A001 - Sphinx's own name
version = release = __version__
extensions = ["sphinx.ext.autodoc", "sphinx.ext.napoleon"]
napoleon_google_docstring = True
napoleon_numpy_docstring = False
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True}
exclude_patterns = ["_build"]
html_theme = "alabaster"
suppress_warnings = ["ref.python"]  # forward references in type hints the stubs do not resolve
