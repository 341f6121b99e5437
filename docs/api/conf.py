"""Sphinx configuration of giftsim's API reference, built from the docstrings.

Build it with ``.venv/bin/python -m sphinx -W -b html docs/api docs/api/_build`` (``tests/test_api_docs.py``
builds it the same way, warnings as errors, so a broken docstring fails the suite).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the checkout's sim, installed or not

import sim  # noqa: E402  (after the path is set)

project = "giftsim"
author = "giftsim contributors"
copyright = "giftsim contributors, MIT licence"  # noqa: A001  (the name Sphinx reads)
release = version = sim.__version__

extensions = [
    "sphinx.ext.autodoc",  # the reference from the docstrings
    "sphinx.ext.napoleon",  # Google-style Args, Returns and Raises sections
    "sphinxarg.ext",  # the giftsim command's reference from its argparse parser
]
napoleon_google_docstring = True
napoleon_numpy_docstring = False
autodoc_default_options = {"members": True, "member-order": "bysource"}
autodoc_typehints = "description"  # types beside each argument, signatures kept short
autodoc_class_signature = "separated"
exclude_patterns = ["_build"]
html_theme = "alabaster"
html_theme_options = {"description": "Agent-based simulator of creator-gifting economies"}
