"""Progress bars for runs, sweeps and brand lifts: a widget in Jupyter, a text bar on a terminal.

The bars are ``tqdm.auto``'s, which draws an ipywidgets bar in a Jupyter kernel (JupyterLab, Notebook,
VS Code, papermill) when ipywidgets is installed (the ``notebooks`` extra) and a text bar elsewhere.
Whether one is drawn is the caller's ``progress``: True always, False never, and None only where
someone watches, that is on a terminal or in a notebook, not in a CI log or a pipe.
"""

from __future__ import annotations

import sys
from typing import Any

from tqdm import autonotebook, std
from tqdm.auto import tqdm

IN_NOTEBOOK = autonotebook.tqdm is not std.tqdm  # tqdm chose its widget: a Jupyter kernel with ipywidgets


def is_shown(progress: bool | None) -> bool:
    """Whether a bar is drawn for ``progress`` (None: on a terminal or in a notebook only)."""
    if progress is not None:
        return bool(progress)
    return IN_NOTEBOOK or sys.stderr.isatty()


def progress_bar(progress: bool | None, **options: Any) -> tqdm:
    """A ``tqdm.auto`` bar, disabled unless :func:`is_shown`; ``options`` are tqdm's (``total``, ``desc``, ...)."""
    return tqdm(disable=not is_shown(progress), **options)
